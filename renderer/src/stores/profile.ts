// The profile being worked on: its JSON, the loaded (defaults-filled) form, validation issues, and the
// recently opened profiles (kept in localStorage as references, never as copies of the data).
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { loadProfile } from '../../../core/profile/load-profile.ts'
import { diagnoseProfile } from '../../../core/topology/diagnostics.ts'
import type { Profile } from '../../../core/profile/profile-schema.ts'
import type { StoredProfile, ValidationIssue, WorkbenchDraft } from '../../../core/api/protocol.ts'
import { useApi } from '../api/index.ts'
import { hostSummary, vmSummaries, flattenOverrides } from '../lib/profile-summary.ts'
import { historyOf, pushHistory, redoHistory, undoHistory, type History } from '../lib/topology-edit.ts'
import { fromWorkbenchSource, profileKeyOf, type ProfileSource } from '../lib/profile-key.ts'

export type { ProfileSource } from '../lib/profile-key.ts'

/** Asks before leaving a profile with unsaved changes (window.confirm; tests replace it). */
export const leaveGuard: { confirm: (message: string) => boolean } = {
  confirm: (message) => (typeof globalThis.confirm === 'function' ? globalThis.confirm(message) : true),
}

export interface RecentProfile { title: string; source: ProfileSource; openedAt: string }

export const RECENT_STORAGE_KEY = 'kvmbench.recent'
const MAX_RECENT = 8

function readRecent(): RecentProfile[] {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(RECENT_STORAGE_KEY) ?? '[]') as unknown
    return Array.isArray(v) ? (v as RecentProfile[]).filter((r) => r && typeof r.title === 'string' && r.source).slice(0, MAX_RECENT) : []
  } catch {
    return []
  }
}

function sameSource(a: ProfileSource, b: ProfileSource): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export const useProfileStore = defineStore('profile', () => {
  /** The profile JSON as opened (what runs.start receives). */
  const json = shallowRef<unknown>(undefined)
  /** Where it came from. */
  const source = ref<ProfileSource | undefined>(undefined)
  /** The profile with defaults filled in, when it is valid. */
  const profile = shallowRef<Profile | undefined>(undefined)
  /** Validation issues (field, value, message, fix). */
  const issues = ref<ValidationIssue[]>([])
  /** Recently opened profiles, newest first. */
  const recent = ref<RecentProfile[]>(readRecent())
  /** The last error opening a profile. */
  const error = ref<string | undefined>(undefined)
  /** What the last edit did, said once (e.g. where a new VM was placed). */
  const notice = ref<string | undefined>(undefined)
  const loading = ref(false)
  /** The library entry (name, description, tags) of a saved profile. */
  const meta = ref<{ name: string; description: string; tags: string[] } | undefined>(undefined)

  const isOpen = computed(() => json.value !== undefined)
  /** Which profile this is, for its runs and its draft (lib/profile-key.ts). */
  const key = computed(() => (source.value ? profileKeyOf(source.value) : ''))
  const name = computed(() => profile.value?.name ?? (source.value && 'name' in source.value ? source.value.name : 'profile'))
  /** The library name when saved, else the profile's own name. */
  const title = computed(() => meta.value?.name ?? name.value)
  const configNames = computed(() => profile.value?.configurations.map((c) => c.name) ?? [])
  const host = computed(() => (profile.value ? hostSummary(profile.value) : undefined))
  const vms = computed(() => (profile.value ? vmSummaries(profile.value) : []))
  /** The pinning and isolation diagnostics of every configuration (core/topology/diagnostics.ts). */
  const diagnostics = computed(() => (profile.value ? diagnoseProfile(profile.value) : []))
  /** Why Run is disabled: the first error a run would refuse, or undefined. */
  const runBlocked = computed(() => {
    const errs = diagnostics.value.filter((d) => d.severity === 'error')
    if (!errs.length) return undefined
    return `${errs.length} error${errs.length > 1 ? 's' : ''} to fix first: ${errs[0]!.message} — ${errs[0]!.fix}`
  })
  const configurations = computed(() =>
    (profile.value?.configurations ?? []).map((c) => ({ name: c.name, description: c.description, differences: flattenOverrides(c.overrides) })),
  )

  /** Undo history of the profile JSON (edits since it was opened). */
  const history = shallowRef<History<unknown>>(historyOf(undefined))
  const canUndo = computed(() => history.value.past.length > 0)
  const canRedo = computed(() => history.value.future.length > 0)
  /** Edits since the profile was opened or saved. */
  const dirty = ref(false)

  function load(value: unknown): ReturnType<typeof loadProfile> {
    json.value = value
    const r = loadProfile(value)
    profile.value = r.ok ? r.profile : undefined
    issues.value = r.ok ? [] : r.issues
    return r
  }

  /** Opens a profile JSON: validates it locally (same code as the services) and remembers it as recent. */
  function open(value: unknown, from: ProfileSource): void {
    if (from.kind !== 'saved') meta.value = undefined
    source.value = from
    error.value = undefined
    notice.value = undefined
    history.value = historyOf(value)
    dirty.value = false
    const r = load(value)
    const title = r.ok ? r.profile.name : from.kind === 'saved' ? from.id : from.name
    recent.value = [{ title, source: from, openedAt: new Date().toISOString() }, ...recent.value.filter((x) => !sameSource(x.source, from))].slice(0, MAX_RECENT)
  }

  watch(
    recent,
    (r) => {
      try {
        globalThis.localStorage?.setItem(RECENT_STORAGE_KEY, JSON.stringify(r))
      } catch {
        // storage unavailable: recent profiles last for this session only
      }
    },
    { deep: true, flush: 'sync' },
  )

  /** True when the open profile may be left: nothing unsaved, or the user said so. Its unsaved changes
   *  stay kept as a draft (stores/drafts.ts) and come back when it is opened again. */
  function mayLeave(to?: ProfileSource): boolean {
    if (!dirty.value || json.value === undefined) return true
    if (to && source.value && profileKeyOf(to) === key.value) return true
    return leaveGuard.confirm(`“${title.value}” has unsaved changes. They are kept as a draft and come back when you open it again. Leave it?`)
  }

  async function openExample(exampleName: string): Promise<void> {
    if (!mayLeave({ kind: 'example', name: exampleName })) return
    loading.value = true
    try {
      const ex = await useApi().examples.get({ name: exampleName })
      open(ex.profile, { kind: 'example', name: ex.name })
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  async function openSaved(id: string): Promise<void> {
    if (!mayLeave({ kind: 'saved', id })) return
    loading.value = true
    try {
      openStored(await useApi().profiles.get({ id }))
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  /** Opens a saved profile as the library returned it. */
  function openStored(p: StoredProfile): void {
    meta.value = { name: p.name, description: p.description, tags: [...p.tags] }
    open(p.profile, { kind: 'saved', id: p.id })
    const from: ProfileSource = { kind: 'saved', id: p.id }
    recent.value = [{ title: p.name, source: from, openedAt: new Date().toISOString() }, ...recent.value.filter((x) => !(x.source.kind === 'saved' && x.source.id === p.id))].slice(0, MAX_RECENT)
  }

  /** The library changed a saved profile (renamed it, say): keep the open one's entry in step. */
  function noteStored(p: StoredProfile): void {
    if (source.value?.kind !== 'saved' || source.value.id !== p.id) return
    meta.value = { name: p.name, description: p.description, tags: [...p.tags] }
    // The service wrote the new name into the profile: the open one (edits and all) carries it too.
    const named = p.profile as { name?: unknown } | undefined
    const cur = json.value
    if (typeof named?.name === 'string' && typeof cur === 'object' && cur !== null && !Array.isArray(cur)) {
      const next = { ...(cur as Record<string, unknown>), name: named.name }
      load(next)
      history.value = { ...history.value, present: next }
    }
  }

  /** After a save: the stored entry is the open profile (with the name it was saved under written into
   *  its JSON by the service); the draft of what it was is no longer needed. */
  function remember(stored: StoredProfile): void {
    const before = key.value
    json.value = stored.profile
    load(stored.profile)
    history.value = { ...history.value, present: stored.profile }
    if (before) void useApi().workbench.dropDraft({ key: before }).catch(() => undefined)
    source.value = { kind: 'saved', id: stored.id }
    meta.value = { name: stored.name, description: stored.description, tags: [...stored.tags] }
    dirty.value = false
    recent.value = [{ title: stored.name, source: source.value, openedAt: new Date().toISOString() }, ...recent.value.filter((x) => !(x.source.kind === 'saved' && x.source.id === stored.id))].slice(0, MAX_RECENT)
  }

  /** Opens JSON text (a file the user picked). */
  function openText(text: string, fileName: string): void {
    if (!mayLeave({ kind: 'file', name: fileName })) return
    try {
      open(JSON.parse(text) as unknown, { kind: 'file', name: fileName })
    } catch (e) {
      error.value = `${fileName} is not JSON: ${(e as Error).message}`
    }
  }

  /** Opens a new profile nobody saved yet (read from this machine): unsaved until saved. */
  function openDraft(value: unknown, from: ProfileSource): void {
    if (!mayLeave(from)) return
    open(value, from)
    dirty.value = true
  }

  /** Brings back unsaved changes kept as a draft (after a reload, or when the profile is opened again). */
  function restoreDraft(d: WorkbenchDraft, entry?: StoredProfile): boolean {
    const from = fromWorkbenchSource(d.source)
    if (!from) return false
    if (entry) meta.value = { name: entry.name, description: entry.description, tags: [...entry.tags] }
    open(d.json, from)
    if (from.kind !== 'saved') recent.value = recent.value.map((r) => (sameSource(r.source, from) ? { ...r, title: d.title } : r))
    dirty.value = true
    notice.value = `Unsaved changes restored from the draft kept at ${new Date(d.savedAt).toLocaleTimeString()}.`
    return true
  }

  async function openRecent(r: RecentProfile): Promise<void> {
    if (r.source.kind === 'example') return openExample(r.source.name)
    if (r.source.kind === 'saved') return openSaved(r.source.id)
    if (r.source.kind === 'machine') {
      try {
        const m = await useApi().machine.read({})
        return openDraft(m.profile, { kind: 'machine', name: m.profile.name })
      } catch (e) {
        error.value = (e as Error).message
        return
      }
    }
    error.value = r.source.kind === 'new' ? `${r.title} was made here and not saved: make it again, or save profiles you want to keep` : `${r.title} was opened from a file: open the file again`
  }

  /** Replaces the profile JSON with an edited one (undoable). */
  function edit(next: unknown): void {
    history.value = pushHistory(history.value, next)
    dirty.value = true
    load(next)
  }

  function undo(): void {
    if (!canUndo.value) return
    history.value = undoHistory(history.value)
    dirty.value = true
    load(history.value.present)
  }

  function redo(): void {
    if (!canRedo.value) return
    history.value = redoHistory(history.value)
    dirty.value = true
    load(history.value.present)
  }

  const saving = ref(false)

  /** Saves the profile through the services (a new saved profile, or the one it was opened from). */
  async function save(): Promise<boolean> {
    if (json.value === undefined) return false
    saving.value = true
    error.value = undefined
    try {
      const id = source.value?.kind === 'saved' ? source.value.id : undefined
      const m = meta.value
      const stored = await useApi().profiles.save({ id, name: m?.name ?? name.value, description: m?.description ?? profile.value?.description ?? '', tags: m?.tags ?? [], profile: json.value })
      remember(stored)
      return true
    } catch (e) {
      error.value = (e as Error).message
      return false
    } finally {
      saving.value = false
    }
  }

  /** Saves the profile as a new library entry (the one it was opened from stays as it was). */
  async function saveAs(entry: { name: string; description: string; tags: string[] }): Promise<StoredProfile | undefined> {
    if (json.value === undefined) return undefined
    saving.value = true
    error.value = undefined
    try {
      const stored = await useApi().profiles.saveAs({ ...entry, profile: json.value })
      remember(stored)
      return stored
    } catch (e) {
      error.value = (e as Error).message
      return undefined
    } finally {
      saving.value = false
    }
  }

  function close(): void {
    if (!mayLeave()) return
    meta.value = undefined
    history.value = historyOf(undefined)
    dirty.value = false
    json.value = undefined
    source.value = undefined
    profile.value = undefined
    issues.value = []
  }

  return {
    json, source, key, profile, issues, recent, error, notice, loading, saving, dirty, history, canUndo, canRedo, isOpen, name, configNames, host, vms, configurations, diagnostics, runBlocked, meta, title,
    open, openDraft, openExample, openSaved, openStored, noteStored, openText, openRecent, restoreDraft, mayLeave, edit, undo, redo, save, saveAs, close,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useProfileStore, import.meta.hot))
