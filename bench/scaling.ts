// Scaling over worker processes: the same runs (the profile's configurations × several seeds) through a
// WorkerPool (main/worker/pool.ts, child-process workers as the CLI uses) of 1 worker and of `workers`.
// Wall time is from the first submission to the last result, worker start-up included.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const POOL = join(import.meta.dirname, '..', 'main', 'worker', 'pool.ts')
const LAUNCHER = join(import.meta.dirname, '..', 'main', 'worker', 'child-process-launcher.ts')

export interface PoolRun { workers: number; runs: number; wallSeconds: number; events: number }

export type Scaling =
  | { ok: true; runs: number; single: PoolRun; parallel: PoolRun | null }
  | { ok: false; note: string }

/** `runs` jobs: configurations round-robin, seeds 1, 2, … per configuration. */
export function jobsFor(configs: string[], runs: number): { config: string; seed: number }[] {
  return Array.from({ length: runs }, (_, i) => ({ config: configs[i % configs.length]!, seed: 1 + Math.floor(i / configs.length) }))
}

async function throughPool(profile: unknown, jobs: { config: string; seed: number }[], workers: number): Promise<PoolRun> {
  const { WorkerPool } = await import(pathToFileURL(POOL).href) as typeof import('../main/worker/pool.ts')
  const { ChildProcessLauncher } = await import(pathToFileURL(LAUNCHER).href) as typeof import('../main/worker/child-process-launcher.ts')
  const pool = new WorkerPool(new ChildProcessLauncher(), { size: workers })
  try {
    const t0 = process.hrtime.bigint()
    const results = await Promise.all(jobs.map((j) => pool.run({ profile, config: j.config, seed: j.seed }).result))
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9
    return { workers, runs: jobs.length, wallSeconds, events: results.reduce((a, r) => a + r.events, 0) }
  } finally {
    await pool.dispose()
  }
}

export async function runScaling(profile: unknown, configs: string[], runs: number, workers: number): Promise<Scaling> {
  if (!existsSync(POOL) || !existsSync(LAUNCHER)) return { ok: false, note: 'n/a (main/worker/pool.ts missing)' }
  const jobs = jobsFor(configs, runs)
  const single = await throughPool(profile, jobs, 1)
  const parallel = workers > 1 ? await throughPool(profile, jobs, workers) : null
  return { ok: true, runs, single, parallel }
}
