// The simulation worker: one module for an Electron utility process, a Node child process and a worker
// thread. It runs one job at a time; runConfiguration is synchronous, so a job is cancelled by killing
// the worker (WorkerPool does that and starts a fresh one).
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { parentTransport } from './parent-transport.ts'
import { watchParent } from './parent-watch.ts'
import { CRASH_EXIT_CODE, TEST_CRASH_ENV, TEST_HANG_ENV, TEST_OOM_ENV, isRunJobMessage } from './worker-protocol.ts'
import type { FromWorker, RunJobMessage } from './worker-protocol.ts'

const transport = parentTransport()
const beating = watchParent()
const post = (m: FromWorker): void => transport.post(m)

/** Progress is sent at most every 1 % or 100 ms, whichever comes later. */
function progressReporter(jobId: string): (fraction: number) => void {
  let lastFraction = -1
  let lastTime = 0
  return (fraction) => {
    const now = Date.now()
    if (fraction - lastFraction < 0.01 && fraction < 1) return
    if (now - lastTime < 100 && fraction < 1) return
    lastFraction = fraction
    lastTime = now
    post({ type: 'progress', jobId, fraction: Math.min(1, Math.max(0, fraction)) })
  }
}

function runJob(m: RunJobMessage): void {
  if (process.env[TEST_CRASH_ENV] && process.env[TEST_CRASH_ENV] === m.config) process.exit(CRASH_EXIT_CODE)
  if (process.env[TEST_HANG_ENV] && process.env[TEST_HANG_ENV] === m.config) {
    // test hook: a frozen worker (once it has been seen alive, so it is its heartbeats that stop)
    void beating.then(() => process.kill(process.pid, 'SIGSTOP'))
    return
  }
  if (process.env[TEST_OOM_ENV] && process.env[TEST_OOM_ENV] === m.config) {
    const hog: number[][] = []
    for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length)) // test hook: run out of heap
  }
  try {
    const loaded = loadProfile(m.profile)
    if (!loaded.ok) {
      post({ type: 'error', jobId: m.jobId, message: `invalid profile: ${loaded.issues.map((i) => `${i.path}: ${i.value} ${i.message} — ${i.fix}`).join('; ')}` })
      return
    }
    const result = runConfiguration(loaded.profile, m.config, {
      ...(m.seed !== undefined ? { seed: m.seed } : {}),
      ...(m.durationSec !== undefined ? { durationSec: m.durationSec } : {}),
      onProgress: progressReporter(m.jobId),
    })
    post({ type: 'result', jobId: m.jobId, result })
  } catch (e) {
    post({ type: 'error', jobId: m.jobId, message: e instanceof Error ? e.message : String(e) })
  }
}

transport.onMessage((m) => {
  if (isRunJobMessage(m)) runJob(m)
})
post({ type: 'ready' })
