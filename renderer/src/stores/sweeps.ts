// Sweeps: the axes ticked in the Sweep tab (a knob and its values), the seeds, the configuration varied;
// the sweep started through the API and advanced by its events (points done / total / ETA), cancelled
// with what finished kept; a point opened as a configuration of the profile (an edit: undo covers it).
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, markRaw, ref } from 'vue'
import type { SweepEvent, SweepRecord, ValidationIssue } from '../../../core/api/protocol.ts'
import { onReconnect, useApi } from '../api/index.ts'
import { useProfileStore } from './profile.ts'
import { KNOBS } from '../lib/config-knobs.ts'
import { configNames } from '../lib/config-edit.ts'
import { addPointConfiguration, parseSeeds, parseValues, sweepPath, type AxisSource } from '../lib/sweep-axes.ts'

export const useSweepsStore = defineStore('sweeps', () => {
  const profile = useProfileStore()
  /** Ticked knobs (by knob id) → the values as typed. */
  const axes = ref<Record<string, string>>({})
  /** Which VM a VM knob's axis varies (index into the profile's VMs). */
  const vmIndex = ref(0)
  const seedsText = ref('1')
  const chosenConfig = ref<string | undefined>(undefined)
  const current = ref<SweepRecord | undefined>(undefined)
  const etaSec = ref<number | null>(null)
  const starting = ref(false)
  const error = ref<string | undefined>(undefined)
  const issues = ref<ValidationIssue[]>([])
  /** The last configuration added from a point. */
  const opened = ref<string | undefined>(undefined)
  const early = new Map<string, SweepEvent[]>()
  let unsubscribe: (() => void) | undefined

  const configs = computed(() => (profile.json === undefined ? [] : configNames(profile.json)))
  const configuration = computed(() => (chosenConfig.value !== undefined && configs.value.includes(chosenConfig.value) ? chosenConfig.value : configs.value[0]))
  const vmNames = computed(() => profile.vms.map((v) => v.name))
  const isRunning = computed(() => starting.value || current.value?.status === 'running')
  const done = computed(() => current.value?.points.length ?? 0)

  /** The axes as the API takes them, with where each came from; or the first problem. */
  const planned = computed(() => {
    const out: { path: string; values: unknown[] }[] = []
    const sources: Record<string, AxisSource> = {}
    for (const [id, text] of Object.entries(axes.value)) {
      const k = KNOBS.get(id)
      if (!k) continue
      const v = parseValues(k, text)
      if (!v.ok) return { ok: false as const, problem: v.problem }
      const path = sweepPath(k, vmIndex.value)
      out.push({ path, values: v.values })
      sources[path] = { knob: k, ...(k.scope === 'vm' ? { vm: vmNames.value[vmIndex.value] } : {}) }
    }
    if (out.length === 0) return { ok: false as const, problem: 'tick at least one knob to sweep' }
    const seeds = parseSeeds(seedsText.value)
    if (!seeds.ok) return { ok: false as const, problem: seeds.problem }
    const points = out.reduce((n, a) => n * a.values.length, 1) * seeds.seeds.length
    return { ok: true as const, axes: out, sources, seeds: seeds.seeds, points }
  })
  /** Where the running or last sweep's axes came from (for "open as a configuration"). */
  const sources = ref<Record<string, AxisSource>>({})

  function connect(): void {
    if (unsubscribe) return
    const offEvents = useApi().sweeps.onEvent((e) => apply(e))
    // Events sent while the stream was down are lost: read the running sweep back.
    const offReconnect = onReconnect(() => {
      if (current.value?.status === 'running') void sync(current.value.sweepId)
    })
    unsubscribe = () => {
      offEvents()
      offReconnect()
    }
  }

  function apply(e: SweepEvent): void {
    const s = current.value
    if (!s || s.sweepId !== e.sweepId) {
      early.set(e.sweepId, [...(early.get(e.sweepId) ?? []), e])
      return
    }
    if (e.type === 'sweep-point') {
      if (!s.points.some((p) => p.key === e.point.key && p.seed === e.point.seed)) s.points.push(markRaw(e.point))
      etaSec.value = e.etaSec
    } else {
      s.status = e.status
      if (e.error) s.error = e.error
      etaSec.value = null
      void sync(s.sweepId)
    }
  }

  /** Reads the whole sweep back (events lost while the stream was down). */
  async function sync(sweepId: string): Promise<void> {
    try {
      const r = await useApi().sweeps.get({ sweepId })
      if (current.value?.sweepId === sweepId) current.value = { ...r, points: r.points.map((p) => markRaw(p)) }
    } catch { /* the sweep is gone: keep what events said */ }
  }

  function tick(id: string, on: boolean, valuesText = ''): void {
    const next = { ...axes.value }
    if (on) next[id] = valuesText
    else delete next[id]
    axes.value = next
  }

  function setValues(id: string, text: string): void {
    if (id in axes.value) axes.value = { ...axes.value, [id]: text }
  }

  async function start(): Promise<void> {
    const p = planned.value
    error.value = undefined
    issues.value = []
    if (!p.ok) {
      error.value = p.problem
      return
    }
    connect()
    starting.value = true
    try {
      const head = await useApi().sweeps.start({
        profile: profile.json, axes: p.axes, seeds: p.seeds,
        ...(configuration.value !== undefined ? { configuration: configuration.value } : {}),
        ...(profile.key ? { profileKey: profile.key } : {}),
      })
      sources.value = p.sources
      current.value = { ...head, points: [] }
      etaSec.value = null
      for (const e of early.get(head.sweepId) ?? []) apply(e)
      early.delete(head.sweepId)
    } catch (e) {
      const err = e as { message?: string; issues?: ValidationIssue[] }
      error.value = err.message ?? String(e)
      issues.value = err.issues ?? []
    } finally {
      starting.value = false
    }
  }

  async function cancel(): Promise<void> {
    const s = current.value
    if (!s) return
    try {
      await useApi().sweeps.cancel({ sweepId: s.sweepId })
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Adds the grid point as a configuration of the open profile (a copy of the swept one with the point's values). */
  function openPoint(index: number): string | undefined {
    const s = current.value
    const point = s?.points.find((p) => p.index === index)
    if (!s || !point || profile.json === undefined || !configs.value.includes(s.configuration)) return undefined
    const r = addPointConfiguration(profile.json, s.configuration, point, sources.value)
    profile.edit(r.json)
    opened.value = r.name
    profile.notice = `Added configuration ${r.name} with the values of sweep point ${index}.`
    return r.name
  }

  return { axes, vmIndex, seedsText, chosenConfig, configuration, configs, vmNames, current, etaSec, starting, error, issues, opened, isRunning, done, planned, connect, tick, setValues, start, cancel, openPoint }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSweepsStore, import.meta.hot))
