// The example's `compare`, end to end: `node main/cli/kvmbench.ts compare PROFILE` as a child process,
// timed from spawn to exit (Node start-up, type stripping, one worker per configuration, output).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { runChild } from './child.ts'

const ROOT = join(import.meta.dirname, '..')
export const CLI = join(ROOT, 'main', 'cli', 'kvmbench.ts')

export type CompareRun =
  | { ok: true; wallSeconds: number }
  | { ok: false; missing: true; note: string }

export async function runCompare(profilePath: string): Promise<CompareRun> {
  if (!existsSync(CLI)) return { ok: false, missing: true, note: 'n/a (CLI missing: main/cli/kvmbench.ts)' }
  const r = await runChild(process.execPath, [CLI, 'compare', profilePath], ROOT)
  if (r.code !== 0) {
    throw new Error(`kvmbench compare ${profilePath} failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim().slice(-2000)}`)
  }
  return { ok: true, wallSeconds: r.wallSeconds }
}
