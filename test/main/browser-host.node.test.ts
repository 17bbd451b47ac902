// The browser host over real HTTP and WebSocket, with real services and real worker processes.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunEvent } from '../../core/api/protocol.ts'
import { MAX_BODY_BYTES, RendererMissingError } from '../../main/host/browser-host.ts'
import { startBrowserHost } from '../../main/host/serve.ts'
import type { BrowserHost } from '../../main/host/serve.ts'
import { BROWSER_HOST_CSP } from '../../main/host/http-security.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const root = resolve(import.meta.dirname, '../..')
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-host-'))
const rendererDir = join(tmp, 'renderer')
mkdirSync(join(rendererDir, 'assets'), { recursive: true })
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kvmbench</title><script type="module" src="/assets/app.js"></script>')
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
writeFileSync(join(tmp, 'secret.txt'), 'secret')

let host: BrowserHost
beforeAll(async () => {
  host = await startBrowserHost({ port: 0, dataDir: join(tmp, 'data'), rendererDir, workers: 2 })
})
afterAll(async () => {
  await host?.close()
  rmSync(tmp, { recursive: true, force: true })
})

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }
function http(method: string, path: string, o: { headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path, headers: { host: `127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}`, ...o.headers } }, (r) => {
      const chunks: Buffer[] = []
      r.on('data', (c: Buffer) => chunks.push(c))
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', rej)
    req.end(o.body)
  })
}
const api = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  http('POST', `/api/${channel}`, { headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}`, ...headers }, body: JSON.stringify(body) })

describe('browser host', () => {
  it('starts its workers with the host, before any run (a run does not wait for Node to start and load the core)', async () => {
    expect(host.services.runs.list().length).toBe(0)
    expect(host.services.pool.pids).toHaveLength(2)
    await host.services.pool.ready()
    expect(host.services.pool.pids).toHaveLength(2)
  })

  it('listens on 127.0.0.1 and serves the renderer with the CSP and security headers', async () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}/`)
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`)
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const r = await http('GET', '/')
    expect(r.status).toBe(200)
    expect(r.body).toContain('<title>kvmbench</title>')
    expect(r.headers['content-security-policy']).toContain(BROWSER_HOST_CSP)
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['x-frame-options']).toBe('DENY')
    expect((await http('GET', '/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/)
    expect((await http('GET', '/some/route')).body).toContain('<title>kvmbench</title>')
    expect((await http('GET', '/assets/missing.js')).status).toBe(404)
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) expect((await http('GET', p)).body).not.toContain('secret')
  })

  it('sends the same CSP as renderer/index.html', () => {
    const html = readFileSync(join(root, 'renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBe(BROWSER_HOST_CSP)
  })

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    expect((await http('GET', '/', { headers: { host: `evil.example:${host.port}` } })).status).toBe(421)
    expect((await http('GET', '/', { headers: { host: `localhost:${host.port}` } })).status).toBe(200)
    expect((await api('app.info', {}, { host: 'evil.example' })).status).toBe(421)
  })

  it('refuses API calls from other origins', async () => {
    expect((await api('app.info', {}, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await api('app.info', {}, { origin: `http://127.0.0.1:${host.port + 1}` })).status).toBe(403)
  })

  it('answers POST /api/<channel> with { ok, value } or { ok: false, error }', async () => {
    const info = await api('app.info', {})
    expect(info.status).toBe(200)
    expect(JSON.parse(info.body)).toMatchObject({ ok: true, value: { host: 'browser', workers: 2 } })
    expect(info.headers['cache-control']).toBe('no-store')
    const unknown = await api('runs.nuke', {})
    expect(unknown.status).toBe(400)
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    const notFound = await api('profiles.get', { id: 'nope' })
    expect(notFound.status).toBe(404)
    expect(JSON.parse(notFound.body)).toMatchObject({ ok: false, error: { code: 'not-found' } })
    expect((await http('GET', '/api/app.info')).status).toBe(405)
    expect((await http('POST', '/api/app.info', { headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415)
    expect((await http('POST', '/api/app.info', { headers: { 'content-type': 'application/json' }, body: '{nope' })).status).toBe(400)
    const big = await http('POST', '/api/profiles.validate', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 'x'.repeat(MAX_BODY_BYTES) }) }).catch(() => ({ status: 413 }) as Reply)
    expect(big.status).toBe(413)
  })

  it('refuses WebSocket connections from other origins', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/events?token=${host.token}`, { origin: 'http://evil.example' })
    const outcome = await new Promise<string>((res) => {
      ws.on('open', () => res('open'))
      ws.on('error', () => res('refused'))
      ws.on('unexpected-response', () => res('refused'))
    })
    expect(outcome).toBe('refused')
    ws.terminate()
  })

  it('pushes the RunEvents of a run started over HTTP, with results from real workers', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/events?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })
    const events: RunEvent[] = []
    await new Promise<void>((res, rej) => { ws.on('open', () => res()); ws.on('error', rej) })
    const finished = new Promise<void>((res) => {
      ws.on('message', (data) => {
        const e = JSON.parse(String(data)) as RunEvent
        events.push(e)
        if (e.type === 'run-finished') res()
      })
    })
    const started = JSON.parse((await api('runs.start', { profile: tinyProfile(['base', 'tuned']) })).body) as { ok: boolean; value: { runId: string } }
    expect(started.ok).toBe(true)
    await finished
    ws.close()
    expect(events.filter((e) => e.type === 'config-done').length).toBe(2)
    expect(events.at(-1)).toEqual({ type: 'run-finished', runId: started.value.runId, status: 'done' })
    const got = JSON.parse((await api('runs.get', { runId: started.value.runId })).body) as { value: { configs: { result?: { config: string } }[] } }
    expect(got.value.configs.map((c) => c.result?.config)).toEqual(['base', 'tuned'])
  })

  it('says clearly when the renderer has not been built', async () => {
    await expect(startBrowserHost({ port: 0, dataDir: join(tmp, 'd2'), rendererDir: join(tmp, 'nothing') })).rejects.toThrow(RendererMissingError)
    await expect(startBrowserHost({ port: 0, dataDir: join(tmp, 'd2'), rendererDir: join(tmp, 'nothing') })).rejects.toThrow(/npm run build/)
  })

  it('npm run serve prints its URL and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(root, 'main/host/serve.ts'), '--port', '0', '--data', join(tmp, 'd3'), '--renderer', rendererDir, '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const line = await new Promise<string>((res, rej) => {
      let out = ''
      child.stdout.on('data', (c: Buffer) => {
        out += String(c)
        if (out.includes('\n')) res(out.trim())
      })
      child.on('exit', (code) => rej(new Error(`serve exited with ${code}`)))
    })
    expect(line).toMatch(/^kvmbench browser host: http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/)
    const code = await new Promise<number | null>((res) => { child.on('exit', (c) => res(c)); child.kill('SIGTERM') })
    expect(code).toBe(0)
  })
})
