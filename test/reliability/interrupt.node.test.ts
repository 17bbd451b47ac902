// A normal stop keeps the run (issue 17 item 3): `npm run serve` (a real process, real workers) gets
// SIGTERM in the middle of a 12-configuration run with 5 configurations finished; it exits promptly, and the
// run is on disk as "interrupted" with those 5 results — read back by the next host on the same data.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startTestHost } from '../helpers/test-host.ts'
import { startServe } from '../helpers/serve-process.ts'

const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-interrupt-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** 12 configurations: 5 short ones first, then 7 that would take minutes. */
const PROFILE = {
  schemaVersion: 1,
  name: 'twelve',
  run: { durationSec: 0.01, warmupSec: 0.001 },
  configurations: Array.from({ length: 12 }, (_, i) => ({ name: `c${i}`, overrides: i < 5 ? {} : { run: { durationSec: 300 } } })),
}

describe('SIGTERM during a run', () => {
  it('keeps every finished configuration and writes the run as interrupted', async () => {
    const dataDir = join(tmp, 'data')
    const serve = await startServe(tmp, dataDir)
    const child = serve.child
    const exited = serve.exited
    const { runId } = (await serve.call('runs.start', { profile: PROFILE })) as { runId: string }
    for (;;) {
      const r = (await serve.call('runs.get', { runId })) as { configs: { status: string }[] }
      if (r.configs.filter((c) => c.status === 'done').length >= 5) break
      await new Promise((res) => setTimeout(res, 50))
    }
    // the run's file holds each result as soon as it is written (a write follows each config-done)
    const file = join(dataDir, 'results', `${runId}.json`)
    const resultsOnDisk = (): number => { try { return (JSON.parse(readFileSync(file, 'utf8')) as { results: unknown[] }).results.length } catch { return -1 } }
    for (let i = 0; i < 100 && resultsOnDisk() < 5; i++) await new Promise((res) => setTimeout(res, 20))
    expect(resultsOnDisk()).toBeGreaterThanOrEqual(5)
    const t0 = Date.now()
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    const stopMs = Date.now() - t0
    expect(stopMs, 'a stop does not wait for the 300 s configurations').toBeLessThan(20_000)

    const saved = JSON.parse(readFileSync(file, 'utf8')) as { status: string; results: { config: string }[]; configs: { config: string; status: string }[] }
    expect(saved.status).toBe('interrupted')
    // c0–c4 done (a long one can not have finished in the meantime); the 7 others interrupted
    expect(saved.results.map((r) => r.config)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4'])
    expect(saved.configs.map((c) => c.status)).toEqual([...Array(5).fill('done'), ...Array(7).fill('interrupted')])
    expect(readdirSync(join(dataDir, 'results')).filter((f) => f.endsWith('.tmp'))).toEqual([])

    const next = await startTestHost('kvmbench-interrupt-next-', { dataDir })
    try {
      const got = (await next.api('runs.get', { runId })).json.value as { status: string; configs: { status: string; result?: unknown }[] }
      expect(got.status).toBe('interrupted')
      expect(got.configs.filter((c) => c.result)).toHaveLength(5)
      // an interrupted run with results can be reported
      expect((await next.api('reports.snapshot', { runId })).status).toBe(200)
    } finally {
      await next.close()
    }
  })
})
