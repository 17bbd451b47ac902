// Property-based attack on the REAL browser host (startBrowserHost on 127.0.0.1, real services, a real
// conf profile store in a temporary directory): random and malformed payloads, hostile keys, unknown
// channels, broken URLs, non-JSON and oversized bodies, bad Host / Origin headers. Every answer must be a
// clear error — status 4xx with an ApiError JSON `{ ok: false, error: { code, message } }` — the host must
// keep answering, and nothing may be written to the profile store by a rejected request. The Electron
// side's trust checks (main/electron/trust.ts) get random sender URLs and frames.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestSchemas } from '../../core/api/protocol.ts'
import { MAX_BODY_BYTES } from '../../main/host/browser-host.ts'
import { startBrowserHost } from '../../main/host/serve.ts'
import type { BrowserHost } from '../../main/host/serve.ts'
import { appUrlCheck, channelAllowed, isTrustedFrame, originOf } from '../../main/electron/trust.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const CHANNELS = Object.keys(requestSchemas)
/** Channels that change the profile store (or start runs). */
const WRITES = new Set(['profiles.save', 'profiles.saveAs', 'profiles.remove', 'profiles.rename', 'profiles.duplicate', 'profiles.restore', 'profiles.purge', 'profiles.import', 'runs.start'])
const RUNS = Number(process.env.KVMBENCH_FUZZ_RUNS ?? 40)

const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-api-fuzz-'))
const dataDir = join(tmp, 'data')
const rendererDir = join(tmp, 'renderer')
mkdirSync(rendererDir, { recursive: true })
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kvmbench</title>')

let host: BrowserHost
let savedId = ''
beforeAll(async () => {
  host = await startBrowserHost({
    port: 0, dataDir, rendererDir, workers: 1,
    printer: { print: () => Promise.reject(new Error('no printing in this test')) },
  })
  const r = await api('profiles.save', { name: 'kept', profile: tinyProfile() })
  expect(r.status).toBe(200)
  savedId = (JSON.parse(r.body) as { value: { id: string } }).value.id
})
afterAll(async () => {
  await host?.close()
  rmSync(tmp, { recursive: true, force: true })
})

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One raw HTTP request; `path` is sent as is. A reset connection (after a 413) counts as no reply only
 *  when no status arrived. */
function http(method: string, path: string, o: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path, headers: { host: `127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}`, ...o.headers } }, (r) => {
      const chunks: Buffer[] = []
      r.on('data', (c: Buffer) => chunks.push(c))
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') }))
      r.on('error', rej)
    })
    req.on('error', rej)
    req.end(o.body)
  })
}
const origin = (): string => `http://127.0.0.1:${host.port}`
function api(channel: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return rawApi(encodeURIComponent(channel), JSON.stringify(body), headers)
}
function rawApi(encodedChannel: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return http('POST', `/api/${encodedChannel}`, { headers: { 'content-type': 'application/json', origin: origin(), ...headers }, body })
}

/** What a rejected request must look like: 4xx, JSON, an ApiError with a code and a message. */
function expectClearError(r: Reply, what: string): { code: string; message: string; issues?: unknown[] } {
  expect(r.status, `${what}: status (body ${r.body.slice(0, 200)})`).toBeGreaterThanOrEqual(400)
  expect(r.status, `${what}: status (body ${r.body.slice(0, 200)})`).toBeLessThan(500)
  expect(String(r.headers['content-type']), what).toMatch(/^application\/json/)
  const body = JSON.parse(r.body) as { ok: boolean; error: { code: string; message: string; issues?: unknown[] } }
  expect(body.ok, what).toBe(false)
  expect(['bad-request', 'not-found', 'forbidden'], what).toContain(body.error.code)
  expect(typeof body.error.message, what).toBe('string')
  expect(body.error.message.length, what).toBeGreaterThan(5)
  return body.error
}

/** The store as files: profiles.json's hash and every file in the data directory. */
function storeState(): string {
  const file = join(dataDir, 'profiles.json')
  const hash = existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'absent'
  return `${hash} ${readdirSync(dataDir).sort().join(',')}`
}

async function stillAnswers(): Promise<void> {
  const r = await api('app.info', {})
  expect(r.status).toBe(200)
}

/** JSON values with hostile keys mixed in: __proto__, constructor, prototype, toString. */
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf')
const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKey, fc.string({ maxLength: 8 })), tie('v'), { maxKeys: 4 }),
  ),
})).v

/** JSON text of an object whose own keys include `key` (JSON.parse makes `__proto__` an own property). */
function withOwnKey(key: string, value: unknown, rest: Record<string, unknown> = {}): string {
  const inner = JSON.stringify(rest).slice(1, -1)
  return `{${JSON.stringify(key)}:${JSON.stringify(value)}${inner ? `,${inner}` : ''}}`
}

describe('the browser host API under random and malformed requests', () => {
  it('answers random payloads on every channel with a result or a clear error, and a rejected one writes nothing', async () => {
    let rejected = 0
    await fc.assert(fc.asyncProperty(fc.constantFrom(...CHANNELS), hostileJson, async (channel, payload) => {
      const before = storeState()
      const r = await api(channel, payload)
      const body = JSON.parse(r.body) as { ok: boolean }
      if (body.ok) {
        expect(r.status).toBe(200)
        expect(WRITES.has(channel), `${channel} accepted a random payload ${JSON.stringify(payload).slice(0, 200)}`).toBe(false)
      } else {
        rejected++
        expectClearError(r, `${channel} ${JSON.stringify(payload).slice(0, 200)}`)
        expect(storeState(), `${channel}: a rejected request changed the store`).toBe(before)
      }
    }), { numRuns: RUNS * 4 })
    expect(rejected).toBeGreaterThan(0)
    await stillAnswers()
  })

  it('rejects payloads of the wrong type field by field, naming the field', async () => {
    // Values of the wrong type for each of these fields ([] and {} excluded: [] is a valid tag list).
    const wrong = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), fc.double(), fc.object({ maxDepth: 1 }).filter((o) => Object.keys(o).length > 0))
    await fc.assert(fc.asyncProperty(fc.constantFrom('name', 'description', 'tags', 'id'), wrong, async (field, value) => {
      const before = storeState()
      const payload: Record<string, unknown> = { name: 'n', profile: tinyProfile(), [field]: value }
      const err = expectClearError(await api('profiles.save', payload), `profiles.save ${field}=${JSON.stringify(value)}`)
      expect(err.code).toBe('bad-request')
      expect(err.message).toContain(field)
      expect(storeState()).toBe(before)
    }), { numRuns: RUNS })
  })

  it('refuses prototype-pollution keys (as own JSON keys) on every channel, and nothing is polluted', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...CHANNELS), hostileKey, fc.jsonValue({ maxDepth: 2 }), async (channel, key, value) => {
      const before = storeState()
      const r = await rawApi(encodeURIComponent(channel), withOwnKey(key, value))
      const err = expectClearError(r, `${channel} with own key ${key}`)
      expect(err.code).toBe('bad-request')
      expect(err.message).toContain(key)
      expect(storeState()).toBe(before)
    }), { numRuns: RUNS * 2 })
    // Nested in a profile, in the tags, in a VM override map: refused, and no object's prototype changed.
    const nested = [
      withOwnKey('__proto__', { polluted: true }, { name: 'p', profile: tinyProfile() }),
      JSON.stringify({ name: 'p', profile: tinyProfile() }).replace('"schemaVersion"', '"__proto__":{"polluted":true},"schemaVersion"'),
      JSON.stringify({ name: 'p', profile: { ...tinyProfile(), configurations: [{ name: 'c', description: '', overrides: { vms: {} } }] } }).replace('"vms":{}', '"vms":{"__proto__":{"vcpus":1}}'),
      JSON.stringify({ name: 'p', profile: tinyProfile() }).replace('"run":{', '"run":{"constructor":{"prototype":{"polluted":true}},'),
    ]
    for (const text of nested) {
      const before = storeState()
      const err = expectClearError(await rawApi('profiles.save', text), text.slice(0, 120))
      // The message, or one of the issues it carries, names the key.
      expect(JSON.stringify(err)).toMatch(/__proto__|constructor/)
      expect(storeState()).toBe(before)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false)
  })

  it('answers unknown channels and broken channel URLs with a 4xx ApiError', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }).filter((c) => !CHANNELS.includes(c)), async (channel) => {
      const err = expectClearError(await api(channel, {}), `channel ${JSON.stringify(channel)}`)
      expect(err.code).toBe('bad-request')
      expect(err.message).toMatch(/channel/)
    }), { numRuns: RUNS * 2 })
    // Percent-encodings that do not decode, traversal, prototype names.
    for (const raw of ['%', '%E0%A4%A', '%ZZ', '%C0%AF', 'app.info%00', '..%2F..%2Fetc%2Fpasswd', '__proto__', 'constructor', 'toString', 'profiles.list/extra', '']) {
      const err = expectClearError(await rawApi(raw, '{}'), `raw channel ${raw}`)
      expect(err.code).toBe('bad-request')
    }
    await stillAnswers()
  })

  it('answers non-JSON, binary, empty-type and wrong-method requests with a 4xx ApiError', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...CHANNELS), fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (channel, bytes) => {
      const buf = Buffer.from(bytes)
      let isJson = true
      try { JSON.parse(buf.toString('utf8')) } catch { isJson = false }
      fc.pre(!isJson && buf.toString('utf8').trim() !== '')
      const before = storeState()
      const err = expectClearError(await rawApi(encodeURIComponent(channel), buf), `${channel} binary body`)
      expect(err.message).toMatch(/JSON/)
      expect(storeState()).toBe(before)
    }), { numRuns: RUNS })
    for (const body of ['{', '{"name":', 'undefined', "{'a':1}", '[1,2,', 'NaN', '\u0000\u0001']) {
      expectClearError(await rawApi('profiles.save', body), `body ${JSON.stringify(body)}`)
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const r = await http('POST', '/api/profiles.save', { headers: { 'content-type': type, origin: origin() }, body: '{}' })
      expect(r.status).toBe(415)
      expectClearError(r, `content-type ${type}`)
    }
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const r = await http(method, '/api/profiles.list', { headers: { origin: origin() } })
      expect(r.status).toBe(405)
      expectClearError(r, `method ${method}`)
    }
    await stillAnswers()
  })

  it('refuses huge strings, deep nesting and oversized bodies without writing or crashing', async () => {
    const before = storeState()
    const huge = 'x'.repeat(3 * 1024 * 1024)
    for (const payload of [
      { name: huge, profile: tinyProfile() },
      { name: 'n', description: huge, profile: tinyProfile() },
      { name: 'n', tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`), profile: tinyProfile() },
      { name: 'n', profile: { ...tinyProfile(), name: huge } },
    ]) {
      const err = expectClearError(await api('profiles.save', payload), 'huge field')
      expect(err.code).toBe('bad-request')
    }
    expectClearError(await api('profiles.import', { json: huge }), 'huge import')
    // Deep nesting, as arrays and as objects, well inside the body limit.
    const depth = 500_000
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`
    const deepObject = `${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}`
    for (const deep of [deepArray, deepObject]) {
      for (const text of [`{"name":"n","profile":${deep}}`, `{"profile":${deep}}`, `{"json":${JSON.stringify(deep)}}`, deep]) {
        for (const channel of ['profiles.save', 'profiles.validate', 'profiles.import', 'runs.start']) {
          expectClearError(await rawApi(channel, text), `${channel} deep ${text.slice(0, 20)}`)
        }
      }
    }
    // Over the body limit, declared and streamed (chunked, no Content-Length).
    const big = Buffer.alloc(MAX_BODY_BYTES + 1024, 0x20)
    const r1 = await rawApi('profiles.save', big)
    expect(r1.status).toBe(413)
    expect(expectClearError(r1, 'oversized').message).toMatch(/larger than/)
    const r2 = await new Promise<Reply>((res, rej) => {
      const req = request({ host: '127.0.0.1', port: host.port, method: 'POST', path: '/api/profiles.save', headers: { host: `127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}`, origin: origin(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (r) => {
        const chunks: Buffer[] = []
        r.on('data', (c: Buffer) => chunks.push(c))
        r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') }))
      })
      req.on('error', rej)
      const chunk = Buffer.alloc(256 * 1024, 0x20)
      let sent = 0
      const pump = (): void => {
        while (sent <= MAX_BODY_BYTES + chunk.length) {
          sent += chunk.length
          if (!req.write(chunk)) { req.once('drain', pump); return }
        }
        req.end()
      }
      req.on('error', () => {})
      pump()
    }).catch((e: unknown) => ({ status: -1, headers: {}, body: String(e) }))
    // The host answers 413 and drops the connection; the client may see the reset before the reply.
    if (r2.status !== -1) expect(r2.status).toBe(413)
    expect(storeState()).toBe(before)
    await stillAnswers()
  })

  it('refuses bad Host and Origin headers with a 4xx ApiError (DNS rebinding, CSRF)', async () => {
    const port = (): number => host.port
    const badHost = fc.oneof(
      fc.constantFrom('evil.example', `evil.example:${port()}`, `127.0.0.1:${port() + 1}`, `127.0.0.1.evil.example:${port()}`, `[::1]:${port()}`, `0.0.0.0:${port()}`, `localhost.:${port()}`, `127.0.0.1`),
      fc.domain(),
      fc.string({ maxLength: 30 }).filter((h) => /^[\x21-\x7e]*$/.test(h)),
    ).filter((h) => h !== '' && ![`127.0.0.1:${port()}`, `localhost:${port()}`].includes(h.toLowerCase()))
    await fc.assert(fc.asyncProperty(badHost, async (h) => {
      const before = storeState()
      const r = await rawApi('profiles.save', JSON.stringify({ name: 'n', profile: tinyProfile() }), { host: h })
      expect(r.status, h).toBe(421)
      expect(expectClearError(r, `host ${h}`).code).toBe('forbidden')
      expect(storeState()).toBe(before)
    }), { numRuns: RUNS })
    const badOrigin = fc.oneof(
      fc.constantFrom('null', 'http://evil.example', `https://127.0.0.1:${port()}`, `http://127.0.0.1:${port() + 1}`, `http://localhost:${port()}.evil.example`, `http://127.0.0.1:${port()}/`, 'file://', 'app://kvmbench', ''),
      fc.webUrl(),
    ).filter((o) => ![`http://127.0.0.1:${port()}`, `http://localhost:${port()}`].includes(o.toLowerCase()))
    await fc.assert(fc.asyncProperty(badOrigin, async (o) => {
      const before = storeState()
      const r = await rawApi('profiles.save', JSON.stringify({ name: 'n', profile: tinyProfile() }), { origin: o })
      expect(r.status, o).toBe(403)
      expect(expectClearError(r, `origin ${o}`).code).toBe('forbidden')
      expect(storeState()).toBe(before)
    }), { numRuns: RUNS })
    await stillAnswers()
  })

  it('still holds exactly the one profile saved at the start', async () => {
    const r = JSON.parse((await api('profiles.list', {})).body) as { value: { id: string }[] }
    expect(r.value.map((p) => p.id)).toEqual([savedId])
    expect(JSON.parse((await api('profiles.deleted', {})).body)).toEqual({ ok: true, value: [] })
    expect(readdirSync(dataDir).filter((f) => f.includes('corrupt'))).toEqual([])
  })
})

describe('Electron IPC trust checks (main/electron/trust.ts) with random senders', () => {
  const isApp = appUrlCheck(['app://kvmbench'])
  it('trusts only a main frame whose URL is on app://kvmbench', () => {
    const url = fc.oneof(
      fc.webUrl({ withFragments: true, withQueryParameters: true }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.webPath().map((p) => `app://kvmbench${p.startsWith('/') ? p : `/${p}`}`),
      fc.tuple(fc.constantFrom('app', 'file', 'http', 'https', 'javascript', 'data', 'blob', 'devtools', 'chrome'), fc.domain(), fc.webPath()).map(([s, d, p]) => `${s}://${d}${p}`),
      fc.constantFrom('app://kvmbench.evil/', 'app://evil@kvmbench/', 'app://kvmbench@evil/', 'app://KVMBENCH/index.html', 'blob:app://kvmbench/x', 'app:kvmbench/index.html', 'app://kvmbench:8080/'),
    )
    const parent = fc.oneof(fc.constant(null), fc.constant(undefined), fc.object(), fc.constant({ url: 'app://kvmbench/index.html' }))
    fc.assert(fc.property(url, parent, (u, p) => {
      let expected: boolean
      try {
        expected = p === null && originOf(u) === 'app://kvmbench'
      } catch {
        expected = false
      }
      expect(isTrustedFrame({ parent: p, url: u }, isApp), `${u} parent=${JSON.stringify(p)}`).toBe(expected)
      if (p !== null) expect(isTrustedFrame({ parent: p, url: 'app://kvmbench/index.html' }, isApp)).toBe(false)
    }), { numRuns: RUNS * 25 })
    for (const frame of [null, undefined]) expect(isTrustedFrame(frame, isApp)).toBe(false)
  })

  it('lets the report page call reports.snapshot only, and any unparsable sender nothing', () => {
    fc.assert(fc.property(fc.constantFrom(...CHANNELS, '__proto__', 'constructor', ''), fc.webQueryParameters(), (channel, query) => {
      expect(channelAllowed(`app://kvmbench/report.html?${query}`, channel)).toBe(channel === 'reports.snapshot')
      expect(channelAllowed(`app://kvmbench/index.html?${query}`, channel)).toBe(true)
    }), { numRuns: RUNS * 10 })
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((u) => { try { new URL(u); return false } catch { return true } }), fc.constantFrom(...CHANNELS), (u, channel) => {
      expect(channelAllowed(u, channel)).toBe(false)
    }), { numRuns: RUNS * 10 })
  })
})
