// How a worker talks to its parent, whichever way it was started (Electron's utilityProcess docs, Node's
// worker_threads and child_process docs): an Electron utility process (`process.parentPort`), a worker thread (`worker_threads.parentPort`) or a Node child
// process started with `fork` (`process.send`). Worker threads are checked before `process.send`
// because a thread inside a forked process also sees `process.send`.
import { isMainThread, parentPort as threadPort } from 'node:worker_threads'
import { isUtilityProcess } from './electron-types.ts'

export type TransportKind = 'electron-utility' | 'worker_threads' | 'child_process'

export interface ParentTransport {
  readonly kind: TransportKind
  post(message: unknown): void
  onMessage(cb: (message: unknown) => void): void
}

export function parentTransport(): ParentTransport {
  const proc: unknown = process
  if (isUtilityProcess(proc)) {
    const pp = proc.parentPort
    return { kind: 'electron-utility', post: (m) => pp.postMessage(m), onMessage: (cb) => { pp.on('message', (e) => cb(e.data)) } }
  }
  if (!isMainThread && threadPort) {
    const p = threadPort
    return { kind: 'worker_threads', post: (m) => p.postMessage(m), onMessage: (cb) => { p.on('message', cb) } }
  }
  const send = process.send?.bind(process)
  if (send) {
    // When the parent goes away, so does the worker: no orphans.
    process.on('disconnect', () => process.exit(0))
    return { kind: 'child_process', post: (m) => { send(m) }, onMessage: (cb) => { process.on('message', cb) } }
  }
  throw new Error('sim-worker: no parent to talk to — start it with utilityProcess.fork, child_process.fork or new Worker')
}
