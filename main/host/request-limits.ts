// What one browser host accepts at once (docs/security.md "Limits"): bounded connections, bounded request
// bodies, and a few bodies read and parsed at a time — the others wait with their bytes still in the
// kernel's socket buffers, so concurrent large bodies cannot push the host's memory up or stall it.

/** Largest request body (declared or streamed): 413 and the connection is closed. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024
/** Open HTTP connections at most (`server.maxConnections`); more are closed at once. */
export const MAX_CONNECTIONS = 64
/** Request bodies read and parsed at the same time; more requests wait their turn. */
export const MAX_CONCURRENT_PARSES = 2
/** A body must arrive within this time once its turn came (a slow sender cannot hold a parse slot): 408. */
export const BODY_TIMEOUT_MS = 30_000
/** Event WebSockets open at once; more are refused (503). */
export const MAX_EVENT_SOCKETS = 16
/** Largest message on the event WebSocket (it only pushes; the client has nothing to say). */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024

/** A counting semaphore: at most `n` holders; the others wait in FIFO order. */
export class Slots {
  private free: number
  private readonly waiting: (() => void)[] = []

  constructor(n: number) {
    this.free = n
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next) next()
      else this.free++
    }
  }
}
