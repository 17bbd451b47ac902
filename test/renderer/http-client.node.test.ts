import { describe, expect, it, vi } from 'vitest'
import { httpClient } from '../../renderer/src/api/http-client.ts'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { RunEvent } from '../../core/api/protocol.ts'

class FakeSocket {
  static all: FakeSocket[] = []
  onopen: (() => void) | null = null
  onmessage: ((m: { data: string }) => void) | null = null
  onclose: (() => void) | null = null
  onerror: (() => void) | null = null
  closed = false
  readonly url: string
  constructor(url: string) {
    this.url = url
    FakeSocket.all.push(this)
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    this.onclose?.()
  }
}

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

describe('httpClient', () => {
  it('POSTs JSON to /api/<channel> and unwraps { ok, value }', async () => {
    const fetch = vi.fn(async () => jsonResponse({ ok: true, value: { runId: 'r1', configs: ['a'] } }))
    const api = httpClient('http://127.0.0.1:9/', { fetch: fetch as unknown as typeof globalThis.fetch, WebSocket: FakeSocket as unknown as typeof WebSocket })
    expect(await api.runs.start({ profile: { x: 1 }, configs: ['a'], seed: undefined, durationSec: undefined })).toEqual({ runId: 'r1', configs: ['a'] })
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('http://127.0.0.1:9/api/runs.start')
    expect(init.method).toBe('POST')
    expect(JSON.parse(String(init.body))).toEqual({ profile: { x: 1 }, configs: ['a'] })
  })

  it('throws ApiFailure with the service error', async () => {
    const fetch = async () => jsonResponse({ ok: false, error: { code: 'not-found', message: 'no such run' } }, 404)
    const api = httpClient('http://h', { fetch: fetch as unknown as typeof globalThis.fetch })
    const e = await api.runs.get({ runId: 'x' }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiFailure)
    expect((e as ApiFailure).error.code).toBe('not-found')
  })

  it('streams events from ws://…/api/events, reconnects after a drop and closes with the last unsubscribe', async () => {
    vi.useFakeTimers()
    FakeSocket.all = []
    const opened: boolean[] = []
    const api = httpClient('http://127.0.0.1:5000', { WebSocket: FakeSocket as unknown as typeof WebSocket, reconnectMs: 100, onOpen: (r) => opened.push(r) })
    const got: RunEvent[] = []
    const off = api.runs.onEvent((e) => got.push(e))
    expect(FakeSocket.all).toHaveLength(1)
    const ws = FakeSocket.all[0]!
    expect(ws.url).toBe('ws://127.0.0.1:5000/api/events')
    ws.onopen?.()
    ws.onmessage?.({ data: JSON.stringify({ type: 'progress', runId: 'r', config: 'a', fraction: 0.5 }) })
    ws.onmessage?.({ data: 'not json' })
    expect(got).toEqual([{ type: 'progress', runId: 'r', config: 'a', fraction: 0.5 }])

    ws.close() // the host went away
    expect(FakeSocket.all).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(FakeSocket.all).toHaveLength(2)
    FakeSocket.all[1]!.onopen?.()
    expect(opened).toEqual([false, true])

    off()
    expect(FakeSocket.all[1]!.closed).toBe(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeSocket.all).toHaveLength(2)
    vi.useRealTimers()
  })
})
