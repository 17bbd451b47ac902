// Compiles and runs a tiny C program with the system gcc, so tests can compare our output
// with glibc's printf byte for byte. GCC is null when no gcc is on this machine.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function findGcc(): string | null {
  for (const cmd of [process.env['CC'], 'gcc', '/usr/bin/gcc']) {
    if (cmd === undefined || cmd === '') continue
    try {
      execFileSync(cmd, ['--version'], { stdio: 'ignore' })
      return cmd
    } catch {
      // try the next one
    }
  }
  return null
}

export const GCC: string | null = findGcc()
export const NO_GCC_NOTE = 'gcc not found (set CC or install gcc): skipping the byte-for-byte comparison with glibc printf'

/** Compiles `source` (C99, -O0) in a temp dir, runs it and returns its stdout as latin1 text. */
export function runC(source: string): string {
  if (GCC === null) throw new Error(NO_GCC_NOTE)
  const dir = mkdtempSync(join(tmpdir(), 'kvmbench-c-'))
  try {
    const src = join(dir, 'main.c')
    const exe = join(dir, 'main')
    writeFileSync(src, source)
    execFileSync(GCC, ['-std=gnu99', '-O0', '-w', '-o', exe, src, '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] })
    return execFileSync(exe, { maxBuffer: 64 << 20 }).toString('latin1')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A C string literal for an ASCII string. */
export function cString(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.charCodeAt(0)
    if (ch === '"' || ch === '\\') out += '\\' + ch
    else if (c >= 0x20 && c < 0x7f) out += ch
    else out += '\\' + c.toString(8).padStart(3, '0')
  }
  return out + '"'
}

/** A C double expression equal to x bit for bit (gcc rounds decimal literals correctly). */
export function cDouble(x: number): string {
  if (Number.isNaN(x)) return '(double)NAN'
  if (x === Infinity) return '(double)INFINITY'
  if (x === -Infinity) return '(-(double)INFINITY)'
  if (Object.is(x, -0)) return '(-0.0)'
  const s = String(x)
  return /[.e]/.test(s) ? `(${s})` : `(${s}.0)`
}
