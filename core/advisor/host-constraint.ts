// Housekeeping cores per socket of a host as its command line leaves them: a core is housekeeping when one
// of its CPUs is neither nohz_full nor isolated from the scheduler domains (isolcpus=domain): the tick, RCU
// and unbound work stay there (housekeeping_cpumask()).
import type { Host } from '../profile/profile-schema.ts'
import { deriveHousekeeping } from '../topology/housekeeping.ts'
import { tryBuildHostTopology } from '../topology/host-topology.ts'

/** The fewest housekeeping cores any socket has; null when the host does not set up. */
export function minHousekeepingCoresPerSocket(host: Host): number | null {
  const topo = tryBuildHostTopology(host.topology)
  if (!topo.ok) return null
  const t = topo.topology
  const c = host.kernel.cmdline
  const hk = deriveHousekeeping({ kernelVersion: host.kernel.version, nrCpus: t.nrCpus, nohzFull: c.nohzFull, isolcpus: c.isolcpus, rcuNocbs: c.rcuNocbs, irqaffinity: c.irqaffinity })
  if (!hk.ok) return null
  const cores = Array.from({ length: t.nrSockets }, () => new Set<number>())
  for (let cpu = 0; cpu < t.nrCpus; cpu++) if (!hk.hk.nohzFullCpus[cpu] && !hk.hk.isolatedDomainCpus[cpu]) cores[t.socketOf[cpu]!]!.add(t.coreOf[cpu]!)
  return Math.min(...cores.map((s) => s.size))
}
