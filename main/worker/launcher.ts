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

/** V8's optimizing compiler on the worker's own thread: TurboFan compiles a hot function when it is due (synchronously)
 *  instead of queueing it for V8's background threads. */
export const SINGLE_THREADED_JIT_FLAG = '--no-concurrent-recompilation'

/** The V8 flags of a worker in a pool of `poolSize` workers on a machine with `cores` (os.availableParallelism()).
 *  A worker runs one CPU-bound job at a time. When the pool has a worker on every core, V8's background compiles take a
 *  core another worker runs on, and while a compile waits in the queue its callees reach their own budgets and are
 *  compiled on their own as well, then inlined into the caller anyway: such a pool's workers compile on their own
 *  thread (SINGLE_THREADED_JIT_FLAG). A smaller pool leaves cores idle, where the background compiles overlap the run.
 *  Measured on the example (bench/README.md, "Cold runs, sixth pass"): a cold run's events per CPU-second 15–20 %
 *  higher with the flag, the warm run's unchanged. The cost: a job that runs alone in such a pool on an otherwise idle
 *  machine — a single configuration in the app or `npm run serve`, whose pool has a worker per core — loses the overlap
 *  (its cold run's wall time about 20 % longer, 40 ms for the example). The rule sees one pool only: several
 *  `kvmbench worker --concurrency 1` processes filling a machine keep V8's default. */
export function workerV8Flags(poolSize: number, cores: number): string[] {
  return poolSize >= cores ? [SINGLE_THREADED_JIT_FLAG] : []
}

/** Node flags of a worker process: its heap limit and its V8 flags. */
export function workerExecArgv(v8Flags: readonly string[] = [], heapMb: number = WORKER_HEAP_MB): string[] {
  return [`--max-old-space-size=${heapMb}`, ...v8Flags]
}

/** The same for an Electron utility process. Its execArgv become Chromium switches of the new process, and V8 takes its
 *  flags there only from `--js-flags` (electron's JavascriptEnvironment::Initialize(); node_service.cc hands execArgv
 *  to Node as process.execArgv, which sets no V8 flag): one `--js-flags` switch with the heap limit and the V8 flags. */
export function utilityProcessExecArgv(v8Flags: readonly string[] = [], heapMb: number = WORKER_HEAP_MB): string[] {
  return [`--js-flags=${workerExecArgv(v8Flags, heapMb).join(' ')}`]
}

export interface LaunchOptions {
  /** V8 flags of the worker (workerV8Flags()); a process launcher passes them to the worker's Node or Electron, a thread
   *  launcher cannot (V8's flags are the process's). */
  v8Flags?: readonly string[]
}

export interface ProcessLauncher {
  /** Shown in app.info and diagnostics: 'child_process', 'worker_threads', 'electron-utility'. */
  readonly kind: string
  launch(options?: LaunchOptions): WorkerHandle
}

export function describeExit(info: ExitInfo): string {
  const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code ?? 'unknown'}`
  return `the simulation worker ${how}${info.detail ? ` (${info.detail})` : ''} before finishing`
}
