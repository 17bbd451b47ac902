// A new host from scratch (the "New profile" form): the topology, the housekeeping CPUs a partitioned KVM
// host starts from, and the isolation command line tuned's cpu-partitioning profile writes for the rest.
import type { CpuPreset, Host } from '../profile/profile-schema.ts'
import { formatCpuList } from './cpulist.ts'
import { tryBuildHostTopology } from './host-topology.ts'
import type { HostTopology, HostTopologySpec } from './host-topology.ts'
import type { FieldError } from '../field-error.ts'

export interface NewHostSpec extends Required<HostTopologySpec> {
  cpu: CpuPreset
  kernelVersion: string
  hz: Host['kernel']['hz']
}

export interface IsolationCmdline { nohzFull: string; isolcpus: string; rcuNocbs: string; irqaffinity: string }

/**
 * The default housekeeping CPUs: the first core of every socket and its SMT siblings. One per socket keeps
 * each socket's kernel work (timers, kworkers, RCU callbacks, unmanaged IRQs) local, as OpenShift's
 * performance profile reserves CPUs per NUMA node; CPU 0, the boot CPU, is always among them (tick_nohz_init()
 * keeps it for timekeeping anyway).
 */
export function defaultHousekeepingCpus(topo: HostTopology): number[] {
  const firstCoreOfSocket = new Map<number, number>()
  for (let cpu = 0; cpu < topo.nrCpus; cpu++) {
    const s = topo.socketOf[cpu]!
    if (!firstCoreOfSocket.has(s)) firstCoreOfSocket.set(s, topo.coreOf[cpu]!)
  }
  const out: number[] = []
  for (const core of firstCoreOfSocket.values()) {
    const first = topo.coreOf.indexOf(core)
    out.push(...topo.siblingsOf(first))
  }
  return out.sort((a, b) => a - b)
}

/**
 * The command line that isolates every CPU but the housekeeping ones, as tuned's cpu-partitioning profile
 * writes it for `isolated_cores` (nohz_full= and rcu_nocbs= the isolated CPUs, irqaffinity= the housekeeping
 * ones) plus the isolcpus=managed_irq,domain OpenShift's performance profile adds. All empty when nothing is
 * isolated.
 */
export function isolationCmdline(nrCpus: number, housekeeping: readonly number[]): IsolationCmdline {
  const hk = new Set(housekeeping)
  const isolated = new Set<number>()
  for (let cpu = 0; cpu < nrCpus; cpu++) if (!hk.has(cpu)) isolated.add(cpu)
  if (isolated.size === 0 || hk.size === 0) return { nohzFull: '', isolcpus: '', rcuNocbs: '', irqaffinity: '' }
  const list = formatCpuList(isolated)
  return { nohzFull: list, isolcpus: `managed_irq,domain,${list}`, rcuNocbs: list, irqaffinity: formatCpuList(hk) }
}

export type NewHostResult = { ok: true; host: Record<string, unknown>; topology: HostTopology; housekeeping: number[] } | { ok: false; errors: FieldError[] }

/** The host part of a new profile (sparse JSON: the rest keeps its defaults), or the topology's errors. */
export function newHost(spec: NewHostSpec): NewHostResult {
  const t = tryBuildHostTopology(spec)
  if (!t.ok) return t
  const housekeeping = defaultHousekeepingCpus(t.topology)
  const { sockets, coresPerSocket, threadsPerCore, numaNodesPerSocket, llcPerSocket } = spec
  const host = {
    cpu: spec.cpu,
    topology: { sockets, coresPerSocket, threadsPerCore, numaNodesPerSocket, llcPerSocket },
    kernel: { version: spec.kernelVersion, hz: spec.hz, cmdline: isolationCmdline(t.topology.nrCpus, housekeeping) },
  }
  return { ok: true, host, topology: t.topology, housekeeping }
}
