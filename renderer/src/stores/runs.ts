// Runs: started through the API, advanced by the run events (progress, done, failed, cancelled), with a
// baseline (the first configuration of the current run, or a configuration pinned from any run). Runs
// belong to a profile by its key (saved:ID, example:NAME…, see lib/profile-key.ts), never by its name:
// the current run, the pinned baseline and the run settings are kept per profile, and the workbench shows
// only the open profile's.
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, markRaw, ref } from 'vue'
import type { ConfigRun, ConfigRunStatus, RunEvent, RunRecord, RunSummary } from '../../../core/api/protocol.ts'
import type { ConfigResult } from '../../../core/result.ts'
import { onReconnect, useApi } from '../api/index.ts'

export interface RunState {
  runId: string
  profileName: string
  /** The profile the run was started from (undefined for runs of older versions). */
  profileKey?: string
  startedAt: string
  status: ConfigRunStatus
  configs: ConfigRun[]
}

/** A pinned baseline: one configuration of a run, or a whole run (each configuration compares with its namesake). */
export interface BaselineRef { runId: string; config?: string }

const FINAL: readonly ConfigRunStatus[] = ['done', 'failed', 'cancelled', 'interrupted']

/**
 * How often a running configuration's progress bar moves, at most. Workers send progress up to 10 times a
 * second each; applied one by one, every event re-rendered the run's components and painted a frame, so
 * the page drew ~20 frames a second for the whole run and a click on the grid waited behind them. The
 * newest fraction of each configuration is kept and applied once per interval, together; the first
 * progress (queued → running) and every other event still apply at once.
 */
export const PROGRESS_INTERVAL_MS = 250

export function isFinal(s: ConfigRunStatus): boolean {
  return FINAL.includes(s)
}

/** The status of a whole run from its configurations' statuses. */
export function runStatusOf(configs: readonly ConfigRun[]): ConfigRunStatus {
  if (configs.some((c) => !isFinal(c.status))) return configs.some((c) => c.status === 'running') ? 'running' : 'queued'
  if (configs.some((c) => c.status === 'failed')) return 'failed'
  if (configs.some((c) => c.status === 'cancelled')) return 'cancelled'
  return 'done'
}

export const useRunsStore = defineStore('runs', () => {
  /** Every run of this session, by id. */
  const runs = ref<Record<string, RunState>>({})
  /** Run ids, newest first. */
  const order = ref<string[]>([])
  /** The open profile's key: what `currentRunId`, `pinnedBaseline` and the run settings belong to. */
  const activeKey = ref<string>('')
  /** Per profile key: the run shown, and the pinned baseline. */
  const currentByKey = ref<Record<string, string>>({})
  const baselineByKey = ref<Record<string, BaselineRef>>({})
  /** The run shown in the workbench and results (the open profile's). */
  const currentRunId = computed<string | undefined>({
    get: () => currentByKey.value[activeKey.value],
    set: (id) => {
      const next = { ...currentByKey.value }
      if (id === undefined) delete next[activeKey.value]
      else next[activeKey.value] = id
      currentByKey.value = next
    },
  })
  /** A pinned baseline; when unset, the current run's first configuration is the baseline. */
  const pinnedBaseline = computed<BaselineRef | undefined>({
    get: () => baselineByKey.value[activeKey.value],
    set: (b) => {
      const next = { ...baselineByKey.value }
      if (b === undefined) delete next[activeKey.value]
      else next[activeKey.value] = b
      baselineByKey.value = next
    },
  })
  /** The last error starting or cancelling a run. */
  const error = ref<string | undefined>(undefined)
  const starting = ref(false)

  /** Events that arrived before runs.start answered with their run id. */
  const early = new Map<string, RunEvent[]>()
  /** Progress not shown yet, by run id then configuration: the newest fraction (see PROGRESS_INTERVAL_MS). */
  const pendingProgress = new Map<string, Map<string, number>>()
  let progressTimer: ReturnType<typeof setTimeout> | undefined
  let unsubscribe: (() => void) | undefined

  const current = computed(() => (currentRunId.value ? runs.value[currentRunId.value] : undefined))
  const isRunning = computed(() => starting.value || (current.value !== undefined && !isFinal(current.value.status)))
  /** Results of the current run, in configuration order. */
  const results = computed<ConfigResult[]>(() => (current.value?.configs ?? []).flatMap((c) => (c.result ? [c.result] : [])))
  /** Runs of earlier sessions kept by the services (runs.list), not loaded yet. */
  const allHistory = ref<RunSummary[]>([])
  /** Whether a run belongs to the open profile (runs of older versions, without a key, by name). */
  function ownRun(r: { profileKey?: string; profileName: string }, key = activeKey.value, name = activeName.value): boolean {
    return r.profileKey !== undefined ? r.profileKey === key : r.profileName === name
  }
  const activeName = ref('')
  /** The open profile's kept runs, not loaded yet. */
  const history = computed(() => allHistory.value.filter((r) => ownRun(r) && !runs.value[r.runId]))
  /** The open profile's runs of this session, newest first. */
  const ownOrder = computed(() => order.value.filter((id) => { const r = runs.value[id]; return r !== undefined && ownRun(r) }))

  function resultOf(runId: string, config: string): ConfigResult | undefined {
    return runs.value[runId]?.configs.find((c) => c.config === config)?.result
  }

  /** The single baseline, when there is one: a pinned configuration, or the current run's first. */
  const baseline = computed<ConfigResult | undefined>(() => {
    const b = pinnedBaseline.value
    if (b?.config) return resultOf(b.runId, b.config)
    if (b && b.runId !== currentRunId.value) return undefined
    return results.value[0]
  })

  /** The baseline of one result: the pinned configuration, the namesake in a pinned run, or the first configuration. */
  function baselineFor(r: ConfigResult): ConfigResult | undefined {
    const b = pinnedBaseline.value
    if (b && !b.config && b.runId !== currentRunId.value) {
      const run = runs.value[b.runId]
      return resultOf(b.runId, r.config) ?? run?.configs.find((c) => c.result)?.result
    }
    return baseline.value
  }

  const baselineLabel = computed(() => {
    const b = pinnedBaseline.value
    if (b?.config) return b.runId === currentRunId.value ? `${b.config} (pinned)` : `${b.config} of run ${shortId(b.runId)} (pinned)`
    if (b && b.runId !== currentRunId.value) return `run ${shortId(b.runId)}, same configuration (pinned)`
    return results.value[0] ? `${results.value[0].config} (first configuration)` : ''
  })

  function shortId(id: string): string {
    return id.length > 8 ? id.slice(-6) : id
  }

  /** Subscribes to run events once. */
  function connect(): void {
    if (unsubscribe) return
    const offEvents = useApi().runs.onEvent((e) => applyEvent(e))
    // Events sent while the stream was down are lost: re-read the runs still going.
    const offReconnect = onReconnect(() => {
      for (const r of Object.values(runs.value)) if (!isFinal(r.status)) void sync(r.runId)
    })
    unsubscribe = () => {
      offEvents()
      offReconnect()
    }
  }

  function disconnect(): void {
    unsubscribe?.()
    unsubscribe = undefined
  }

  function configOf(run: RunState, name: string): ConfigRun {
    let c = run.configs.find((x) => x.config === name)
    if (!c) {
      c = { config: name, status: 'queued', fraction: 0 }
      run.configs.push(c)
      c = run.configs[run.configs.length - 1] as ConfigRun
    }
    return c
  }

  /** Applies one run event to the run it names. */
  function applyEvent(e: RunEvent): void {
    if (!('runId' in e)) return // a sweep's event (stores/sweeps.ts)
    const run = runs.value[e.runId]
    if (!run) {
      const list = early.get(e.runId) ?? []
      list.push(e)
      early.set(e.runId, list)
      return
    }
    if (e.type === 'run-finished') {
      pendingProgress.delete(e.runId)
      for (const c of run.configs) if (!isFinal(c.status)) c.status = e.status === 'cancelled' ? 'cancelled' : e.status
      run.status = e.status
      return
    }
    const c = configOf(run, e.config)
    if (isFinal(c.status) && e.type === 'progress') return
    if (e.type === 'progress' && c.status === 'running') {
      deferProgress(e.runId, e.config, e.fraction)
      return
    }
    pendingProgress.get(e.runId)?.delete(e.config)
    switch (e.type) {
      case 'progress':
        c.status = 'running'
        c.fraction = Math.max(c.fraction, Math.min(1, e.fraction))
        break
      case 'config-done':
        c.status = 'done'
        c.fraction = 1
        c.result = markRaw(e.result)
        break
      case 'config-failed':
        c.status = 'failed'
        c.error = e.error
        break
      case 'config-cancelled':
        c.status = 'cancelled'
        break
    }
    run.status = runStatusOf(run.configs)
  }

  /** Keeps a running configuration's newest fraction until the next flush (one per PROGRESS_INTERVAL_MS). */
  function deferProgress(runId: string, config: string, fraction: number): void {
    let byConfig = pendingProgress.get(runId)
    if (!byConfig) pendingProgress.set(runId, (byConfig = new Map()))
    byConfig.set(config, Math.max(byConfig.get(config) ?? 0, fraction))
    progressTimer ??= setTimeout(flushProgress, PROGRESS_INTERVAL_MS)
  }

  /** Applies the kept fractions of every run at once: one update of the components, one frame. */
  function flushProgress(): void {
    progressTimer = undefined
    for (const [runId, byConfig] of pendingProgress) {
      const run = runs.value[runId]
      for (const [config, fraction] of byConfig) {
        const c = run?.configs.find((x) => x.config === config)
        if (c && !isFinal(c.status)) c.fraction = Math.max(c.fraction, Math.min(1, fraction))
      }
    }
    pendingProgress.clear()
  }

  /** Adds (or replaces) a run from a RunRecord, e.g. after runs.get. */
  function upsert(rec: RunRecord | RunState): void {
    const configs = rec.configs.map((c) => ({ ...c, result: c.result ? markRaw(c.result) : undefined }))
    const existing = runs.value[rec.runId]
    if (existing) {
      // keep what events already told us when it is further along
      for (const c of configs) {
        const old = existing.configs.find((x) => x.config === c.config)
        if (old && isFinal(old.status) && !isFinal(c.status)) Object.assign(c, old)
      }
    } else {
      order.value = [rec.runId, ...order.value]
    }
    runs.value[rec.runId] = { runId: rec.runId, profileName: rec.profileName, ...(rec.profileKey ? { profileKey: rec.profileKey } : {}), startedAt: rec.startedAt, status: runStatusOf(configs), configs }
    order.value = [...order.value].sort((a, b) => (runs.value[b]?.startedAt ?? '').localeCompare(runs.value[a]?.startedAt ?? ''))
  }

  /** Run settings that override the profile's for the next runs (virtual seconds, seed). */
  const durationSec = ref<number | undefined>(undefined)
  const seed = ref<number | undefined>(undefined)
  /** Why the typed run settings are not valid (RunControls checks them as they are typed); no run starts meanwhile. */
  const settingProblem = ref<string | undefined>(undefined)

  /** Starts a run of `configs` (all when omitted) of the given profile JSON. */
  async function start(profile: unknown, profileName: string, configs?: string[]): Promise<string | undefined> {
    connect()
    error.value = undefined
    if (settingProblem.value) {
      error.value = `Fix the run settings first: ${settingProblem.value}`
      return undefined
    }
    starting.value = true
    try {
      const key = activeKey.value || undefined
      const r = await useApi().runs.start({ profile, configs, seed: seed.value, durationSec: durationSec.value, ...(key ? { profileKey: key } : {}) })
      upsert({ runId: r.runId, profileName, ...(key ? { profileKey: key } : {}), startedAt: new Date().toISOString(), status: 'queued', configs: r.configs.map((config) => ({ config, status: 'queued', fraction: 0 })) })
      currentRunId.value = r.runId
      for (const e of early.get(r.runId) ?? []) applyEvent(e)
      early.delete(r.runId)
      return r.runId
    } catch (e) {
      error.value = (e as Error).message
      return undefined
    } finally {
      starting.value = false
    }
  }

  /** Cancels the current run (or the given one); the workers stop and the configurations turn cancelled. */
  async function cancel(runId = currentRunId.value): Promise<void> {
    if (!runId) return
    const run = runs.value[runId]
    if (!run || isFinal(run.status)) return
    try {
      await useApi().runs.cancel({ runId })
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Re-reads a run from the services (after a reconnect, say). */
  async function sync(runId: string): Promise<void> {
    try {
      upsert(await useApi().runs.get({ runId }))
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  function select(runId: string): void {
    if (runs.value[runId]) currentRunId.value = runId
  }

  /** Switches to another profile's runs: its current run and baseline (kept per profile), and none of the
   *  last profile's error or run settings. Without a run of this session, its newest kept run is loaded. */
  async function useProfile(key: string, name: string): Promise<void> {
    if (key === activeKey.value && name === activeName.value) return
    activeKey.value = key
    activeName.value = name
    error.value = undefined
    durationSec.value = undefined
    seed.value = undefined
    settingProblem.value = undefined
    if (!key || currentRunId.value) return
    await loadHistory()
    if (activeKey.value !== key || currentRunId.value) return
    const latest = ownOrder.value[0] ?? history.value[0]?.runId
    if (!latest) return
    if (!runs.value[latest]) await loadRun(latest)
    if (activeKey.value === key && !currentRunId.value && runs.value[latest]) currentRunId.value = latest
  }

  /** Pins one configuration of a run, or (without `config`) a whole run, as the baseline. */
  function pinBaseline(runId: string, config?: string): void {
    pinnedBaseline.value = config ? { runId, config } : { runId }
  }

  /** Lists the runs the services kept (earlier sessions included). */
  async function loadHistory(): Promise<void> {
    try {
      allHistory.value = (await useApi().runs.list()).filter((r) => !runs.value[r.runId])
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Loads a kept run with its results, so it can be looked at or pinned. */
  async function loadRun(runId: string): Promise<void> {
    await sync(runId)
    allHistory.value = allHistory.value.filter((h) => h.runId !== runId)
  }

  function clearBaseline(): void {
    pinnedBaseline.value = undefined
  }

  function reset(): void {
    runs.value = {}
    order.value = []
    currentByKey.value = {}
    baselineByKey.value = {}
    error.value = undefined
    allHistory.value = []
    early.clear()
    pendingProgress.clear()
    if (progressTimer !== undefined) clearTimeout(progressTimer)
    progressTimer = undefined
  }

  return {
    runs, order, ownOrder, activeKey, currentRunId, pinnedBaseline, error, starting, durationSec, seed, settingProblem, history,
    current, isRunning, results, baseline, baselineLabel,
    baselineFor, connect, disconnect, applyEvent, upsert, start, cancel, sync, select, pinBaseline, clearBaseline, loadHistory, loadRun, reset, useProfile,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRunsStore, import.meta.hot))
