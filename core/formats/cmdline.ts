// The kernel command line: /proc/cmdline → host.kernel.cmdline (nohz_full, isolcpus with flags,
// rcu_nocbs, irqaffinity, idle, intel_idle.max_cstate) and the KVM module parameters written on it
// (kvm.halt_poll_ns=, kvm_intel.ple_gap=, …); and the reverse, a configuration's command line. Tokens
// are split as the kernel's next_arg() splits them (spaces outside double quotes, quotes stripped).
import { fieldError, showValue } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { parseCpuList, formatCpuList, MAX_NR_CPUS } from '../topology/cpulist.ts'
import type { Host } from '../profile/profile-schema.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import { CPU_FEATURES } from '../costs/cpu-presets.ts'
import { guardInput, ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'
import { findKvmParam, parseBool, parseUint, changedParams, formatParam } from './kvm-params.ts'
import type { DeepPartialKvm } from './kvm-params.ts'

/** /proc/cmdline is at most COMMAND_LINE_SIZE (2048 on x86) bytes; a pasted one gets some slack. */
export const MAX_CMDLINE_CHARS = 64 * 1024

type Cmdline = Host['kernel']['cmdline']

export interface CmdlineImport {
  /** The profile fragment: only what the command line sets (nosmt: one thread per core). */
  host: { kernel: { cmdline: Partial<Cmdline> }; kvm?: DeepPartialKvm; topology?: { threadsPerCore: 1 } }
  /** Tokens that carry nothing the bench models, as written, every one. */
  ignored: string[]
}

export interface CmdlineOptions {
  /** Host CPU count the cpulists are checked against (default 8192, the largest x86 host). */
  nrCpus?: number
  /** The host CPU's vendor, when known: which of kvm_intel / kvm_amd is loaded, whether intel_idle runs. */
  vendor?: 'vmx' | 'svm'
}

export interface Token { text: string; key: string; value: string | undefined; offset: number }

/** next_arg(): parameters separated by spaces; double quotes group, and are removed from the value. */
export function splitCmdline(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  const s = text.replace(/\n+$/, '')
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++
    if (i >= s.length) break
    const start = i
    let inQuote = false
    while (i < s.length && (inQuote || !/\s/.test(s[i]!))) {
      if (s[i] === '"') inQuote = !inQuote
      i++
    }
    let tok = s.slice(start, i)
    // a token quoted as a whole ("a=b") loses its quotes, as next_arg() does
    if (tok.startsWith('"')) tok = tok.slice(1).replace(/"$/, '')
    const eq = tok.indexOf('=')
    const key = eq < 0 ? tok : tok.slice(0, eq)
    let value = eq < 0 ? undefined : tok.slice(eq + 1)
    if (value !== undefined && value.startsWith('"')) value = value.slice(1).replace(/"$/, '')
    out.push({ text: s.slice(start, i), key, value, offset: start })
  }
  return out
}

const CPULIST_PARAMS: Record<string, keyof Cmdline> = { nohz_full: 'nohzFull', rcu_nocbs: 'rcuNocbs', irqaffinity: 'irqaffinity' }
const ISOLCPUS_FLAGS = ['nohz', 'domain', 'managed_irq']

export function importCmdline(text: string, opts: CmdlineOptions = {}): FormatResult<CmdlineImport> {
  const guard = guardInput(text, '/proc/cmdline', MAX_CMDLINE_CHARS, 'paste the one line of /proc/cmdline')
  if (guard) return failed([guard])
  if (text.trim() === '') return failed([fieldError('/proc/cmdline', text, 'is empty: a kernel always has a command line (at least BOOT_IMAGE= or root=)', 'give the file /proc/cmdline of the host, or paste its one line')])
  const nrCpus = opts.nrCpus ?? MAX_NR_CPUS
  const nonEmpty = text.replace(/\n+$/, '')
  if (nonEmpty.includes('\n')) {
    const at = nonEmpty.indexOf('\n')
    return failed([fieldError('/proc/cmdline', nonEmpty.slice(at + 1, at + 41), 'has more than one line', 'give the kernel command line only: the single line of /proc/cmdline', at)])
  }
  const errors: FieldError[] = []
  const warnings: string[] = []
  const cmdline: Partial<Cmdline> = {}
  const kvm: DeepPartialKvm = {}
  let kvmSet = false
  const ignored: string[] = []
  let smt: string | null = null
  const seen = new Map<string, string>()
  const tokens = splitCmdline(nonEmpty)
  // Read after the loop: they depend on each other (nohz=off voids nohz_full=; intel_idle.max_cstate= wins
  // over processor.max_cstate=; kvm_intel and kvm_amd parameters on one line)
  let nohzOff = false
  let processorMaxCstate: { n: number; text: string } | null = null
  const vendorParams: { tok: Token; param: NonNullable<ReturnType<typeof findKvmParam>> }[] = []
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!
    const { key, value } = tok
    const val = value ?? ''
    const field = `/proc/cmdline ${key}`
    if (key === '--') {
      const rest = tokens.slice(t + 1).map((x) => x.text)
      if (rest.length) warnings.push(`"--": ${rest.length} argument${rest.length > 1 ? 's' : ''} after it go${rest.length > 1 ? '' : 'es'} to init, not the kernel: ${rest.join(' ').slice(0, 80)}`)
      break
    }
    const prev = seen.get(key)
    const note = (): void => {
      if (prev !== undefined) warnings.push(`${key}= is given twice (${showValue(prev)} then ${showValue(value ?? '')}): the last one is used`)
      seen.set(key, value ?? '')
    }
    const needValue = (example: string): boolean => {
      if (value === undefined || value === '') {
        errors.push(fieldError(field, tok.text, 'has no value', `write ${key}=${example}`, tok.offset))
        return false
      }
      return true
    }
    if (key === 'rcu_nocbs' && value === undefined) {
      // v5.17 (rcu/nocb: "Allow empty rcu_nocbs kernel parameter"): no CPU offloaded at boot, any can be at runtime
      note()
      cmdline.rcuNocbs = ''
      warnings.push('rcu_nocbs without a list (accepted since v5.17): no CPU\'s RCU callbacks are offloaded at boot — offloading can be switched per CPU at runtime; older kernels pass the bare word on to init')
      continue
    }
    if (key in CPULIST_PARAMS) {
      if (!needValue('2-15')) continue
      const r = parseCpuList(val, { nrCpus, field: key })
      if (!r.ok) { errors.push(r.error); continue }
      note()
      ;(cmdline as Record<string, unknown>)[CPULIST_PARAMS[key]!] = val
      continue
    }
    switch (key) {
      case 'isolcpus': {
        if (!needValue('managed_irq,domain,2-15')) continue
        let rest = val
        for (;;) {
          const f = ISOLCPUS_FLAGS.find((x) => rest.startsWith(`${x},`))
          if (f) { rest = rest.slice(f.length + 1); continue }
          const m = /^([A-Za-z_]+),/.exec(rest)
          if (m) { warnings.push(`isolcpus: unknown flag ${showValue(m[1]!)} (known: ${ISOLCPUS_FLAGS.join(', ')}); older kernels drop the whole parameter, v5.7+ skip the flag`); rest = rest.slice(m[0].length); continue }
          break
        }
        const r = parseCpuList(rest, { nrCpus, field: 'isolcpus' })
        if (!r.ok) { errors.push(r.error); continue }
        note()
        cmdline.isolcpus = val
        continue
      }
      case 'idle': {
        if (!needValue('poll')) continue
        if (val === 'poll' || val === 'halt') { note(); cmdline.idle = val; continue }
        if (val === 'nomwait') { warnings.push('idle=nomwait: not modelled (MWAIT is not used for idle); ignored'); ignored.push(tok.text); continue }
        errors.push(fieldError(field, val, 'is not an idle= val the kernel knows', 'use idle=poll, idle=halt or idle=nomwait', tok.offset))
        continue
      }
      case 'nosmt': {
        // cpu_smt_disable(): the sibling threads stay offline; "force" also forbids turning SMT on at runtime
        if (value !== undefined && value !== 'force') { errors.push(fieldError(field, val, 'is not a nosmt value', 'write nosmt or nosmt=force', tok.offset)); continue }
        note()
        smt = value ?? ''
        continue
      }
      case 'nohz': {
        if (val !== 'on' && val !== 'off') { errors.push(fieldError(field, tok.text, 'is not nohz=on or nohz=off', 'write nohz=on (the default) or nohz=off', tok.offset)); continue }
        note()
        nohzOff = val === 'off'
        continue
      }
      case 'mitigations': {
        note()
        warnings.push(`mitigations=${val}: noted — the bench's exit costs are those of its CPU presets with the distribution's default mitigations; ${val === 'off' ? 'with mitigations off real exits are cheaper (no IBRS/retpoline/VERW on entry and exit)' : 'costs are not changed'}${val.includes('nosmt') ? '; "nosmt" here turns SMT off on a CPU affected by MDS/L1TF' : ''}`)
        continue
      }
      case 'processor.max_cstate': {
        if (!needValue('1')) continue
        const n = parseUint(val)
        if (n === null || n > 10) { errors.push(fieldError(field, val, 'is not a C-state number from 0 to 10', 'write e.g. processor.max_cstate=1', tok.offset)); continue }
        note()
        processorMaxCstate = { n, text: tok.text }
        continue
      }
      case 'intel_idle.max_cstate': {
        if (!needValue('1')) continue
        const n = parseUint(val)
        if (n === null || n > 10) { errors.push(fieldError(field, val, 'is not a C-state number from 0 to 10', 'write e.g. intel_idle.max_cstate=1', tok.offset)); continue }
        note()
        cmdline.intelIdleMaxCstate = n
        continue
      }
    }
    const dot = key.indexOf('.')
    const param = dot > 0 ? findKvmParam(key.slice(0, dot), key.slice(dot + 1)) : undefined
    if (param) {
      const example = param.type === 'bool' || param.type === 'bint' ? '0' : String(param.def)
      if (!needValue(example)) continue
      if (param.vendor !== undefined) vendorParams.push({ tok, param })
      if (param.type === 'bool' || param.type === 'bint') {
        const b = parseBool(val)
        if (b === null) { errors.push(fieldError(field, val, `is not a boolean${param.type === 'bint' ? ' (pi_inject_timer can only be set to 0 or 1; leave it out for the automatic -1)' : ''}`, `write ${key}=1 or ${key}=0 (also Y/N)`, tok.offset)); continue }
        param.set(kvm, b)
      } else {
        const n = parseUint(val, param.type === 'ushort' ? 0xffff : 0xffffffff)
        if (n === null) { errors.push(fieldError(field, val, `is not an unsigned ${param.type === 'ushort' ? '16' : '32'}-bit number`, `write e.g. ${key}=${param.def}`, tok.offset)); continue }
        if (n < (param.min ?? 0) || n > (param.max ?? Infinity)) { errors.push(fieldError(field, val, `is outside the range the bench models (${param.min}–${param.max})`, `use a val from ${param.min} to ${param.max}`, tok.offset)); continue }
        param.set(kvm, n)
      }
      note()
      kvmSet = true
      continue
    }
    // cpuidle-haltpoll registers only inside a KVM guest (haltpoll_init(): kvm_para_available()), so on a host's command
    // line these do nothing; the bench models them per VM
    if (/^(cpuidle_haltpoll|haltpoll)\./.test(key)) warnings.push(`${showValue(key)}: a guest kernel parameter (cpuidle-haltpoll loads only inside a KVM guest) — set it per VM in vms[].guest.haltpoll (enabled, guestHaltPollNs, grow, growStart, shrink, allowShrink); not applied to the host`)
    else if (/^(kvm|kvm_intel|kvm_amd|kvm-intel|kvm-amd)\./.test(key)) warnings.push(`${showValue(key)}: a KVM module parameter the bench does not model; ignored`)
    ignored.push(tok.text)
  }
  if (errors.length) return failed(errors)
  const value: CmdlineImport = { host: { kernel: { cmdline } }, ignored }
  if (smt !== null) {
    value.host.topology = { threadsPerCore: 1 }
    warnings.push(`nosmt${smt ? '=force' : ''}: the sibling threads stay offline — host.topology.threadsPerCore is 1${smt ? ' (force: SMT cannot be turned on at runtime)' : ' (SMT can be turned on again through /sys/devices/system/cpu/smt/control)'}; CPU numbers in the cpulists are those of the SMT host`)
  }
  if (nohzOff) {
    // tick_nohz_activate() returns at once when tick_nohz_enabled is false: no CPU ever stops its tick
    if (cmdline.nohzFull) warnings.push(`nohz=off: no CPU stops its tick (tick_nohz_activate() does nothing), so nohz_full=${cmdline.nohzFull} has no effect and is left out; rcu_nocbs= and the housekeeping split are kept`)
    else warnings.push('nohz=off: no CPU stops its tick, not even when idle; the bench models idle CPUs without their tick (NO_HZ_IDLE), so idle host CPUs are quieter in the model')
    if (cmdline.nohzFull) cmdline.nohzFull = ''
  }
  if (processorMaxCstate) applyProcessorMaxCstate(processorMaxCstate, cmdline, opts.vendor, warnings)
  resolveVendorParams(vendorParams, kvm, opts.vendor, warnings)
  kvmSet = Object.keys(kvm).length > 0
  contradictions(cmdline, nrCpus, warnings)
  if (ignored.length) warnings.push(`ignored ${ignored.length} token${ignored.length > 1 ? 's' : ''} the bench does not model: ${ignored.join(' ')}`)
  if (kvmSet) value.host.kvm = kvm
  return ok(value, warnings)
}

/** processor.max_cstate= limits acpi_idle only (drivers/acpi/processor_idle.c); intel_idle has its own max_cstate. */
function applyProcessorMaxCstate(p: { n: number; text: string }, cmdline: Partial<Cmdline>, vendor: CmdlineOptions['vendor'], warnings: string[]): void {
  if (cmdline.intelIdleMaxCstate !== undefined && cmdline.intelIdleMaxCstate !== 0) {
    warnings.push(`${p.text}: intel_idle.max_cstate=${cmdline.intelIdleMaxCstate} is also given and intel_idle, not acpi_idle, then drives idle on Intel: the intel_idle limit is kept`)
    return
  }
  if (vendor === 'vmx' && cmdline.intelIdleMaxCstate === undefined) {
    warnings.push(`${p.text}: limits acpi_idle only; on this Intel host intel_idle drives idle and ignores it (write intel_idle.max_cstate= instead) — not applied`)
    return
  }
  const intelIdleOff = cmdline.intelIdleMaxCstate === 0
  cmdline.intelIdleMaxCstate = Math.max(1, p.n)
  warnings.push(`${p.text}: taken as the host's C-state limit (acpi_idle${vendor === 'svm' ? ', the idle driver of AMD hosts' : intelIdleOff ? ', which drives idle with intel_idle.max_cstate=0' : ' — on an Intel host with intel_idle it has no effect'})`)
}

/** kvm_intel.* and kvm_amd.* on one line: only the loaded vendor module reads its parameters. */
function resolveVendorParams(list: { tok: Token; param: NonNullable<ReturnType<typeof findKvmParam>> }[], kvm: DeepPartialKvm, vendor: CmdlineOptions['vendor'], warnings: string[]): void {
  const vendors = new Set(list.map((x) => x.param.vendor))
  if (vendors.size < 2) return
  const keep = vendor
  // undo what the loop set, then apply the loaded module's parameters only
  for (const x of list) clearParam(x.param.name, kvm)
  const kept = list.filter((x) => x.param.vendor === keep)
  for (const x of kept) {
    const v = x.tok.value ?? ''
    x.param.set(kvm, x.param.type === 'bool' || x.param.type === 'bint' ? parseBool(v)! : parseUint(v, x.param.type === 'ushort' ? 0xffff : 0xffffffff)!)
  }
  const texts = (v: 'vmx' | 'svm'): string => list.filter((x) => x.param.vendor === v).map((x) => x.tok.text).join(' ')
  warnings.push(`the line mixes kvm_intel parameters (${texts('vmx')}) and kvm_amd parameters (${texts('svm')}): a host loads one of the two modules — ${keep ? `applied the ${keep === 'vmx' ? 'kvm_intel' : 'kvm_amd'} ones (the host CPU's)` : 'neither is applied; choose the host CPU first, or remove the other module\'s parameters'}`)
}

function clearParam(name: string, kvm: DeepPartialKvm): void {
  if (name === 'preemption_timer') delete kvm.preemptionTimer
  else if (name === 'enable_apicv' || name === 'avic') delete kvm.enableApicv
  else if (name === 'enable_ipiv') delete kvm.enableIpiv
  else if (name === 'ple_gap' || name === 'pause_filter_thresh') delete kvm.pleGap
  else if (name === 'ple_window' || name === 'pause_filter_count') delete kvm.pleWindow
}

/** Settings on one line that work against each other. */
function contradictions(c: Partial<Cmdline>, nrCpus: number, warnings: string[]): void {
  const list = (v: string | undefined): Uint8Array | null => {
    if (!v) return null
    const r = parseCpuList(v.replace(/^([A-Za-z_]+,)+/, ''), { nrCpus })
    return r.ok ? r.cpus : null
  }
  const nohzFull = list(c.nohzFull)
  if (nohzFull && nohzFull[0]) warnings.push('nohz_full= includes CPU 0, the boot CPU: tick_nohz_init() clears it for timekeeping ("NO_HZ: Clearing 0 from nohz_full range for timekeeping") on kernels that do not let the boot CPU be nohz_full — check dmesg; the list is kept as written')
  const iso = list(c.isolcpus)
  const irq = list(c.irqaffinity)
  if (irq) {
    const isolated = new Uint8Array(irq.length)
    for (let i = 0; i < irq.length; i++) isolated[i] = (nohzFull?.[i] ?? 0) | (iso?.[i] ?? 0)
    const inside = irq.map((b, i) => b & isolated[i]!)
    if (inside.some((b) => b)) {
      const all = irq.every((b, i) => !b || isolated[i])
      warnings.push(`irqaffinity=${c.irqaffinity} ${all ? 'lies entirely inside' : 'overlaps'} the isolated CPUs (nohz_full=/isolcpus=): device interrupts land on CPU${formatCpuList(inside).includes(',') || formatCpuList(inside).includes('-') ? 's' : ''} ${formatCpuList(inside)}, which should run vCPUs undisturbed — give irqaffinity= the housekeeping CPUs`)
    }
  }
}

/** A parameter value as written on the command line: double-quoted when it has spaces. */
function arg(key: string, value: string): string {
  return /\s/.test(value) ? `${key}="${value}"` : `${key}=${value}`
}

export function nrCpusOf(host: Host): number {
  const t = host.topology
  return t.sockets * t.coresPerSocket * t.threadsPerCore
}

function checkLists(host: Host): FieldError[] {
  const nrCpus = nrCpusOf(host)
  const c = host.kernel.cmdline
  const errors: FieldError[] = []
  for (const [param, k] of Object.entries(CPULIST_PARAMS)) {
    const v = c[k] as string
    if (v === '') continue
    if (/"/.test(v)) { errors.push(fieldError(`host.kernel.cmdline.${k}`, v, 'contains a double quote, which the command line cannot carry', 'remove it')); continue }
    const r = parseCpuList(v, { nrCpus, field: `host.kernel.cmdline.${k} (${param}=)` })
    if (!r.ok) errors.push(r.error)
  }
  return errors
}

/** The host's kernel command line: the isolation parameters, idle settings and changed KVM parameters. */
export function hostCmdline(host: Host): FormatResult<string> {
  const errors = checkLists(host)
  if (errors.length) return failed(errors)
  const c = host.kernel.cmdline
  const parts: string[] = []
  if (c.nohzFull !== '') parts.push(arg('nohz_full', c.nohzFull))
  if (c.isolcpus !== '') parts.push(arg('isolcpus', c.isolcpus))
  if (c.rcuNocbs !== '') parts.push(arg('rcu_nocbs', c.rcuNocbs))
  if (c.irqaffinity !== '') parts.push(arg('irqaffinity', c.irqaffinity))
  if (c.idle !== 'default') parts.push(`idle=${c.idle}`)
  if (c.intelIdleMaxCstate >= 0) parts.push(`intel_idle.max_cstate=${c.intelIdleMaxCstate}`)
  const vendor = CPU_FEATURES[host.cpu].vendor
  for (const { p, value } of changedParams(host.kvm, vendor)) parts.push(`${p.module}.${p.name}=${formatParam(p, value)}`)
  return ok(parts.join(' '))
}

export function exportCmdline(cfg: ResolvedConfiguration): FormatResult<string> {
  return hostCmdline(cfg.host)
}

/** /etc/modprobe.d/kvm.conf: one `options MODULE k=v …` line per module with changed parameters. */
export function exportModprobe(cfg: ResolvedConfiguration): FormatResult<string> {
  const host = cfg.host
  const vendor = CPU_FEATURES[host.cpu].vendor
  const byModule = new Map<string, string[]>()
  for (const { p, value } of changedParams(host.kvm, vendor)) {
    const list = byModule.get(p.module) ?? []
    list.push(`${p.name}=${formatParam(p, value)}`)
    byModule.set(p.module, list)
  }
  const lines = [`# /etc/modprobe.d/kvm.conf — kvmbench configuration ${cfg.name} (${host.cpu}, ${vendor === 'vmx' ? 'Intel' : 'AMD'})`]
  if (!byModule.size) lines.push('# every modelled KVM module parameter is at its default')
  for (const [m, opts] of byModule) lines.push(`options ${m} ${opts.join(' ')}`)
  const warnings = host.kvm.piInjectTimer === -1 ? [] : ['pi_inject_timer is read when kvm is loaded: reload kvm (or reboot) for it to apply']
  return ok(`${lines.join('\n')}\n`, warnings)
}
