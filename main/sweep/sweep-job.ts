// One sweep point as a job: what a local lane or a queue worker runs, and the line it gives. The same
// function serves both, so a point's line is the same wherever it ran.
import { pickMetrics } from '../../core/sweep/sweep-metrics.ts'
import { POINT_CONFIGURATION, gridValues, profileAt } from '../../core/sweep/sweep-points.ts'
import type { SweepPlan } from '../../core/sweep/sweep-points.ts'
import type { WorkerPool } from '../worker/pool.ts'
import { pointKey } from './sweep-file.ts'
import type { SweepLine } from './sweep-file.ts'

export interface SweepJob {
  key: string
  index: number
  values: Record<string, unknown>
  seed: number
  profile: Record<string, unknown>
  metrics: string[]
}

/** `onJob`: told the pool's job id as the point is queued (the app's sweep service cancels by it). */
export async function runSweepJobOn(pool: WorkerPool, job: SweepJob, onJob?: (jobId: string) => void): Promise<SweepLine> {
  const head = { key: job.key, index: job.index, values: job.values, seed: job.seed }
  try {
    const h = pool.run({ profile: job.profile, config: POINT_CONFIGURATION, seed: job.seed })
    onJob?.(h.jobId)
    const r = await h.result
    return { ...head, metrics: pickMetrics(r, job.metrics) }
  } catch (e) {
    const kind = (e as { kind?: string }).kind
    // a point whose worker was stopped (cancel, dispose) did not finish: it is not a line
    if (kind === 'cancelled' || kind === 'disposed') throw e
    return { ...head, error: e instanceof Error ? e.message : String(e) }
  }
}

/** The jobs of grid points `indices` (default: the plan's), each with every seed of the plan, in that order; a
 *  point's profile is built once for all its seeds. */
export function sweepJobs(plan: SweepPlan, indices: readonly number[] = plan.indices): SweepJob[] {
  return indices.flatMap((index) => {
    const profile = profileAt(plan, index)
    const values = gridValues(plan, index)
    return plan.seeds.map((seed) => ({ key: pointKey(profile, seed), index, values, seed, profile, metrics: plan.metrics }))
  })
}
