// The size limits of what the app reads from a file (docs/security.md, "Limits"), checked from File.size
// before a byte is read: a 100 MB file is refused at once instead of being read whole first. The readers
// check the text again (guardInput), so a pasted text meets the same limit. Pure.
import { MAX_CMDLINE_CHARS } from '@core/formats/cmdline.ts'
import { MAX_LSCPU_CHARS } from '@core/formats/lscpu.ts'
import { MAX_PERF_CHARS } from '@core/formats/perf-kvm-stat.ts'
import { DEFAULT_XML_LIMITS } from '@core/formats/xml.ts'

/** Bytes per kind of file (a character is at least one byte, so a file within this is within the reader's). */
export const FILE_LIMITS = {
  lscpu: MAX_LSCPU_CHARS,
  cmdline: MAX_CMDLINE_CHARS,
  libvirt: DEFAULT_XML_LIMITS.maxChars,
  perf: MAX_PERF_CHARS,
  /** A profile or profile export (.json): profiles.import's limit. */
  profile: 2 * 1024 * 1024,
} as const

export type FileKind = keyof typeof FILE_LIMITS

function size(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`
}

/** Why a file of `bytes` is not read as `kind`, or undefined when it may be. */
export function fileSizeProblem(kind: FileKind, name: string, bytes: number): string | undefined {
  const max = FILE_LIMITS[kind]
  if (bytes <= max) return undefined
  return `${name.slice(0, 80)} is ${size(bytes)}, more than the ${size(max)} this import reads — choose the right file, or cut it down to the part that matters`
}
