// Where a new VM goes by default: its vCPUs pinned 1:1 to free isolated CPUs of one NUMA node (whole cores
// first, so SMT siblings go to the same VM), its emulator and I/O threads on that socket's housekeeping CPUs —
// the layout OpenShift's CPU manager and tuned's cpu-partitioning give a dedicated instance.
import type { Host, Vm } from '../profile/profile-schema.ts'
import { formatCpuList, parseCpuList } from './cpulist.ts'
import { tryBuildHostTopology } from './host-topology.ts'
import type { HostTopology } from './host-topology.ts'
import { deriveHousekeeping } from './housekeeping.ts'

export interface VmPlacement {
  /** One CPU per vCPU (vcpupin), '' for a vCPU left floating when the node had too few free CPUs. */
  vcpupin: string[]
  emulatorpin: string
  iothreadpin: string
  /** The NUMA node chosen, -1 when none could be. */
  node: number
  /** Said to the user: where the VM went and why, or why it could not be pinned. */
  note: string
}

interface PinnableVm { vcpus: number; pinning: Vm['pinning'] }

/** The CPUs the VMs' threads are pinned to (vcpupin, emulatorpin, iothreadpin as written). */
export function usedCpus(vms: readonly PinnableVm[], nrCpus: number): Set<number> {
  const used = new Set<number>()
  const add = (text: string | undefined): void => {
    if (!text?.trim()) return
    const r = parseCpuList(text, { nrCpus, allowExclusion: true })
    if (r.ok) r.cpus.forEach((b, cpu) => { if (b) used.add(cpu) })
  }
  for (const vm of vms) {
    vm.pinning.vcpupin.slice(0, vm.vcpus).forEach(add)
    add(vm.pinning.emulatorpin)
    add(vm.pinning.iothreadpin)
  }
  return used
}

/** CPUs in core order (socket, then core), each core's SMT threads together: the order vCPUs are placed in. */
function coreOrder(topo: HostTopology, cpus: Iterable<number>): number[] {
  return [...cpus].sort((a, b) => (topo.coreOf[a]! - topo.coreOf[b]!) || (topo.threadOf[a]! - topo.threadOf[b]!))
}

/**
 * The default pinning of a new VM with `vcpus` vCPUs next to `vms`: the NUMA node with the most free isolated
 * CPUs (ties: the lowest node), so successive VMs spread over the nodes; `node` forces one. Isolated means
 * nohz_full or isolcpus=domain as the host's kernel derives them; on a host without isolation, every CPU but
 * the boot CPU's core counts.
 */
export function defaultVmPinning(host: Host, vms: readonly PinnableVm[], vcpus: number, opts: { node?: number } = {}): VmPlacement {
  const none = (note: string): VmPlacement => ({ vcpupin: [], emulatorpin: '', iothreadpin: '', node: -1, note })
  const t = tryBuildHostTopology(host.topology)
  if (!t.ok) return none('the host topology is invalid, so the VM is left floating')
  const topo = t.topology
  const n = topo.nrCpus
  const c = host.kernel.cmdline
  const hkr = deriveHousekeeping({ kernelVersion: host.kernel.version, nrCpus: n, nohzFull: c.nohzFull, isolcpus: c.isolcpus, rcuNocbs: c.rcuNocbs, irqaffinity: c.irqaffinity })
  if (!hkr.ok) return none('the kernel command line is invalid, so the VM is left floating')
  const hk = hkr.hk
  const isolated = (cpu: number): boolean => hk.nohzFullCpus[cpu] === 1 || hk.isolatedDomainCpus[cpu] === 1
  const anyIsolated = Array.from({ length: n }, (_, cpu) => cpu).some(isolated)
  const bootCore = topo.siblingsOf(0)
  const eligible = (cpu: number): boolean => (anyIsolated ? isolated(cpu) : !bootCore.includes(cpu))
  const used = usedCpus(vms, n)
  const freeByNode = new Map<number, number[]>()
  for (let node = 0; node < topo.nrNumaNodes; node++) freeByNode.set(node, [])
  for (let cpu = 0; cpu < n; cpu++) if (eligible(cpu) && !used.has(cpu)) freeByNode.get(topo.numaOf[cpu]!)?.push(cpu)
  let node = opts.node ?? -1
  if (node < 0 || !freeByNode.has(node)) {
    for (const [k, list] of freeByNode) if (node < 0 || list.length > freeByNode.get(node)!.length) node = k
  }
  const free = coreOrder(topo, freeByNode.get(node) ?? [])
  const vcpupin = Array.from({ length: vcpus }, (_, i) => (free[i] !== undefined ? String(free[i]) : ''))
  const socket = topo.socketOf[topo.numaOf.indexOf(node)] ?? 0
  const hkOnSocket: number[] = []
  for (let cpu = 0; cpu < n; cpu++) if (topo.socketOf[cpu] === socket && !isolated(cpu)) hkOnSocket.push(cpu)
  const threadsPin = anyIsolated && hkOnSocket.length ? formatCpuList(new Set(hkOnSocket)) : ''
  const pinned = Math.min(vcpus, free.length)
  const where = `NUMA node ${node} (socket ${socket})`
  const note = pinned === vcpus
    ? `${vcpus} vCPUs pinned 1:1 to free ${anyIsolated ? 'isolated ' : ''}CPUs of ${where}${threadsPin ? `; emulator and I/O threads on its housekeeping CPUs ${threadsPin}` : ''}`
    : `${where} has only ${free.length} free ${anyIsolated ? 'isolated ' : ''}CPUs: ${pinned} vCPUs pinned, ${vcpus - pinned} left floating`
  return { vcpupin, emulatorpin: threadsPin, iothreadpin: threadsPin, node, note }
}
