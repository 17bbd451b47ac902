// Housekeeping CPU sets per type from the boot parameters nohz_full=, isolcpus=, rcu_nocbs= and
// irqaffinity=, as kernel/sched/isolation.c and its neighbours compute them for a kernel version
// (housekeeping_setup(), housekeeping_isolcpus_setup(); version gates in isolation-features.ts). The boot CPU is CPU 0; every
// possible CPU is present and online (no maxcpus=).
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { parseKernelVersion } from '../kernel-version.ts'
import type { KernelVersion } from '../kernel-version.ts'
import { MAX_NR_CPUS, parseCpuList } from './cpulist.ts'
import { complement, emptyCpuSet, equals, fullCpuSet, intersect, isEmpty, union } from './cpuset.ts'
import { isolationFeatures } from './isolation-features.ts'
import type { IsolationFeatures } from './isolation-features.ts'
import { parseIsolcpusFlags } from './isolcpus-flags.ts'

/** Housekeeping types under their pre-2025 names, plus the consolidated HK_TYPE_KERNEL_NOISE. */
export const HK_TYPES = ['timer', 'rcu', 'misc', 'sched', 'tick', 'domain', 'wq', 'managedIrq', 'kthread', 'kernelNoise'] as const
export type HkType = (typeof HK_TYPES)[number]

export interface HousekeepingInput {
  /** e.g. "5.3", "6.8", "5.14.0-362.el9.x86_64" (upstream base version only). */
  kernelVersion: string
  nrCpus: number
  /** Parameter values; undefined or blank = parameter absent. */
  nohzFull?: string
  /** With optional flags, e.g. "managed_irq,domain,2-23" or "nohz,domain,2-7". */
  isolcpus?: string
  rcuNocbs?: string
  irqaffinity?: string
  /** CONFIG_NO_HZ_FULL (default true). */
  configNoHzFull?: boolean
  /** CONFIG_RCU_NOCB_CPU (default true). */
  configRcuNocbCpu?: boolean
  /** Order of nohz_full= and isolcpus= on the command line; the second must agree with the first. Default isolcpus first (as tuned writes it). */
  paramOrder?: 'isolcpus-first' | 'nohz_full-first'
}

export interface HousekeepingSets {
  kernelVersion: KernelVersion
  nrCpus: number
  /** housekeeping_cpumask(type): all CPUs when the type is not restricted. Types the version lacks mirror its aliasing. */
  housekeeping: Record<HkType, Uint8Array>
  /** housekeeping_enabled(type): the type was restricted at boot. */
  enabled: Record<HkType, boolean>
  /** tick_nohz_full_mask after tick_nohz_init(). */
  nohzFullCpus: Uint8Array
  /** CPUs out of the scheduler domains (isolcpus=domain). */
  isolatedDomainCpus: Uint8Array
  /** rcu_nocb_mask after rcu_init_nohz(): rcu_nocbs= plus the nohz_full CPUs. */
  rcuNocbsCpus: Uint8Array
  /** irq_default_affinity: where unmanaged device IRQs go by default. */
  irqAffinity: Uint8Array
  /** Where managed IRQs are steered when their spread mask has such a CPU (HK_TYPE_MANAGED_IRQ). */
  managedIrqCpus: Uint8Array
}

export type HousekeepingResult = { ok: true; hk: HousekeepingSets; warnings: string[] } | { ok: false; errors: FieldError[] }

/** Kernel types that boot parameters can set (HK_TYPE_SCHED never is). */
type KType = 'timer' | 'rcu' | 'misc' | 'tick' | 'domain' | 'wq' | 'managedIrq' | 'kthread' | 'kernelNoise'

interface BootState {
  flags: Set<KType>
  masks: Map<KType, Uint8Array>
  /** tick_nohz_full_mask once tick_nohz_full_setup() ran (tick_nohz_full_running). */
  nohzFull: Uint8Array | null
}

interface Ctx {
  f: IsolationFeatures
  nrCpus: number
  configNoHzFull: boolean
  warnings: string[]
  errors: FieldError[]
}

const given = (v: string | undefined): v is string => typeof v === 'string' && v.trim() !== ''

export function deriveHousekeeping(input: HousekeepingInput): HousekeepingResult {
  const kv = parseKernelVersion(input.kernelVersion)
  if (!kv.ok) return { ok: false, errors: [kv.error] }
  const nrCpus = input.nrCpus
  if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > MAX_NR_CPUS) {
    return { ok: false, errors: [fieldError('nrCpus', String(nrCpus), `must be a whole number from 1 to ${MAX_NR_CPUS}`, 'set the host topology first')] }
  }
  const f = isolationFeatures(kv.version)
  const ctx: Ctx = { f, nrCpus, configNoHzFull: input.configNoHzFull ?? true, warnings: [], errors: [] }
  if (f.predatesIsolation) ctx.warnings.push(`kernel ${kv.version.text} predates kernel/sched/isolation.c (v4.15); modelled with the v4.15 rules`)
  const state: BootState = { flags: new Set(), masks: new Map(), nohzFull: null }
  const steps = [() => isolcpusSetup(state, input.isolcpus, ctx), () => nohzFullSetup(state, input.nohzFull, ctx)]
  if (input.paramOrder === 'nohz_full-first') steps.reverse()
  for (const step of steps) step()
  tickNohzInit(state, ctx)
  const rcuNocbsCpus = rcuInitNohz(state, input.rcuNocbs, input.configRcuNocbCpu ?? true, ctx)
  const irqAffinity = irqAffinitySetup(input.irqaffinity, ctx)
  if (ctx.errors.length) return { ok: false, errors: ctx.errors }
  const { housekeeping, enabled } = publicTypes(state, f, nrCpus)
  const hk: HousekeepingSets = {
    kernelVersion: kv.version,
    nrCpus,
    housekeeping,
    enabled,
    nohzFullCpus: state.nohzFull ?? emptyCpuSet(nrCpus),
    isolatedDomainCpus: enabled.domain ? complement(housekeeping.domain) : emptyCpuSet(nrCpus),
    rcuNocbsCpus,
    irqAffinity,
    managedIrqCpus: housekeeping.managedIrq.slice(),
  }
  return { ok: true, hk, warnings: ctx.warnings }
}

/** housekeeping_nohz_full_setup(): the flags nohz_full= sets. */
function nohzFullSetup(state: BootState, text: string | undefined, ctx: Ctx): void {
  if (!given(text)) return
  const flags: KType[] = ctx.f.kernelNoise ? ['kernelNoise'] : ['tick', 'wq', 'timer', 'rcu', 'misc', ...(ctx.f.kthread ? ['kthread' as const] : [])]
  housekeepingSetup(state, 'nohz_full', text, 0, flags, ctx)
}

/** housekeeping_isolcpus_setup(): flags from the prefix, then housekeeping_setup() on the CPU list. */
function isolcpusSetup(state: BootState, text: string | undefined, ctx: Ctx): void {
  if (!given(text)) return
  const p = parseIsolcpusFlags(text, ctx.f)
  if (p.kind === 'error') { ctx.errors.push(p.error); return }
  ctx.warnings.push(...p.warnings)
  if (p.kind === 'ignored') return
  const flags: KType[] = []
  for (const flag of p.flags) {
    // Before v6.14 isolcpus=nohz sets only HK_FLAG_TICK; since, it is equivalent to nohz_full=.
    if (flag === 'nohz') flags.push(ctx.f.kernelNoise ? 'kernelNoise' : 'tick')
    else if (flag === 'domain') flags.push('domain')
    else flags.push('managedIrq')
  }
  housekeepingSetup(state, 'isolcpus', p.cpulist, p.offset, flags, ctx)
}

/** housekeeping_setup(): one nohz_full= or isolcpus= call; a refused call leaves the state untouched. */
function housekeepingSetup(state: BootState, param: 'nohz_full' | 'isolcpus', list: string, offset: number, flags: KType[], ctx: Ctx): void {
  const { f, nrCpus } = ctx
  const noise: KType = f.kernelNoise ? 'kernelNoise' : 'tick'
  const startsNohz = flags.includes(noise) && !state.flags.has(noise)
  if (startsNohz && !ctx.configNoHzFull) {
    ctx.warnings.push(`Housekeeping: nohz unsupported. Build with CONFIG_NO_HZ_FULL — ${param}= is ignored`)
    return
  }
  const parsed = parseCpuList(list, { nrCpus, field: param })
  if (!parsed.ok) {
    const e = parsed.error
    ctx.errors.push(e.offset === undefined ? e : { ...e, offset: e.offset + offset })
    return
  }
  const nonHousekeeping = parsed.cpus
  const staging = complement(nonHousekeeping)
  if (isEmpty(staging)) {
    staging[0] = 1
    nonHousekeeping[0] = 0
    if (state.flags.size === 0) ctx.warnings.push('Housekeeping: must include one present CPU, using boot CPU:0')
  }
  if (f.ignoreEmpty && isEmpty(nonHousekeeping)) {
    ctx.warnings.push(`${param}= leaves every CPU housekeeping, so the kernel ignores it`)
    return
  }
  const mismatch = (): void => {
    ctx.warnings.push(`Housekeeping: nohz_full= must match isolcpus= — ${param}= is ignored${f.perTypeMasks ? '' : ' (before v5.18 both share one housekeeping mask, whatever their flags)'}`)
  }
  if (state.flags.size === 0) {
    for (const t of flags) state.masks.set(t, staging)
  } else if (!f.perTypeMasks) {
    const shared = state.masks.values().next().value!
    if (!equals(staging, shared)) return mismatch()
    for (const t of flags) state.masks.set(t, shared)
  } else {
    for (const t of flags) if (state.flags.has(t) && !equals(staging, state.masks.get(t)!)) return mismatch()
    if (f.timerMigrationCheck && !timerMigrationOk(state, flags, staging)) {
      ctx.warnings.push(`Housekeeping: must include one present CPU neither in nohz_full= nor in isolcpus=domain, ignoring setting ${list}`)
      return
    }
    for (const t of flags) if (!state.flags.has(t)) state.masks.set(t, staging)
  }
  if (startsNohz) state.nohzFull = nonHousekeeping // tick_nohz_full_setup()
  for (const t of flags) state.flags.add(t)
}

/** The v6.19 check in housekeeping_setup(): the earlier DOMAIN (else KERNEL_NOISE) mask and this one must share a CPU. */
function timerMigrationOk(state: BootState, flags: KType[], staging: Uint8Array): boolean {
  const prev: KType | null = state.flags.has('domain') ? 'domain' : state.flags.has('kernelNoise') ? 'kernelNoise' : null
  if (prev === null || !flags.some((t) => t === 'domain' || t === 'kernelNoise')) return true
  return !isEmpty(intersect(staging, state.masks.get(prev)!))
}

/** tick_nohz_init(): x86 builds with CONFIG_PM_SLEEP_SMP keep the boot CPU for timekeeping. */
function tickNohzInit(state: BootState, ctx: Ctx): void {
  if (state.nohzFull && state.nohzFull[0]) {
    state.nohzFull = state.nohzFull.slice()
    state.nohzFull[0] = 0
    ctx.warnings.push('NO_HZ: Clearing 0 from nohz_full range for timekeeping')
  }
}

/** rcu_nocb_setup() + rcu_init_nohz(): nohz_full CPUs are always offloaded with CONFIG_RCU_NOCB_CPU. */
function rcuInitNohz(state: BootState, text: string | undefined, configRcuNocbCpu: boolean, ctx: Ctx): Uint8Array {
  let mask = emptyCpuSet(ctx.nrCpus)
  if (!configRcuNocbCpu) {
    if (given(text)) ctx.warnings.push('rcu_nocbs= needs CONFIG_RCU_NOCB_CPU; without it the parameter is unknown and ignored')
    return mask
  }
  if (given(text)) {
    // The kernel offloads every CPU on a bad list ("rcu_nocbs= bad CPU range, all CPUs set"); here it is an error.
    const parsed = parseCpuList(text, { nrCpus: ctx.nrCpus, field: 'rcu_nocbs' })
    if (!parsed.ok) ctx.errors.push(parsed.error)
    else mask = parsed.cpus
  }
  if (state.nohzFull && !isEmpty(state.nohzFull)) mask = union(mask, state.nohzFull)
  return mask
}

/** irq_affinity_setup() / init_irq_default_affinity(): the boot CPU is always added; absent = all CPUs.
 *  (Verified in kernel/irq/irqdesc.c: no nohz_full/housekeeping exclusion for the default affinity.) */
function irqAffinitySetup(text: string | undefined, ctx: Ctx): Uint8Array {
  if (!given(text)) return fullCpuSet(ctx.nrCpus)
  const parsed = parseCpuList(text, { nrCpus: ctx.nrCpus, field: 'irqaffinity' })
  if (!parsed.ok) { ctx.errors.push(parsed.error); return fullCpuSet(ctx.nrCpus) }
  if (!parsed.cpus[0]) ctx.warnings.push('irqaffinity: the kernel always adds the boot CPU 0 ("Set at least the boot cpu")')
  parsed.cpus[0] = 1
  return parsed.cpus
}

/** The public per-type view: which kernel type each name reads in this version (the kernel's enum aliasing). */
function publicTypes(state: BootState, f: IsolationFeatures, nrCpus: number): Pick<HousekeepingSets, 'housekeeping' | 'enabled'> {
  const source = (t: HkType): KType | null => {
    if (t === 'sched') return null // never restricted by a boot parameter; removed in v6.14
    if (f.kernelNoise) {
      if (t === 'domain' || t === 'managedIrq') return t
      if (t === 'kthread' && f.kthreadFollowsDomain) return 'domain'
      return 'kernelNoise'
    }
    // Before v6.14 there is no KERNEL_NOISE type: report the set nohz_full= restricts (TIMER's).
    return t === 'kernelNoise' ? 'timer' : t
  }
  const housekeeping = {} as Record<HkType, Uint8Array>
  const enabled = {} as Record<HkType, boolean>
  for (const t of HK_TYPES) {
    const k = source(t)
    const on = k !== null && state.flags.has(k)
    enabled[t] = on
    housekeeping[t] = on ? state.masks.get(k)!.slice() : fullCpuSet(nrCpus)
  }
  return { housekeeping, enabled }
}

/** housekeeping_enabled() */
export function housekeepingEnabled(hk: HousekeepingSets, type: HkType): boolean {
  return hk.enabled[type]
}

/** housekeeping_cpumask() */
export function housekeepingCpumask(hk: HousekeepingSets, type: HkType): Uint8Array {
  return hk.housekeeping[type]
}

/** housekeeping_test_cpu() / housekeeping_cpu() */
export function housekeepingTestCpu(hk: HousekeepingSets, cpu: number, type: HkType): boolean {
  return !hk.enabled[type] || hk.housekeeping[type][cpu] === 1
}

/** cpu_is_isolated() (boot-time part; cpuset isolated partitions are not modelled). */
export function cpuIsIsolated(hk: HousekeepingSets, cpu: number): boolean {
  return !housekeepingTestCpu(hk, cpu, 'domain') || !housekeepingTestCpu(hk, cpu, 'tick')
}

/** kvm.pi_inject_timer=-1 resolves to housekeeping_enabled(HK_TYPE_TIMER) (arch/x86/kvm/x86.c). */
export function piInjectTimerDefault(hk: HousekeepingSets): boolean {
  return hk.enabled.timer
}

/** irq_do_set_affinity() for a managed IRQ: keep only housekeeping CPUs of its mask when it has any. */
export function managedIrqAffinity(hk: HousekeepingSets, requested: Uint8Array): Uint8Array {
  if (!hk.enabled.managedIrq) return requested.slice()
  const kept = intersect(requested, hk.housekeeping.managedIrq)
  return isEmpty(kept) ? requested.slice() : kept
}

/** The profile field (host.kernel.cmdline.KEY) of a kernel parameter named in a housekeeping error. */
export function cmdlineKey(param: string): string {
  return ({ nohz_full: 'nohzFull', rcu_nocbs: 'rcuNocbs' } as Record<string, string>)[param] ?? param
}
