// The profile library: saved profiles (name, description, tags, times), the trash, .json import and
// export, and the store repair reports. Delete goes to the trash with an Undo (profiles.restore).
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ApiError, DeletedProfileSummary, ProfileExportFile, ProfileStoreReport, ProfileSummary, StoredProfile } from '@core/api/protocol.ts'
import { useApi } from '../api/index.ts'
import { allTags, filterProfiles } from '../lib/library.ts'
import { fromIssue, type Problem } from '../lib/import-preview.ts'
import { useProfileStore } from './profile.ts'

/** How long the Undo of a delete stays offered. */
export const UNDO_MS = 10_000

function messageOf(e: unknown): string {
  return (e as Error)?.message ?? String(e)
}

function issuesOf(e: unknown): Problem[] {
  const err = (e as { error?: ApiError })?.error
  return (err?.issues ?? []).map(fromIssue)
}

export const useLibraryStore = defineStore('library', () => {
  const profiles = ref<ProfileSummary[]>([])
  const deleted = ref<DeletedProfileSummary[]>([])
  const reports = ref<ProfileStoreReport[]>([])
  const text = ref('')
  const tag = ref('')
  const loading = ref(false)
  const error = ref<string | undefined>(undefined)
  /** A message after an action (imported, exported…). */
  const notice = ref<string | undefined>(undefined)
  /** The last import's validation issues (path, value, fix). */
  const importIssues = ref<Problem[]>([])
  /** The profile just deleted, while its Undo is offered. */
  const undoable = ref<{ id: string; name: string } | undefined>(undefined)
  let undoTimer: ReturnType<typeof setTimeout> | undefined

  const tags = computed(() => allTags(profiles.value))
  const shown = computed(() => filterProfiles(profiles.value, text.value, tag.value))

  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    error.value = undefined
    try {
      return await f()
    } catch (e) {
      error.value = messageOf(e)
      return undefined
    }
  }

  async function refresh(): Promise<void> {
    loading.value = true
    const api = useApi()
    await run(async () => {
      const [list, trash, rep] = await Promise.all([api.profiles.list(), api.profiles.deleted(), api.profiles.storeReport()])
      profiles.value = list
      deleted.value = trash
      reports.value = rep
    })
    loading.value = false
  }

  async function rename(id: string, name: string): Promise<StoredProfile | undefined> {
    const p = await run(() => useApi().profiles.rename({ id, name }))
    if (p) {
      useProfileStore().noteStored(p)
      await refresh()
    }
    return p
  }

  async function duplicate(id: string): Promise<StoredProfile | undefined> {
    const p = await run(() => useApi().profiles.duplicate({ id }))
    if (p) {
      notice.value = `Duplicated as “${p.name}”.`
      await refresh()
    }
    return p
  }

  async function remove(id: string): Promise<boolean> {
    const name = profiles.value.find((p) => p.id === id)?.name ?? id
    const r = await run(() => useApi().profiles.remove({ id }))
    if (!r?.removed) return false
    undoable.value = { id, name }
    if (undoTimer) clearTimeout(undoTimer)
    undoTimer = setTimeout(() => (undoable.value = undefined), UNDO_MS)
    await refresh()
    return true
  }

  async function restore(id: string): Promise<StoredProfile | undefined> {
    const p = await run(() => useApi().profiles.restore({ id }))
    if (p) {
      if (undoable.value?.id === id) undoable.value = undefined
      notice.value = `Restored “${p.name}”.`
      await refresh()
    }
    return p
  }

  /** The Undo of the last delete. */
  async function undoDelete(): Promise<void> {
    const u = undoable.value
    if (u) await restore(u.id)
  }

  function dismissUndo(): void {
    undoable.value = undefined
  }

  async function purge(id: string): Promise<boolean> {
    const r = await run(() => useApi().profiles.purge({ id }))
    await refresh()
    return r?.purged ?? false
  }

  /** Imports a .json file's text as a new saved profile; validation issues are kept to show. */
  async function importText(json: string, fileName: string): Promise<StoredProfile | undefined> {
    importIssues.value = []
    notice.value = undefined
    error.value = undefined
    try {
      const r = await useApi().profiles.import({ json })
      notice.value = `Imported ${fileName} as “${r.profile.name}”${r.migrated.length ? ` (migrated: ${r.migrated.join('; ')})` : ''}.`
      await refresh()
      return r.profile
    } catch (e) {
      error.value = `${fileName}: ${messageOf(e)}`
      importIssues.value = issuesOf(e)
      return undefined
    }
  }

  async function exportFile(id: string): Promise<ProfileExportFile | undefined> {
    return run(() => useApi().profiles.export({ id }))
  }

  return {
    profiles, deleted, reports, text, tag, loading, error, notice, importIssues, undoable, tags, shown,
    refresh, rename, duplicate, remove, restore, undoDelete, dismissUndo, purge, importText, exportFile,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLibraryStore, import.meta.hot))
