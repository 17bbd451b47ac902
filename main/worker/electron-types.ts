// The few Electron types that worker code needs, re-declared so that main/worker/ never imports
// 'electron' (which would try to download the Electron binary under plain Node). Mirrors Electron's
// `process.parentPort` (a ParentPort) inside a utility process; see VS Code's
// src/vs/base/parts/sandbox/node/electronTypes.ts for the same idea.

export interface MessageEventLike {
  data: unknown
  ports: unknown[]
}

export interface ParentPort {
  on(event: 'message', listener: (e: MessageEventLike) => void): this
  postMessage(message: unknown): void
}

export interface UtilityNodeJSProcess {
  parentPort: ParentPort
}

/** True inside an Electron utility process (`utilityProcess.fork`). */
export function isUtilityProcess(p: unknown): p is UtilityNodeJSProcess {
  return typeof p === 'object' && p !== null && !!(p as { parentPort?: unknown }).parentPort
}
