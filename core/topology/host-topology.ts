// Host CPU topology: which socket, core, SMT thread, NUMA node and last-level cache every logical
// CPU belongs to. Built from sockets × cores × threads, numbered as Linux enumerates Intel servers
// (first thread of every core, socket by socket, then the second thread of every core in the same
// order: on 2×12×2, CPUs 0 and 24 are siblings), or from per-CPU rows such as `lscpu -p` prints.
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { MAX_NR_CPUS } from './cpulist.ts'

export interface HostTopologySpec {
  sockets: number
  coresPerSocket: number
  threadsPerCore: number
  /** NUMA nodes per socket (Intel SNC, AMD NPS); each takes an equal share of the socket's cores. Default 1. */
  numaNodesPerSocket?: number
  /** Last-level-cache groups per socket (AMD CCX/CCD); each takes an equal share of the cores. Default 1. */
  llcPerSocket?: number
}

/** One logical CPU as `lscpu -p=CPU,Core,Socket,Node,Cache` reports it (llc: the L3 id; default: the socket). */
export interface CpuRow {
  cpu: number
  core: number
  socket: number
  node: number
  llc?: number
}

export interface HostTopology {
  nrCpus: number
  nrSockets: number
  /** Physical cores on the host. */
  nrCores: number
  nrNumaNodes: number
  nrLlcs: number
  /** SMT threads of the largest core. */
  threadsPerCore: number
  /** Per logical CPU: socket id. */
  socketOf: readonly number[]
  /** Per logical CPU: global core id, dense 0..nrCores-1 (socket 0's cores first). */
  coreOf: readonly number[]
  /** Per logical CPU: its SMT thread index within the core (0 = first thread). */
  threadOf: readonly number[]
  /** Per logical CPU: NUMA node id. */
  numaOf: readonly number[]
  /** Per logical CPU: last-level-cache group id. */
  llcOf: readonly number[]
  /** The CPUs of a core, the CPU itself included, ascending (sysfs thread_siblings_list). */
  siblingsOf(cpu: number): readonly number[]
}

export type TopologyResult = { ok: true; topology: HostTopology } | { ok: false; errors: FieldError[] }

export class TopologyError extends Error {
  readonly errors: FieldError[]
  constructor(errors: FieldError[]) {
    super(errors.map((e) => e.message).join('\n'))
    this.name = 'TopologyError'
    this.errors = errors
  }
}

const MAX_THREADS_PER_CORE = 8

/** Builds the topology, or throws TopologyError naming every bad field. */
export function buildHostTopology(spec: HostTopologySpec): HostTopology {
  const r = tryBuildHostTopology(spec)
  if (!r.ok) throw new TopologyError(r.errors)
  return r.topology
}

export function tryBuildHostTopology(spec: HostTopologySpec): TopologyResult {
  const errors = validateSpec(spec)
  if (errors.length) return { ok: false, errors }
  const { sockets, coresPerSocket, threadsPerCore } = spec
  const nps = spec.numaNodesPerSocket ?? 1
  const lps = spec.llcPerSocket ?? 1
  const coresTotal = sockets * coresPerSocket
  const nrCpus = coresTotal * threadsPerCore
  const socketOf: number[] = []
  const coreOf: number[] = []
  const threadOf: number[] = []
  const numaOf: number[] = []
  const llcOf: number[] = []
  for (let cpu = 0; cpu < nrCpus; cpu++) {
    const thread = Math.floor(cpu / coresTotal)
    const core = cpu % coresTotal
    const socket = Math.floor(core / coresPerSocket)
    const local = core % coresPerSocket
    socketOf.push(socket)
    coreOf.push(core)
    threadOf.push(thread)
    numaOf.push(socket * nps + Math.floor(local / (coresPerSocket / nps)))
    llcOf.push(socket * lps + Math.floor(local / (coresPerSocket / lps)))
  }
  return { ok: true, topology: assemble(socketOf, coreOf, threadOf, numaOf, llcOf) }
}

function validateSpec(spec: HostTopologySpec): FieldError[] {
  const errors: FieldError[] = []
  const int = (name: keyof HostTopologySpec, v: unknown, max: number): boolean => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max) return true
    errors.push(fieldError(`topology.${name}`, String(v), `must be a whole number from 1 to ${max}`, `set ${name} as lscpu reports it`))
    return false
  }
  const ok = int('sockets', spec.sockets, MAX_NR_CPUS) &&
    int('coresPerSocket', spec.coresPerSocket, MAX_NR_CPUS) &&
    int('threadsPerCore', spec.threadsPerCore, MAX_THREADS_PER_CORE)
  const nps = spec.numaNodesPerSocket ?? 1
  const lps = spec.llcPerSocket ?? 1
  const npsOk = int('numaNodesPerSocket', nps, MAX_NR_CPUS)
  const lpsOk = int('llcPerSocket', lps, MAX_NR_CPUS)
  if (!ok) return errors
  const total = spec.sockets * spec.coresPerSocket * spec.threadsPerCore
  if (total > MAX_NR_CPUS) {
    errors.push(fieldError('topology', `${spec.sockets}×${spec.coresPerSocket}×${spec.threadsPerCore}`, `gives ${total} logical CPUs`, `a host has at most ${MAX_NR_CPUS} CPUs (CONFIG_NR_CPUS)`))
  }
  if (npsOk && spec.coresPerSocket % nps !== 0) {
    errors.push(fieldError('topology.numaNodesPerSocket', String(nps), `does not divide the ${spec.coresPerSocket} cores of a socket evenly`, `use a divisor of ${spec.coresPerSocket}, e.g. 1 or 2`))
  }
  if (lpsOk && spec.coresPerSocket % lps !== 0) {
    errors.push(fieldError('topology.llcPerSocket', String(lps), `does not divide the ${spec.coresPerSocket} cores of a socket evenly`, `use a divisor of ${spec.coresPerSocket} (AMD: cores per socket / cores per CCX)`))
  }
  return errors
}

/** Builds the topology from per-CPU rows (e.g. parsed `lscpu -p`), or throws TopologyError. */
export function fromRows(rows: readonly CpuRow[]): HostTopology {
  const r = tryFromRows(rows)
  if (!r.ok) throw new TopologyError(r.errors)
  return r.topology
}

export function tryFromRows(rows: readonly CpuRow[]): TopologyResult {
  const errors = validateRows(rows)
  if (errors.length) return { ok: false, errors }
  const byCpu = [...rows].sort((a, b) => a.cpu - b.cpu)
  // Dense core ids in order of each core's lowest CPU; a core is keyed by (socket, core).
  const coreIds = new Map<string, number>()
  const coreOf: number[] = []
  const threadOf: number[] = []
  const seenThreads: number[] = []
  for (const r of byCpu) {
    const key = `${r.socket}/${r.core}`
    let id = coreIds.get(key)
    if (id === undefined) {
      id = coreIds.size
      coreIds.set(key, id)
      seenThreads.push(0)
    }
    coreOf.push(id)
    threadOf.push(seenThreads[id]!)
    seenThreads[id]! += 1
  }
  const topology = assemble(byCpu.map((r) => r.socket), coreOf, threadOf, byCpu.map((r) => r.node), byCpu.map((r) => r.llc ?? r.socket))
  return { ok: true, topology }
}

function validateRows(rows: readonly CpuRow[]): FieldError[] {
  const errors: FieldError[] = []
  if (!Array.isArray(rows) || rows.length === 0) return [fieldError('lscpu', '', 'has no CPU rows', 'paste the output of `lscpu -p=CPU,Core,Socket,Node,Cache`')]
  if (rows.length > MAX_NR_CPUS) return [fieldError('lscpu', `${rows.length} rows`, 'has too many CPUs', `a host has at most ${MAX_NR_CPUS} CPUs`)]
  const seen = new Uint8Array(rows.length)
  const coreHome = new Map<string, string>()
  const threads = new Map<string, number>()
  rows.forEach((r, i) => {
    for (const k of ['cpu', 'core', 'socket', 'node'] as const) {
      const v = r[k]
      if (!Number.isInteger(v) || v < 0 || v > 1_000_000) errors.push(fieldError(`lscpu row ${i + 1}.${k}`, String(v), 'is not a non-negative whole number', 'bring all CPUs online and use `lscpu -p` (offline CPUs show "-")'))
    }
    if (r.llc !== undefined && (!Number.isInteger(r.llc) || r.llc < 0)) errors.push(fieldError(`lscpu row ${i + 1}.llc`, String(r.llc), 'is not a non-negative whole number', 'use the L3 cache id, or leave it out'))
    if (Number.isInteger(r.cpu) && r.cpu >= 0) {
      if (r.cpu >= rows.length) errors.push(fieldError(`lscpu row ${i + 1}.cpu`, String(r.cpu), `is outside 0-${rows.length - 1}`, 'list every CPU from 0 up without gaps (bring offline CPUs online)'))
      else if (seen[r.cpu]) errors.push(fieldError(`lscpu row ${i + 1}.cpu`, String(r.cpu), 'appears twice', 'list each CPU once'))
      else seen[r.cpu] = 1
    }
    const key = `${r.socket}/${r.core}`
    const home = `node ${r.node}`
    const prev = coreHome.get(key)
    if (prev !== undefined && prev !== home) errors.push(fieldError(`lscpu row ${i + 1}.node`, String(r.node), `puts core ${r.core} of socket ${r.socket} in two NUMA nodes`, 'check the Node column'))
    coreHome.set(key, home)
    const n = (threads.get(key) ?? 0) + 1
    threads.set(key, n)
    if (n === MAX_THREADS_PER_CORE + 1) errors.push(fieldError(`lscpu row ${i + 1}.core`, String(r.core), `has more than ${MAX_THREADS_PER_CORE} threads`, 'check the Core column: core ids repeat only for SMT siblings'))
  })
  return errors
}

function assemble(socketOf: number[], coreOf: number[], threadOf: number[], numaOf: number[], llcOf: number[]): HostTopology {
  const coreCpus: number[][] = []
  coreOf.forEach((core, cpu) => { (coreCpus[core] ??= []).push(cpu) })
  const distinct = (a: number[]): number => new Set(a).size
  const siblings = coreCpus.map((c) => Object.freeze(c))
  return {
    nrCpus: coreOf.length,
    nrSockets: distinct(socketOf),
    nrCores: coreCpus.length,
    nrNumaNodes: distinct(numaOf),
    nrLlcs: distinct(llcOf),
    threadsPerCore: Math.max(...siblings.map((c) => c.length)),
    socketOf: Object.freeze(socketOf),
    coreOf: Object.freeze(coreOf),
    threadOf: Object.freeze(threadOf),
    numaOf: Object.freeze(numaOf),
    llcOf: Object.freeze(llcOf),
    siblingsOf(cpu: number): readonly number[] {
      const core = coreOf[cpu]
      if (core === undefined) throw new RangeError(`CPU ${cpu} is not in 0-${coreOf.length - 1}`)
      return siblings[core]!
    },
  }
}

/** The CPUs whose value in `of` (e.g. topology.numaOf) equals id, as a membership bitmap. */
export function cpusWhere(of: readonly number[], id: number): Uint8Array {
  const set = new Uint8Array(of.length)
  of.forEach((v, cpu) => { if (v === id) set[cpu] = 1 })
  return set
}
