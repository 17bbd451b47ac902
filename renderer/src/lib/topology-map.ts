// The host as the topology map shows it: sockets → NUMA nodes → LLC groups → cores → SMT threads, each
// logical CPU with its roles (from the kernel command line, as the kernel derives them) and the threads
// pinned to it, plus the diagnostics tuned and OpenShift would raise. Pure, over core/topology.
import { tryBuildHostTopology } from '../../../core/topology/host-topology.ts'
import { deriveHousekeeping } from '../../../core/topology/housekeeping.ts'
import { parseCpuList, cpusOf, hasCpu } from '../../../core/topology/cpulist.ts'
import type { Host, Vm } from '../../../core/profile/profile-schema.ts'

export type CpuRole = 'housekeeping' | 'nohz_full' | 'isolated' | 'rcu_nocbs' | 'irq'

export interface PinLabel { vm: string; thread: string; /** The VM's index in the profile (its colour on the map). */ vmIndex: number }

export interface CpuCell { cpu: number; thread: number; roles: CpuRole[]; pins: PinLabel[] }
export interface CoreBox { core: number; cpus: CpuCell[] }
export interface LlcGroup { llc: number; cores: CoreBox[] }
export interface NumaGroup { node: number; llcs: LlcGroup[] }
export interface SocketGroup { socket: number; nodes: NumaGroup[] }

export interface Diagnostic { level: 'error' | 'warning'; message: string; cpus: number[] }

export interface TopologyMap {
  nrCpus: number
  sockets: SocketGroup[]
  diagnostics: Diagnostic[]
  /** Threads with no pinning (they float over every allowed CPU). */
  floating: PinLabel[]
}

function cpusetOf(text: string, nrCpus: number, field: string, diags: Diagnostic[]): Uint8Array | undefined {
  if (!text.trim()) return undefined
  const r = parseCpuList(text, { nrCpus, allowExclusion: true, field })
  if (!r.ok) {
    diags.push({ level: 'error', message: `${field} "${text}": ${r.error.message} — ${r.error.fix}`, cpus: [] })
    return undefined
  }
  return r.cpus
}

export function topologyMap(host: Host, vms: readonly Vm[]): TopologyMap {
  const diagnostics: Diagnostic[] = []
  const t = tryBuildHostTopology(host.topology)
  if (!t.ok) {
    return { nrCpus: 0, sockets: [], floating: [], diagnostics: t.errors.map((e) => ({ level: 'error' as const, message: `${e.field} ${e.value}: ${e.message} — ${e.fix}`, cpus: [] })) }
  }
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
    for (const w of hk.warnings) diagnostics.push({ level: 'warning', message: w, cpus: [] })
  } else {
    for (const e of hk.errors) diagnostics.push({ level: 'error', message: `${e.field} ${e.value}: ${e.message} — ${e.fix}`, cpus: [] })
    for (const r of roles) r.push('housekeeping')
  }

  // Pinned threads per CPU.
  const pins: PinLabel[][] = Array.from({ length: n }, () => [])
  const floating: PinLabel[] = []
  const vcpuOwner = new Map<number, { vm: string; vcpu: number }[]>()
  vms.forEach((vm, vmIndex) => {
    const nodes = new Set<number>()
    for (let i = 0; i < vm.vcpus; i++) {
      const label = { vm: vm.name, thread: `vCPU ${i}`, vmIndex }
      const set = cpusetOf(vm.pinning.vcpupin[i] ?? '', n, `${vm.name} vcpupin ${i}`, diagnostics)
      if (!set) {
        floating.push(label)
        continue
      }
      for (const cpu of cpusOf(set)) {
        pins[cpu]?.push(label)
        nodes.add(topo.numaOf[cpu] as number)
        const owners = vcpuOwner.get(cpu) ?? []
        owners.push({ vm: vm.name, vcpu: i })
        vcpuOwner.set(cpu, owners)
      }
    }
    if (nodes.size > 1) diagnostics.push({ level: 'warning', message: `${vm.name}: vCPUs are pinned across NUMA nodes ${[...nodes].sort((a, b) => a - b).join(', ')} — memory accesses cross the interconnect`, cpus: [] })
    for (const [field, text, thread] of [['emulatorpin', vm.pinning.emulatorpin, 'emulator'], ['iothreadpin', vm.pinning.iothreadpin, 'iothread']] as const) {
      const set = cpusetOf(text, n, `${vm.name} ${field}`, diagnostics)
      const label = { vm: vm.name, thread, vmIndex }
      if (!set) floating.push(label)
      else for (const cpu of cpusOf(set)) pins[cpu]?.push(label)
    }
  })

  // Diagnostics on the pinning against the roles and the SMT layout.
  for (const [cpu, owners] of vcpuOwner) {
    if (owners.length > 1) diagnostics.push({ level: 'warning', message: `CPU ${cpu} runs ${owners.map((o) => `${o.vm} vCPU ${o.vcpu}`).join(' and ')}: they share one CPU (overcommit)`, cpus: [cpu] })
    if (hk.ok && hk.hk.enabled.tick && roles[cpu]?.includes('housekeeping')) {
      diagnostics.push({ level: 'warning', message: `${owners.map((o) => `${o.vm} vCPU ${o.vcpu}`).join(', ')} pinned to housekeeping CPU ${cpu}: the host tick, kworkers and device IRQs run there`, cpus: [cpu] })
    }
    for (const sib of topo.siblingsOf(cpu)) {
      if (sib <= cpu) continue
      const other = vcpuOwner.get(sib)?.filter((o) => !owners.some((x) => x.vm === o.vm))
      if (other?.length) diagnostics.push({ level: 'warning', message: `CPU ${cpu} (${owners[0]?.vm}) and its SMT sibling ${sib} (${other[0]?.vm}) run vCPUs of different VMs`, cpus: [cpu, sib] })
    }
  }
  if (hk.ok && hk.hk.enabled.tick) {
    for (let s = 0; s < topo.nrSockets; s++) {
      const has = roles.some((r, cpu) => topo.socketOf[cpu] === s && r.includes('housekeeping'))
      if (!has) diagnostics.push({ level: 'warning', message: `socket ${s} has no housekeeping CPU: its kernel work has to cross sockets`, cpus: [] })
    }
  }

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
