// `lscpu -p` (parsable: "# CPU,Core,Socket,Node,,L1d,L1i,L2,L3" header, any column order, caches
// after ",," or joined by ":") and `lscpu -e` (the libsmartcols table "CPU NODE SOCKET CORE
// L1d:L1i:L2:L3 ONLINE …", "-" for no value) → per-CPU rows for host-topology.ts fromRows(), and the
// profile's host.topology when the layout is regular (same cores per socket, threads per core, nodes
// and caches per socket, CPUs numbered as the bench numbers them).
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { tryFromRows, tryBuildHostTopology } from '../topology/host-topology.ts'
import type { CpuRow, HostTopology, HostTopologySpec } from '../topology/host-topology.ts'
import { MAX_NR_CPUS } from '../topology/cpulist.ts'
import type { Host } from '../profile/profile-schema.ts'
import { guardInput, ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'

export const MAX_LSCPU_CHARS = 2 * 1024 * 1024

export interface LscpuImport {
  format: 'lscpu -p' | 'lscpu -e'
  rows: CpuRow[]
  /** CPUs listed but offline (no core/socket): left out of rows. */
  offline: number[]
  /** The profile fragment: host.topology when the layout is regular. */
  host?: { topology: Host['topology'] }
}

const FIX = 'paste the output of `lscpu -p` or `lscpu -e` with all CPUs online'

type Col = 'cpu' | 'core' | 'socket' | 'node' | 'cache' | 'online' | 'other'

function columnOf(name: string): Col {
  const n = name.trim().toUpperCase()
  if (n === 'CPU') return 'cpu'
  if (n === 'CORE') return 'core'
  if (n === 'SOCKET') return 'socket'
  if (n === 'NODE') return 'node'
  if (n === 'ONLINE') return 'online'
  if (n === 'CACHE' || /^L\d[DI]?(:L\d[DI]?)*$/.test(n)) return 'cache'
  return 'other'
}

/** Detects the form and parses it. */
export function importLscpu(text: string): FormatResult<LscpuImport> {
  const guard = guardInput(text, 'lscpu', MAX_LSCPU_CHARS, FIX)
  if (guard) return failed([guard])
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
  // -p: the last "#" line before the data, naming a CPU column among commas; -e: a line naming CPU among spaces.
  const headerAt = lines.findIndex((l) => (l.startsWith('#') ? l.replace(/^#\s*/, '').split(',').some((n) => columnOf(n) === 'cpu') : l.trim().split(/\s+/).some((n) => columnOf(n) === 'cpu')))
  if (headerAt < 0) {
    const first = lines.find((l) => l.trim() !== '') ?? ''
    return failed([fieldError('lscpu line 1', first, 'has no column header ("# CPU,Core,Socket,Node…" of lscpu -p or "CPU NODE SOCKET CORE …" of lscpu -e)', FIX)])
  }
  return lines[headerAt]!.startsWith('#') ? parseP(lines, headerAt) : parseE(lines, headerAt)
}

interface Cell { line: number; values: string[] }

/** One cache level's name in the header of `lscpu -p` ("L1d", "L1i", "L2", "L3"). */
const CACHE_LEVEL = /^L\d[DI]?$/i

function parseP(lines: string[], headerAt: number): FormatResult<LscpuImport> {
  // "# CPU,Core,Socket,Node,,L1d,L1i,L2,L3,Online": lscpu's print_parsable() writes an empty name before
  // the cache levels, one comma-separated name per level; the columns after them are ordinary columns
  // again, in the order -p= named them (MAXMHZ, ONLINE, NODE, …). Every column is read by its name.
  const names = lines[headerAt]!.replace(/^#\s*/, '').split(',')
  const cols: Col[] = []
  let inCaches = false
  let cacheCount = 0
  for (const n of names) {
    if (n.trim() === '') { inCaches = true; cols.push('other'); continue }
    if (inCaches && !CACHE_LEVEL.test(n.trim())) inCaches = false
    const c = inCaches ? 'cache' : columnOf(n)
    if (c === 'cache') cacheCount++
    cols.push(c)
  }
  // In compatible mode the caches are separate columns: the last one is the LLC.
  const cells: Cell[] = []
  for (let i = headerAt + 1; i < lines.length; i++) {
    const l = lines[i]!
    if (l.trim() === '' || l.startsWith('#')) continue
    cells.push({ line: i + 1, values: l.split(',') })
  }
  return build('lscpu -p', cols, cells, names.length, cacheCount, '')
}

function parseE(lines: string[], headerAt: number): FormatResult<LscpuImport> {
  const names = lines[headerAt]!.trim().split(/\s+/)
  const cols = names.map(columnOf)
  const cells: Cell[] = []
  for (let i = headerAt + 1; i < lines.length; i++) {
    const l = lines[i]!
    if (l.trim() === '') continue
    cells.push({ line: i + 1, values: l.trim().split(/\s+/) })
  }
  return build('lscpu -e', cols, cells, names.length, 1, '-')
}

function build(format: LscpuImport['format'], cols: Col[], cells: Cell[], width: number, cacheCols: number, none: string): FormatResult<LscpuImport> {
  const errors: FieldError[] = []
  const need: Col[] = ['cpu', 'core', 'socket']
  for (const c of need) {
    if (!cols.includes(c)) errors.push(fieldError(`${format} header`, cols.join(','), `has no ${c === 'cpu' ? 'CPU' : c[0]!.toUpperCase() + c.slice(1)} column`, format === 'lscpu -p' ? 'use `lscpu -p` or `lscpu -p=CPU,Core,Socket,Node,Cache`' : 'use `lscpu -e=CPU,NODE,SOCKET,CORE,CACHE`'))
  }
  if (errors.length) return failed(errors)
  if (cells.length > MAX_NR_CPUS) return failed([fieldError(format, `${cells.length} rows`, `lists more than ${MAX_NR_CPUS} CPUs`, 'a host has at most 8192 CPUs (CONFIG_NR_CPUS)')])
  const warnings: string[] = []
  const rows: CpuRow[] = []
  const offline: number[] = []
  const idx = (c: Col): number => cols.indexOf(c)
  const cacheIdx = cols.map((c, i) => (c === 'cache' ? i : -1)).filter((i) => i >= 0)
  if (!cols.includes('node')) warnings.push(`${format}: no Node column — every CPU is put in NUMA node 0`)
  if (!cacheIdx.length) warnings.push(`${format}: no cache columns — the last-level cache is taken to be one per socket`)
  for (const cell of cells) {
    const v = cell.values
    if (v.length !== width) {
      errors.push(fieldError(`${format} line ${cell.line}`, v.join(format === 'lscpu -p' ? ',' : ' '), `has ${v.length} columns where the header has ${width}`, FIX))
      if (errors.length >= 20) break
      continue
    }
    const num = (c: Col, i: number): number | null | undefined => {
      const s = (v[i] ?? '').trim()
      if (s === '' || s === none || s === '-') return null
      const problem = idProblem(s)
      if (problem) {
        errors.push(fieldError(`${format} line ${cell.line} ${c}`, s, problem, FIX))
        return undefined
      }
      return Number(s)
    }
    const cpu = num('cpu', idx('cpu'))
    const core = num('core', idx('core'))
    const socket = num('socket', idx('socket'))
    const node = cols.includes('node') ? num('node', idx('node')) : 0
    const online = cols.includes('online') ? (v[idx('online')] ?? '').trim().toLowerCase() : 'y'
    if (cpu === undefined || core === undefined || socket === undefined || node === undefined) continue
    if (cpu === null) { errors.push(fieldError(`${format} line ${cell.line} cpu`, '', 'is empty', FIX)); continue }
    if (core === null || socket === null || online === 'no' || online === 'n') { offline.push(cpu); continue }
    let llc: number | undefined
    if (cacheIdx.length) {
      // the last cache level printed: the last column (compatible -p) or the last ':' field
      const last = (v[cacheIdx[cacheIdx.length - 1]!] ?? '').trim()
      const parts = last.split(':')
      const id = parts[parts.length - 1]!
      if (id !== '' && id !== '-') {
        const problem = idProblem(id)
        if (problem) errors.push(fieldError(`${format} line ${cell.line} cache`, last, problem.replace('an id', 'a cache id'), FIX))
        else llc = Number(id)
      }
    }
    const row: CpuRow = { cpu, core, socket, node: node ?? 0 }
    if (llc !== undefined) row.llc = llc
    rows.push(row)
  }
  if (errors.length) return failed(errors)
  if (offline.length) warnings.push(`${format}: CPU${offline.length > 1 ? 's' : ''} ${offline.slice(0, 10).join(',')}${offline.length > 10 ? '…' : ''} offline — left out; bring them online for a complete topology`)
  const t = tryFromRows(rows)
  if (!t.ok) return failed(t.errors)
  const value: LscpuImport = { format, rows, offline }
  const spec = regularSpec(t.topology, warnings)
  if (spec) value.host = { topology: spec }
  return ok(value, warnings)
}

/** Why an id column's value is not an id: not a number, or a number larger than any id of a host. */
function idProblem(s: string): string | null {
  if (/^\d{1,7}$/.test(s)) return null
  if (!/^\d+$/.test(s)) return /^-?\d+(\.\d+)?$/.test(s) ? 'is not a whole number ≥ 0, so it is not an id' : 'is not a number, so it is not an id'
  if (s === '4294967295') return 'is 4294967295, (u32)-1: the kernel has no id for this CPU here — take lscpu of a host whose topology the kernel reports'
  return `is ${s.length > 12 ? `a ${s.length}-digit number` : s}, larger than any id of a host (at most ${MAX_NR_CPUS} CPUs)`
}

/** sockets × cores × threads (× nodes, × LLCs per socket) when the layout is regular and numbered as the bench numbers CPUs. */
function regularSpec(t: HostTopology, warnings: string[]): Host['topology'] | null {
  const sockets = t.nrSockets
  const coresPerSocket = t.nrCores / sockets
  const threadsPerCore = t.threadsPerCore
  const numaNodesPerSocket = t.nrNumaNodes / sockets
  const llcPerSocket = t.nrLlcs / sockets
  const irregular = (why: string): null => {
    warnings.push(`the topology is not regular (${why}): no host.topology written — the per-CPU rows are kept`)
    return null
  }
  if (!Number.isInteger(coresPerSocket)) return irregular('sockets have different core counts')
  if (t.nrCpus !== t.nrCores * threadsPerCore) return irregular('cores have different thread counts')
  if (!Number.isInteger(numaNodesPerSocket) || !Number.isInteger(llcPerSocket)) return irregular('NUMA nodes or caches are not spread evenly over the sockets')
  const spec: HostTopologySpec = { sockets, coresPerSocket, threadsPerCore, numaNodesPerSocket, llcPerSocket }
  const limits: [keyof HostTopologySpec, number][] = [['sockets', 16], ['coresPerSocket', 256], ['threadsPerCore', 4], ['numaNodesPerSocket', 8], ['llcPerSocket', 32]]
  for (const [k, max] of limits) if ((spec[k] ?? 1) > max) return irregular(`${k} ${spec[k]} is more than the profile's maximum ${max}`)
  const built = tryBuildHostTopology(spec)
  if (!built.ok) return irregular(built.errors.map((e) => e.message).join('; '))
  const b = built.topology
  const same = (a: readonly number[], c: readonly number[]): boolean => a.every((x, i) => x === c[i])
  const socketMap = canonicalMap(t.socketOf)
  const nodeMap = canonicalMap(t.numaOf)
  const llcMap = canonicalMap(t.llcOf)
  const matches = same(t.coreOf, b.coreOf) && same(t.socketOf.map((s) => socketMap.get(s)!), b.socketOf) &&
    same(t.numaOf.map((n) => nodeMap.get(n)!), b.numaOf) && same(t.llcOf.map((l) => llcMap.get(l)!), b.llcOf)
  if (!matches) {
    warnings.push(`the CPUs are numbered differently from the bench's ${sockets}×${coresPerSocket}×${threadsPerCore} layout (first threads of all cores, then their siblings): host.topology is written, but cpulists from this host must be translated (CPU 1 is on core ${t.coreOf[1] ?? '?'} here, on core ${b.coreOf[1] ?? '?'} in the bench)`)
  }
  return { sockets, coresPerSocket, threadsPerCore, numaNodesPerSocket, llcPerSocket }
}

/** Ids renumbered 0.. in order of first appearance (lscpu ids need not be dense). */
function canonicalMap(ids: readonly number[]): Map<number, number> {
  const m = new Map<number, number>()
  for (const id of ids) if (!m.has(id)) m.set(id, m.size)
  return m
}

export type { CpuRow, HostTopology, FieldError }
