// Workers as Node child processes: `fork` with serialization 'advanced' (structured clone, like the
// utility process and worker threads). From the sources (tests, `npm run serve`) the worker runs its .ts
// file; from the build (out/node, vite.node.config.ts) the sim-worker.js beside this chunk.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { workerExecArgv } from './launcher.ts'
import type { ExitInfo, LaunchOptions, ProcessLauncher, WorkerHandle } from './launcher.ts'

const HERE = import.meta.url
export const DEFAULT_WORKER_PATH = fileURLToPath(new URL(`./sim-worker.${HERE.endsWith('.ts') ? 'ts' : 'js'}`, HERE))

export interface ChildProcessLauncherOptions {
  /** The worker module; default main/worker/sim-worker.ts. */
  workerPath?: string
  /** Environment of the workers; default this process's. */
  env?: NodeJS.ProcessEnv
  /** Node binary; default process.execPath. */
  execPath?: string
  /** More Node flags of the workers; default none. */
  execArgv?: string[]
  /** Heap limit of each worker in MB (`--max-old-space-size`); default WORKER_HEAP_MB (launcher.ts). */
  heapMb?: number
}

export class ChildProcessLauncher implements ProcessLauncher {
  readonly kind = 'child_process'
  private readonly options: ChildProcessLauncherOptions

  constructor(options: ChildProcessLauncherOptions = {}) {
    this.options = options
  }

  launch(opts: LaunchOptions = {}): WorkerHandle {
    const child = fork(this.options.workerPath ?? DEFAULT_WORKER_PATH, [], {
      serialization: 'advanced',
      // stdout carries the worker's heartbeats (parent-watch.ts); stderr its last words.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [...workerExecArgv(opts.v8Flags, this.options.heapMb), ...(this.options.execArgv ?? [])],
      env: this.options.env ?? process.env,
      execPath: this.options.execPath ?? process.execPath,
    })
    let exited = false
    const exitCbs: ((i: ExitInfo) => void)[] = []
    const finish = (info: ExitInfo): void => {
      if (exited) return
      exited = true
      for (const cb of exitCbs) cb(info)
    }
    // The worker's stderr still goes to ours; its last lines are kept so a worker that dies tells why
    // (V8's "FATAL ERROR: … JavaScript heap out of memory", an uncaught exception).
    const beatCbs: (() => void)[] = []
    child.stdout?.on('data', () => { for (const cb of beatCbs) cb() })
    let tail = ''
    child.stderr?.on('data', (c: Buffer) => {
      process.stderr.write(c)
      tail = (tail + c.toString('utf8')).slice(-4096)
    })
    const reason = (): string | undefined => {
      const lines = tail.split('\n').map((l) => l.trim()).filter(Boolean)
      const line = lines.find((l) => /FATAL ERROR|out of memory/i.test(l)) ?? lines.findLast((l) => /Error\b/.test(l))
      return line?.slice(0, 300)
    }
    child.on('exit', (code, signal) => {
      // Let the last stderr chunk arrive ('close' follows 'exit' once the pipes are drained).
      const done = (): void => { const r = code !== 0 || signal ? reason() : undefined; finish({ code, signal, ...(r ? { detail: r } : {}) }) }
      if (child.stderr && !child.stderr.readableEnded) {
        const t = setTimeout(done, 200)
        child.stderr.once('end', () => { clearTimeout(t); done() })
      } else done()
    })
    child.on('error', (e) => {
      // 'error' without a process (spawn failure) never gets 'exit'.
      if (child.pid === undefined || child.exitCode !== null) finish({ code: null, signal: null, detail: e.message })
    })
    return {
      pid: child.pid,
      post: (m) => {
        if (!exited && child.connected) child.send(m as object)
      },
      onMessage: (cb) => { child.on('message', cb) },
      onExit: (cb) => { exitCbs.push(cb) },
      kill: () => { if (!exited) child.kill('SIGKILL') },
      onHeartbeat: (cb) => { beatCbs.push(cb) },
    }
  }
}
