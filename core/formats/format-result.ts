// What every import and export in core/formats returns: the value with warnings (things read but not
// modelled, or written approximately), or every problem found as a FieldError (field, value, what, fix).
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'

export type FormatResult<T> = { ok: true; value: T; warnings: string[] } | { ok: false; errors: FieldError[] }

export const ok = <T>(value: T, warnings: string[] = []): FormatResult<T> => ({ ok: true, value, warnings })
export const failed = <T = never>(errors: FieldError[]): FormatResult<T> => ({ ok: false, errors })

/** "line 3:14" from a character offset in a text (1-based line and column). */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) { line++; lineStart = i + 1 }
  }
  return { line, col: end - lineStart + 1 }
}

const KIB = 1024

function size(n: number): string {
  return n >= KIB * KIB ? `${(n / (KIB * KIB)).toFixed(1)} MiB` : n >= KIB ? `${(n / KIB).toFixed(1)} KiB` : `${n} bytes`
}

/**
 * The checks every reader runs first, before any parsing: a bounded size and text, not binary.
 * Returns an error, or null when the input may be parsed.
 */
export function guardInput(text: unknown, what: string, maxChars: number, fix: string): FieldError | null {
  if (typeof text !== 'string') return fieldError(what, String(text).slice(0, 40), 'is not text', fix)
  if (text.length > maxChars) {
    return fieldError(what, text.slice(0, 40), `is ${size(text.length)}, more than the ${size(maxChars)} this reader accepts`, `${fix}; cut the file down to the part that matters`)
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // NUL and the C0 controls other than TAB, LF, CR, FF and ESC (perf live clears the screen with ESC) mean a binary file.
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) {
      const { line, col } = lineCol(text, i)
      return fieldError(what, text.slice(Math.max(0, i - 10), i + 10), `line ${line}:${col}: control byte 0x${c.toString(16).padStart(2, '0')} — this is a binary file, not text`, fix, i)
    }
    if (c === 0xfffd) {
      const { line, col } = lineCol(text, i)
      return fieldError(what, text.slice(Math.max(0, i - 10), i + 10), `line ${line}:${col}: bytes that are not UTF-8 — this looks like a binary file`, fix, i)
    }
  }
  return null
}
