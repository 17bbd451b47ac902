// A simulation worker process must not outlive its parent, and its parent must see that it is alive —
// also while its main thread is busy in a synchronous simulation and cannot run any event handler. So a
// small watcher thread (its own event loop) does both, every HEARTBEAT_MS:
//  - if the process's parent changed (the parent died: the kernel re-parented us to init or a subreaper),
//    it SIGKILLs its own process — the effect of Linux's PR_SET_PDEATHSIG, which Node does not offer;
//  - it writes one byte to fd 1 (the launcher's stdout pipe): the heartbeat. A stopped (SIGSTOP) or wedged
//    process sends none, which the pool detects (WorkerPool `heartbeatTimeoutMs`). A write that fails
//    (EPIPE: the parent closed the pipe) also ends the process.
// Used in every process launcher (child_process fork, Electron utility process); a worker thread dies
// with its process and needs none.
import { Worker, isMainThread } from 'node:worker_threads'

export const HEARTBEAT_MS = 250

const WATCHER = `
const { parentPort, workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const die = () => process.kill(workerData.pid, 'SIGKILL')
const beat = () => {
  if (process.ppid !== workerData.ppid) die()
  try { writeSync(1, '.') } catch (e) { if (e.code === 'EPIPE') die() }
}
beat()
parentPort.postMessage('beating')
setInterval(beat, workerData.everyMs)
`

let started: Promise<void> | undefined

/** Starts the watcher thread in a worker process (no-op in a worker thread); resolves once it has sent its
 *  first heartbeat. Call it first, before loading the core. */
export function watchParent(): Promise<void> {
  if (!isMainThread) return Promise.resolve()
  started ??= new Promise<void>((resolve) => {
    const w = new Worker(WATCHER, { eval: true, workerData: { ppid: process.ppid, pid: process.pid, everyMs: HEARTBEAT_MS }, stdout: false, stderr: false })
    w.once('message', () => resolve())
    w.unref()
  })
  return started
}
