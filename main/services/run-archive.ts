// Finished runs on disk: `<dir>/<runId>.json`, one file per run. Only their summaries are kept in memory;
// a run's results are read when it is asked for (runs.get, a report), and the last few read are cached.
// At most `keep` runs are kept: the oldest beyond it are deleted (the `--keep-runs` setting).
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ConfigRunStatus, RunRecord, RunSummary } from '../../core/api/protocol.ts'
import { RESULT_SCHEMA_VERSION } from '../../core/result.ts'
import { upgradeResultV1 } from '../../core/result-v1.ts'
import type { RunResultJson } from '../../core/result.ts'

/** What a results file holds: the CLI's RunResultJson plus the run's metadata. */
export interface RunFile extends RunResultJson {
  runId: string
  /** The workbench profile the run was started from (runs.start's profileKey), when it said. */
  profileKey?: string
  startedAt: string
  finishedAt: string
  seed: number
  status: ConfigRunStatus
  sourceProfile: unknown
  configs: { config: string; status: ConfigRunStatus; error?: string }[]
}

/** Runs kept on disk by default; older ones are deleted. */
export const DEFAULT_KEEP_RUNS = 200
/** Saved runs whose results are held in memory at once (the last ones read). */
const CACHED_RECORDS = 8

const ACTIVE: ConfigRunStatus[] = ['queued', 'running']

/** A run file as a record. A run written while active by a host that is gone (killed, crashed) was
 *  interrupted. Undefined for a file that is not one of ours. */
export function recordOfFile(file: RunFile): RunRecord | undefined {
  // a run saved before the results' version 2 is read in the current shape (the file stays as it is)
  const f = file?.schemaVersion === 1 && Array.isArray(file.results) ? { ...file, schemaVersion: RESULT_SCHEMA_VERSION, results: file.results.map(upgradeResultV1) } : file
  if (f.schemaVersion !== RESULT_SCHEMA_VERSION || typeof f.runId !== 'string' || !Array.isArray(f.configs) || !Array.isArray(f.results)) return undefined
  const stale = (s: ConfigRunStatus): ConfigRunStatus => (ACTIVE.includes(s) ? 'interrupted' : s)
  return {
    runId: f.runId, profileName: f.profile, ...(typeof f.profileKey === 'string' ? { profileKey: f.profileKey } : {}), profile: f.sourceProfile, seed: f.seed, startedAt: f.startedAt, status: stale(f.status),
    configs: f.configs.map((c) => {
      const result = f.results.find((r) => r.config === c.config)
      return { config: c.config, status: stale(c.status), fraction: c.status === 'done' ? 1 : 0, ...(c.error ? { error: c.error } : {}), ...(result ? { result } : {}) }
    }),
  }
}

export function summaryOf(r: RunRecord): RunSummary {
  return { runId: r.runId, profileName: r.profileName, ...(r.profileKey ? { profileKey: r.profileKey } : {}), startedAt: r.startedAt, status: r.status, configs: r.configs.map((c) => c.config) }
}

export class RunArchive {
  readonly dir: string
  readonly keep: number
  private readonly summaries = new Map<string, RunSummary>()
  private readonly cache = new Map<string, RunRecord>()

  constructor(dir: string, keep: number = DEFAULT_KEEP_RUNS) {
    this.dir = dir
    this.keep = Math.max(1, Math.floor(keep))
  }

  has(runId: string): boolean {
    return this.summaries.has(runId)
  }

  list(): RunSummary[] {
    return [...this.summaries.values()]
  }

  /** Reads the summaries of the saved runs (at startup), deleting the oldest beyond `keep`. */
  async scan(): Promise<number> {
    let names: string[]
    try {
      names = (await readdir(this.dir)).filter((n) => /^run-.*\.json$/.test(n)).sort()
    } catch {
      return 0
    }
    for (const name of names) {
      try {
        const r = recordOfFile(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as RunFile)
        if (r && `${r.runId}.json` === name) this.summaries.set(r.runId, summaryOf(r))
      } catch {
        // not a run file of ours
      }
    }
    await this.prune()
    return this.summaries.size
  }

  /** A finished run, now on disk: kept as a summary. */
  async add(r: RunRecord): Promise<void> {
    this.summaries.set(r.runId, summaryOf(r))
    await this.prune()
  }

  /** The saved run with its results, read from its file. */
  async read(runId: string): Promise<RunRecord | undefined> {
    if (!this.summaries.has(runId)) return undefined
    const hit = this.cache.get(runId)
    if (hit) {
      this.cache.delete(runId)
      this.cache.set(runId, hit)
      return hit
    }
    const r = recordOfFile(JSON.parse(await readFile(join(this.dir, `${runId}.json`), 'utf8')) as RunFile)
    if (!r) return undefined
    this.cache.set(runId, r)
    for (const old of this.cache.keys()) {
      if (this.cache.size <= CACHED_RECORDS) break
      this.cache.delete(old)
    }
    return r
  }

  /** Deletes the oldest runs beyond `keep` (run ids begin with their start time). */
  private async prune(): Promise<void> {
    const ids = [...this.summaries.keys()].sort()
    for (const id of ids.slice(0, Math.max(0, ids.length - this.keep))) {
      this.summaries.delete(id)
      this.cache.delete(id)
      await rm(join(this.dir, `${id}.json`), { force: true })
    }
  }
}
