// A sweep on many machines, through BullMQ over Redis: the producer enqueues each point as a job whose id is
// the point's key (a point already queued or done is not added twice — a resumed producer picks up its
// results) and collects each result as it completes; `kvmbench worker` processes (queue-worker.ts) on any
// number of machines run them. A worker killed mid-point loses nothing: its lock expires and BullMQ's
// stalled-job check gives the point to another worker. BullMQ is the engine; kvmbench adds no scheduler.
import { Queue, QueueEvents } from 'bullmq'
import type { SweepJob } from './sweep-job.ts'
import type { SweepLine } from './sweep-file.ts'
import type { RedisConnection } from './redis-url.ts'

/** The one queue every kvmbench worker serves; jobs carry whole point profiles, so any sweep fits it. */
export const SWEEP_QUEUE = 'kvmbench-sweep'
/** A finished point stays in Redis this long (for a resumed producer), then BullMQ removes it. */
export const KEEP_FINISHED_SEC = 24 * 3600

export interface QueueSweepOptions {
  connection: RedisConnection
  onLine: (line: SweepLine) => void
  signal?: AbortSignal
}

export async function runQueueSweep(jobs: SweepJob[], o: QueueSweepOptions): Promise<void> {
  const connection = { ...o.connection, maxRetriesPerRequest: null }
  const queue = new Queue(SWEEP_QUEUE, { connection })
  const events = new QueueEvents(SWEEP_QUEUE, { connection })
  try {
    await events.waitUntilReady()
    events.setMaxListeners(jobs.length + 16)
    const added = await queue.addBulk(jobs.map((j) => ({
      name: 'point', data: j,
      opts: { jobId: j.key, attempts: 3, removeOnComplete: { age: KEEP_FINISHED_SEC }, removeOnFail: { age: KEEP_FINISHED_SEC } },
    })))
    const aborted = new Promise<void>((resolve) => o.signal?.addEventListener('abort', () => resolve(), { once: true }))
    await Promise.race([aborted, Promise.all(added.map(async (job, i) => {
      const j = jobs[i]!
      // a point's own failure comes back as a line with its error; a job BullMQ gave up on (its workers
      // died on it three times) is one too, so the sweep finishes and --resume can retry it
      const line = await (job.waitUntilFinished(events) as Promise<SweepLine>).catch((e: unknown): SweepLine => ({
        key: j.key, index: j.index, values: j.values, seed: j.seed, error: `the queue gave up on this point: ${e instanceof Error ? e.message : String(e)}`, lost: true,
      }))
      if (!o.signal?.aborted) o.onLine({ ...line, index: j.index, values: j.values })
    }))])
  } finally {
    await events.close()
    await queue.close()
  }
}
