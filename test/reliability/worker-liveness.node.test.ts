// Workers notice their parent's death and their pool notices a frozen worker (issue 17 items 1 and 4), with
// the real browser host (`npm run serve` as a process), real worker processes and the real core:
// `kill -9` of the host in the middle of a run leaves no worker alive after 2 s, and what had finished is
// on disk (the run reads back as interrupted); a worker stopped with SIGSTOP is detected by its missing
// heartbeats, while a healthy job longer than the heartbeat timeout finishes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ChildProcessLauncher } from '../../main/worker/child-process-launcher.ts'
import { JobError, WorkerPool } from '../../main/worker/pool.ts'
import { startTestHost } from '../helpers/test-host.ts'
import { tinyProfile } from '../helpers/profiles.ts'
import { startServe, stateOf, workersOf } from '../helpers/serve-process.ts'

const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-liveness-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const alive = (pid: number): boolean => { const s = stateOf(pid); return s !== undefined && s !== 'Z' && s !== 'X' }

const PROFILE = {
  schemaVersion: 1,
  name: 'long',
  run: { durationSec: 0.01, warmupSec: 0.001 },
  configurations: Array.from({ length: 6 }, (_, i) => ({ name: `c${i}`, overrides: i < 2 ? {} : { run: { durationSec: 300 } } })),
}

describe('kill -9 of the browser host', () => {
  it('leaves no worker alive after 2 s, and keeps what finished', async () => {
    const dataDir = join(tmp, 'data')
    const serve = await startServe(tmp, dataDir)
    const host = serve.child
    const call = serve.call
    const { runId } = (await call('runs.start', { profile: PROFILE })) as { runId: string }
    let workers: number[] = []
    for (let i = 0; i < 400; i++) {
      const r = (await call('runs.get', { runId })) as { configs: { status: string }[] }
      workers = workersOf(host.pid!)
      if (r.configs.filter((c) => c.status === 'done').length >= 2 && r.configs.filter((c) => c.status === 'running').length === 2 && workers.length === 2) break
      await new Promise((res) => setTimeout(res, 50))
    }
    expect(workers).toHaveLength(2)
    // both workers are busy simulating (a 300 s configuration each): only their watcher can notice
    await new Promise((res) => setTimeout(res, 300))
    const file = join(dataDir, 'results', `${runId}.json`)
    for (let i = 0; i < 100 && (JSON.parse(readFileSync(file, 'utf8')) as { results: unknown[] }).results.length < 2; i++) await new Promise((res) => setTimeout(res, 20))
    host.kill('SIGKILL')
    await serve.exited
    await new Promise((res) => setTimeout(res, 2000))
    for (const pid of workers) expect(alive(pid), `worker ${pid} (state ${stateOf(pid)})`).toBe(false)

    const next = await startTestHost('kvmbench-liveness-next-', { dataDir })
    try {
      const got = (await next.api('runs.get', { runId })).json.value as { status: string; configs: { config: string; status: string; result?: unknown }[] }
      expect(got.status).toBe('interrupted')
      expect(got.configs.filter((c) => c.result).map((c) => c.config)).toEqual(['c0', 'c1'])
      expect(got.configs.slice(2).every((c) => c.status === 'interrupted')).toBe(true)
    } finally {
      await next.close()
    }
  })
})

describe('heartbeats', () => {
  it('a worker stopped with SIGSTOP fails its job as hung; a healthy job longer than the timeout finishes', async () => {
    const pool = new WorkerPool(new ChildProcessLauncher(), { size: 2, heartbeatTimeoutMs: 2000 })
    try {
      const profile = tinyProfile(['slow', 'frozen'], 8)
      const started: string[] = []
      const slow = pool.run({ profile, config: 'slow' }, { onStart: () => started.push('slow') })
      let progressing!: () => void
      const firstProgress = new Promise<void>((res) => { progressing = res })
      const frozen = pool.run({ profile, config: 'frozen' }, { onStart: () => started.push('frozen'), onProgress: () => progressing() })
      // stopped in the middle of simulating, once it has been seen alive
      await firstProgress
      const pid = pool.pidOf(frozen.jobId)
      expect(started.sort()).toEqual(['frozen', 'slow'])
      process.kill(pid!, 'SIGSTOP')
      const t0 = Date.now()
      const err = await frozen.result.catch((e: unknown) => e)
      expect(err).toBeInstanceOf(JobError)
      expect((err as JobError).kind).toBe('timeout')
      expect((err as JobError).message).toMatch(/sent no heartbeat for 2000 ms/)
      expect(alive(pid!)).toBe(false)
      // the healthy one ran for longer than the heartbeat timeout and still finished
      const r = await slow.result
      expect(r.config).toBe('slow')
      expect(Date.now() - t0 + r.wallMs, 'the healthy job outlasted the timeout').toBeGreaterThan(2000)
      // the pool replaced the frozen worker
      await expect(pool.run({ profile: tinyProfile(['after']), config: 'after' }).result).resolves.toMatchObject({ config: 'after' })
    } finally {
      await pool.dispose()
    }
  })
})
