// `kvmbench sweep SPEC` and `kvmbench worker --queue URL`: the sweep planned and checked (prepare-sweep.ts),
// then its points run locally or through BullMQ, each written as one JSON line as it finishes, with a
// progress line (points done, points/s, ETA) on stderr.
import { availableParallelism } from 'node:os'
import { formatIssue } from '../../core/schema/schema.ts'
import { runLocalSweep } from '../sweep/local-sweep.ts'
import { SweepSpecError, prepareSweep } from '../sweep/prepare-sweep.ts'
import { runQueueSweep } from '../sweep/queue-sweep.ts'
import { startQueueWorker } from '../sweep/queue-worker.ts'
import { QueueUrlError, parseQueueUrl } from '../sweep/redis-url.ts'
import { appendSweepLine, dropTornTail, finishedKeys, hasContent } from '../sweep/sweep-file.ts'
import type { SweepLine } from '../sweep/sweep-file.ts'
import { UsageError, numberOption } from './args.ts'
import type { ParsedArgs } from './args.ts'

function queueOption(v: unknown): ReturnType<typeof parseQueueUrl> | undefined {
  if (v === undefined) return undefined
  try { return parseQueueUrl(String(v)) } catch (e) { throw new UsageError((e as QueueUrlError).message) }
}

/** "37/200 points · 2.4/s · ETA 1 min 8 s" */
export function progressText(done: number, total: number, elapsedSec: number): string {
  const rate = elapsedSec > 0 ? done / elapsedSec : 0
  const left = rate > 0 ? (total - done) / rate : NaN
  const eta = !Number.isFinite(left) ? '…' : left >= 60 ? `${Math.floor(left / 60)} min ${Math.round(left % 60)} s` : `${Math.round(left)} s`
  return `${done}/${total} points · ${rate.toFixed(rate < 10 ? 2 : 1)}/s · ETA ${eta}`
}

export async function sweepCommand(args: ParsedArgs): Promise<number> {
  const specPath = args.positionals[0] ?? ''
  const out = args.values.out as string | undefined
  const resume = args.values.resume === true
  if (resume && out === undefined) throw new UsageError('--resume needs --out FILE: the points to skip are the ones FILE holds')
  const sample = numberOption(args.values, 'sample', { min: 1, max: 100_000, integer: true })
  const workers = numberOption(args.values, 'workers', { min: 1, max: 256, integer: true }) ?? availableParallelism()
  const queue = queueOption(args.values.queue)
  if (out !== undefined && !resume && hasContent(out)) throw new UsageError(`${out} already holds a sweep's lines — add --resume to finish that sweep, or write to another file`)

  let prepared
  try {
    prepared = prepareSweep(specPath, sample !== undefined ? { sample } : {})
  } catch (e) {
    if (!(e instanceof SweepSpecError)) throw e
    process.stderr.write(`kvmbench: ${e.message}\n${e.issues.map((i) => `  ${formatIssue(i)}\n`).join('')}`)
    return 2
  }
  if (resume && out !== undefined) dropTornTail(out)
  const skip = resume && out !== undefined ? finishedKeys(out) : new Set<string>()
  const jobs = prepared.jobs.filter((j) => !skip.has(j.key))
  const total = prepared.jobs.length
  const tty = process.stderr.isTTY === true
  process.stderr.write(`kvmbench: sweep ${prepared.name}: ${total} points (${prepared.plan.indices.length} of a ${prepared.plan.gridSize}-point grid × ${prepared.plan.seeds.length} seed${prepared.plan.seeds.length > 1 ? 's' : ''})${skip.size ? `, ${total - jobs.length} already in ${out}` : ''}, on ${queue ? `the queue at redis://${queue.host}:${queue.port}` : `${Math.min(workers, Math.max(1, jobs.length))} local worker${Math.min(workers, Math.max(1, jobs.length)) > 1 ? 's' : ''}`}\n`)

  const started = Date.now()
  let done = total - jobs.length
  let failed = 0
  const onLine = (line: SweepLine): void => {
    if (out !== undefined) appendSweepLine(out, line)
    else process.stdout.write(`${JSON.stringify(line)}\n`)
    done++
    if (line.error !== undefined) failed++
    if (tty) process.stderr.write(`\r\x1b[K${progressText(done - (total - jobs.length), jobs.length, (Date.now() - started) / 1000)}`)
  }
  const abort = new AbortController()
  const onSignal = (): void => abort.abort()
  process.once('SIGINT', onSignal)
  try {
    if (queue) await runQueueSweep(jobs, { connection: queue, onLine, signal: abort.signal })
    else await runLocalSweep(jobs, { workers, onLine, signal: abort.signal })
  } finally {
    process.off('SIGINT', onSignal)
    if (tty) process.stderr.write('\r\x1b[K')
  }
  const secs = (Date.now() - started) / 1000
  const ran = done - (total - jobs.length)
  process.stderr.write(`kvmbench: ${abort.signal.aborted ? 'interrupted after' : 'ran'} ${ran} point${ran === 1 ? '' : 's'} in ${secs.toFixed(1)} s (${(ran / Math.max(secs, 1e-3)).toFixed(2)} points/s)${failed ? `, ${failed} failed (their lines say why)` : ''}${out !== undefined ? ` → ${out}` : ''}${abort.signal.aborted && out !== undefined ? ' — run again with --resume to finish' : ''}\n`)
  return abort.signal.aborted ? 130 : failed ? 1 : 0
}

export async function workerCommand(args: ParsedArgs): Promise<number> {
  const connection = queueOption(args.values.queue)
  if (!connection) throw new UsageError('give the Redis server: --queue redis://HOST:PORT')
  const concurrency = numberOption(args.values, 'concurrency', { min: 1, max: 256, integer: true }) ?? availableParallelism()
  const lockMs = numberOption(args.values, 'lock-ms', { min: 1000, max: 3_600_000, integer: true })
  let points = 0
  const w = startQueueWorker({ connection, concurrency, ...(lockMs !== undefined ? { lockMs } : {}), onPoint: () => { points++ } })
  await w.ready
  process.stderr.write(`kvmbench: worker on redis://${connection.host}:${connection.port}, ${concurrency} point${concurrency > 1 ? 's' : ''} at a time; Ctrl-C stops it\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await w.close()
  process.stderr.write(`kvmbench: worker stopped after ${points} point${points === 1 ? '' : 's'}\n`)
  return 0
}
