// What the preload exposes to the page (only in the desktop app; the browser host has neither object,
// and the renderer then talks HTTP + WebSocket with the same KvmbenchApi).
import type { KvmbenchApi } from '../core/api/protocol.ts'
import type { MenuCommand } from './menu-command.ts'

declare global {
  interface Window {
    kvmbench?: KvmbenchApi
    kvmbenchMenu?: { onCommand(cb: (c: MenuCommand) => void): () => void }
  }
}

export {}
