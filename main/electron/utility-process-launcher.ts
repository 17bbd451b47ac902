// Workers as Electron utility processes (production in the desktop app). The worker module is bundled
// by electron-vite as its own chunk in out/main; `?modulePath` gives its absolute path.
import { app, utilityProcess } from 'electron'
import type { Details, Event as ElectronEvent } from 'electron'
import simWorkerPath from '../worker/sim-worker.ts?modulePath'
import { utilityProcessExecArgv } from '../worker/launcher.ts'
import type { ExitInfo, LaunchOptions, ProcessLauncher, WorkerHandle } from '../worker/launcher.ts'

let counter = 0

export class UtilityProcessLauncher implements ProcessLauncher {
  readonly kind = 'electron-utility'

  /** Must be called after app 'ready' (utilityProcess.fork's rule). */
  launch(opts: LaunchOptions = {}): WorkerHandle {
    const serviceName = `kvmbench-sim-${++counter}`
    // stdout carries the worker's heartbeats (main/worker/parent-watch.ts); a heap limit and V8 flags as for every worker,
    // in the --js-flags switch a utility process reads them from (utilityProcessExecArgv()).
    const child = utilityProcess.fork(simWorkerPath, [], { serviceName, stdio: ['ignore', 'pipe', 'inherit'], execArgv: utilityProcessExecArgv(opts.v8Flags) })
    let exited = false
    const beatCbs: (() => void)[] = []
    child.stdout?.on('data', () => { for (const cb of beatCbs) cb() })
    let goneReason: string | undefined
    const exitCbs: ((i: ExitInfo) => void)[] = []
    // Crash reasons arrive through app 'child-process-gone', matched on the service name (as VS Code does).
    const onGone = (_e: ElectronEvent, d: Details): void => {
      if (d.type === 'Utility' && d.name === serviceName) goneReason = `${d.reason}, exit code ${d.exitCode}`
    }
    app.on('child-process-gone', onGone)
    child.on('exit', (code) => {
      if (exited) return
      exited = true
      app.off('child-process-gone', onGone)
      const info: ExitInfo = { code, signal: null, ...(goneReason ? { detail: goneReason } : {}) }
      for (const cb of exitCbs) cb(info)
    })
    return {
      get pid() { return child.pid },
      post: (m) => { if (!exited) child.postMessage(m) },
      onMessage: (cb) => { child.on('message', cb) },
      onExit: (cb) => { exitCbs.push(cb) },
      kill: () => { if (!exited) child.kill() },
      onHeartbeat: (cb) => { beatCbs.push(cb) },
    }
  }
}
