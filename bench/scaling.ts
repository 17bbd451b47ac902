// Scaling over worker processes: the same runs (the profile's configurations × several seeds) through a
// WorkerPool (main/worker/pool.ts) of 1 worker and of `workers`, child-process workers running the built
// worker (out/node/sim-worker.js) as the kvmbench command does. Two measurements each:
// - cold: the pool is created at the first submission (process start-up and each worker's first, JIT-cold
//   run are in the wall time), as one `kvmbench compare` does;
// - warm: a prestarted pool (`prestart`, `ready()`), as the hosts keep it: wall time from submission to
//   the last result.
// Each is the best of REPEATS; the machine's own ceiling (fixed CPU work in parallel processes) is
// measured alongside, as other jobs on a shared machine take cores away.
import { join } from 'node:path'
import { runChild } from './child.ts'
import { ChildProcessLauncher } from '../main/worker/child-process-launcher.ts'
import { WorkerPool } from '../main/worker/pool.ts'
import { NODE_BUILD } from './js-build.ts'

export interface PoolRun { workers: number; runs: number; warm: boolean; wallSeconds: number; events: number }

export interface Scaling {
  runs: number
  cold: { single: PoolRun; parallel: PoolRun | null }
  warm: { single: PoolRun; parallel: PoolRun | null }
  /** What the machine gives right now: `workers` processes of fixed CPU work in parallel against the same
   *  work in one process, wall-time ratio (2.0 on an idle 2-core machine; less when other jobs run). */
  ceiling: number | null
}

/** A fixed amount of pure CPU work (~0.3 s on the bench machine) in a fresh Node process. */
const SPIN = 'let x = 0; for (let i = 0; i < 4e7; i++) x = (x + i * 7) % 1000003; if (x < 0) console.log(x)'

async function spin(copies: number): Promise<number> {
  const t0 = process.hrtime.bigint()
  await Promise.all(Array.from({ length: copies }, () => runChild(process.execPath, ['-e', SPIN])))
  return Number(process.hrtime.bigint() - t0) / 1e9
}

/** The speed-up `workers` processes can get on this machine now: `workers` times one spin against
 *  `workers` spins at once (each the best of REPEATS). */
async function machineCeiling(workers: number): Promise<number> {
  let one = Infinity
  let all = Infinity
  for (let r = 0; r < REPEATS; r++) {
    one = Math.min(one, await spin(1))
    all = Math.min(all, await spin(workers))
  }
  return (workers * one) / all
}

export const REPEATS = 3

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
  out.ceiling = workers > 1 ? await machineCeiling(workers) : null
  // best of REPEATS, 1 worker and `workers` alternating: other jobs on a shared machine only ever slow a
  // run down, so the fastest of a few is the closest to what the pool itself costs
  const best = (a: PoolRun | null, b: PoolRun | null): PoolRun | null => (a === null || (b !== null && b.wallSeconds < a.wallSeconds) ? b : a)
  for (const warm of [false, true]) {
    let single: PoolRun | null = null
    let parallel: PoolRun | null = null
    for (let r = 0; r < REPEATS; r++) {
      single = best(single, await throughPool(profile, jobs, 1, warm))
      if (workers > 1) parallel = best(parallel, await throughPool(profile, jobs, workers, warm))
    }
    out[warm ? 'warm' : 'cold'] = { single: single!, parallel }
  }
  return out
}
