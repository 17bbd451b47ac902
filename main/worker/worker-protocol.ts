// Messages between a WorkerPool and a simulation worker (main/worker/sim-worker.ts). They travel by
// structured clone on every transport (utility process, `fork` with serialization 'advanced', worker thread).
import type { ConfigResult } from '../../core/result.ts'

/** Run one configuration of a profile. The worker loads (validates) the profile itself. */
export interface RunJobMessage {
  type: 'run'
  jobId: string
  profile: unknown
  config: string
  seed?: number
  durationSec?: number
}

export type ToWorker = RunJobMessage

/** `ready`: the worker has loaded the core and takes jobs (sent once, at start; WorkerPool.ready()). */
export interface WorkerReadyMessage { type: 'ready' }

export type FromWorker =
  | WorkerReadyMessage
  | { type: 'progress'; jobId: string; fraction: number }
  | { type: 'result'; jobId: string; result: ConfigResult }
  | { type: 'error'; jobId: string; message: string }

const isObj = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null

export function isRunJobMessage(m: unknown): m is RunJobMessage {
  return isObj(m) && m.type === 'run' && typeof m.jobId === 'string' && typeof m.config === 'string'
    && (m.seed === undefined || typeof m.seed === 'number') && (m.durationSec === undefined || typeof m.durationSec === 'number')
}

export function isFromWorker(m: unknown): m is FromWorker {
  if (isObj(m) && m.type === 'ready') return true
  if (!isObj(m) || typeof m.jobId !== 'string') return false
  switch (m.type) {
    case 'progress': return typeof m.fraction === 'number'
    case 'result': return isObj(m.result)
    case 'error': return typeof m.message === 'string'
    default: return false
  }
}

/**
 * Test hook: when the environment variable KVMBENCH_TEST_CRASH is set to a configuration name, a worker
 * asked to run that configuration exits at once with CRASH_EXIT_CODE, as a crashed worker would.
 * Used by test/main/pool.node.test.ts; never set it in production.
 */
export const TEST_CRASH_ENV = 'KVMBENCH_TEST_CRASH'
export const CRASH_EXIT_CODE = 3

/**
 * Test hooks for the fault tests (test/reliability/worker-faults.node.test.ts); never set them in production.
 * KVMBENCH_TEST_HANG=<config>: a worker asked to run that configuration stops itself with SIGSTOP (a hung,
 * frozen worker: it sends no heartbeat, which the pool detects — `heartbeatTimeoutMs`).
 * KVMBENCH_TEST_OOM=<config>: a worker asked to run that configuration allocates until V8 runs out of heap
 * (start it with a small heap: ChildProcessLauncher `execArgv: ['--max-old-space-size=64']`).
 */
export const TEST_HANG_ENV = 'KVMBENCH_TEST_HANG'
export const TEST_OOM_ENV = 'KVMBENCH_TEST_OOM'
