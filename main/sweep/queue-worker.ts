// `kvmbench worker --queue redis://HOST:PORT`: runs sweep points from the queue until stopped, `concurrency`
// at a time, each in a simulation worker process of the local pool (so the BullMQ worker's own event loop
// stays free to renew its job locks while a point runs for seconds).
import { Worker } from 'bullmq'
import { ChildProcessLauncher } from '../worker/child-process-launcher.ts'
import { WorkerPool } from '../worker/pool.ts'
import { SWEEP_QUEUE } from './queue-sweep.ts'
import type { RedisConnection } from './redis-url.ts'
import type { SweepJob } from './sweep-job.ts'
import { runSweepJobOn } from './sweep-job.ts'

export interface QueueWorkerOptions {
  connection: RedisConnection
  concurrency: number
  /** BullMQ's job lock (ms): a worker gone this long loses its points to the others. Default 30 s. */
  lockMs?: number
  onPoint?: (key: string, ok: boolean) => void
}

export interface RunningQueueWorker { ready: Promise<void>; close(): Promise<void> }

export function startQueueWorker(o: QueueWorkerOptions): RunningQueueWorker {
  const pool = new WorkerPool(new ChildProcessLauncher(), { size: o.concurrency, prestart: true })
  const lock = o.lockMs ?? 30_000
  const worker = new Worker(SWEEP_QUEUE, async (job) => {
    const line = await runSweepJobOn(pool, job.data as SweepJob)
    o.onPoint?.(line.key, line.error === undefined)
    return line
  }, {
    connection: { ...o.connection, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    lockDuration: lock,
    stalledInterval: Math.max(500, Math.round(lock / 2)),
  })
  return {
    ready: worker.waitUntilReady().then(() => undefined),
    async close() {
      await worker.close()
      await pool.dispose()
    },
  }
}
