// The KVM module parameters the profile models (host.kvm), as the kernel command line (`kvm.x=`,
// `kvm_intel.x=`), /proc/cmdline and /etc/modprobe.d (`options kvm x=…`) spell them. Values are read
// as the kernel's param_set_uint / param_set_ushort (kstrtouint base 0) and param_set_bool / bint
// (kstrtobool) read them.
import type { Host } from '../profile/profile-schema.ts'

export type KvmModule = 'kvm' | 'kvm_intel' | 'kvm_amd'
export type ParamType = 'uint' | 'ushort' | 'bool' | 'bint'
type HostKvm = Host['kvm']

export interface KvmParam {
  module: KvmModule
  name: string
  type: ParamType
  /** Vendor whose module has it; undefined = the generic kvm module. */
  vendor?: 'vmx' | 'svm'
  get(k: HostKvm): number | boolean
  set(k: DeepPartialKvm, v: number | boolean): void
  /** The profile's default: such a value is not written on export. */
  def: number | boolean
  /** The profile's range for integers. */
  min?: number
  max?: number
  /** Written on export even at the profile default (the kernel's default differs between versions). */
  always?: boolean
}

export interface DeepPartialKvm {
  haltPoll?: Partial<HostKvm['haltPoll']>
  piInjectTimer?: -1 | 0 | 1
  preemptionTimer?: boolean
  enableApicv?: boolean
  enableIpiv?: boolean
  pleGap?: number
  pleWindow?: number
  pleWindowGrow?: number
  pleWindowShrink?: number
  pleWindowMax?: number
}

const hp = (k: DeepPartialKvm): Partial<HostKvm['haltPoll']> => (k.haltPoll ??= {})

export const KVM_PARAMS: readonly KvmParam[] = [
  { module: 'kvm', name: 'halt_poll_ns', type: 'uint', def: 200_000, min: 0, max: 100_000_000, get: (k) => k.haltPoll.haltPollNs, set: (k, v) => { hp(k).haltPollNs = v as number } },
  { module: 'kvm', name: 'halt_poll_ns_grow', type: 'uint', def: 2, min: 0, max: 16, get: (k) => k.haltPoll.grow, set: (k, v) => { hp(k).grow = v as number } },
  { module: 'kvm', name: 'halt_poll_ns_grow_start', type: 'uint', def: 10_000, min: 0, max: 100_000_000, get: (k) => k.haltPoll.growStart, set: (k, v) => { hp(k).growStart = v as number } },
  // -1 in the profile means "the host version's default": nothing is written.
  { module: 'kvm', name: 'halt_poll_ns_shrink', type: 'uint', def: -1, min: 0, max: 16, get: (k) => k.haltPoll.shrink, set: (k, v) => { hp(k).shrink = v as number } },
  { module: 'kvm', name: 'pi_inject_timer', type: 'bint', def: -1, get: (k) => k.piInjectTimer, set: (k, v) => { k.piInjectTimer = (v ? 1 : 0) } },
  { module: 'kvm_intel', name: 'preemption_timer', type: 'bool', vendor: 'vmx', def: true, get: (k) => k.preemptionTimer, set: (k, v) => { k.preemptionTimer = v as boolean } },
  { module: 'kvm_intel', name: 'enable_apicv', type: 'bool', vendor: 'vmx', def: true, get: (k) => k.enableApicv, set: (k, v) => { k.enableApicv = v as boolean } },
  { module: 'kvm_amd', name: 'avic', type: 'bool', vendor: 'svm', def: true, always: true, get: (k) => k.enableApicv, set: (k, v) => { k.enableApicv = v as boolean } },
  { module: 'kvm_intel', name: 'enable_ipiv', type: 'bool', vendor: 'vmx', def: true, get: (k) => k.enableIpiv, set: (k, v) => { k.enableIpiv = v as boolean } },
  { module: 'kvm_amd', name: 'enable_ipiv', type: 'bool', vendor: 'svm', def: true, get: (k) => k.enableIpiv, set: (k, v) => { k.enableIpiv = v as boolean } },
  { module: 'kvm_intel', name: 'ple_gap', type: 'uint', vendor: 'vmx', def: 128, min: 0, max: 1 << 20, get: (k) => k.pleGap, set: (k, v) => { k.pleGap = v as number } },
  { module: 'kvm_amd', name: 'pause_filter_thresh', type: 'ushort', vendor: 'svm', def: 128, min: 0, max: 65535, get: (k) => k.pleGap, set: (k, v) => { k.pleGap = v as number } },
  // -1 in the profile means "the module's default" (ple_window 4096, pause_filter_count 3000; grow 2, shrink 0, max
  // UINT_MAX / USHRT_MAX): nothing is written.
  { module: 'kvm_intel', name: 'ple_window', type: 'uint', vendor: 'vmx', def: -1, min: 0, max: 0xffff_ffff, get: (k) => k.pleWindow, set: (k, v) => { k.pleWindow = v as number } },
  { module: 'kvm_amd', name: 'pause_filter_count', type: 'ushort', vendor: 'svm', def: -1, min: 0, max: 65535, get: (k) => k.pleWindow, set: (k, v) => { k.pleWindow = v as number } },
  { module: 'kvm_intel', name: 'ple_window_grow', type: 'uint', vendor: 'vmx', def: -1, min: 0, max: 0xffff_ffff, get: (k) => k.pleWindowGrow, set: (k, v) => { k.pleWindowGrow = v as number } },
  { module: 'kvm_amd', name: 'pause_filter_count_grow', type: 'ushort', vendor: 'svm', def: -1, min: 0, max: 65535, get: (k) => k.pleWindowGrow, set: (k, v) => { k.pleWindowGrow = v as number } },
  { module: 'kvm_intel', name: 'ple_window_shrink', type: 'uint', vendor: 'vmx', def: -1, min: 0, max: 0xffff_ffff, get: (k) => k.pleWindowShrink, set: (k, v) => { k.pleWindowShrink = v as number } },
  { module: 'kvm_amd', name: 'pause_filter_count_shrink', type: 'ushort', vendor: 'svm', def: -1, min: 0, max: 65535, get: (k) => k.pleWindowShrink, set: (k, v) => { k.pleWindowShrink = v as number } },
  { module: 'kvm_intel', name: 'ple_window_max', type: 'uint', vendor: 'vmx', def: -1, min: 0, max: 0xffff_ffff, get: (k) => k.pleWindowMax, set: (k, v) => { k.pleWindowMax = v as number } },
  { module: 'kvm_amd', name: 'pause_filter_count_max', type: 'ushort', vendor: 'svm', def: -1, min: 0, max: 65535, get: (k) => k.pleWindowMax, set: (k, v) => { k.pleWindowMax = v as number } },
]

export function findKvmParam(module: string, name: string): KvmParam | undefined {
  // The kernel treats '-' and '_' in parameter names alike (parameq()).
  const n = name.replace(/-/g, '_')
  const m = module.replace(/-/g, '_')
  return KVM_PARAMS.find((p) => p.module === m && p.name === n)
}

/** kstrtobool(): y/Y/t/T/1 and n/N/f/F/0, "on"/"off". */
export function parseBool(s: string): boolean | null {
  const c = s[0]
  if (c === undefined) return null
  if ('yYtT1'.includes(c)) return true
  if ('nNfF0'.includes(c)) return false
  if ((c === 'o' || c === 'O') && s.length >= 2) {
    const d = s[1]!.toLowerCase()
    if (d === 'n') return true
    if (d === 'f') return false
  }
  return null
}

/** kstrtouint(s, 0): decimal, 0x hex or 0 octal, an optional "+", a trailing newline allowed. */
export function parseUint(s: string, max = 0xffffffff): number | null {
  const t = s.replace(/\n$/, '').replace(/^\+/, '')
  let v: number
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(t)) v = parseInt(t.slice(2), 16)
  else if (/^0[0-7]{1,11}$/.test(t)) v = parseInt(t, 8)
  else if (/^[1-9]\d{0,9}$/.test(t) || t === '0') v = Number(t)
  else return null
  return v <= max ? v : null
}

/** The value text for a parameter on export. */
export function formatParam(p: KvmParam, v: number | boolean): string {
  if (p.type === 'bool' || p.type === 'bint') return v === true || v === 1 ? '1' : '0'
  return String(v)
}

/** Parameters whose value differs from the profile default (and the vendor matches), in table order. */
export function changedParams(kvm: HostKvm, vendor: 'vmx' | 'svm'): { p: KvmParam; value: number | boolean }[] {
  const out: { p: KvmParam; value: number | boolean }[] = []
  for (const p of KVM_PARAMS) {
    if (p.vendor !== undefined && p.vendor !== vendor) continue
    const v = p.get(kvm)
    if (p.name === 'halt_poll_ns_shrink' && v === -1) continue
    if (p.type === 'bint' && v === -1) continue
    if (v === p.def && !p.always) continue
    out.push({ p, value: v })
  }
  return out
}
