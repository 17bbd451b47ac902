// This machine's CPU numbers → the bench's. The profile numbers CPUs as Linux enumerates Intel servers
// (host-topology.ts: the first thread of every core, socket by socket, then the second threads in the same
// order); a machine may number them otherwise (sockets interleaved, siblings adjacent). Every cpulist read
// from this machine (/proc/cmdline, libvirt's cpusets) goes through this map, so CPU N in the profile is
// the same core and thread as on the machine.
import { buildHostTopology } from '../../../core/topology/host-topology.ts'
import type { CpuRow, HostTopologySpec } from '../../../core/topology/host-topology.ts'
import { parseCpuList, cpusOf, formatCpuList } from '../../../core/topology/cpulist.ts'

export interface CpuNumbering {
  /** Bench CPU of each machine CPU (index: the machine's number). */
  toBench: number[]
  identity: boolean
  /** Why the bench's NUMA nodes or LLCs differ from the machine's, when they do. */
  mismatch?: string
}

/** The map, or undefined when the rows do not fill the spec (irregular topology). */
export function benchNumbering(rows: readonly CpuRow[], spec: HostTopologySpec): CpuNumbering | undefined {
  const bench = buildHostTopology(spec)
  if (rows.length !== bench.nrCpus) return undefined
  const sockets = [...new Set(rows.map((r) => r.socket))].sort((a, b) => a - b)
  const byCpu = [...rows].sort((a, b) => a.cpu - b.cpu)
  // a core's local index: the order of its lowest CPU within its socket; a thread's: its rank in the core
  const coreIndex = new Map<string, number>()
  const perSocket = new Map<number, number>()
  const threadSeen = new Map<string, number>()
  const toBench: number[] = []
  const cps = spec.coresPerSocket
  const nrCores = spec.sockets * cps
  for (const r of byCpu) {
    const key = `${r.socket}/${r.core}`
    let local = coreIndex.get(key)
    if (local === undefined) {
      local = perSocket.get(r.socket) ?? 0
      perSocket.set(r.socket, local + 1)
      coreIndex.set(key, local)
    }
    const thread = threadSeen.get(key) ?? 0
    threadSeen.set(key, thread + 1)
    if (local >= cps || thread >= spec.threadsPerCore) return undefined
    toBench[r.cpu] = thread * nrCores + sockets.indexOf(r.socket) * cps + local
  }
  const identity = toBench.every((b, cpu) => b === cpu)
  const mismatch = partitionMismatch(byCpu, toBench, (r) => r.node, bench.numaOf, 'NUMA node') ?? partitionMismatch(byCpu, toBench, (r) => r.llc ?? r.socket, bench.llcOf, 'last-level cache')
  return mismatch ? { toBench, identity, mismatch } : { toBench, identity }
}

/** Whether the machine's groups (nodes, LLCs) are the bench's groups under the map. */
function partitionMismatch(rows: readonly CpuRow[], toBench: number[], group: (r: CpuRow) => number, benchOf: readonly number[], what: string): string | undefined {
  const fwd = new Map<number, number>()
  const back = new Map<number, number>()
  for (const r of rows) {
    const g = group(r)
    const b = benchOf[toBench[r.cpu]!]!
    if ((fwd.get(g) ?? b) !== b || (back.get(b) ?? g) !== g) return `CPU ${r.cpu}'s ${what} ${g} is not where the bench's regular layout puts it: cores are not spread over the ${what}s in order`
    fwd.set(g, b)
    back.set(b, g)
  }
  return undefined
}

/** A machine cpulist in bench numbers (canonical form); the flags of isolcpus= are kept. */
export function toBenchList(text: string, n: CpuNumbering, opts: { flags?: boolean; exclusion?: boolean } = {}): string {
  let flags = ''
  let list = text
  if (opts.flags) {
    const m = /^((?:[A-Za-z_]+,)*)(.*)$/.exec(text)!
    flags = m[1]!
    list = m[2]!
  }
  if (n.identity) return text
  const r = parseCpuList(list, { nrCpus: n.toBench.length, allowExclusion: opts.exclusion ?? false })
  if (!r.ok) return text
  return `${flags}${formatCpuList(cpusOf(r.cpus).map((c) => n.toBench[c]!).sort((a, b) => a - b))}`
}
