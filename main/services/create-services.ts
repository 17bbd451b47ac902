// The services behind KvmbenchApi, wired the same way in every host; only the adapters passed in differ
// (worker launcher, profile repository, directories).
import type { AppInfo, RunEvent } from '../../core/api/protocol.ts'
import type { ProcessLauncher } from '../worker/launcher.ts'
import { WorkerPool } from '../worker/pool.ts'
import { createApiRouter } from './api-router.ts'
import type { ApiRouter } from './api-router.ts'
import { ExamplesService } from './examples-service.ts'
import type { ProfileRepository } from './profile-repository.ts'
import { ProfileService } from './profile-service.ts'
import { ReportService } from './report-service.ts'
import type { ReportPrinter } from './report-service.ts'
import { RunService } from './run-service.ts'
import { SweepService } from './sweep-service.ts'
import { readThisMachine } from './this-machine/this-machine.ts'
import { WorkbenchStateService, memoryStore } from './workbench-state-service.ts'
import type { KeyValueStore } from './workbench-state-service.ts'

export interface ServicesOptions {
  host: AppInfo['host']
  version: string
  launcher: ProcessLauncher
  /** Pool size; default one worker per core. */
  workers?: number
  /** Start every worker now (WorkerPool prestart) rather than at the first run (default false). An app host
   *  sets it: starting a worker (Node, then loading and compiling the core, several threads at once) takes the
   *  CPUs for a second or more, and lazily that happened just as a run began and its user went on editing. */
  prestartWorkers?: boolean
  repository: ProfileRepository
  /** Finished runs are written here, one JSON file per run. */
  resultsDir: string
  /** Finished runs kept; older ones are deleted (default DEFAULT_KEEP_RUNS, 200). */
  keepRuns?: number
  examplesDir: string
  /** Where machine.read finds this machine's /sys, /proc, /boot, /etc and /run (default "/"). */
  machineRoot?: string
  /** Prints PDF reports (reports.pdf); without one, reports.pdf answers that this host cannot print. */
  printer?: ReportPrinter
  /** Where the workbench keeps drafts and its last profile, run and baseline (default: in memory). */
  workbenchStore?: KeyValueStore
}

export interface Services {
  readonly router: ApiRouter
  readonly pool: WorkerPool
  readonly runs: RunService
  readonly sweeps: SweepService
  readonly profiles: ProfileService
  readonly examples: ExamplesService
  readonly reports: ReportService
  readonly workbench: WorkbenchStateService
  onEvent(cb: (e: RunEvent) => void): () => void
  /** For a shutdown: active runs are cancelled and written as "interrupted" with what finished, then
   *  every worker is killed. */
  dispose(): Promise<void>
}

export function createServices(o: ServicesOptions): Services {
  const pool = new WorkerPool(o.launcher, { prestart: o.prestartWorkers ?? false, ...(o.workers !== undefined ? { size: o.workers } : {}) })
  const runs = new RunService({ pool, resultsDir: o.resultsDir, ...(o.keepRuns !== undefined ? { keepRuns: o.keepRuns } : {}) })
  const sweeps = new SweepService({ pool })
  const profiles = new ProfileService(o.repository)
  const examples = new ExamplesService(o.examplesDir)
  const reports = new ReportService({ runs, version: o.version, ...(o.printer ? { printer: o.printer } : {}) })
  const workbench = new WorkbenchStateService(o.workbenchStore ?? memoryStore())
  const router = createApiRouter({
    'app.info': () => ({ version: o.version, host: o.host, workers: pool.size }),
    'examples.list': () => examples.list(),
    'examples.get': (r) => examples.get(r),
    'profiles.list': () => profiles.list(),
    'profiles.get': (r) => profiles.get(r),
    'profiles.save': (r) => profiles.save(r),
    'profiles.remove': (r) => profiles.remove(r),
    'profiles.validate': (r) => profiles.validate(r),
    'runs.start': (r) => runs.start(r),
    'runs.cancel': (r) => runs.cancel(r),
    'runs.get': (r) => runs.get(r),
    'runs.list': () => runs.list(),
    'sweeps.start': (r) => sweeps.start(r),
    'sweeps.cancel': (r) => sweeps.cancel(r),
    'sweeps.get': (r) => sweeps.get(r),
    'profiles.saveAs': (r) => profiles.saveAs(r),
    'profiles.rename': (r) => profiles.rename(r),
    'profiles.duplicate': (r) => profiles.duplicate(r),
    'profiles.deleted': () => profiles.deleted(),
    'profiles.restore': (r) => profiles.restore(r),
    'profiles.purge': (r) => profiles.purge(r),
    'profiles.export': (r) => profiles.export(r),
    'profiles.import': (r) => profiles.import(r),
    'profiles.storeReport': () => profiles.storeReport(),
    'reports.snapshot': (r) => reports.snapshot(r),
    'reports.pdf': (r) => reports.pdf(r),
    'workbench.state': () => workbench.state(),
    'workbench.saveDraft': (r) => workbench.saveDraft(r),
    'workbench.dropDraft': (r) => workbench.dropDraft(r),
    'workbench.remember': (r) => workbench.remember(r),
    'machine.read': (r) => readThisMachine({ ...(o.machineRoot !== undefined ? { root: o.machineRoot } : {}), ...(r.vcpus !== undefined ? { vcpus: r.vcpus } : {}) }),
  })
  return {
    router, pool, runs, sweeps, profiles, examples, reports, workbench,
    onEvent: (cb) => { const offRuns = runs.onEvent(cb); const offSweeps = sweeps.onEvent(cb); return () => { offRuns(); offSweeps() } },
    dispose: async () => { await Promise.all([runs.interrupt(), sweeps.interrupt()]); await Promise.all([pool.dispose(), reports.dispose()]) },
  }
}
