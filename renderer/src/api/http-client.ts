// The KvmbenchApi over the browser host: requests as `POST /api/<channel>` (JSON), run events over the
// WebSocket `/api/events`, reconnecting with backoff while anyone is subscribed.
import { ApiFailure, buildApi } from '../../../core/api/protocol.ts'
import type { ApiError, Channel, KvmbenchApi, RequestOf, ResponseMap, RunEvent } from '../../../core/api/protocol.ts'

export interface HttpClientOptions {
  /** The browser host's access token (sent as `Authorization: Bearer`, and `?token=` on the WebSocket). */
  token?: string
  /** fetch implementation (tests); defaults to the global one. */
  fetch?: typeof fetch
  /** WebSocket constructor (tests); defaults to the global one. */
  WebSocket?: typeof WebSocket
  /** First reconnect delay in ms; doubles up to `maxReconnectMs`. */
  reconnectMs?: number
  maxReconnectMs?: number
  /** Called after the event socket (re)opens: a chance to re-sync state missed while it was down. */
  onOpen?: (reconnected: boolean) => void
}

type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError }

/** Builds the API for a browser-host origin such as `http://127.0.0.1:5173`. */
export function httpClient(origin: string, opts: HttpClientOptions = {}): KvmbenchApi {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a))
  const WS = opts.WebSocket ?? globalThis.WebSocket
  const base = origin.replace(/\/+$/, '')

  async function invoke<C extends Channel>(channel: C, payload: RequestOf<C> | Record<string, never>): Promise<ResponseMap[C]> {
    let res: Response
    try {
      res = await doFetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
        body: JSON.stringify(payload ?? {}),
      })
    } catch (e) {
      throw new ApiFailure({ code: 'failed', message: `cannot reach the kvmbench host (${(e as Error).message})` })
    }
    let body: Envelope<ResponseMap[C]>
    try {
      body = (await res.json()) as Envelope<ResponseMap[C]>
    } catch {
      throw new ApiFailure({ code: 'failed', message: `${channel}: the host answered ${res.status} without JSON` })
    }
    if (!body.ok) throw new ApiFailure(body.error)
    return body.value
  }

  const listeners = new Set<(e: RunEvent) => void>()
  let socket: WebSocket | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let delay = opts.reconnectMs ?? 250
  let opened = false

  function connect(): void {
    if (socket || listeners.size === 0 || !WS) return
    const ws = new WS(`${base.replace(/^http/, 'ws')}/api/events${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`)
    socket = ws
    ws.onopen = () => {
      delay = opts.reconnectMs ?? 250
      opts.onOpen?.(opened)
      opened = true
    }
    ws.onmessage = (m: MessageEvent) => {
      let e: RunEvent
      try {
        e = JSON.parse(String(m.data)) as RunEvent
      } catch {
        return
      }
      for (const cb of [...listeners]) cb(e)
    }
    ws.onclose = () => {
      if (socket !== ws) return
      socket = undefined
      if (listeners.size === 0) return
      timer = setTimeout(() => {
        timer = undefined
        connect()
      }, delay)
      delay = Math.min(delay * 2, opts.maxReconnectMs ?? 5000)
    }
    ws.onerror = () => ws.close()
  }

  function subscribe(cb: (e: RunEvent) => void): () => void {
    listeners.add(cb)
    connect()
    return () => {
      listeners.delete(cb)
      if (listeners.size === 0) {
        if (timer) clearTimeout(timer)
        timer = undefined
        const ws = socket
        socket = undefined
        ws?.close()
      }
    }
  }

  return buildApi(invoke, subscribe)
}
