// The worker pool with REAL worker processes running the real core (no fakes).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { ChildProcessLauncher } from '../../main/worker/child-process-launcher.ts'
import { JobError, WorkerPool } from '../../main/worker/pool.ts'
import type { ProcessLauncher } from '../../main/worker/launcher.ts'
import { ThreadLauncher } from '../../main/worker/thread-launcher.ts'
import { CRASH_EXIT_CODE, TEST_CRASH_ENV } from '../../main/worker/worker-protocol.ts'
import { processExists, tinyProfile, withoutWallTime } from '../helpers/profiles.ts'
import { ensureNodeBuild } from '../tools/node-build.ts'

const pools: WorkerPool[] = []
function pool(size: number, launcher: ProcessLauncher = new ChildProcessLauncher()): WorkerPool {
  const p = new WorkerPool(launcher, { size })
  pools.push(p)
  return p
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.dispose()))
})

function inProcess(profileJson: unknown, config: string, seed: number) {
  const loaded = loadProfile(profileJson)
  if (!loaded.ok) throw new Error('test profile is invalid')
  return runConfiguration(loaded.profile, config, { seed })
}

/** Waits until the job runs in a worker process and the worker has had time to start simulating. */
async function runningPid(p: WorkerPool, jobId: string): Promise<number> {
  for (let i = 0; i < 400 && p.pidOf(jobId) === undefined; i++) await new Promise((r) => setTimeout(r, 25))
  const pid = p.pidOf(jobId)
  if (pid === undefined) throw new Error('job is not running in a process')
  await new Promise((r) => setTimeout(r, 400))
  return pid
}

describe('WorkerPool (child processes, real core)', () => {
  it('runs two configurations in parallel in two processes, with the same results as an in-process run', async () => {
    const profile = tinyProfile(['base', 'tuned'])
    const p = pool(2)
    const pidsSeen = new Map<string, number | undefined>()
    const jobs = ['base', 'tuned'].map((config) => {
      const h = p.run({ profile, config, seed: 5 }, { onProgress: () => { if (!pidsSeen.has(config)) pidsSeen.set(config, p.pidOf(h.jobId)) } })
      return h
    })
    expect(p.pids).toHaveLength(2)
    const [base, tuned] = await Promise.all(jobs.map((j) => j.result))
    expect(base?.config).toBe('base')
    expect(tuned?.config).toBe('tuned')
    expect(withoutWallTime(base!)).toEqual(withoutWallTime(inProcess(profile, 'base', 5)))
    expect(withoutWallTime(tuned!)).toEqual(withoutWallTime(inProcess(profile, 'tuned', 5)))
    if (pidsSeen.size === 2) {
      expect(pidsSeen.get('base')).not.toBe(pidsSeen.get('tuned'))
      expect(pidsSeen.get('base')).not.toBe(process.pid)
    }
  })

  it('streams progress', async () => {
    const p = pool(1)
    const fractions: number[] = []
    await p.run({ profile: tinyProfile(['base'], 0.2), config: 'base' }, { onProgress: (f) => fractions.push(f) }).result
    expect(fractions.length).toBeGreaterThan(0)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    expect(fractions.every((f) => f >= 0 && f <= 1)).toBe(true)
  })

  it('queues jobs beyond its size and runs them all', async () => {
    const p = pool(1)
    const profile = tinyProfile(['a', 'b', 'c'])
    const results = await Promise.all(['a', 'b', 'c'].map((config) => p.run({ profile, config }).result))
    expect(results.map((r) => r.config)).toEqual(['a', 'b', 'c'])
    expect(p.pids.length).toBeLessThanOrEqual(1)
  })

  it('cancel kills the worker at once, leaves no process behind, and a fresh worker takes the next job', async () => {
    const p = pool(1)
    const long = p.run({ profile: tinyProfile(['base'], 3600), config: 'base' })
    const pid = await runningPid(p, long.jobId)
    expect(processExists(pid)).toBe(true)
    const t0 = Date.now()
    expect(p.cancel(long.jobId)).toBe(true)
    const err = await long.result.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(JobError)
    expect((err as JobError).kind).toBe('cancelled')
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(processExists(pid)).toBe(false)
    expect(p.cancel(long.jobId)).toBe(false)
    const next = await p.run({ profile: tinyProfile(['base']), config: 'base' }).result
    expect(next.config).toBe('base')
    expect(p.pids).not.toContain(pid)
  })

  it('cancels a queued job without touching the running one', async () => {
    const p = pool(1)
    const profile = tinyProfile(['a', 'b'])
    const a = p.run({ profile, config: 'a' })
    const b = p.run({ profile, config: 'b' })
    expect(p.cancel(b.jobId)).toBe(true)
    await expect(b.result).rejects.toMatchObject({ kind: 'cancelled' })
    await expect(a.result).resolves.toMatchObject({ config: 'a' })
  })

  it('a crashed worker fails only its own job, with the exit reason; the other jobs finish', async () => {
    const p = pool(2, new ChildProcessLauncher({ env: { ...process.env, [TEST_CRASH_ENV]: 'boom' } }))
    const profile = tinyProfile(['base', 'boom', 'tuned'])
    const [base, boom, tuned] = await Promise.allSettled(['base', 'boom', 'tuned'].map((config) => p.run({ profile, config }).result))
    expect(base).toMatchObject({ status: 'fulfilled', value: { config: 'base' } })
    expect(tuned).toMatchObject({ status: 'fulfilled', value: { config: 'tuned' } })
    expect(boom?.status).toBe('rejected')
    const reason = (boom as PromiseRejectedResult).reason as JobError
    expect(reason.kind).toBe('crashed')
    expect(reason.message).toContain(`exited with code ${CRASH_EXIT_CODE}`)
  })

  it('reports a profile the worker cannot run as a failed job', async () => {
    const p = pool(1)
    await expect(p.run({ profile: { schemaVersion: 1, vms: 'no' }, config: 'base' }).result).rejects.toMatchObject({ kind: 'failed', message: expect.stringContaining('invalid profile') })
    await expect(p.run({ profile: tinyProfile(['base']), config: 'nope' }).result).rejects.toMatchObject({ kind: 'failed' })
  })

  it('dispose kills every worker and fails the jobs', async () => {
    const p = pool(2)
    const a = p.run({ profile: tinyProfile(['base'], 3600), config: 'base' })
    const pid = await runningPid(p, a.jobId)
    await p.dispose()
    await expect(a.result).rejects.toMatchObject({ kind: 'disposed' })
    expect(processExists(pid)).toBe(false)
    await expect(p.run({ profile: tinyProfile(), config: 'base' }).result).rejects.toMatchObject({ kind: 'disposed' })
  })
})

describe('WorkerPool (worker threads, real core)', () => {
  it('runs the same worker module in a thread with the same results', async () => {
    const profile = tinyProfile(['base'])
    const p = pool(1, new ThreadLauncher())
    const r = await p.run({ profile, config: 'base', seed: 9 }).result
    expect(withoutWallTime(r)).toEqual(withoutWallTime(inProcess(profile, 'base', 9)))
  })
})

describe('WorkerPool, warm (prestart)', () => {
  function warmPool(size: number, launcher: ProcessLauncher = new ChildProcessLauncher()): WorkerPool {
    const p = new WorkerPool(launcher, { size, prestart: true })
    pools.push(p)
    return p
  }

  it('starts every worker before any job; they say ready and stay up, the same processes run later jobs', async () => {
    const p = warmPool(2)
    const started = p.pids
    expect(started).toHaveLength(2)
    await p.ready()
    const profile = tinyProfile(['a', 'b', 'c', 'd'])
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((config) => p.run({ profile, config, seed: 3 }).result))
    expect(results.map((r) => r.config)).toEqual(['a', 'b', 'c', 'd'])
    expect(withoutWallTime(results[2]!)).toEqual(withoutWallTime(inProcess(profile, 'c', 3)))
    expect(p.pids.sort()).toEqual([...started].sort())
    for (const pid of started) expect(processExists(pid)).toBe(true)
  })

  it('replaces a worker that went away, so the pool stays warm; dispose ends them all', async () => {
    const p = warmPool(1)
    await p.ready()
    const long = p.run({ profile: tinyProfile(['base'], 3600), config: 'base' })
    const pid = await runningPid(p, long.jobId)
    p.cancel(long.jobId)
    await expect(long.result).rejects.toMatchObject({ kind: 'cancelled' })
    await p.ready()
    const [fresh] = p.pids
    expect(fresh).toBeDefined()
    expect(fresh).not.toBe(pid)
    await p.dispose()
    await p.ready()
    expect(processExists(fresh!)).toBe(false)
  })

  it('ready() on a lazy pool starts its workers; a worker that dies before it is ready rejects ready()', async () => {
    const lazy = pool(2)
    expect(lazy.pids).toHaveLength(0)
    await lazy.ready()
    expect(lazy.pids).toHaveLength(2)
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-pool-'))
    try {
      const broken = join(dir, 'broken-worker.js')
      writeFileSync(broken, 'process.exit(7)\n')
      const p = pool(1, new ChildProcessLauncher({ workerPath: broken }))
      await expect(p.ready()).rejects.toMatchObject({ kind: 'crashed', message: expect.stringContaining('exited with code 7') })
      const unstartable = pool(1, { kind: 'test', launch: () => { throw new Error('no such program') } })
      await expect(unstartable.ready()).rejects.toMatchObject({ kind: 'failed', message: expect.stringContaining('no such program') })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the built worker (out/node/sim-worker.js, what the kvmbench package runs) gives the same results', async () => {
    const workerPath = join(ensureNodeBuild(), 'sim-worker.js')
    const profile = tinyProfile(['base', 'tuned'])
    const p = warmPool(2, new ChildProcessLauncher({ workerPath }))
    const [base, tuned] = await Promise.all(['base', 'tuned'].map((config) => p.run({ profile, config, seed: 4 }).result))
    expect(withoutWallTime(base!)).toEqual(withoutWallTime(inProcess(profile, 'base', 4)))
    expect(withoutWallTime(tuned!)).toEqual(withoutWallTime(inProcess(profile, 'tuned', 4)))
  })
})
