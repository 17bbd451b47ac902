// Workers as worker_threads: cheaper to start than processes, but a crash of native code takes the
// whole process down. Used where processes are not wanted (e.g. quick tests); the hosts use processes.
import { Worker } from 'node:worker_threads'
import { DEFAULT_WORKER_PATH } from './child-process-launcher.ts'
import { WORKER_HEAP_MB } from './launcher.ts'
import type { ExitInfo, ProcessLauncher, WorkerHandle } from './launcher.ts'

export interface ThreadLauncherOptions {
  workerPath?: string
  env?: NodeJS.ProcessEnv
}

export class ThreadLauncher implements ProcessLauncher {
  readonly kind = 'worker_threads'
  private readonly options: ThreadLauncherOptions

  constructor(options: ThreadLauncherOptions = {}) {
    this.options = options
  }

  /** LaunchOptions.v8Flags are not applied: V8's flags are the process's, shared by every thread. */
  launch(): WorkerHandle {
    const worker = new Worker(this.options.workerPath ?? DEFAULT_WORKER_PATH, { execArgv: [], env: this.options.env ?? process.env, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } })
    let exited = false
    let error: string | undefined
    const exitCbs: ((i: ExitInfo) => void)[] = []
    worker.on('error', (e) => { error = e.message })
    worker.on('exit', (code) => {
      if (exited) return
      exited = true
      for (const cb of exitCbs) cb({ code, signal: null, ...(error ? { detail: error } : {}) })
    })
    return {
      pid: undefined,
      post: (m) => { if (!exited) worker.postMessage(m) },
      onMessage: (cb) => { worker.on('message', cb) },
      onExit: (cb) => { exitCbs.push(cb) },
      kill: () => { if (!exited) void worker.terminate() },
    }
  }
}
