// The preload (built as CommonJS: sandboxed preloads cannot load ESM). It exposes exactly one object,
// `window.kvmbench`, built with the shared `buildApi`: one method per API message, each invoking its own
// `kvmbench:<channel>` IPC channel; callbacks receive data only (never the IpcRendererEvent);
// subscriptions return their unsubscribe function. `window.kvmbenchMenu` carries menu commands.
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { EVENT_CHANNEL, buildApi } from '../core/api/protocol.ts'
import type { ApiError, Channel, RunEvent } from '../core/api/protocol.ts'
import { MENU_CHANNEL } from './menu-command.ts'
import type { MenuCommand } from './menu-command.ts'

type ApiResult = { ok: true; value: unknown } | { ok: false; error: ApiError }

/** Rejects with a plain `{ name, message, error }` object: unlike an Error's own properties, it survives
 *  the context bridge, so the page can read `e.error.code` and `e.error.issues` as on an ApiFailure. */
async function invoke(channel: Channel, payload: unknown): Promise<never> {
  const r = (await ipcRenderer.invoke(`kvmbench:${channel}`, payload)) as ApiResult
  if (r.ok) return r.value as never
  throw { name: 'ApiFailure', message: r.error.message, error: r.error }
}

function listen<T>(channel: string, cb: (data: T) => void): () => void {
  const listener = (_e: IpcRendererEvent, data: T): void => cb(data)
  ipcRenderer.on(channel, listener)
  return () => { ipcRenderer.removeListener(channel, listener) }
}

contextBridge.exposeInMainWorld('kvmbench', buildApi(invoke, (cb) => listen<RunEvent>(`kvmbench:${EVENT_CHANNEL}`, cb)))
contextBridge.exposeInMainWorld('kvmbenchMenu', { onCommand: (cb: (c: MenuCommand) => void) => listen<MenuCommand>(MENU_CHANNEL, cb) })
