// A normal stop keeps the run (issue 17 item 3): `npm run serve` (a real process, real workers) gets
// SIGTERM in the middle of a 12-configuration run with 5 configurations finished; it exits promptly, and the
// run is on disk as "interrupted" with those 5 results — read back by the next host on the same data.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startTestHost } from '../helpers/test-host.ts'

const root = resolve(import.meta.dirname, '../..')
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-interrupt-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** 12 configurations: 5 short ones first, then 7 that would take minutes. */
const PROFILE = {
  schemaVersion: 1,
  name: 'twelve',
  run: { durationSec: 0.01, warmupSec: 0.001 },
  configurations: Array.from({ length: 12 }, (_, i) => ({ name: `c${i}`, overrides: i < 5 ? {} : { run: { durationSec: 300 } } })),
}

async function post(base: string, token: string, channel: string, body: unknown): Promise<any> {
  const r = await fetch(`${base}api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) })
  const j = (await r.json()) as { ok: boolean; value?: unknown; error?: { message: string } }
  if (!j.ok) throw new Error(`${channel}: ${j.error?.message}`)
  return j.value
}

describe('SIGTERM during a run', () => {
  it('keeps every finished configuration and writes the run as interrupted', async () => {
    const rendererDir = join(tmp, 'renderer')
    mkdirSync(rendererDir, { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kvmbench</title>')
    const dataDir = join(tmp, 'data')
    const child = spawn(process.execPath, [join(root, 'main/host/serve.ts'), '--port', '0', '--data', dataDir, '--renderer', rendererDir, '--workers', '2'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)))
    const url = await new Promise<URL>((res, rej) => {
      let out = ''
      child.stdout.on('data', (c: Buffer) => {
        out += String(c)
        const m = /(http:\/\/\S+)/.exec(out)
        if (m) res(new URL(m[1]!))
      })
      void exited.then((c) => rej(new Error(`serve exited with ${c}`)))
    })
    const token = url.searchParams.get('token')!
    const base = `${url.origin}/`
    const { runId } = (await post(base, token, 'runs.start', { profile: PROFILE })) as { runId: string }
    for (;;) {
      const r = (await post(base, token, 'runs.get', { runId })) as { configs: { status: string }[] }
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
