// A pool of simulation workers: one job (one configuration) per worker at a time, a FIFO queue, progress
// streamed back, prompt cancel (the worker is killed and a fresh one takes its place), and a crashed
// worker fails only its own job. Workers stay up between jobs (warm: the core loaded, its hot code
// compiled) and are started lazily, up to `size`, or all at once with `prestart` (a host that keeps its
// pool warm: `ready()` resolves when every worker has loaded the core).
import { availableParallelism } from 'node:os'
import type { ConfigResult } from '../../core/result.ts'
import { describeExit, workerV8Flags } from './launcher.ts'
import type { ExitInfo, ProcessLauncher, WorkerHandle } from './launcher.ts'
import { isFromWorker } from './worker-protocol.ts'
import type { FromWorker, ToWorker } from './worker-protocol.ts'

export interface PoolJob {
  /** Profile JSON; the worker validates it. */
  profile: unknown
  config: string
  seed?: number
  durationSec?: number
}

export interface RunJobOptions {
  onProgress?: (fraction: number) => void
  /** Called when a worker takes the job (it is running from then on). */
  onStart?: () => void
  /** Watchdog for this job (overrides the pool's jobTimeoutMs): a worker still running it after this many
   *  milliseconds is killed and the job fails with kind 'timeout'. */
  timeoutMs?: number
}

export type JobErrorKind = 'failed' | 'crashed' | 'timeout' | 'cancelled' | 'disposed'

/** Why a job's promise was rejected. */
export class JobError extends Error {
  readonly kind: JobErrorKind
  constructor(kind: JobErrorKind, message: string) {
    super(message)
    this.kind = kind
    this.name = 'JobError'
  }
}

export interface JobHandle {
  readonly jobId: string
  /** Resolves with the result; rejects with a JobError. */
  readonly result: Promise<ConfigResult>
}

interface Job {
  id: string
  message: ToWorker
  onProgress: ((fraction: number) => void) | undefined
  onStart: (() => void) | undefined
  resolve: (r: ConfigResult) => void
  reject: (e: JobError) => void
  settled: boolean
  timeoutMs: number | undefined
  watchdog: ReturnType<typeof setTimeout> | undefined
}

interface Slot {
  handle: WorkerHandle
  job: Job | undefined
  /** Set when the pool killed the worker on purpose: the reason its job gets. */
  killedFor: JobError | undefined
  /** The worker has said 'ready' (loaded the core). */
  ready: boolean
  exited: Promise<void>
  markExited: () => void
  /** When the worker last sent a heartbeat (or took its job); undefined for workers without heartbeats. */
  lastBeat: number | undefined
  /** Whether a heartbeat came yet (before that the worker is still starting: STARTUP_GRACE_MS). */
  beating: boolean
}

export interface WorkerPoolOptions {
  /** Number of workers; default one per core (os.availableParallelism()). */
  size?: number
  /** How long to wait for a killed worker to exit before giving up on it. */
  killTimeoutMs?: number
  /** Per-job watchdog: a job still running after this many milliseconds has its worker killed and fails
   *  with kind 'timeout' (a hung worker). Default: none — a simulation's length follows its profile. */
  jobTimeoutMs?: number
  /** Start all `size` workers now rather than at the first jobs, and start a fresh one when a worker that
   *  was ready goes away, so jobs never wait for a process to start (default false). */
  prestart?: boolean
  /** A worker process running a job that sends no heartbeat (main/worker/parent-watch.ts, every 250 ms)
   *  for this long is stopped (SIGSTOP, frozen, wedged) — killed, and its job fails with kind 'timeout'.
   *  Unlike a total wall time this does not fail a healthy job on a loaded machine. Default 10 s. */
  heartbeatTimeoutMs?: number
}

export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000
/** A new worker process has this long to send its first heartbeat (Node starts and loads the core). */
export const STARTUP_GRACE_MS = 30_000

let jobCounter = 0

export class WorkerPool {
  readonly size: number
  private readonly launcher: ProcessLauncher
  private readonly killTimeoutMs: number
  private readonly jobTimeoutMs: number | undefined
  private readonly heartbeatTimeoutMs: number
  private heartbeatCheck: ReturnType<typeof setInterval> | undefined
  private readonly queue: Job[] = []
  private readonly slots = new Set<Slot>()
  private readonly prestart: boolean
  private readyWaiters: { resolve: () => void; reject: (e: JobError) => void }[] = []
  /** Why the last launch without a queued job failed (ready() reports it). */
  private startError: JobError | undefined
  private disposed = false

  constructor(launcher: ProcessLauncher, options: WorkerPoolOptions = {}) {
    this.launcher = launcher
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()))
    this.killTimeoutMs = options.killTimeoutMs ?? 5000
    this.jobTimeoutMs = options.jobTimeoutMs
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS
    this.prestart = options.prestart ?? false
    if (this.prestart) while (this.slots.size < this.size && this.launch()) { /* start them all */ }
  }

  /** Starts the missing workers (up to `size`) and resolves when they have all loaded the core (at once
   *  when the pool is disposed); rejects when a worker exits before it was ready (one that cannot start). */
  ready(): Promise<void> {
    this.startError = undefined
    while (!this.disposed && this.slots.size < this.size && this.launch()) { /* start the missing ones */ }
    if (this.isReady()) return Promise.resolve()
    if (this.startError) return Promise.reject(this.startError)
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }))
  }

  private isReady(): boolean {
    if (this.disposed) return true
    let n = 0
    for (const s of this.slots) if (s.ready && !s.killedFor) n++
    return n >= this.size
  }

  private checkReady(): void {
    if (!this.readyWaiters.length || !this.isReady()) return
    for (const w of this.readyWaiters.splice(0)) w.resolve()
  }

  get kind(): string {
    return this.launcher.kind
  }

  /** Process ids of the live workers (threads have none). */
  get pids(): number[] {
    return [...this.slots].map((s) => s.handle.pid).filter((p): p is number => p !== undefined)
  }

  /** The pid of the worker running a job, if it is running in a process. */
  pidOf(jobId: string): number | undefined {
    for (const s of this.slots) if (s.job?.id === jobId) return s.handle.pid
    return undefined
  }

  run(job: PoolJob, options: RunJobOptions = {}): JobHandle {
    const id = `job-${process.pid}-${++jobCounter}`
    let resolve!: (r: ConfigResult) => void
    let reject!: (e: JobError) => void
    const result = new Promise<ConfigResult>((res, rej) => { resolve = res; reject = rej })
    const message: ToWorker = {
      type: 'run', jobId: id, profile: job.profile, config: job.config,
      ...(job.seed !== undefined ? { seed: job.seed } : {}),
      ...(job.durationSec !== undefined ? { durationSec: job.durationSec } : {}),
    }
    const entry: Job = { id, message, onProgress: options.onProgress, onStart: options.onStart, resolve, reject, settled: false, timeoutMs: options.timeoutMs ?? this.jobTimeoutMs, watchdog: undefined }
    if (this.disposed) this.settle(entry, new JobError('disposed', 'the worker pool has been shut down'))
    else {
      this.queue.push(entry)
      this.pump()
    }
    return { jobId: id, result }
  }

  /** Cancels a queued or running job. A running job's worker is killed at once (and replaced when needed);
   *  the job's promise rejects with kind 'cancelled' once the worker has exited. */
  cancel(jobId: string): boolean {
    const qi = this.queue.findIndex((j) => j.id === jobId)
    if (qi >= 0) {
      const [job] = this.queue.splice(qi, 1)
      if (job) this.settle(job, new JobError('cancelled', 'cancelled'))
      return true
    }
    for (const slot of this.slots) {
      if (slot.job?.id === jobId && !slot.killedFor) {
        this.kill(slot, new JobError('cancelled', 'cancelled'))
        return true
      }
    }
    return false
  }

  /** Fails every queued and running job and kills every worker; resolves when they have exited. */
  async dispose(): Promise<void> {
    this.disposed = true
    this.checkReady()
    if (this.heartbeatCheck) clearInterval(this.heartbeatCheck)
    for (const job of this.queue.splice(0)) this.settle(job, new JobError('disposed', 'the worker pool has been shut down'))
    const exits = [...this.slots].map((s) => {
      this.kill(s, new JobError('disposed', 'the worker pool has been shut down'))
      return s.exited
    })
    await Promise.all(exits)
  }

  private settle(job: Job, outcome: ConfigResult | JobError): void {
    if (job.settled) return
    job.settled = true
    if (job.watchdog) clearTimeout(job.watchdog)
    if (outcome instanceof JobError) job.reject(outcome)
    else job.resolve(outcome)
  }

  private kill(slot: Slot, reason: JobError): void {
    slot.killedFor ??= reason
    slot.handle.kill()
    // Give up waiting for a worker that does not exit: its job still ends.
    const timer = setTimeout(() => {
      slot.markExited()
      this.onExit(slot, { code: null, signal: null, detail: 'did not exit after kill' })
    }, this.killTimeoutMs)
    timer.unref()
    void slot.exited.then(() => clearTimeout(timer))
  }

  private pump(): void {
    while (!this.disposed && this.queue.length) {
      let slot = [...this.slots].find((s) => !s.job && !s.killedFor)
      if (!slot) {
        if (this.slots.size >= this.size) return
        slot = this.launch()
        if (!slot) return
      }
      const job = this.queue.shift()
      if (!job) return
      slot.job = job
      if (job.timeoutMs !== undefined) {
        const ms = job.timeoutMs
        const s = slot
        job.watchdog = setTimeout(() => {
          if (s.job === job && !s.killedFor) this.kill(s, new JobError('timeout', `the simulation worker did not finish within ${ms} ms and was stopped (a hung worker)`))
        }, ms)
        job.watchdog.unref()
      }
      if (slot.lastBeat !== undefined) slot.lastBeat = Date.now()
      slot.handle.post(job.message)
      job.onStart?.()
    }
  }

  /** Kills a worker whose job runs but whose heartbeats stopped. */
  private checkHeartbeats(): void {
    const now = Date.now()
    for (const s of this.slots) {
      const limit = s.beating ? this.heartbeatTimeoutMs : Math.max(this.heartbeatTimeoutMs, STARTUP_GRACE_MS)
      if (s.job && !s.killedFor && s.lastBeat !== undefined && now - s.lastBeat > limit) {
        this.kill(s, new JobError('timeout', `the simulation worker sent no heartbeat for ${this.heartbeatTimeoutMs} ms and was stopped (a hung or frozen worker)`))
      }
    }
  }

  private launch(): Slot | undefined {
    let handle: WorkerHandle
    try {
      handle = this.launcher.launch({ v8Flags: workerV8Flags(this.size, availableParallelism()) })
    } catch (e) {
      if (!this.queue.length) {
        this.startError = new JobError('failed', `could not start a simulation worker: ${(e as Error).message}`)
        return undefined
      }
      const job = this.queue.shift()
      if (job) this.settle(job, new JobError('failed', `could not start a simulation worker: ${(e as Error).message}`))
      queueMicrotask(() => this.pump())
      return undefined
    }
    let markExited!: () => void
    const exited = new Promise<void>((r) => { markExited = r })
    const slot: Slot = { handle, job: undefined, killedFor: undefined, ready: false, exited, markExited, lastBeat: undefined, beating: false }
    this.slots.add(slot)
    if (handle.onHeartbeat) {
      slot.lastBeat = Date.now()
      handle.onHeartbeat(() => { slot.lastBeat = Date.now(); slot.beating = true })
      if (!this.heartbeatCheck) {
        this.heartbeatCheck = setInterval(() => this.checkHeartbeats(), Math.min(1000, Math.max(50, this.heartbeatTimeoutMs / 4)))
        this.heartbeatCheck.unref()
      }
    }
    handle.onMessage((m) => this.onMessage(slot, m))
    handle.onExit((info) => {
      slot.markExited()
      this.onExit(slot, info)
    })
    return slot
  }

  private onMessage(slot: Slot, raw: unknown): void {
    if (!isFromWorker(raw)) return
    const m: FromWorker = raw
    if (m.type === 'ready') {
      slot.ready = true
      this.checkReady()
      return
    }
    const job = slot.job
    if (!job || job.id !== m.jobId || slot.killedFor) return
    if (m.type === 'progress') {
      job.onProgress?.(m.fraction)
      return
    }
    slot.job = undefined
    this.settle(job, m.type === 'result' ? m.result : new JobError('failed', m.message))
    this.pump()
  }

  private onExit(slot: Slot, info: ExitInfo): void {
    if (!this.slots.delete(slot)) return
    const job = slot.job
    slot.job = undefined
    if (job) this.settle(job, slot.killedFor ?? new JobError('crashed', describeExit(info)))
    if (!slot.ready && !slot.killedFor) {
      const e = new JobError('crashed', describeExit(info))
      for (const w of this.readyWaiters.splice(0)) w.reject(e)
    }
    this.pump()
    // a warm pool replaces a worker that was up (not one that died starting: no restart loop)
    if (this.prestart && slot.ready && !this.disposed && this.slots.size < this.size) this.launch()
  }
}
