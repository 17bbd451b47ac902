// Scaling over worker processes: the same runs (the profile's configurations × several seeds) through a
// WorkerPool (main/worker/pool.ts) of 1 worker and of `workers`, child-process workers running the built
// worker (out/node/sim-worker.js) as the kvmbench command does. Two measurements each:
// - cold: the pool is created at the first submission (process start-up and each worker's first, JIT-cold
//   run are in the wall time), as one `kvmbench compare` does;
// - warm: a prestarted pool (`prestart`, `ready()`), as the hosts keep it: wall time from submission to
//   the last result.
import { join } from 'node:path'
import { ChildProcessLauncher } from '../main/worker/child-process-launcher.ts'
import { WorkerPool } from '../main/worker/pool.ts'
import { NODE_BUILD } from './js-build.ts'

export interface PoolRun { workers: number; runs: number; warm: boolean; wallSeconds: number; events: number }

export interface Scaling { runs: number; cold: { single: PoolRun; parallel: PoolRun | null }; warm: { single: PoolRun; parallel: PoolRun | null } }

/** `runs` jobs: configurations round-robin, seeds 1, 2, … per configuration. */
export function jobsFor(configs: string[], runs: number): { config: string; seed: number }[] {
  return Array.from({ length: runs }, (_, i) => ({ config: configs[i % configs.length]!, seed: 1 + Math.floor(i / configs.length) }))
}

async function throughPool(profile: unknown, jobs: { config: string; seed: number }[], workers: number, warm: boolean): Promise<PoolRun> {
  const launcher = new ChildProcessLauncher({ workerPath: join(NODE_BUILD, 'sim-worker.js') })
  if (warm) {
    // one warm-up job per worker first: a warm pool's workers have run before
    const p = new WorkerPool(launcher, { size: workers, prestart: true })
    try {
      await p.ready()
      await Promise.all(jobs.slice(0, workers).map((j) => p.run({ profile, config: j.config, seed: j.seed }).result))
      return await timed(p, profile, jobs, workers, true)
    } finally {
      await p.dispose()
    }
  }
  const pool = new WorkerPool(launcher, { size: workers })
  try {
    return await timed(pool, profile, jobs, workers, false)
  } finally {
    await pool.dispose()
  }
}

async function timed(pool: WorkerPool, profile: unknown, jobs: { config: string; seed: number }[], workers: number, warm: boolean): Promise<PoolRun> {
  const t0 = process.hrtime.bigint()
  const results = await Promise.all(jobs.map((j) => pool.run({ profile, config: j.config, seed: j.seed }).result))
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  return { workers, runs: jobs.length, warm, wallSeconds, events: results.reduce((a, r) => a + r.events, 0) }
}

export async function runScaling(profile: unknown, configs: string[], runs: number, workers: number): Promise<Scaling> {
  const jobs = jobsFor(configs, runs)
  const out = {} as Scaling
  out.runs = runs
  for (const warm of [false, true]) {
    const single = await throughPool(profile, jobs, 1, warm)
    const parallel = workers > 1 ? await throughPool(profile, jobs, workers, warm) : null
    out[warm ? 'warm' : 'cold'] = { single, parallel }
  }
  return out
}
