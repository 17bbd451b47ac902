// Worker faults (issue 7, item 4) with REAL worker processes running the real core: a worker that crashes
// (KVMBENCH_TEST_CRASH), hangs (KVMBENCH_TEST_HANG: it stops itself with SIGSTOP; detected by its missing
// heartbeats, not by a total wall time, so a loaded machine cannot fail a healthy job) or runs out of
// memory (KVMBENCH_TEST_OOM in a worker started with a 64 MB heap) fails its own job with the reason, the
// other jobs finish, and the pool recovers (a new job succeeds). A cancelled run leaves no process behind.
import { afterEach, describe, expect, it } from 'vitest'
import { RunService } from '../../main/services/run-service.ts'
import { ChildProcessLauncher } from '../../main/worker/child-process-launcher.ts'
import { JobError, WorkerPool } from '../../main/worker/pool.ts'
import type { WorkerPoolOptions } from '../../main/worker/pool.ts'
import { TEST_CRASH_ENV, TEST_HANG_ENV, TEST_OOM_ENV } from '../../main/worker/worker-protocol.ts'
import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import { SINGLE_THREADED_JIT_FLAG, WORKER_HEAP_MB } from '../../main/worker/launcher.ts'
import { processExists, tinyProfile, withoutWallTime } from '../helpers/profiles.ts'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { workersOf } from '../helpers/serve-process.ts'

const pools: WorkerPool[] = []
function faultyPool(o: WorkerPoolOptions): WorkerPool {
  const launcher = new ChildProcessLauncher({
    env: { ...process.env, [TEST_CRASH_ENV]: 'crash', [TEST_HANG_ENV]: 'hang', [TEST_OOM_ENV]: 'oom' },
    heapMb: 64,
  })
  const p = new WorkerPool(launcher, o)
  pools.push(p)
  return p
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.dispose()))
})

/** Worker processes that are children of this process (Linux /proc). */
const childWorkers = (): number[] => workersOf(process.pid)

async function outcome(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; kind: string; message: string }> {
  try {
    await p
    return { ok: true }
  } catch (e) {
    if (!(e instanceof JobError)) throw e
    return { ok: false, kind: e.kind, message: e.message }
  }
}

describe('worker faults', () => {
  it('a crash, a hang and an out-of-memory fail their own jobs with the reason; the others finish; the pool recovers', async () => {
    const p = faultyPool({ size: 2, heartbeatTimeoutMs: 3000 })
    const profile = tinyProfile(['ok1', 'crash', 'hang', 'oom', 'ok2', 'ok3'])
    const seen = new Set<number>()
    const jobs = ['ok1', 'crash', 'hang', 'oom', 'ok2', 'ok3'].map((config) => {
      const h = p.run({ profile, config })
      return { config, h }
    })
    const poll = setInterval(() => { for (const pid of p.pids) seen.add(pid) }, 20)
    const results = await Promise.all(jobs.map(async ({ config, h }) => ({ config, r: await outcome(h.result) })))
    clearInterval(poll)
    const by = Object.fromEntries(results.map(({ config, r }) => [config, r]))
    expect(by.ok1).toEqual({ ok: true })
    expect(by.ok2).toEqual({ ok: true })
    expect(by.ok3).toEqual({ ok: true })
    expect(by.crash).toMatchObject({ ok: false, kind: 'crashed' })
    expect(by.crash).toHaveProperty('message', expect.stringMatching(/the simulation worker exited with code 3 before finishing/))
    expect(by.hang).toMatchObject({ ok: false, kind: 'timeout' })
    expect(by.hang).toHaveProperty('message', expect.stringMatching(/sent no heartbeat for 3000 ms/))
    expect(by.oom).toMatchObject({ ok: false, kind: 'crashed' })
    expect(by.oom).toHaveProperty('message', expect.stringMatching(/heap out of memory|Reached heap limit/))
    // Recovery: the pool takes new work, and the dead workers are gone.
    await expect(p.run({ profile, config: 'ok1' }).result).resolves.toMatchObject({ config: 'ok1' })
    const live = new Set(p.pids)
    for (const pid of seen) if (!live.has(pid)) expect(processExists(pid), `worker ${pid}`).toBe(false)
    await p.dispose()
    expect(childWorkers()).toEqual([])
  })

  it('the watchdog can be set per job', async () => {
    const p = faultyPool({ size: 1 })
    const profile = tinyProfile(['hang', 'ok'])
    const r = await outcome(p.run({ profile, config: 'hang' }, { timeoutMs: 1500 }).result)
    expect(r).toMatchObject({ ok: false, kind: 'timeout' })
    await expect(p.run({ profile, config: 'ok' }).result).resolves.toMatchObject({ config: 'ok' })
  })

  it('through the run service, a failed configuration carries its reason and the run still finishes', async () => {
    const p = faultyPool({ size: 2, heartbeatTimeoutMs: 3000 })
    const runs = new RunService({ pool: p })
    const { runId } = runs.start({ profile: tinyProfile(['base', 'crash', 'oom', 'hang', 'tuned']) })
    const record = await runs.whenFinished(runId)
    const status = Object.fromEntries(record.configs.map((c) => [c.config, [c.status, c.error ?? '']]))
    expect(status.base![0]).toBe('done')
    expect(status.tuned![0]).toBe('done')
    expect(status.crash).toEqual(['failed', expect.stringMatching(/exited with code 3/)])
    expect(status.oom).toEqual(['failed', expect.stringMatching(/heap out of memory|Reached heap limit/)])
    expect(status.hang).toEqual(['failed', expect.stringMatching(/sent no heartbeat for 3000 ms/)])
    expect(record.status).toBe('failed')
  })

  it('a cancelled run leaves no worker process behind', async () => {
    const p = faultyPool({ size: 3 })
    const runs = new RunService({ pool: p })
    const { runId } = runs.start({ profile: tinyProfile(['a', 'b', 'c', 'd', 'e'], 300) })
    for (let i = 0; i < 200 && p.pids.length < 3; i++) await new Promise((r) => setTimeout(r, 25))
    await new Promise((r) => setTimeout(r, 300))
    const pids = p.pids
    expect(pids).toHaveLength(3)
    expect(childWorkers().sort()).toEqual([...pids].sort())
    expect(runs.cancel({ runId })).toEqual({ cancelled: true })
    const record = await runs.whenFinished(runId)
    expect(record.status).toBe('cancelled')
    expect(record.configs.every((c) => c.status === 'cancelled')).toBe(true)
    for (const pid of pids) expect(processExists(pid), `worker ${pid}`).toBe(false)
    expect(childWorkers()).toEqual([])
  })

  it('every worker process has a heap limit (1 GB by default), and one that reaches it is replaced', async () => {
    const p = new WorkerPool(new ChildProcessLauncher(), { size: 1 })
    pools.push(p)
    const h = p.run({ profile: tinyProfile(['base'], 1), config: 'base' })
    let pid: number | undefined
    for (let i = 0; i < 200 && pid === undefined; i++) { pid = p.pidOf(h.jobId); await new Promise((r) => setTimeout(r, 10)) }
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(`--max-old-space-size=${WORKER_HEAP_MB}`)
    await h.result
    // (the out-of-memory case, with a 64 MB heap, is the first test: the job fails with V8's reason and a new worker takes the next job)
  })

  it('a pool with one worker per core starts its workers with --no-concurrent-recompilation, a smaller pool without; both give the in-process results', async () => {
    const cores = availableParallelism()
    const profile = tinyProfile(['base'], 1)
    const loaded = loadProfile(profile)
    if (!loaded.ok) throw new Error('test profile is invalid')
    const inProcess = withoutWallTime(runConfiguration(loaded.profile, 'base', { seed: 3 }))
    // (on a 1-core machine both pools are full: the smaller pool's case cannot be shown there)
    for (const size of new Set([1, cores])) {
      const p = new WorkerPool(new ChildProcessLauncher(), { size, prestart: true })
      pools.push(p)
      await p.ready()
      for (const pid of p.pids) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
        expect(argv.includes(SINGLE_THREADED_JIT_FLAG), `pool of ${size} on ${cores} cores, worker ${pid}: ${argv.join(' ')}`).toBe(size >= cores)
      }
      // the flag changes when V8 compiles, not what the model computes
      const r = await p.run({ profile, config: 'base', seed: 3 }).result
      expect(withoutWallTime(r)).toEqual(inProcess)
      await p.dispose()
    }
  })
})
