// Bounded server resources (issue 17 items 7 and 10), through the real browser host with real workers: a
// connection cap, a few bodies parsed at a time, a cap on queued configurations with a clear error, the
// payload value limit counting every value, run retention with results read on demand, and a damaged
// profile store recovered in linear time.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_CONNECTIONS } from '../../main/host/request-limits.ts'
import { MAX_PAYLOAD_VALUES, payloadShapeProblem } from '../../main/services/api-router.ts'
import { salvageEntries } from '../../main/services/profile-store-check.ts'
import { MAX_ACTIVE_JOBS, RunService } from '../../main/services/run-service.ts'
import { ChildProcessLauncher } from '../../main/worker/child-process-launcher.ts'
import { WorkerPool } from '../../main/worker/pool.ts'
import { startTestHost } from '../helpers/test-host.ts'
import type { TestHost } from '../helpers/test-host.ts'
import { tinyProfile } from '../helpers/profiles.ts'

let t: TestHost
beforeAll(async () => { t = await startTestHost('kvmbench-limits-') })
afterAll(async () => { await t?.close() })

function openSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((res, rej) => {
    const socket = connect(port, '127.0.0.1', () => res({ socket, closed: new Promise((c) => socket.once('close', () => c())) }))
    socket.once('error', rej)
  })
}

describe('the browser host under load', () => {
  it(`closes connections beyond ${MAX_CONNECTIONS} and answers again once they go`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => openSocket(t.host.port)))
    await new Promise((r) => setTimeout(r, 100))
    const extra = await openSocket(t.host.port).catch(() => undefined)
    if (extra) {
      extra.socket.on('error', () => {})
      extra.socket.write(`POST /api/app.info HTTP/1.1\r\nHost: 127.0.0.1:${t.host.port}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${t.host.token}\r\nContent-Length: 2\r\n\r\n{}`)
      await extra.closed
    }
    for (const h of held) h.socket.destroy()
    await Promise.all(held.map((h) => h.closed))
    expect((await t.api('app.info', {})).status).toBe(200)
  })

  it('counts every value of a payload: one array of 1.5 million zeros is refused', async () => {
    expect(payloadShapeProblem({ profile: new Array(1_500_000).fill(0) })).toBe(`the payload holds more than ${MAX_PAYLOAD_VALUES} values`)
    expect(payloadShapeProblem({ profile: new Array(MAX_PAYLOAD_VALUES - 2).fill(0) })).toBeUndefined()
    const r = await t.api('profiles.validate', { profile: new Array(1_500_000).fill(0) })
    expect(r.status).toBe(400)
    expect(r.json.error?.message).toMatch(/more than 1000000 values/)
  })

  it('parses a few large bodies at a time: concurrent 4 MB nested bodies are refused and memory stays bounded', async () => {
    const deep = `{"profile":${'['.repeat(60)}${'0,'.repeat(1_900_000)}0${']'.repeat(60)}}`
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 10)
    const replies = await Promise.all(Array.from({ length: 12 }, () => t.http('POST', '/api/profiles.validate', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.host.token}` }, body: deep,
    })))
    clearInterval(sampler)
    for (const r of replies) expect(r.status).toBe(400)
    expect((peak - before) / 2 ** 20, 'MB the host grew while parsing').toBeLessThan(400)
    expect((await t.api('app.info', {})).status).toBe(200)
  })

  it(`refuses configurations beyond ${MAX_ACTIVE_JOBS} queued or running, with a clear error`, async () => {
    const profile = tinyProfile(Array.from({ length: 64 }, (_, i) => `c${i}`), 300)
    const ids: string[] = []
    for (let i = 0; i < MAX_ACTIVE_JOBS / 64; i++) {
      const r = await t.api('runs.start', { profile })
      expect(r.status).toBe(200)
      ids.push(r.json.value.runId)
    }
    const over = await t.api('runs.start', { profile: tinyProfile(['one'], 0.01) })
    expect(over.status).toBe(400)
    expect(over.json.error?.message).toMatch(/256 configuration\(s\) are already queued or running .* at most 256 .* cancel one \(runs\.cancel\)/)
    for (const runId of ids) await t.api('runs.cancel', { runId })
    for (const runId of ids) await t.host.services.runs.whenFinished(runId)
    expect((await t.api('runs.start', { profile: tinyProfile(['one'], 0.01) })).status).toBe(200)
  })
})

describe('finished runs', () => {
  it('keeps the newest keepRuns, reads a saved run when asked for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-keep-'))
    const pool = new WorkerPool(new ChildProcessLauncher(), { size: 1 })
    try {
      const runs = new RunService({ pool, resultsDir: dir, keepRuns: 3 })
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        const { runId } = runs.start({ profile: tinyProfile(['base'], 0.005), configs: undefined, seed: undefined, durationSec: undefined })
        await runs.whenFinished(runId)
        ids.push(runId)
      }
      expect(readdirSync(dir).sort()).toEqual(ids.slice(2).map((id) => `${id}.json`))
      expect(runs.list().map((r) => r.runId).sort()).toEqual(ids.slice(2).sort())
      await expect(runs.get({ runId: ids[0]! })).rejects.toThrow(/no run has the id/)

      // a new host reads only summaries; a run's results come from its file when asked for
      const again = new RunService({ pool, resultsDir: dir, keepRuns: 3 })
      expect(await again.loadSaved()).toBe(3)
      const file = join(dir, `${ids[4]}.json`)
      const f = JSON.parse(readFileSync(file, 'utf8')) as { results: { wallMs: number }[] }
      f.results[0]!.wallMs = 123456
      writeFileSync(file, JSON.stringify(f))
      expect((await again.get({ runId: ids[4]! })).configs[0]!.result?.wallMs).toBe(123456)
      const fewer = new RunService({ pool, resultsDir: dir, keepRuns: 1 })
      expect(await fewer.loadSaved()).toBe(1)
      expect(readdirSync(dir)).toEqual([`${ids[4]}.json`])
    } finally {
      await pool.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a damaged profile store', () => {
  it('of only `{` characters is recovered in linear time', () => {
    const sizes = [50_000, 400_000]
    for (const n of sizes) {
      const t0 = Date.now()
      expect(salvageEntries('{'.repeat(n))).toEqual([])
      // quadratic work took 11 s for 50,000 (so 12 minutes for 400,000)
      expect(Date.now() - t0, `${n} braces`).toBeLessThan(5_000)
    }
    const nested = `{"profiles":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`
    expect(salvageEntries(nested)).toEqual([])
  })
})
