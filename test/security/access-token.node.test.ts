// Only its user reaches the browser host (issue 17 item 8): a random token per start, carried by the
// address it prints; every API call and the event WebSocket need it (401 without); what it keeps on disk
// is 0600 in 0700 folders. Through the real browser host, real services and a real conf store.
import { statSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { requestSchemas } from '../../core/api/protocol.ts'
import { startTestHost } from '../helpers/test-host.ts'
import type { TestHost } from '../helpers/test-host.ts'
import { tinyProfile } from '../helpers/profiles.ts'

let t: TestHost
beforeAll(async () => { t = await startTestHost('kvmbench-token-') })
afterAll(async () => { await t?.close() })

function wsOutcome(url: string): Promise<string> {
  const ws = new WebSocket(url, { origin: `http://127.0.0.1:${t.host.port}` })
  return new Promise<string>((res) => {
    ws.on('open', () => { res('open'); ws.close() })
    ws.on('unexpected-response', (_req, r) => { res(String(r.statusCode)); ws.terminate() })
    ws.on('error', () => res('error'))
  })
}

describe('the browser host answers only its user', () => {
  it('prints an address that carries a fresh random token per start', async () => {
    expect(t.host.url).toBe(`http://127.0.0.1:${t.host.port}/?token=${t.host.token}`)
    const other = await startTestHost('kvmbench-token2-')
    try {
      expect(other.host.token).not.toBe(t.host.token)
      // one host's token opens nothing on the other
      expect((await other.api('app.info', {}, { token: t.host.token })).status).toBe(401)
    } finally {
      await other.close()
    }
  })

  it('refuses every API channel without the token, or with a wrong one (401, nothing written)', async () => {
    for (const channel of Object.keys(requestSchemas)) {
      for (const token of [null, '', 'x', `${t.host.token}x`, t.host.token.slice(1), t.host.token.toUpperCase()]) {
        if (token === t.host.token) continue
        const r = await t.api(channel, channel === 'profiles.save' ? { name: 'n', profile: tinyProfile() } : {}, { token })
        expect(r.status, `${channel} with ${JSON.stringify(token)}`).toBe(401)
        expect(r.json.ok).toBe(false)
        expect(r.json.error?.message).toMatch(/\?token=/)
      }
    }
    // the token in the query string does not open the API (it would leak into logs and history)
    const q = await t.http('POST', `/api/app.info?token=${t.host.token}`, { headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(q.status).toBe(401)
    expect((await t.api('profiles.list', {})).json).toEqual({ ok: true, value: [] })
  })

  it('answers with the token', async () => {
    const r = await t.api('app.info', {})
    expect(r.status).toBe(200)
    expect(r.json.value.host).toBe('browser')
  })

  it('refuses the event WebSocket without the token', async () => {
    const base = `ws://127.0.0.1:${t.host.port}/api/events`
    expect(await wsOutcome(base)).toBe('401')
    expect(await wsOutcome(`${base}?token=wrong`)).toBe('401')
    expect(await wsOutcome(`${base}?token=${t.host.token}`)).toBe('open')
  })

  it('keeps its data 0600 in 0700 folders', async () => {
    const saved = await t.api('profiles.save', { name: 'private', profile: tinyProfile(['base'], 0.005) })
    expect(saved.status).toBe(200)
    const run = await t.api('runs.start', { profile: tinyProfile(['base'], 0.005) })
    await t.host.services.runs.whenFinished(run.json.value.runId)
    const mode = (p: string): number => statSync(p).mode & 0o777
    expect(mode(t.dataDir)).toBe(0o700)
    expect(mode(join(t.dataDir, 'results'))).toBe(0o700)
    expect(mode(join(t.dataDir, 'profiles.json'))).toBe(0o600)
    const results = readdirSync(join(t.dataDir, 'results'))
    expect(results.length).toBeGreaterThan(0)
    for (const f of results) expect(mode(join(t.dataDir, 'results', f)), f).toBe(0o600)
  })
})
