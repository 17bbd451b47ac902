// The example's `compare`, end to end, as an installed kvmbench runs it: the built CLI
// (out/node/kvmbench.js, the package's `bin`; bench.ts rebuilds it first) as a child process, timed
// from spawn to exit (Node start-up, one worker per configuration, output); the best of 3 runs.
import { join } from 'node:path'
import { runChild } from './child.ts'
import { NODE_BUILD } from './js-build.ts'

const ROOT = join(import.meta.dirname, '..')
export const CLI = join(NODE_BUILD, 'kvmbench.js')

export type CompareRun =
  | { ok: true; wallSeconds: number }
  | { ok: false; missing: true; note: string }

export async function runCompare(profilePath: string): Promise<CompareRun> {
  // best of 3: other jobs on a shared machine only ever slow a run down
  let wallSeconds = Infinity
  for (let i = 0; i < 3; i++) {
    const r = await runChild(process.execPath, [CLI, 'compare', profilePath], ROOT)
    if (r.code !== 0) {
      throw new Error(`kvmbench compare ${profilePath} failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim().slice(-2000)}`)
    }
    wallSeconds = Math.min(wallSeconds, r.wallSeconds)
  }
  return { ok: true, wallSeconds }
}
