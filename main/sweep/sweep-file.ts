// The sweep's JSONL output: one line per finished point — its key, grid index, values, seed, and the
// metrics (or the error that run gave) — appended as each point finishes, so an interrupted sweep keeps
// what it did and `--resume` skips those points. A point's key is the SHA-256 of its resolved profile and
// seed in canonical JSON: the same point has the same key in any process and on any machine.
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync } from 'node:fs'
import { canonicalJson } from '../../core/sweep/json-path.ts'

export interface SweepLine {
  key: string
  index: number
  values: Record<string, unknown>
  seed: number
  metrics?: Record<string, number | null>
  error?: string
  /** The point did not run to an answer (the queue gave up on it): --resume runs it again. */
  lost?: boolean
}

export function pointKey(profile: unknown, seed: number): string {
  return createHash('sha256').update(canonicalJson({ profile, seed })).digest('hex').slice(0, 32)
}

/** Keys of the points an earlier run of this file finished (a torn last line, from a kill mid-write, is ignored). */
export function finishedKeys(path: string): Set<string> {
  const keys = new Set<string>()
  if (!existsSync(path)) return keys
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue
    try {
      const l = JSON.parse(line) as Partial<SweepLine>
      if (typeof l.key === 'string' && !l.lost && (l.metrics !== undefined || l.error !== undefined)) keys.add(l.key)
    } catch {
      // a line cut by a kill: that point runs again
    }
  }
  return keys
}

/** Every complete line of a sweep file. */
export function readSweepLines(path: string): SweepLine[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try { return [JSON.parse(l) as SweepLine] } catch { return [] }
  })
}

export function appendSweepLine(path: string, line: SweepLine): void {
  appendFileSync(path, `${JSON.stringify(line)}\n`)
}

/** Before appending to an earlier run's file: a last line cut by a kill (no newline) is dropped, so the
 *  next line starts on a line of its own; that point runs again. */
export function dropTornTail(path: string): void {
  if (!existsSync(path)) return
  const text = readFileSync(path)
  if (text.length === 0 || text[text.length - 1] === 0x0a) return
  truncateSync(path, text.lastIndexOf(0x0a) + 1)
}

/** True when the file exists and holds something (a sweep will not mix its lines into it without --resume). */
export function hasContent(path: string): boolean {
  return existsSync(path) && statSync(path).size > 0
}
