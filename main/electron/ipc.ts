// IPC: one `ipcMain.handle('kvmbench:<channel>')` per API channel. Every handler checks the sender (main
// frame, app origin) before the router validates the payload; the answer is always an ApiResult value.
import { BrowserWindow, ipcMain } from 'electron'
import { EVENT_CHANNEL, requestSchemas } from '../../core/api/protocol.ts'
import type { Channel, RunEvent } from '../../core/api/protocol.ts'
import type { ApiResult, ApiRouter } from '../services/api-router.ts'
import { channelAllowed, isTrustedFrame } from './trust.ts'

export const IPC_PREFIX = 'kvmbench:'

export function registerIpc(router: ApiRouter, isAppUrl: (url: string) => boolean): void {
  for (const channel of Object.keys(requestSchemas) as Channel[]) {
    ipcMain.handle(`${IPC_PREFIX}${channel}`, async (event, payload: unknown): Promise<ApiResult> => {
      if (!isTrustedFrame(event.senderFrame, isAppUrl)) {
        return { ok: false, error: { code: 'forbidden', message: 'this IPC call did not come from the kvmbench window' } }
      }
      if (!channelAllowed(event.senderFrame?.url ?? '', channel)) {
        return { ok: false, error: { code: 'forbidden', message: `the report page may not call ${channel}` } }
      }
      return router.handle(channel, payload)
    })
  }
}

/** Pushes a run event to every window. */
export function broadcastRunEvent(e: RunEvent): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.isDestroyed()) win.webContents.send(`${IPC_PREFIX}${EVENT_CHANNEL}`, e)
  }
}
