// runs.* : a run is one profile, one seed and one pool job per configuration. Runs are kept in memory;
// each run is written to `<resultsDir>/<runId>.json` (one file per run: results can be large, so they
// never go into the profile store) when it starts and again as each configuration ends, so a stop loses
// nothing that finished: `interrupt()` (SIGTERM, SIGINT, app quit) cancels the rest and writes the run as
// "interrupted"; a run file left "running" by a host that died is read back as "interrupted". Events
// stream to subscribers as RunEvents. At most MAX_ACTIVE_JOBS configurations wait or run at once.
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { ConfigRun, ConfigRunStatus, RequestOf, ResponseMap, RunEvent, RunRecord, RunSummary, ValidationIssue } from '../../core/api/protocol.ts'
import { checkProfile } from '../../core/check/check-profile.ts'
import { configurationNames } from '../../core/profile/load-profile.ts'
import { RESULT_SCHEMA_VERSION } from '../../core/result.ts'
import type { ConfigResult, RunResultJson } from '../../core/result.ts'
import { JobError } from '../worker/pool.ts'
import type { WorkerPool } from '../worker/pool.ts'

/** What a results file holds: the CLI's RunResultJson plus the run's metadata. */
export interface RunFile extends RunResultJson {
  runId: string
  startedAt: string
  finishedAt: string
  seed: number
  status: ConfigRunStatus
  sourceProfile: unknown
  configs: { config: string; status: ConfigRunStatus; error?: string }[]
}

export interface RunServiceOptions {
  pool: WorkerPool
  /** Where finished runs are written; no files when undefined. */
  resultsDir?: string
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
  private readonly runs = new Map<string, LiveRun>()
  private readonly listeners = new Set<(e: RunEvent) => void>()
  /** Set by interrupt(): jobs that end now end as 'interrupted', and no run may start. */
  private interrupting = false
  /** Per run, the last write of its file (writes of one run are serialized). */
  private readonly writes = new Map<string, Promise<void>>()

  constructor(options: RunServiceOptions) {
    this.pool = options.pool
    this.resultsDir = options.resultsDir
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
      runId, profileName: loaded.profile.name, profile: req.profile, seed, startedAt: startedAt.toISOString(), status: 'queued',
      configs: configs.map((config) => ({ config, status: 'queued', fraction: 0 })),
    }
    const jobs = new Map<string, string>()
    const outcomes = record.configs.map((cr) => {
      const h = this.pool.run(
        { profile: req.profile, config: cr.config, seed, ...(req.durationSec !== undefined ? { durationSec: req.durationSec } : {}) },
        { onProgress: (fraction) => this.progress(record, cr, fraction) },
      )
      jobs.set(cr.config, h.jobId)
      return h.result.then(
        (result) => this.configDone(record, cr, result),
        (e: unknown) => this.configEnded(record, cr, e),
      )
    })
    const finished = Promise.all(outcomes).then(() => this.finish(record))
    this.runs.set(runId, { record, jobs, finished })
    this.save(record)
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
    const run = this.live(req.runId)
    let cancelled = false
    for (const cr of run.record.configs) {
      const jobId = run.jobs.get(cr.config)
      if (jobId && ACTIVE.includes(cr.status) && this.pool.cancel(jobId)) cancelled = true
    }
    return { cancelled }
  }

  get(req: RequestOf<'runs.get'>): RunRecord {
    return this.live(req.runId).record
  }

  list(): RunSummary[] {
    return [...this.runs.values()]
      .map(({ record: r }) => ({ runId: r.runId, profileName: r.profileName, startedAt: r.startedAt, status: r.status, configs: r.configs.map((c) => c.config) }))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
  }

  /** Resolves when every configuration of the run has ended and the run's file is written. */
  whenFinished(runId: string): Promise<RunRecord> {
    return this.live(runId).finished
  }

  /** Loads the runs saved in the results directory (e.g. at startup). Unreadable files are skipped. */
  async loadSaved(): Promise<number> {
    if (!this.resultsDir) return 0
    let names: string[]
    try {
      names = (await readdir(this.resultsDir)).filter((n) => /^run-.*\.json$/.test(n))
    } catch {
      return 0
    }
    let n = 0
    for (const name of names) {
      try {
        const f = JSON.parse(await readFile(join(this.resultsDir, name), 'utf8')) as RunFile
        if (f.schemaVersion !== RESULT_SCHEMA_VERSION || typeof f.runId !== 'string' || this.runs.has(f.runId) || !Array.isArray(f.configs)) continue
        // A run written while active by a host that is gone (killed, crashed) was interrupted.
        const stale = (s: ConfigRunStatus): ConfigRunStatus => (ACTIVE.includes(s) ? 'interrupted' : s)
        const record: RunRecord = {
          runId: f.runId, profileName: f.profile, profile: f.sourceProfile, seed: f.seed, startedAt: f.startedAt, status: stale(f.status),
          configs: f.configs.map((c) => {
            const result = f.results.find((r) => r.config === c.config)
            return { config: c.config, status: stale(c.status), fraction: c.status === 'done' ? 1 : 0, ...(c.error ? { error: c.error } : {}), ...(result ? { result } : {}) }
          }),
        }
        this.runs.set(record.runId, { record, jobs: new Map(), finished: Promise.resolve(record) })
        n++
      } catch {
        // not a run file of ours
      }
    }
    return n
  }

  private live(runId: string): LiveRun {
    const run = this.runs.get(runId)
    if (!run) throw new ApiFailure({ code: 'not-found', message: `no run has the id ${JSON.stringify(runId)}` })
    return run
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
    this.save(record)
  }

  private configEnded(record: RunRecord, cr: ConfigRun, e: unknown): void {
    const cancelled = e instanceof JobError && (e.kind === 'cancelled' || e.kind === 'disposed')
    cr.status = cancelled ? (this.interrupting ? 'interrupted' : 'cancelled') : 'failed'
    if (!cancelled) cr.error = e instanceof Error ? e.message : String(e)
    record.status = overallStatus(record.configs)
    this.save(record)
    this.emit(cancelled
      ? { type: 'config-cancelled', runId: record.runId, config: cr.config }
      : { type: 'config-failed', runId: record.runId, config: cr.config, error: cr.error ?? 'failed' })
  }

  private async finish(record: RunRecord): Promise<RunRecord> {
    record.status = overallStatus(record.configs)
    await this.save(record)
    this.emit({ type: 'run-finished', runId: record.runId, status: record.status })
    return record
  }

  /** Writes the run's file as it is now, after any earlier write of it; never rejects. */
  private save(record: RunRecord): Promise<void> {
    if (!this.resultsDir) return Promise.resolve()
    const prev = this.writes.get(record.runId) ?? Promise.resolve()
    const next = prev.then(() => this.write(record)).catch((e: unknown) => {
      console.error(`kvmbench: could not save run ${record.runId}: ${(e as Error).message}`)
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
