// Runs a sweep's points on the local worker pool (child processes, as `kvmbench run` does), one point per
// worker at a time, each written to the JSONL file as it finishes.
import { WorkerPool } from '../worker/pool.ts'
import { ChildProcessLauncher } from '../worker/child-process-launcher.ts'
import type { SweepJob } from './sweep-job.ts'
import { runSweepJobOn } from './sweep-job.ts'
import type { SweepLine } from './sweep-file.ts'

export interface SweepRunOptions {
  workers: number
  /** Called with each finished point's line (metrics or error). */
  onLine: (line: SweepLine) => void
  signal?: AbortSignal
}

export async function runLocalSweep(jobs: SweepJob[], o: SweepRunOptions): Promise<void> {
  const pool = new WorkerPool(new ChildProcessLauncher(), { size: Math.max(1, Math.min(o.workers, jobs.length)), prestart: true })
  const stop = (): void => { void pool.dispose() }
  o.signal?.addEventListener('abort', stop)
  try {
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < jobs.length && !o.signal?.aborted) {
        const job = jobs[next++]!
        let line: SweepLine
        try {
          line = await runSweepJobOn(pool, job)
        } catch (e) {
          // Ctrl-C disposes the pool: the points it stopped did not finish and are no lines (--resume runs them).
          if (o.signal?.aborted) return
          throw e
        }
        if (o.signal?.aborted) return
        o.onLine(line)
      }
    }
    await Promise.all(Array.from({ length: Math.min(o.workers, jobs.length) }, lane))
  } finally {
    o.signal?.removeEventListener('abort', stop)
    await pool.dispose()
  }
}
