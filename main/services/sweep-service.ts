// sweeps.* : a sweep started from the app — the open profile (its saved JSON or draft), one configuration,
// axes × seeds — checked by the same planSweep() and metric probe as `kvmbench sweep` (refused with the
// field, value and fix), then run point by point on the services' worker pool, at most one point per
// worker at a time so that runs started meanwhile still get workers. Progress streams as SweepEvents
// (points done / total / ETA); cancel stops the points queued or running and keeps the finished ones.
// Sweeps live in memory for the session: at most MAX_APP_SWEEP_POINTS points per sweep, and the last
// KEEP_APP_SWEEPS sweeps (docs/sweep.md, "In the app").
import { randomBytes } from 'node:crypto'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { RequestOf, ResponseMap, SweepEvent, SweepRecord, ValidationIssue } from '../../core/api/protocol.ts'
import { checkProfile } from '../../core/check/check-profile.ts'
import { planSweep } from '../../core/sweep/sweep-points.ts'
import { loadSweepSpec } from '../../core/sweep/sweep-spec.ts'
import type { WorkerPool } from '../worker/pool.ts'
import { probeMetrics } from '../sweep/prepare-sweep.ts'
import { runSweepJobOn, sweepJobs } from '../sweep/sweep-job.ts'
import type { SweepJob } from '../sweep/sweep-job.ts'

/** Most points (grid × seeds) one sweep of the app may have: its results stay in memory (~1 kB a point). */
export const MAX_APP_SWEEP_POINTS = 2000
/** Sweeps kept in memory; the oldest finished one is dropped beyond this. */
export const KEEP_APP_SWEEPS = 8
/** Sweeps running at once (each already fills the pool): more are refused until one ends. */
export const MAX_RUNNING_SWEEPS = 2

interface LiveSweep {
  record: SweepRecord
  jobs: Set<string>
  cancelled: boolean
  finished: Promise<void>
}

function refused(what: string, issues: ValidationIssue[]): ApiFailure {
  return new ApiFailure({ code: 'bad-request', message: `${what}: ${issues.slice(0, 3).map((i) => `${i.path}: ${i.value} ${i.message} — ${i.fix}`).join('; ')}`, issues })
}

export class SweepService {
  private readonly pool: WorkerPool
  private readonly sweeps = new Map<string, LiveSweep>()
  private readonly listeners = new Set<(e: SweepEvent) => void>()
  private readonly now: () => number

  constructor(o: { pool: WorkerPool; now?: () => number }) {
    this.pool = o.pool
    this.now = o.now ?? Date.now
  }

  onEvent(cb: (e: SweepEvent) => void): () => void {
    this.listeners.add(cb)
    return () => { this.listeners.delete(cb) }
  }

  start(req: RequestOf<'sweeps.start'>): ResponseMap['sweeps.start'] {
    const running = [...this.sweeps.values()].filter((s) => s.record.status === 'running').length
    if (running >= MAX_RUNNING_SWEEPS) throw new ApiFailure({ code: 'bad-request', message: `${running} sweeps are already running: at most ${MAX_RUNNING_SWEEPS} run at once — wait for one to finish or cancel it (sweeps.cancel)` })
    const base = checkProfile(req.profile)
    if (!base.ok || !base.profile) throw refused('the profile cannot run as it is', base.issues)
    const spec = loadSweepSpec({
      schemaVersion: 1, base: '(the open profile)', axes: req.axes,
      ...(req.configuration !== undefined ? { configuration: req.configuration } : {}),
      ...(req.seeds ? { seeds: req.seeds } : {}), ...(req.metrics ? { metrics: req.metrics } : {}),
    })
    if (!spec.ok) throw refused('the sweep cannot run', spec.issues)
    const planned = planSweep(spec.spec, base.profile)
    if (!planned.ok) throw refused('the sweep cannot run', planned.issues)
    const plan = planned.plan
    const total = plan.indices.length * plan.seeds.length
    if (total > MAX_APP_SWEEP_POINTS) {
      throw refused('the sweep cannot run', [{ path: 'axes', value: String(total), message: `points (${plan.indices.length} × ${plan.seeds.length} seed(s)) are more than the app keeps, ${MAX_APP_SWEEP_POINTS}`, fix: 'use fewer values or seeds, or run it with `kvmbench sweep SPEC.json --out FILE.jsonl`' }])
    }
    const bad = probeMetrics(plan)
    if (bad.length) throw refused('the sweep cannot run', bad)
    const jobs = sweepJobs(plan)
    const startedAt = new Date(this.now())
    const sweepId = `sweep-${startedAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`
    const record: SweepRecord = {
      sweepId, profileName: base.profile.name, ...(req.profileKey ? { profileKey: req.profileKey } : {}),
      configuration: spec.spec.configuration ?? base.profile.configurations[0]!.name,
      axes: plan.axes.map((a) => ({ path: a.path, label: a.label, values: a.values })),
      seeds: plan.seeds, metrics: plan.metrics, total, startedAt: startedAt.toISOString(), status: 'running', points: [],
    }
    const live: LiveSweep = { record, jobs: new Set(), cancelled: false, finished: Promise.resolve() }
    live.finished = this.run(live, jobs)
    this.sweeps.set(sweepId, live)
    this.trim()
    const { points: _points, ...head } = record
    return head
  }

  cancel(req: RequestOf<'sweeps.cancel'>): ResponseMap['sweeps.cancel'] {
    const live = this.find(req.sweepId)
    if (live.record.status !== 'running') return { cancelled: false }
    live.cancelled = true
    for (const jobId of live.jobs) this.pool.cancel(jobId)
    return { cancelled: true }
  }

  get(req: RequestOf<'sweeps.get'>): SweepRecord {
    return this.find(req.sweepId).record
  }

  /** Resolves when the sweep has ended (done, cancelled or failed). */
  whenFinished(sweepId: string): Promise<void> {
    return this.find(sweepId).finished
  }

  /** For a shutdown: cancels every sweep still running. */
  async interrupt(): Promise<void> {
    const running = [...this.sweeps.values()].filter((s) => s.record.status === 'running')
    for (const s of running) this.cancel({ sweepId: s.record.sweepId })
    await Promise.all(running.map((s) => s.finished))
  }

  private find(sweepId: string): LiveSweep {
    const live = this.sweeps.get(sweepId)
    if (!live) throw new ApiFailure({ code: 'not-found', message: `no sweep has the id ${JSON.stringify(sweepId)} (sweeps are kept for the session, the last ${KEEP_APP_SWEEPS})` })
    return live
  }

  private trim(): void {
    for (const [id, s] of this.sweeps) {
      if (this.sweeps.size <= KEEP_APP_SWEEPS) break
      if (s.record.status !== 'running') this.sweeps.delete(id)
    }
  }

  private emit(e: SweepEvent): void {
    for (const cb of this.listeners) {
      try { cb(e) } catch (err) { console.error('kvmbench: a sweep event listener failed:', err) }
    }
  }

  /** Runs the points in lanes (one per worker); each finished point is kept and announced with the ETA. */
  private async run(live: LiveSweep, jobs: SweepJob[]): Promise<void> {
    const { record } = live
    const t0 = this.now()
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < jobs.length && !live.cancelled) {
        const job = jobs[next++]!
        let jobId = ''
        try {
          const line = await runSweepJobOn(this.pool, job, (id) => { jobId = id; live.jobs.add(id) })
          const { lost: _lost, ...point } = line
          record.points.push(point)
          const done = record.points.length
          const perPoint = (this.now() - t0) / done
          this.emit({ type: 'sweep-point', sweepId: record.sweepId, point, done, total: record.total, etaSec: done < record.total ? Math.round((perPoint * (record.total - done)) / 1000) : 0 })
        } catch {
          // cancelled or disposed: the point did not finish, and the lane stops
          return
        } finally {
          live.jobs.delete(jobId)
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(this.pool.size, jobs.length)) }, lane))
      record.status = live.cancelled || record.points.length < record.total ? 'cancelled' : 'done'
    } catch (e) {
      record.status = 'failed'
      record.error = e instanceof Error ? e.message : String(e)
    }
    this.emit({ type: 'sweep-finished', sweepId: record.sweepId, status: record.status, done: record.points.length, total: record.total, ...(record.error ? { error: record.error } : {}) })
  }
}
