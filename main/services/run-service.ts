// runs.* : a run is one profile, one seed and one pool job per configuration. Runs are kept in memory;
// each run is written to `<resultsDir>/<runId>.json` (one file per run: results can be large, so they
// never go into the profile store) when it starts and again as each configuration ends, so a stop loses
// nothing that finished: `interrupt()` (SIGTERM, SIGINT, app quit) cancels the rest and writes the run as
// "interrupted"; a run file left "running" by a host that died is read back as "interrupted". Events
// stream to subscribers as RunEvents. At most MAX_ACTIVE_JOBS configurations wait or run at once.
import { randomBytes } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { ConfigRun, ConfigRunStatus, RequestOf, ResponseMap, RunEvent, RunRecord, RunSummary, ValidationIssue } from '../../core/api/protocol.ts'
import { checkProfile } from '../../core/check/check-profile.ts'
import { configurationNames } from '../../core/profile/load-profile.ts'
import { RESULT_SCHEMA_VERSION } from '../../core/result.ts'
import type { ConfigResult } from '../../core/result.ts'
import { JobError } from '../worker/pool.ts'
import type { WorkerPool } from '../worker/pool.ts'
import { RunArchive, summaryOf } from './run-archive.ts'
import type { RunFile } from './run-archive.ts'

export type { RunFile } from './run-archive.ts'

export interface RunServiceOptions {
  pool: WorkerPool
  /** Where finished runs are written; no files when undefined. */
  resultsDir?: string
  /** Finished runs kept in the results directory; older ones are deleted. Default DEFAULT_KEEP_RUNS. */
  keepRuns?: number
  now?: () => Date
}

interface LiveRun {
  record: RunRecord
  jobs: Map<string, string>
  finished: Promise<RunRecord>
}

const ACTIVE: ConfigRunStatus[] = ['queued', 'running']

/** Configurations queued or running at once, over all runs: more are refused (runs.start) until some end. */
export const MAX_ACTIVE_JOBS = 256

function invalid(issues: ValidationIssue[]): ApiFailure {
  return new ApiFailure({ code: 'bad-request', message: `the profile is not valid: ${issues.length} issue(s) — ${issues.slice(0, 3).map((i) => `${i.path}: ${i.value} ${i.message} — ${i.fix}`).join('; ')}`, issues })
}

export function overallStatus(configs: ConfigRun[]): ConfigRunStatus {
  if (configs.some((c) => c.status === 'running')) return 'running'
  if (configs.some((c) => c.status === 'queued')) return configs.some((c) => c.status !== 'queued') ? 'running' : 'queued'
  if (configs.some((c) => c.status === 'interrupted')) return 'interrupted'
  if (configs.some((c) => c.status === 'failed')) return 'failed'
  if (configs.some((c) => c.status === 'cancelled')) return 'cancelled'
  return 'done'
}

export class RunService {
  private readonly pool: WorkerPool
  private readonly resultsDir: string | undefined
  private readonly now: () => Date
  /** Runs started by this host until they are written (then the archive has them). */
  private readonly runs = new Map<string, LiveRun>()
  private readonly archive: RunArchive | undefined
  private readonly listeners = new Set<(e: RunEvent) => void>()
  /** Set by interrupt(): jobs that end now end as 'interrupted', and no run may start. */
  private interrupting = false
  /** Per run, the last write of its file (writes of one run are serialized). */
  private readonly writes = new Map<string, Promise<boolean>>()

  constructor(options: RunServiceOptions) {
    this.pool = options.pool
    this.resultsDir = options.resultsDir
    this.archive = options.resultsDir ? new RunArchive(options.resultsDir, options.keepRuns) : undefined
    this.now = options.now ?? (() => new Date())
  }

  /** Subscribes to every run's events; returns the unsubscribe function. */
  onEvent(cb: (e: RunEvent) => void): () => void {
    this.listeners.add(cb)
    return () => { this.listeners.delete(cb) }
  }

  start(req: RequestOf<'runs.start'>): ResponseMap['runs.start'] {
    const shape = checkProfile(req.profile, { configs: [] })
    if (!shape.profile) throw invalid(shape.issues)
    const all = configurationNames(shape.profile)
    const configs = req.configs?.length ? [...new Set(req.configs)] : all
    const unknown = configs.filter((c) => !all.includes(c))
    if (unknown.length) throw new ApiFailure({ code: 'bad-request', message: `no configuration named ${unknown.map((c) => JSON.stringify(c)).join(', ')} — use one of ${all.join(', ')}` })
    // The one validation (profiles.validate and save use it too): what a run would refuse, and the work
    // estimate against run.maxEvents, refused before anything starts.
    const check = checkProfile(req.profile, { configs, ...(req.durationSec !== undefined ? { durationSec: req.durationSec } : {}) })
    if (!check.ok || !check.profile) throw invalid(check.issues)
    const loaded = { profile: check.profile }
    if (this.interrupting) throw new ApiFailure({ code: 'failed', message: 'kvmbench is shutting down: start the run again after it restarts' })
    const active = this.activeJobs()
    if (active + configs.length > MAX_ACTIVE_JOBS) {
      throw new ApiFailure({ code: 'bad-request', message: `${active} configuration(s) are already queued or running and this run adds ${configs.length}: at most ${MAX_ACTIVE_JOBS} may wait at once — wait for runs to finish, cancel one (runs.cancel), or start fewer configurations (configs)` })
    }
    const startedAt = this.now()
    const runId = `run-${startedAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`
    const seed = req.seed ?? loaded.profile.run.seed
    const record: RunRecord = {
      runId, profileName: loaded.profile.name, ...(req.profileKey ? { profileKey: req.profileKey } : {}), profile: req.profile, seed, startedAt: startedAt.toISOString(), status: 'queued',
      configs: configs.map((config) => ({ config, status: 'queued', fraction: 0 })),
    }
    const jobs = new Map<string, string>()
    const outcomes = record.configs.map((cr) => {
      const h = this.pool.run(
        { profile: req.profile, config: cr.config, seed, ...(req.durationSec !== undefined ? { durationSec: req.durationSec } : {}) },
        { onStart: () => this.progress(record, cr, 0), onProgress: (fraction) => this.progress(record, cr, fraction) },
      )
      jobs.set(cr.config, h.jobId)
      return h.result.then(
        (result) => this.configDone(record, cr, result),
        (e: unknown) => this.configEnded(record, cr, e),
      )
    })
    const finished = Promise.all(outcomes).then(() => this.finish(record))
    this.runs.set(runId, { record, jobs, finished })
    void this.save(record)
    return { runId, configs }
  }

  /** Stops every active run for a shutdown: its queued and running configurations are cancelled, and the
   *  run is written as "interrupted" with every configuration that had finished. Resolves when written. */
  async interrupt(): Promise<void> {
    this.interrupting = true
    const live = [...this.runs.values()].filter((r) => ACTIVE.includes(r.record.status))
    for (const run of live) {
      for (const cr of run.record.configs) {
        const jobId = run.jobs.get(cr.config)
        if (jobId && ACTIVE.includes(cr.status)) this.pool.cancel(jobId)
      }
    }
    await Promise.all(live.map((r) => r.finished))
  }

  private activeJobs(): number {
    let n = 0
    for (const r of this.runs.values()) for (const c of r.record.configs) if (ACTIVE.includes(c.status)) n++
    return n
  }

  cancel(req: RequestOf<'runs.cancel'>): ResponseMap['runs.cancel'] {
    const run = this.runs.get(req.runId)
    if (!run) {
      if (this.archive?.has(req.runId)) return { cancelled: false }
      throw new ApiFailure({ code: 'not-found', message: `no run has the id ${JSON.stringify(req.runId)}` })
    }
    let cancelled = false
    for (const cr of run.record.configs) {
      const jobId = run.jobs.get(cr.config)
      if (jobId && ACTIVE.includes(cr.status) && this.pool.cancel(jobId)) cancelled = true
    }
    return { cancelled }
  }

  async get(req: RequestOf<'runs.get'>): Promise<RunRecord> {
    const live = this.runs.get(req.runId)
    if (live) return live.record
    const saved = await this.archive?.read(req.runId).catch(() => undefined)
    if (saved) return saved
    throw new ApiFailure({ code: 'not-found', message: `no run has the id ${JSON.stringify(req.runId)}` })
  }

  list(): RunSummary[] {
    const live = [...this.runs.values()].map(({ record }) => summaryOf(record))
    const saved = (this.archive?.list() ?? []).filter((s) => !this.runs.has(s.runId))
    return [...live, ...saved].sort((a, b) => b.startedAt.localeCompare(a.startedAt))
  }

  /** Resolves when every configuration of the run has ended and the run's file is written. */
  whenFinished(runId: string): Promise<RunRecord> {
    const live = this.runs.get(runId)
    return live ? live.finished : this.get({ runId })
  }

  /** Reads the summaries of the runs saved in the results directory (at startup; their results are read
   *  when asked for), deleting the oldest beyond keepRuns. Unreadable files are skipped. */
  async loadSaved(): Promise<number> {
    return (await this.archive?.scan()) ?? 0
  }

  private emit(e: RunEvent): void {
    for (const cb of this.listeners) {
      try {
        cb(e)
      } catch (err) {
        console.error('kvmbench: a run event listener failed:', err)
      }
    }
  }

  private progress(record: RunRecord, cr: ConfigRun, fraction: number): void {
    if (!ACTIVE.includes(cr.status)) return
    cr.status = 'running'
    cr.fraction = fraction
    record.status = overallStatus(record.configs)
    this.emit({ type: 'progress', runId: record.runId, config: cr.config, fraction })
  }

  private configDone(record: RunRecord, cr: ConfigRun, result: ConfigResult): void {
    cr.status = 'done'
    cr.fraction = 1
    cr.result = result
    record.status = overallStatus(record.configs)
    this.emit({ type: 'config-done', runId: record.runId, config: cr.config, result })
    void this.save(record)
  }

  private configEnded(record: RunRecord, cr: ConfigRun, e: unknown): void {
    const cancelled = e instanceof JobError && (e.kind === 'cancelled' || e.kind === 'disposed')
    cr.status = cancelled ? (this.interrupting ? 'interrupted' : 'cancelled') : 'failed'
    if (!cancelled) cr.error = e instanceof Error ? e.message : String(e)
    record.status = overallStatus(record.configs)
    void this.save(record)
    this.emit(cancelled
      ? { type: 'config-cancelled', runId: record.runId, config: cr.config }
      : { type: 'config-failed', runId: record.runId, config: cr.config, error: cr.error ?? 'failed' })
  }

  private async finish(record: RunRecord): Promise<RunRecord> {
    record.status = overallStatus(record.configs)
    const written = await this.save(record)
    if (this.archive && written) {
      // Written: from now on the archive serves it (its results leave memory).
      await this.archive.add(record)
      this.runs.delete(record.runId)
    }
    this.emit({ type: 'run-finished', runId: record.runId, status: record.status })
    return record
  }

  /** Writes the run's file as it is now, after any earlier write of it; never rejects (false: not written). */
  private save(record: RunRecord): Promise<boolean> {
    if (!this.resultsDir) return Promise.resolve(false)
    const prev = this.writes.get(record.runId) ?? Promise.resolve(true)
    const next = prev.then(() => this.write(record)).then(() => true, (e: unknown) => {
      console.error(`kvmbench: could not save run ${record.runId}: ${(e as Error).message}`)
      return false
    })
    this.writes.set(record.runId, next)
    void next.then(() => { if (this.writes.get(record.runId) === next) this.writes.delete(record.runId) })
    return next
  }

  private async write(record: RunRecord): Promise<void> {
    const dir = this.resultsDir
    if (!dir) return
    const file: RunFile = {
      schemaVersion: RESULT_SCHEMA_VERSION,
      profile: record.profileName,
      ...(record.profileKey ? { profileKey: record.profileKey } : {}),
      results: record.configs.flatMap((c) => (c.result ? [c.result] : [])),
      runId: record.runId,
      startedAt: record.startedAt,
      finishedAt: this.now().toISOString(),
      seed: record.seed,
      status: record.status,
      sourceProfile: record.profile,
      configs: record.configs.map((c) => ({ config: c.config, status: c.status, ...(c.error ? { error: c.error } : {}) })),
    }
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const path = join(dir, `${record.runId}.json`)
    await writeFile(`${path}.tmp`, JSON.stringify(file), { mode: 0o600 })
    await rename(`${path}.tmp`, path)
  }
}
