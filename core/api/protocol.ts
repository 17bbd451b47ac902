// KvmbenchApi: the one typed API between the renderer and the services, the same over every host
// (Electron IPC through the preload, HTTP + WebSocket in the browser host). Every request and event
// has a schema here; hosts validate each payload with `parseRequest` before a service sees it.
import * as s from '../schema/schema.ts'
import type { Infer } from '../schema/schema.ts'
import type { ConfigResult } from '../result.ts'
import type { ReportSnapshot } from '../output/report-snapshot.ts'

export type { ReportSnapshot } from '../output/report-snapshot.ts'

/** Names an id may not have: every property of Object.prototype (`__proto__`, `constructor`, `toString`, …)
 *  and `prototype`. Stores keep ids in prototype-less maps anyway; refusing these keeps a saved id usable
 *  as a key in any JSON tool. */
export const RESERVED_IDS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype'])

/** Why `id` cannot be an id, or undefined. */
export function reservedIdProblem(id: string): { message: string; fix: string } | undefined {
  return RESERVED_IDS.has(id) ? { message: 'is a reserved name (a property of every JavaScript object)', fix: 'choose another id, or leave it out and the service picks one' } : undefined
}

const id = s.refine(s.string({ maxLength: 128, pattern: /^[A-Za-z0-9_.:-]+$/, patternHint: 'an id as returned by the API' }), reservedIdProblem)
const profileJson = s.unknownValue({ description: 'A bench profile (validated by the profile service).' })
/** Which profile of the workbench a run or draft belongs to: `saved:<id>`, `example:<name>`, `file:<name>`,
 *  `machine:<name>` or `new:<name>` (runs are kept per profile, not per profile name). */
const profileKey = s.string({ maxLength: 300, pattern: /^(saved|example|file|machine|new):\S/, patternHint: 'a workbench profile key such as saved:ID or example:NAME' })
const workbenchSource = s.object({
  kind: s.oneOf(['example', 'saved', 'file', 'machine', 'new'] as const),
  name: s.optional(s.string({ maxLength: 128 })),
  id: s.optional(id),
})
const configName = s.string({ maxLength: 64, description: 'A configuration name of the run.' })

export const requestSchemas = {
  'app.info': s.object({}),
  'examples.list': s.object({}),
  'examples.get': s.object({ name: s.string({ maxLength: 128, pattern: /^[A-Za-z0-9_.-]+$/, patternHint: 'an example name from examples.list' }) }),
  'profiles.list': s.object({}),
  'profiles.get': s.object({ id }),
  'profiles.save': s.object({
    id: s.optional(id),
    name: s.string({ maxLength: 128, pattern: /\S/, patternHint: 'give the profile a name' }),
    description: s.string({ default: '', maxLength: 16384 }),
    tags: s.array(s.string({ maxLength: 64 }), { default: [], maxItems: 64 }),
    profile: profileJson,
  }),
  'profiles.remove': s.object({ id }),
  'profiles.validate': s.object({ profile: profileJson }),
  'runs.start': s.object({
    profile: profileJson,
    configs: s.optional(s.array(s.string({ maxLength: 64 }), { maxItems: 64 })),
    seed: s.optional(s.integer({ min: 0, max: 2 ** 32 - 1 })),
    durationSec: s.optional(s.number({ min: 0.001, max: 3600 })),
    profileKey: s.optional(profileKey),
  }),
  'runs.cancel': s.object({ runId: id }),
  'runs.get': s.object({ runId: id }),
  'runs.list': s.object({}),
  // The profile library (issue 6): save as, rename, duplicate, the trash (undo of remove), .json files.
  'profiles.saveAs': s.object({
    name: s.string({ maxLength: 128, pattern: /\S/, patternHint: 'give the profile a name' }),
    description: s.string({ default: '', maxLength: 16384 }),
    tags: s.array(s.string({ maxLength: 64 }), { default: [], maxItems: 64 }),
    profile: profileJson,
  }),
  'profiles.rename': s.object({ id, name: s.string({ maxLength: 128, pattern: /\S/, patternHint: 'give the profile a name' }) }),
  'profiles.duplicate': s.object({ id, name: s.optional(s.string({ maxLength: 128, pattern: /\S/, patternHint: 'give the copy a name' })) }),
  'profiles.deleted': s.object({}),
  'profiles.restore': s.object({ id }),
  'profiles.purge': s.object({ id }),
  'profiles.export': s.object({ id }),
  'profiles.import': s.object({
    json: s.string({ maxLength: 2 * 1024 * 1024, description: 'The text of a .json file: a profile export, or a bare bench profile.' }),
    name: s.optional(s.string({ maxLength: 128, pattern: /\S/, patternHint: 'give the profile a name' })),
  }),
  'profiles.storeReport': s.object({}),
  // The PDF report of a finished run: a read-only frozen snapshot, and the printed PDF.
  // `baseline`: the configuration the UI compares with (its pinned baseline); default the first one.
  'reports.snapshot': s.object({ runId: id, baseline: s.optional(configName) }),
  'reports.pdf': s.object({ runId: id, pageSize: s.oneOf(['A4', 'Letter'] as const, { default: 'A4' }), baseline: s.optional(configName) }),
  // The workbench's own state (issue 16): unsaved profiles kept as drafts, and the last profile, run and
  // baseline, in the host's store (electron-store in the app, a conf file in the browser host).
  'workbench.state': s.object({}),
  'workbench.saveDraft': s.object({ key: profileKey, title: s.string({ maxLength: 128 }), source: workbenchSource, json: profileJson }),
  'workbench.dropDraft': s.object({ key: profileKey }),
  'workbench.remember': s.object({
    profile: s.optional(s.object({ key: profileKey, title: s.string({ maxLength: 128 }), source: workbenchSource })),
    runId: s.optional(id),
    baseline: s.optional(s.object({ runId: id, config: s.optional(configName) })),
  }),
  // Sweeps in the app (issue 19 item 3): the open profile's configuration with axes × seeds, run on the
  // services' worker pool; the points stay in memory for the session (docs/sweep.md, "In the app").
  'sweeps.start': s.object({
    profile: profileJson,
    configuration: s.optional(configName),
    axes: s.array(s.object({
      path: s.string({ maxLength: 300, description: 'A field of the resolved configuration, e.g. host.kvm.haltPoll.haltPollNs or vms[0].kvm.disableExits.hlt.' }),
      values: s.array(s.unknownValue({ description: 'A value the field accepts.' }), { minItems: 1, maxItems: 64 }),
      label: s.optional(s.string({ maxLength: 128 })),
    }), { minItems: 1, maxItems: 16 }),
    seeds: s.optional(s.array(s.integer({ min: 0, max: 2 ** 32 - 1 }), { minItems: 1, maxItems: 32 })),
    metrics: s.optional(s.array(s.string({ maxLength: 300 }), { minItems: 1, maxItems: 64 })),
    profileKey: s.optional(profileKey),
  }),
  'sweeps.cancel': s.object({ sweepId: id }),
  'sweeps.get': s.object({ sweepId: id }),
  // "Start from this machine" (issue 15): the host process reads the machine it runs on into a profile draft.
  'machine.read': s.object({
    vcpus: s.optional(s.integer({ min: 1, max: 1024, description: 'Add a starter VM with this many vCPUs, pinned to free isolated CPUs of one NUMA node.' })),
  }),
} as const

export type Channel = keyof typeof requestSchemas
export type RequestOf<C extends Channel> = Infer<(typeof requestSchemas)[C]>

export interface AppInfo { version: string; host: 'electron' | 'browser'; workers: number }
export interface ExampleSummary { name: string; title: string; summary: string }
export interface ProfileSummary { id: string; name: string; description: string; tags: string[]; createdAt: string; updatedAt: string }
export interface StoredProfile extends ProfileSummary { profile: unknown }
export interface DeletedProfileSummary extends ProfileSummary { deletedAt: string }
/** The text of a profile's .json export file (`kvmbenchProfileExport` 1 + metadata + profile). */
export interface ProfileExportFile { fileName: string; json: string }
export interface ProfileImportResult { profile: StoredProfile; migrated: string[] }
/** A repair of the profile store file: what was wrong, where the original was kept, what was recovered. */
export interface ProfileStoreReport {
  file: string
  at: string
  keptAside?: string
  backup?: string
  problems: { path: string; message: string }[]
  migrated: string[]
  recovered: number
  lost: string[]
}
export interface ReportPdf { fileName: string; pageSize: 'A4' | 'Letter'; pdfBase64: string }
/** What "from this machine" read: the profile draft (valid once it has a VM), and the report beside it. */
export interface ThisMachineResult {
  profile: { schemaVersion: number; name: string; description: string; host: Record<string, unknown>; vms: Record<string, unknown>[]; configurations: unknown[] }
  report: {
    read: { item: string; value: string }[]
    /** What could not be read, and why (missing, permission denied, not a KVM host, …). */
    notRead: { item: string; reason: string }[]
    /** The cost preset the CPU model maps to, and why. */
    preset: { name: string; reason: string }
  }
}
export interface ValidationIssue { path: string; value: string; message: string; fix: string }
export interface ValidationResult { ok: boolean; issues: ValidationIssue[] }

/** `interrupted`: the host stopped (SIGTERM, SIGINT, app quit, a crash) before it finished; what had
 *  finished is kept. */
export type ConfigRunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted'
export interface ConfigRun { config: string; status: ConfigRunStatus; fraction: number; error?: string; result?: ConfigResult }
export interface RunRecord { runId: string; profileName: string; profileKey?: string; profile: unknown; seed: number; startedAt: string; status: ConfigRunStatus; configs: ConfigRun[] }
export interface RunSummary { runId: string; profileName: string; profileKey?: string; startedAt: string; status: ConfigRunStatus; configs: string[] }
export type WorkbenchSource = RequestOf<'workbench.saveDraft'>['source']
/** An unsaved profile kept by the host so that a reload or a crash loses nothing. */
export interface WorkbenchDraft { key: string; title: string; source: WorkbenchSource; json: unknown; savedAt: string }
/** What the workbench comes back to on start. */
export interface WorkbenchState {
  profile?: { key: string; title: string; source: WorkbenchSource }
  runId?: string
  baseline?: { runId: string; config?: string }
  drafts: WorkbenchDraft[]
}

export type SweepStatus = 'running' | 'done' | 'cancelled' | 'failed'
/** One finished point of a sweep: its grid index, each axis's value (by path), its seed and its metrics,
 *  or the error of its run. */
export interface SweepPointLine { key: string; index: number; values: Record<string, unknown>; seed: number; metrics?: Record<string, number | null>; error?: string }
export interface SweepAxisInfo { path: string; label: string; values: unknown[] }
export interface SweepRecord {
  sweepId: string
  profileName: string
  profileKey?: string
  configuration: string
  axes: SweepAxisInfo[]
  seeds: number[]
  metrics: string[]
  total: number
  startedAt: string
  status: SweepStatus
  error?: string
  points: SweepPointLine[]
}

export interface ResponseMap {
  'app.info': AppInfo
  'examples.list': ExampleSummary[]
  'examples.get': { name: string; profile: unknown }
  'profiles.list': ProfileSummary[]
  'profiles.get': StoredProfile
  'profiles.save': StoredProfile
  'profiles.remove': { removed: boolean }
  'profiles.validate': ValidationResult
  'runs.start': { runId: string; configs: string[] }
  'runs.cancel': { cancelled: boolean }
  'runs.get': RunRecord
  'runs.list': RunSummary[]
  'profiles.saveAs': StoredProfile
  'profiles.rename': StoredProfile
  'profiles.duplicate': StoredProfile
  'profiles.deleted': DeletedProfileSummary[]
  'profiles.restore': StoredProfile
  'profiles.purge': { purged: boolean }
  'profiles.export': ProfileExportFile
  'profiles.import': ProfileImportResult
  'profiles.storeReport': ProfileStoreReport[]
  'reports.snapshot': ReportSnapshot
  'reports.pdf': ReportPdf
  'machine.read': ThisMachineResult
  'workbench.state': WorkbenchState
  'workbench.saveDraft': { savedAt: string }
  'workbench.dropDraft': { dropped: boolean }
  'workbench.remember': { ok: true }
  'sweeps.start': Omit<SweepRecord, 'points'>
  'sweeps.cancel': { cancelled: boolean }
  'sweeps.get': SweepRecord
}

/** Events pushed from services to the renderer. */
export type RunEvent =
  | { type: 'progress'; runId: string; config: string; fraction: number }
  | { type: 'config-done'; runId: string; config: string; result: ConfigResult }
  | { type: 'config-failed'; runId: string; config: string; error: string }
  | { type: 'config-cancelled'; runId: string; config: string }
  | { type: 'run-finished'; runId: string; status: ConfigRunStatus }
  | SweepEvent

/** A sweep's progress, pushed on the same event stream as runs (they carry sweepId, not runId). */
export type SweepEvent =
  | { type: 'sweep-point'; sweepId: string; point: SweepPointLine; done: number; total: number; etaSec: number | null }
  | { type: 'sweep-finished'; sweepId: string; status: SweepStatus; done: number; total: number; error?: string }

export const EVENT_CHANNEL = 'runs.event'

/** An error a service returns to the caller: a message a user can act on. */
export interface ApiError { code: 'bad-request' | 'not-found' | 'failed' | 'forbidden'; message: string; issues?: ValidationIssue[] }

export class ApiFailure extends Error {
  readonly error: ApiError
  constructor(error: ApiError) {
    super(error.message)
    this.error = error
  }
}

export function isChannel(c: unknown): c is Channel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, c)
}

/** Validates a request payload for a channel; throws ApiFailure('bad-request') naming the fields. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): RequestOf<C> {
  const r = s.parse(requestSchemas[channel], payload ?? {})
  if (!r.ok) {
    throw new ApiFailure({ code: 'bad-request', message: `${channel}: ${r.issues.map(s.formatIssue).join('; ')}`, issues: r.issues })
  }
  return r.value as RequestOf<C>
}

/** The API as the renderer sees it: one method per message, grouped by domain. */
export interface KvmbenchApi {
  app: { info(): Promise<AppInfo> }
  examples: {
    list(): Promise<ExampleSummary[]>
    get(req: RequestOf<'examples.get'>): Promise<ResponseMap['examples.get']>
  }
  profiles: {
    list(): Promise<ProfileSummary[]>
    get(req: RequestOf<'profiles.get'>): Promise<StoredProfile>
    save(req: RequestOf<'profiles.save'>): Promise<StoredProfile>
    remove(req: RequestOf<'profiles.remove'>): Promise<ResponseMap['profiles.remove']>
    validate(req: RequestOf<'profiles.validate'>): Promise<ValidationResult>
    /** Saves under a new id (the original stays). */
    saveAs(req: RequestOf<'profiles.saveAs'>): Promise<StoredProfile>
    rename(req: RequestOf<'profiles.rename'>): Promise<StoredProfile>
    /** Copies a profile; the copy is named "NAME (copy)" unless a name is given. */
    duplicate(req: RequestOf<'profiles.duplicate'>): Promise<StoredProfile>
    /** Profiles in the trash (removed, restorable), most recent first. */
    deleted(): Promise<DeletedProfileSummary[]>
    /** Undo of remove: takes a profile out of the trash. */
    restore(req: RequestOf<'profiles.restore'>): Promise<StoredProfile>
    /** Deletes a profile in the trash for good. */
    purge(req: RequestOf<'profiles.purge'>): Promise<ResponseMap['profiles.purge']>
    /** The .json file text of a saved profile, and a file name for it. */
    export(req: RequestOf<'profiles.export'>): Promise<ProfileExportFile>
    /** Saves the profile in a .json file's text (an export, or a bare profile; older formats are migrated). */
    import(req: RequestOf<'profiles.import'>): Promise<ProfileImportResult>
    /** Repairs of the store file (corrupted or hand-edited) since the host started. */
    storeReport(): Promise<ProfileStoreReport[]>
  }
  runs: {
    start(req: RequestOf<'runs.start'>): Promise<ResponseMap['runs.start']>
    cancel(req: RequestOf<'runs.cancel'>): Promise<ResponseMap['runs.cancel']>
    get(req: RequestOf<'runs.get'>): Promise<RunRecord>
    list(): Promise<RunSummary[]>
    /** Subscribes to run events; returns the unsubscribe function. Callbacks receive data only. */
    onEvent(cb: (e: RunEvent) => void): () => void
  }
  reports: {
    /** The frozen report of a finished run (what the report page renders). Read-only. */
    snapshot(req: RequestOf<'reports.snapshot'>): Promise<ReportSnapshot>
    /** The report printed as a PDF (A4 or Letter), base64. */
    pdf(req: RequestOf<'reports.pdf'>): Promise<ReportPdf>
  }
  machine: {
    /** Reads the machine the host runs on into a profile draft, with what was read and what was not. */
    read(req?: RequestOf<'machine.read'>): Promise<ThisMachineResult>
  }
  sweeps: {
    /** Checks and starts a sweep (refused with the field, value and fix, as `kvmbench sweep`). */
    start(req: RequestOf<'sweeps.start'>): Promise<ResponseMap['sweeps.start']>
    /** Stops the sweep's points; the finished ones are kept. */
    cancel(req: RequestOf<'sweeps.cancel'>): Promise<ResponseMap['sweeps.cancel']>
    get(req: RequestOf<'sweeps.get'>): Promise<SweepRecord>
    /** Subscribes to sweep events; returns the unsubscribe function. */
    onEvent(cb: (e: SweepEvent) => void): () => void
  }
  workbench: {
    /** The drafts and the last profile, run and baseline. */
    state(): Promise<WorkbenchState>
    /** Keeps an unsaved profile (replaces the draft of the same key). */
    saveDraft(req: RequestOf<'workbench.saveDraft'>): Promise<ResponseMap['workbench.saveDraft']>
    dropDraft(req: RequestOf<'workbench.dropDraft'>): Promise<ResponseMap['workbench.dropDraft']>
    /** Remembers the open profile, run and baseline (what comes back on start). */
    remember(req: RequestOf<'workbench.remember'>): Promise<ResponseMap['workbench.remember']>
  }
}

/** Builds the grouped API from a transport's `invoke` and `subscribe`: used by the preload and the browser client. */
export function buildApi(
  invoke: <C extends Channel>(channel: C, payload: RequestOf<C> | Record<string, never>) => Promise<ResponseMap[C]>,
  subscribe: (cb: (e: RunEvent) => void) => () => void,
): KvmbenchApi {
  return {
    app: { info: () => invoke('app.info', {}) },
    examples: { list: () => invoke('examples.list', {}), get: (r) => invoke('examples.get', r) },
    profiles: {
      list: () => invoke('profiles.list', {}),
      get: (r) => invoke('profiles.get', r),
      save: (r) => invoke('profiles.save', r),
      remove: (r) => invoke('profiles.remove', r),
      validate: (r) => invoke('profiles.validate', r),
      saveAs: (r) => invoke('profiles.saveAs', r),
      rename: (r) => invoke('profiles.rename', r),
      duplicate: (r) => invoke('profiles.duplicate', r),
      deleted: () => invoke('profiles.deleted', {}),
      restore: (r) => invoke('profiles.restore', r),
      purge: (r) => invoke('profiles.purge', r),
      export: (r) => invoke('profiles.export', r),
      import: (r) => invoke('profiles.import', r),
      storeReport: () => invoke('profiles.storeReport', {}),
    },
    runs: {
      start: (r) => invoke('runs.start', r),
      cancel: (r) => invoke('runs.cancel', r),
      get: (r) => invoke('runs.get', r),
      list: () => invoke('runs.list', {}),
      onEvent: subscribe,
    },
    reports: {
      snapshot: (r) => invoke('reports.snapshot', r),
      pdf: (r) => invoke('reports.pdf', r),
    },
    machine: { read: (r) => invoke('machine.read', r ?? {}) },
    sweeps: {
      start: (r) => invoke('sweeps.start', r),
      cancel: (r) => invoke('sweeps.cancel', r),
      get: (r) => invoke('sweeps.get', r),
      onEvent: (cb) => subscribe((e) => { if (e.type === 'sweep-point' || e.type === 'sweep-finished') cb(e) }),
    },
    workbench: {
      state: () => invoke('workbench.state', {}),
      saveDraft: (r) => invoke('workbench.saveDraft', r),
      dropDraft: (r) => invoke('workbench.dropDraft', r),
      remember: (r) => invoke('workbench.remember', r),
    },
  }
}
