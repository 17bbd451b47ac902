// What a WorkerPool needs from a way of starting workers. Implementations: child-process-launcher.ts
// (Node `fork`), thread-launcher.ts (`worker_threads`) and ../electron/utility-process-launcher.ts.

export interface ExitInfo {
  /** Exit code, when the worker exited by itself. */
  code: number | null
  /** Signal that ended it, if any. */
  signal: string | null
  /** Extra detail from the host (e.g. Electron's `child-process-gone` reason, a spawn error). */
  detail?: string
}

export interface WorkerHandle {
  /** Process id, when the worker is a process (undefined for threads). */
  readonly pid: number | undefined
  post(message: unknown): void
  onMessage(cb: (message: unknown) => void): void
  /** Called once, when the worker has gone (exited, was killed, or failed to start). */
  onExit(cb: (info: ExitInfo) => void): void
  /** Ends the worker at once; onExit follows. */
  kill(): void
  /** Called on each heartbeat of a worker process (main/worker/parent-watch.ts); absent for threads, which
   *  cannot hang apart from their process. */
  onHeartbeat?(cb: () => void): void
}

/** Heap of one simulation worker process (V8 old space), MB: a worker that needs more fails with an
 *  out-of-memory reason and is replaced; the machine is not pushed to swap. */
export const WORKER_HEAP_MB = 1024

export interface ProcessLauncher {
  /** Shown in app.info and diagnostics: 'child_process', 'worker_threads', 'electron-utility'. */
  readonly kind: string
  launch(): WorkerHandle
}

export function describeExit(info: ExitInfo): string {
  const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code ?? 'unknown'}`
  return `the simulation worker ${how}${info.detail ? ` (${info.detail})` : ''} before finishing`
}
