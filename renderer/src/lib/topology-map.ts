// The host as the topology map shows it: sockets → NUMA nodes → LLC groups → cores → SMT threads, each
// logical CPU with its roles (from the kernel command line, as the kernel derives them) and the threads
// pinned to it, plus the diagnostics tuned and OpenShift would raise. Pure, over core/topology.
import { tryBuildHostTopology } from '../../../core/topology/host-topology.ts'
import { deriveHousekeeping } from '../../../core/topology/housekeeping.ts'
import { parseCpuList, cpusOf, hasCpu } from '../../../core/topology/cpulist.ts'
import type { Host, Vm } from '../../../core/profile/profile-schema.ts'
import { diagnoseSetup } from '../../../core/topology/diagnostics.ts'
import type { ProfileDiagnostic } from '../../../core/topology/diagnostics.ts'

export type CpuRole = 'housekeeping' | 'nohz_full' | 'isolated' | 'rcu_nocbs' | 'irq'

export interface PinLabel { vm: string; thread: string; /** The VM's index in the profile (its colour on the map). */ vmIndex: number }

export interface CpuCell { cpu: number; thread: number; roles: CpuRole[]; pins: PinLabel[] }
export interface CoreBox { core: number; cpus: CpuCell[] }
export interface LlcGroup { llc: number; cores: CoreBox[] }
export interface NumaGroup { node: number; llcs: LlcGroup[] }
export interface SocketGroup { socket: number; nodes: NumaGroup[] }

export type Diagnostic = ProfileDiagnostic

export interface TopologyMap {
  nrCpus: number
  sockets: SocketGroup[]
  diagnostics: Diagnostic[]
  /** Threads with no pinning (they float over every allowed CPU). */
  floating: PinLabel[]
}

export function topologyMap(host: Host, vms: readonly Vm[]): TopologyMap {
  const t = tryBuildHostTopology(host.topology)
  if (!t.ok) return { nrCpus: 0, sockets: [], floating: [], diagnostics: diagnoseSetup(host, vms) }
  const topo = t.topology
  const n = topo.nrCpus
  const c = host.kernel.cmdline
  const hk = deriveHousekeeping({ kernelVersion: host.kernel.version, nrCpus: n, nohzFull: c.nohzFull, isolcpus: c.isolcpus, rcuNocbs: c.rcuNocbs, irqaffinity: c.irqaffinity })
  const roles: CpuRole[][] = Array.from({ length: n }, () => [])
  if (hk.ok) {
    for (let cpu = 0; cpu < n; cpu++) {
      const r = roles[cpu] as CpuRole[]
      const nohz = hasCpu(hk.hk.nohzFullCpus, cpu)
      const isolated = hasCpu(hk.hk.isolatedDomainCpus, cpu)
      if (!nohz && !isolated) r.push('housekeeping')
      if (nohz) r.push('nohz_full')
      if (isolated) r.push('isolated')
      if (hasCpu(hk.hk.rcuNocbsCpus, cpu)) r.push('rcu_nocbs')
      if (c.irqaffinity.trim() && hasCpu(hk.hk.irqAffinity, cpu)) r.push('irq')
    }
  } else {
    for (const r of roles) r.push('housekeeping')
  }

  // Pinned threads per CPU.
  const pins: PinLabel[][] = Array.from({ length: n }, () => [])
  const floating: PinLabel[] = []
  vms.forEach((vm, vmIndex) => {
    const threads: [string, string][] = Array.from({ length: vm.vcpus }, (_, i) => [`vCPU ${i}`, vm.pinning.vcpupin[i] ?? ''])
    threads.push(['emulator', vm.pinning.emulatorpin], ['iothread', vm.pinning.iothreadpin])
    for (const [thread, text] of threads) {
      const label = { vm: vm.name, thread, vmIndex }
      const set = text.trim() ? parseCpuList(text, { nrCpus: n, allowExclusion: true }) : undefined
      if (!set?.ok) floating.push(label)
      else for (const cpu of cpusOf(set.cpus)) pins[cpu]?.push(label)
    }
  })
  const diagnostics = diagnoseSetup(host, vms)

  // Group: socket → node → llc → core → threads.
  const sockets: SocketGroup[] = []
  const coreCpus = new Map<number, number[]>()
  for (let cpu = 0; cpu < n; cpu++) {
    const core = topo.coreOf[cpu] as number
    const list = coreCpus.get(core) ?? []
    list.push(cpu)
    coreCpus.set(core, list)
  }
  const coresSorted = [...coreCpus.keys()].sort((a, b) => a - b)
  for (const core of coresSorted) {
    const cpus = (coreCpus.get(core) as number[]).sort((a, b) => (topo.threadOf[a] as number) - (topo.threadOf[b] as number))
    const first = cpus[0] as number
    const s = topo.socketOf[first] as number
    const nd = topo.numaOf[first] as number
    const l = topo.llcOf[first] as number
    let sg = sockets.find((x) => x.socket === s)
    if (!sg) sockets.push((sg = { socket: s, nodes: [] }))
    let ng = sg.nodes.find((x) => x.node === nd)
    if (!ng) sg.nodes.push((ng = { node: nd, llcs: [] }))
    let lg = ng.llcs.find((x) => x.llc === l)
    if (!lg) ng.llcs.push((lg = { llc: l, cores: [] }))
    lg.cores.push({ core, cpus: cpus.map((cpu) => ({ cpu, thread: topo.threadOf[cpu] as number, roles: roles[cpu] as CpuRole[], pins: pins[cpu] as PinLabel[] })) })
  }
  return { nrCpus: n, sockets, diagnostics, floating }
}

/** Colours that tell VMs apart on the grid and their chips (cycled past eight VMs). */
export const VM_COLORS = ['#3b82f6', '#22c55e', '#f97316', '#a855f7', '#ec4899', '#06b6d4', '#84cc16', '#eab308'] as const

export function vmColor(vmIndex: number): string {
  return VM_COLORS[vmIndex % VM_COLORS.length] as string
}

/**
 * What a cell shows of the threads pinned to it, short enough for a 34-px cell: "v3", "emu", "io",
 * "emu io"; several threads of a kind as a count ("2v", "4emu"), and "N thr" when that is still too long
 * (the cell's title lists them all).
 */
export function pinSummary(pins: readonly PinLabel[], max = 7): string {
  if (!pins.length) return ''
  const vcpus = pins.filter((p) => p.thread.startsWith('vCPU '))
  const emu = pins.filter((p) => p.thread === 'emulator').length
  const io = pins.filter((p) => p.thread === 'iothread').length
  const parts: string[] = []
  if (vcpus.length === 1) parts.push(`v${(vcpus[0] as PinLabel).thread.slice(5)}`)
  else if (vcpus.length > 1) parts.push(`${vcpus.length}v`)
  if (emu) parts.push(emu > 1 ? `${emu}emu` : 'emu')
  if (io) parts.push(io > 1 ? `${io}io` : 'io')
  const text = parts.join(' ')
  return text.length <= max ? text : `${pins.length} thr`
}
