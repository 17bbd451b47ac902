// The pinning and isolation mistakes an engineer expects to be told about (tuned's cpu-partitioning and
// OpenShift's performance-profile rules), over a host and its VMs as a configuration resolves them.
// Severity: an error is what a run (core/sim/setup.ts) or the kernel would refuse — Run stays disabled and the
// services refuse the profile; a warning is a layout the kernel accepts and the model simulates, whose cost
// shows in the results. Each rule below says which and why.
import type { Host, Profile, Vm } from '../profile/profile-schema.ts'
import { resolveConfiguration } from '../profile/load-profile.ts'
import { formatCpuList, parseCpuList } from './cpulist.ts'
import { tryBuildHostTopology } from './host-topology.ts'
import type { HostTopology } from './host-topology.ts'
import { cmdlineKey, deriveHousekeeping } from './housekeeping.ts'
import type { HousekeepingSets } from './housekeeping.ts'

export type DiagnosticCode =
  | 'topology-invalid' | 'cmdline-invalid' | 'cmdline-ignored' | 'pin-invalid'
  | 'emulator-on-isolated' | 'iothread-on-isolated' | 'overcommit' | 'floating-vcpu-isolcpus'
  | 'boot-cpu-nohz-full' | 'irqaffinity-isolated' | 'socket-without-housekeeping' | 'partial-isolation'
  | 'vcpu-on-housekeeping' | 'smt-shared' | 'vcpus-across-numa'

export interface ProfileDiagnostic {
  severity: 'error' | 'warning'
  code: DiagnosticCode
  /** The profile field to change, e.g. `vms[1].pinning.emulatorpin`. */
  path: string
  message: string
  fix: string
  /** The CPUs concerned (flagged on the map). */
  cpus: number[]
  /** The configurations it stands in (diagnoseProfile only). */
  configs?: string[]
}

type Diag = ProfileDiagnostic
const list = (cpus: Iterable<number>): string => formatCpuList(new Set(cpus))

/** Every diagnostic of every configuration, each once, naming the configurations it stands in. */
export function diagnoseProfile(p: Profile): ProfileDiagnostic[] {
  const byKey = new Map<string, Diag>()
  for (const c of p.configurations) {
    const r = resolveConfiguration(p, c.name)
    for (const d of diagnoseSetup(r.host, r.vms)) {
      const key = `${d.code}|${d.path}|${d.message}`
      const seen = byKey.get(key)
      if (seen) seen.configs!.push(c.name)
      else byKey.set(key, { ...d, configs: [c.name] })
    }
  }
  return [...byKey.values()]
}

/** The errors only: what runs.start and profiles.validate refuse. */
export function profileErrors(p: Profile): ProfileDiagnostic[] {
  return diagnoseProfile(p).filter((d) => d.severity === 'error')
}

/** The diagnostics of one host and its VMs (the base profile, or one configuration resolved). */
export function diagnoseSetup(host: Host, vms: readonly Vm[]): ProfileDiagnostic[] {
  const out: Diag[] = []
  const t = tryBuildHostTopology(host.topology)
  // Error: setupModel() refuses a topology it cannot build.
  if (!t.ok) return t.errors.map((e) => ({ severity: 'error', code: 'topology-invalid', path: `host.${e.field}`, message: e.message, fix: e.fix, cpus: [] }))
  const topo = t.topology
  const n = topo.nrCpus
  const c = host.kernel.cmdline
  const hkr = deriveHousekeeping({ kernelVersion: host.kernel.version, nrCpus: n, nohzFull: c.nohzFull, isolcpus: c.isolcpus, rcuNocbs: c.rcuNocbs, irqaffinity: c.irqaffinity })
  // Error: a cpulist outside the host, or that does not parse, is refused by setupModel() (the kernel would
  // drop the parameter or, for rcu_nocbs=, offload every CPU: never what was meant).
  if (!hkr.ok) return hkr.errors.map((e) => ({ severity: 'error', code: 'cmdline-invalid', path: `host.kernel.cmdline.${cmdlineKey(e.field)}`, message: e.message, fix: e.fix, cpus: [] }))
  const hk = hkr.hk
  // Warning: a parameter the kernel ignores (nohz_full= that does not match isolcpus=, …) boots; its message says what happens.
  for (const w of hkr.warnings) {
    if (!w.startsWith('NO_HZ: Clearing')) out.push({ severity: 'warning', code: 'cmdline-ignored', path: 'host.kernel.cmdline', message: w, fix: 'change the parameter so the kernel takes it as written', cpus: [] })
  }
  const pins = vms.map((vm, i) => pinsOf(vm, i, n, out))
  const isolated = (cpu: number): boolean => hk.nohzFullCpus[cpu] === 1 || hk.isolatedDomainCpus[cpu] === 1
  const anyIsolation = hk.enabled.tick || hk.enabled.domain
  hostRules(host, topo, hk, isolated, anyIsolation, out)
  vms.forEach((vm, i) => vmRules(vm, i, pins[i]!, topo, hk, isolated, out))
  overcommit(vms, pins, hk, out)
  smtAndHousekeeping(vms, pins, topo, hk, isolated, out)
  return out
}

interface VmPins { vcpus: (number[] | null)[]; emulator: number[] | null; iothread: number[] | null }

/** The VM's pins as setupModel() reads them; a pin it would refuse becomes an error here (same checks). */
function pinsOf(vm: Vm, i: number, n: number, out: Diag[]): VmPins {
  const read = (text: string | undefined, path: string, what: string): number[] | null => {
    if (!text?.trim()) return null
    const r = parseCpuList(text, { nrCpus: n, allowExclusion: true, field: path })
    // Error: setupModel() refuses a pin that does not parse, names a CPU the host lacks, or selects none.
    if (!r.ok) { out.push({ severity: 'error', code: 'pin-invalid', path, message: `${vm.name} ${what} ${JSON.stringify(r.error.value)}: ${r.error.what}`, fix: r.error.fix, cpus: [] }); return null }
    const cpus: number[] = []
    r.cpus.forEach((b, cpu) => { if (b) cpus.push(cpu) })
    if (!cpus.length) out.push({ severity: 'error', code: 'pin-invalid', path, message: `${vm.name} ${what} "${text}" selects no CPU`, fix: 'pin it to at least one host CPU, or clear it to let it float', cpus: [] })
    return cpus.length ? cpus : null
  }
  const base = `vms[${i}].pinning`
  if (vm.pinning.vcpupin.length > vm.vcpus) {
    out.push({ severity: 'error', code: 'pin-invalid', path: `${base}.vcpupin`, message: `${vm.name} pins ${vm.pinning.vcpupin.length} vCPUs but has ${vm.vcpus}`, fix: `remove the vcpupin entries from index ${vm.vcpus} on, or raise vcpus`, cpus: [] })
  }
  return {
    vcpus: Array.from({ length: vm.vcpus }, (_, v) => read(vm.pinning.vcpupin[v], `${base}.vcpupin[${v}]`, `vCPU ${v}`)),
    emulator: read(vm.pinning.emulatorpin, `${base}.emulatorpin`, 'emulatorpin'),
    iothread: read(vm.pinning.iothreadpin, `${base}.iothreadpin`, 'iothreadpin'),
  }
}

function hostRules(host: Host, topo: HostTopology, hk: HousekeepingSets, isolated: (cpu: number) => boolean, anyIsolation: boolean, out: Diag[]): void {
  const n = topo.nrCpus
  const c = host.kernel.cmdline
  // Warning: the boot CPU in nohz_full=. No kernel refuses the parameter for it: housekeeping_setup() only puts
  // the boot CPU back when no present CPU is left for housekeeping, and tick_nohz_init() clears it from
  // tick_nohz_full_mask ("NO_HZ: Clearing 0 from nohz_full range for timekeeping") — always before "nohz_full:
  // Allow the boot CPU to be nohz_full" (2019), and since then wherever CONFIG_PM_SLEEP_SMP is set without
  // PM_SLEEP_SMP_NONZERO_CPU, i.e. every x86 distribution kernel. The boot succeeds; CPU 0 just keeps its tick.
  const written = parseCpuList(c.nohzFull, { nrCpus: n })
  const isolNohz = /(^|,)nohz,/.test(c.isolcpus) ? parseCpuList(c.isolcpus.replace(/^(?:[A-Za-z_]+,)*/, ''), { nrCpus: n }) : undefined
  if ((c.nohzFull.trim() && written.ok && written.cpus[0]) || (isolNohz?.ok && isolNohz.cpus[0])) {
    out.push({ severity: 'warning', code: 'boot-cpu-nohz-full', path: 'host.kernel.cmdline.nohzFull', message: 'the boot CPU 0 is in nohz_full=: the kernel clears it for timekeeping (tick_nohz_init()), so it keeps its tick', fix: 'take CPU 0 (and its SMT siblings) out of nohz_full=, rcu_nocbs= and isolcpus=: keep it for housekeeping', cpus: [0] })
  }
  // Warning: irqaffinity= over isolated CPUs. The kernel takes any list (irq_affinity_setup()); the device IRQs
  // then interrupt the isolated CPUs, which tuned and OpenShift avoid by writing irqaffinity= the housekeeping CPUs.
  if (c.irqaffinity.trim()) {
    const over: number[] = []
    for (let cpu = 0; cpu < n; cpu++) if (hk.irqAffinity[cpu] && isolated(cpu)) over.push(cpu)
    if (over.length) out.push({ severity: 'warning', code: 'irqaffinity-isolated', path: 'host.kernel.cmdline.irqaffinity', message: `irqaffinity= includes isolated CPUs ${list(over)}: unmanaged device IRQs land on them`, fix: 'set irqaffinity= to the housekeeping CPUs only', cpus: over })
  }
  if (!anyIsolation) return
  // Warning: a socket without a housekeeping CPU boots, but its timers, kworkers and IRQs are served across the
  // interconnect (OpenShift's performance profile reserves CPUs on every NUMA node for this reason).
  for (let s = 0; s < topo.nrSockets; s++) {
    let has = false
    for (let cpu = 0; cpu < n && !has; cpu++) has = topo.socketOf[cpu] === s && !isolated(cpu)
    if (!has) out.push({ severity: 'warning', code: 'socket-without-housekeeping', path: 'host.kernel.cmdline', message: `socket ${s} has no housekeeping CPU: its kernel work crosses sockets`, fix: `paint the first core of socket ${s} and its siblings housekeeping`, cpus: [] })
  }
  // Warning: CPUs neither housekeeping nor isolated — in nohz_full= but not the isolcpus= list or the reverse.
  // OpenShift requires reserved ∪ isolated to cover every CPU; the kernel boots either way, with such CPUs
  // half-isolated (no tick but load-balanced, or out of the domains but ticking).
  if (hk.enabled.tick && hk.enabled.domain) {
    const partial: number[] = []
    for (let cpu = 0; cpu < n; cpu++) if (hk.nohzFullCpus[cpu] !== hk.isolatedDomainCpus[cpu] && cpu !== 0) partial.push(cpu)
    if (partial.length) out.push({ severity: 'warning', code: 'partial-isolation', path: 'host.kernel.cmdline', message: `CPUs ${list(partial)} are in only one of nohz_full= and isolcpus=: neither housekeeping nor isolated`, fix: 'paint them housekeeping or isolated so both lists agree', cpus: partial })
  }
}

function vmRules(vm: Vm, i: number, p: VmPins, topo: HostTopology, hk: HousekeepingSets, isolated: (cpu: number) => boolean, out: Diag[]): void {
  const base = `vms[${i}].pinning`
  // Warning: emulator / I/O threads on isolated CPUs. libvirt and the kernel accept it; they then take the
  // CPU from a vCPU and restart its tick (tuned's realtime-virtual-host puts them on housekeeping CPUs).
  for (const [cpus, code, field, what] of [[p.emulator, 'emulator-on-isolated', 'emulatorpin', 'emulator thread'], [p.iothread, 'iothread-on-isolated', 'iothreadpin', 'I/O thread']] as const) {
    const bad = (cpus ?? []).filter(isolated)
    if (bad.length) out.push({ severity: 'warning', code, path: `${base}.${field}`, message: `${vm.name}: the ${what} is pinned to isolated CPUs ${list(bad)}`, fix: `pin the ${what} to housekeeping CPUs`, cpus: bad })
  }
  // Warning: floating vCPUs on an isolcpus=domain host. They run, but only on the housekeeping CPUs (init's
  // affinity excludes isolcpus=domain CPUs), next to the host's own work.
  const floating = p.vcpus.flatMap((c, v) => (c ? [] : [v]))
  if (floating.length && hk.enabled.domain) {
    let nHk = 0
    hk.isolatedDomainCpus.forEach((b) => { if (!b) nHk++ })
    out.push({ severity: 'warning', code: 'floating-vcpu-isolcpus', path: `${base}.vcpupin`, message: `${vm.name}: vCPU${floating.length > 1 ? 's' : ''} ${floating.join(', ')} ${floating.length > 1 ? 'float' : 'floats'} on an isolcpus= host: ${floating.length > 1 ? 'they' : 'it'} can only run on its ${nHk} housekeeping CPUs`, fix: 'pin each vCPU to an isolated CPU (drag its chip onto one)', cpus: [] })
  }
  const nodes = new Set<number>()
  for (const c of p.vcpus) for (const cpu of c ?? []) nodes.add(topo.numaOf[cpu]!)
  if (nodes.size > 1) out.push({ severity: 'warning', code: 'vcpus-across-numa', path: `${base}.vcpupin`, message: `${vm.name}: vCPUs are pinned across NUMA nodes ${[...nodes].sort((a, b) => a - b).join(', ')} — memory accesses cross the interconnect`, fix: 'pin all vCPUs of the VM to one NUMA node', cpus: [] })
}

/**
 * Warning: more vCPUs than the pCPUs they may run on. KVM and the host scheduler run an overcommitted guest
 * (the model shares the pCPUs as CFS/EEVDF would), at the cost of steal time; it is no refusal.
 */
function overcommit(vms: readonly Vm[], pins: VmPins[], hk: HousekeepingSets, out: Diag[]): void {
  const domain: number[] = []
  hk.housekeeping.domain.forEach((b, cpu) => { if (b) domain.push(cpu) })
  const reach = (c: number[] | null): number[] => c ?? domain
  const sole = new Map<number, string[]>()
  vms.forEach((vm, i) => {
    const cpus = new Set<number>()
    pins[i]!.vcpus.forEach((c, v) => {
      for (const cpu of reach(c)) cpus.add(cpu)
      if (c?.length === 1) sole.set(c[0]!, [...(sole.get(c[0]!) ?? []), `${vm.name} vCPU ${v}`])
    })
    if (cpus.size < vm.vcpus) out.push({ severity: 'warning', code: 'overcommit', path: `vms[${i}].pinning.vcpupin`, message: `${vm.name}: ${vm.vcpus} vCPUs may run on only ${cpus.size} CPUs (${list(cpus)}): overcommitted`, fix: 'give each vCPU its own CPU, or lower vcpus', cpus: [...cpus] })
  })
  for (const [cpu, who] of sole) {
    if (who.length > 1) out.push({ severity: 'warning', code: 'overcommit', path: 'vms', message: `CPU ${cpu} runs ${who.join(' and ')}: they share one CPU (overcommit)`, fix: 'pin each vCPU to a CPU of its own', cpus: [cpu] })
  }
}

function smtAndHousekeeping(vms: readonly Vm[], pins: VmPins[], topo: HostTopology, hk: HousekeepingSets, isolated: (cpu: number) => boolean, out: Diag[]): void {
  const owner = new Map<number, { vm: number; label: string }[]>()
  pins.forEach((p, i) => p.vcpus.forEach((c, v) => {
    for (const cpu of c ?? []) owner.set(cpu, [...(owner.get(cpu) ?? []), { vm: i, label: `${vms[i]!.name} vCPU ${v}` }])
  }))
  for (const [cpu, who] of owner) {
    // Warning: a vCPU on a housekeeping CPU of an isolated host shares it with the host tick, kworkers and IRQs.
    if (hk.enabled.tick && !isolated(cpu)) {
      out.push({ severity: 'warning', code: 'vcpu-on-housekeeping', path: `vms[${who[0]!.vm}].pinning.vcpupin`, message: `${who.map((o) => o.label).join(', ')} pinned to housekeeping CPU ${cpu}: the host tick, kworkers and device IRQs run there`, fix: 'pin vCPUs to isolated CPUs', cpus: [cpu] })
    }
    // Warning: SMT siblings shared between VMs leak timing and compete for the core (OpenShift's full-pcpus-only).
    for (const sib of topo.siblingsOf(cpu)) {
      if (sib <= cpu) continue
      const other = owner.get(sib)?.filter((o) => !who.some((x) => x.vm === o.vm))
      if (other?.length) out.push({ severity: 'warning', code: 'smt-shared', path: `vms[${other[0]!.vm}].pinning.vcpupin`, message: `CPU ${cpu} (${vms[who[0]!.vm]!.name}) and its SMT sibling ${sib} (${vms[other[0]!.vm]!.name}) run vCPUs of different VMs`, fix: 'give each VM whole cores', cpus: [cpu, sib] })
    }
  }
}
