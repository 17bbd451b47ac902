// A starter VM on this machine: its vCPUs pinned one to a CPU on free isolated CPUs of one NUMA node, its
// emulator thread on that socket's housekeeping CPUs. Isolated = what the command line isolates
// (cpu_is_isolated(): out of the scheduler domains by isolcpus=domain, or nohz_full=); with neither on
// the command line, every CPU but the housekeeping default — the first core of each socket and its SMT
// siblings (one housekeeping core per socket, so every socket keeps one for the kernel). Free = neither
// pinned by a running VM nor the SMT sibling of such a CPU (two VMs' vCPUs on one core share its
// execution units). All numbers are the bench's.
import type { HostTopology } from '../../../core/topology/host-topology.ts'
import type { HousekeepingSets } from '../../../core/topology/housekeeping.ts'
import { cpuIsIsolated } from '../../../core/topology/housekeeping.ts'
import { parseCpuList, cpusOf, formatCpuList } from '../../../core/topology/cpulist.ts'

export interface Placement {
  isolated: number[]
  housekeeping: number[]
  /** How the housekeeping set was chosen. */
  rule: string
}

/** The isolated and housekeeping CPUs: from the command line when it isolates any, else the default. */
export function isolation(t: HostTopology, hk: HousekeepingSets | undefined): Placement {
  const all = Array.from({ length: t.nrCpus }, (_, c) => c)
  if (hk && (hk.enabled.domain || hk.enabled.tick || hk.enabled.kernelNoise)) {
    const isolated = all.filter((c) => cpuIsIsolated(hk, c))
    return { isolated, housekeeping: all.filter((c) => !isolated.includes(c)), rule: 'the command line (isolcpus=, nohz_full=)' }
  }
  const firstCore = new Map<number, number>()
  for (const c of all) if (!firstCore.has(t.socketOf[c]!)) firstCore.set(t.socketOf[c]!, t.coreOf[c]!)
  const housekeeping = all.filter((c) => firstCore.get(t.socketOf[c]!) === t.coreOf[c])
  return { isolated: all.filter((c) => !housekeeping.includes(c)), housekeeping, rule: 'default (the first core of each socket and its siblings: the command line isolates no CPU)' }
}

/** CPUs the VMs' vcpupin entries name. */
export function pinnedCpus(vms: readonly Record<string, unknown>[], nrCpus: number): Set<number> {
  const used = new Set<number>()
  for (const vm of vms) {
    const pins = ((vm.pinning as { vcpupin?: string[] } | undefined)?.vcpupin ?? [])
    for (const p of pins) {
      const r = p === '' ? undefined : parseCpuList(p, { nrCpus, allowExclusion: true })
      if (r?.ok) for (const c of cpusOf(r.cpus)) used.add(c)
    }
  }
  return used
}

export type StarterVm = { ok: true; vm: Record<string, unknown>; note: string } | { ok: false; reason: string }

export function placeStarterVm(t: HostTopology, p: Placement, vcpus: number, existing: readonly Record<string, unknown>[]): StarterVm {
  const used = new Set<number>()
  for (const c of pinnedCpus(existing, t.nrCpus)) for (const s of t.siblingsOf(c)) used.add(s)
  const nodes = [...new Set(t.numaOf)].sort((a, b) => a - b)
  const freeOf = (n: number): number[] => p.isolated.filter((c) => t.numaOf[c] === n && !used.has(c))
  const node = nodes.find((n) => freeOf(n).length >= vcpus)
  if (node === undefined) {
    const most = Math.max(0, ...nodes.map((n) => freeOf(n).length))
    return { ok: false, reason: `${vcpus} vCPUs: no NUMA node has ${vcpus} free isolated CPUs (the most is ${most}, beside the running VMs' cores; isolated: ${formatCpuList(p.isolated) || 'none'}, by ${p.rule}) — ${most > 0 ? `give at most ${most} vCPU${most > 1 ? 's' : ''}` : 'this machine has no CPU to spare for a VM'}, or isolate more CPUs` }
  }
  // ascending bench numbers: the first threads of the node's cores, then their siblings
  const cpus = freeOf(node).slice(0, vcpus)
  const socket = t.socketOf[cpus[0]!]!
  const hkHere = p.housekeeping.filter((c) => t.socketOf[c] === socket)
  const names = new Set(existing.map((v) => v.name))
  let name = 'vm0'
  for (let i = 1; names.has(name); i++) name = `vm${i}`
  const vm = {
    name, vcpus,
    guestTopology: { sockets: 1, cores: vcpus, threads: 1 },
    pinning: { vcpupin: cpus.map(String), emulatorpin: formatCpuList(hkHere.length ? hkHere : p.housekeeping), iothreadpin: '' },
  }
  return { ok: true, vm, note: `${name}: ${vcpus} vCPU${vcpus > 1 ? 's' : ''} on CPUs ${formatCpuList(cpus)} (NUMA node ${node}), emulator on ${vm.pinning.emulatorpin}; housekeeping CPUs ${formatCpuList(p.housekeeping)}, by ${p.rule}` }
}
