// The API the renderer uses: the preload's bridge in Electron, HTTP + WebSocket in the browser host.
import type { KvmbenchApi } from '../../../core/api/protocol.ts'
import { httpClient } from './http-client.ts'
import { pageToken } from './token.ts'

let api: KvmbenchApi | undefined
const reconnectListeners = new Set<() => void>()

export function useApi(): KvmbenchApi {
  api ??=
    window.kvmbench ??
    httpClient(location.origin, {
      token: pageToken(),
      onOpen: (reconnected) => {
        if (reconnected) for (const cb of [...reconnectListeners]) cb()
      },
    })
  return api
}

/** Called when the event stream comes back after a drop (browser host only): re-sync what was missed. */
export function onReconnect(cb: () => void): () => void {
  reconnectListeners.add(cb)
  return () => reconnectListeners.delete(cb)
}

/** Replaces the API (component tests). */
export function setApi(a: KvmbenchApi | undefined): void {
  api = a
}
