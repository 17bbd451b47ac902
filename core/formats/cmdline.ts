// The kernel command line: /proc/cmdline → host.kernel.cmdline (nohz_full, isolcpus with flags,
// rcu_nocbs, irqaffinity, idle, intel_idle.max_cstate) and the KVM module parameters written on it
// (kvm.halt_poll_ns=, kvm_intel.ple_gap=, …); and the reverse, a configuration's command line. Tokens
// are split as the kernel's next_arg() splits them (spaces outside double quotes, quotes stripped).
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { parseCpuList, MAX_NR_CPUS } from '../topology/cpulist.ts'
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
  /** The profile fragment: only what the command line sets. */
  host: { kernel: { cmdline: Partial<Cmdline> }; kvm?: DeepPartialKvm }
  /** Tokens that carry nothing the bench models, as written. */
  ignored: string[]
}

export interface CmdlineOptions {
  /** Host CPU count the cpulists are checked against (default 8192, the largest x86 host). */
  nrCpus?: number
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
  const seen = new Map<string, string>()
  const tokens = splitCmdline(nonEmpty)
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
      if (prev !== undefined) warnings.push(`${key}= is given twice ("${prev}" then "${value ?? ''}"): the last one is used`)
      seen.set(key, value ?? '')
    }
    const needValue = (example: string): boolean => {
      if (value === undefined || value === '') {
        errors.push(fieldError(field, tok.text, 'has no value', `write ${key}=${example}`, tok.offset))
        return false
      }
      return true
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
          if (m) { warnings.push(`isolcpus: unknown flag "${m[1]}" (known: ${ISOLCPUS_FLAGS.join(', ')}); older kernels drop the whole parameter, v5.7+ skip the flag`); rest = rest.slice(m[0].length); continue }
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
    if (/^(kvm|kvm_intel|kvm_amd|kvm-intel|kvm-amd)\./.test(key)) warnings.push(`${key}: a KVM module parameter the bench does not model; ignored`)
    ignored.push(tok.text)
  }
  if (errors.length) return failed(errors)
  if (ignored.length) warnings.push(`ignored ${ignored.length} token${ignored.length > 1 ? 's' : ''} the bench does not model: ${ignored.join(' ').slice(0, 200)}`)
  const value: CmdlineImport = { host: { kernel: { cmdline } }, ignored }
  if (kvmSet) value.host.kvm = kvm
  return ok(value, warnings)
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
