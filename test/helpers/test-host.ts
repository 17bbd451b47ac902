// The real browser host (startBrowserHost: real services, real worker processes, a real conf store in a
// temporary directory) with a one-line renderer, and raw HTTP calls to it that carry the host's token.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBrowserHost } from '../../main/host/serve.ts'
import type { BrowserHost, BrowserHostOptions } from '../../main/host/serve.ts'

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

export interface TestHost {
  host: BrowserHost
  dir: string
  dataDir: string
  /** POST /api/<channel> with the token (unless `token: null`), JSON in and out. */
  api(channel: string, body: unknown, o?: { token?: string | null; headers?: Record<string, string> }): Promise<Reply & { json: { ok: boolean; value?: any; error?: { code: string; message: string; issues?: { path: string; value: string; message: string; fix: string }[] } } }>
  http(method: string, path: string, o?: { headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply>
  close(): Promise<void>
}

export async function startTestHost(prefix: string, o: Partial<BrowserHostOptions> = {}): Promise<TestHost> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const rendererDir = join(dir, 'renderer')
  mkdirSync(rendererDir, { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kvmbench</title>')
  const dataDir = join(dir, 'data')
  const host = await startBrowserHost({
    port: 0, dataDir, rendererDir, workers: 1,
    printer: { print: () => Promise.reject(new Error('no printing in this test')) },
    ...o,
  })
  const http = (method: string, path: string, q: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> => new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path, headers: { host: `127.0.0.1:${host.port}`, ...q.headers } }, (r) => {
      const chunks: Buffer[] = []
      r.on('data', (c: Buffer) => chunks.push(c))
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') }))
      r.on('error', rej)
    })
    req.on('error', rej)
    req.end(q.body)
  })
  return {
    host, dir, dataDir, http,
    async api(channel, body, q = {}) {
      const token = q.token === undefined ? host.token : q.token
      const r = await http('POST', `/api/${encodeURIComponent(channel)}`, {
        headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${host.port}`, ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...q.headers },
        body: JSON.stringify(body),
      })
      let json: any
      try { json = JSON.parse(r.body) } catch { json = { ok: false } }
      return { ...r, json }
    },
    async close() {
      await host.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
