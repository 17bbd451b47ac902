// Kernel versions as `uname -r` prints them ("6.8.0-45-generic", "5.14.0-362.el9.x86_64", "6.10-rc3")
// or as written in docs ("5.3", "v6.1"). The upstream version counts, with its stable patch level: a fix the
// model gates on counts from the stable release that carries it (core/kvm/backports.ts). Distro backports are not
// modelled ("5.14.0-362.el9" is 5.14.0), and an -rc counts as its release (features land by -rc1).
import { fieldError } from './field-error.ts'
import type { FieldError } from './field-error.ts'

export interface KernelVersion {
  major: number
  minor: number
  patch: number
  /** The text it was parsed from. */
  text: string
}

export type KernelVersionResult = { ok: true; version: KernelVersion } | { ok: false; error: FieldError }

const VERSION_RE = /^v?(\d{1,3})\.(\d{1,4})(?:\.(\d{1,6}))?(?:[-+_.~][0-9A-Za-z._+~-]*)?$/
const MAX_TEXT = 128

export function parseKernelVersion(text: string, field = 'kernelVersion'): KernelVersionResult {
  const t = typeof text === 'string' ? text.trim() : String(text)
  const m = t.length <= MAX_TEXT ? VERSION_RE.exec(t) : null
  const major = m ? Number(m[1]) : NaN
  if (!m || major < 2) {
    return { ok: false, error: fieldError(field, t, 'is not a kernel version', 'write it as `uname -r` prints it, e.g. "6.8", "5.10.180" or "5.14.0-362.el9.x86_64"') }
  }
  return { ok: true, version: { major, minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]), text: t } }
}

/** <0, 0, >0 as a is older than, equal to, newer than b. */
export function compareKernelVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch
}

/** True when v is `min` or newer. Strings must parse; a bad one is a programming error (RangeError). */
export function atLeast(v: KernelVersion | string, min: KernelVersion | string): boolean {
  return compareKernelVersions(toVersion(v), toVersion(min)) >= 0
}

function toVersion(v: KernelVersion | string): KernelVersion {
  if (typeof v !== 'string') return v
  const r = parseKernelVersion(v)
  if (!r.ok) throw new RangeError(r.error.message)
  return r.version
}
