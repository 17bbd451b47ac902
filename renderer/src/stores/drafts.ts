// Drafts: each profile's unsaved changes, kept by the host's workbench service (workbench.saveDraft) a
// moment after every edit, so that a reload, a crash or a switch to another profile loses nothing. A
// save drops the draft; opening a profile that has one brings it back.
import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref } from 'vue'
import type { WorkbenchDraft } from '../../../core/api/protocol.ts'
import { useApi } from '../api/index.ts'
import { toWorkbenchSource, type ProfileSource } from '../lib/profile-key.ts'

/** How long after the last edit the draft is written. */
export const DRAFT_DELAY_MS = 250

export type DraftStatus = 'none' | 'pending' | 'saved' | 'failed'

export const useDraftsStore = defineStore('drafts', () => {
  const drafts = ref<WorkbenchDraft[]>([])
  /** The open profile's draft: not needed, about to be written, written, or not written (error). */
  const status = ref<DraftStatus>('none')
  const error = ref<string | undefined>(undefined)
  let timer: ReturnType<typeof setTimeout> | undefined
  let pending: (() => Promise<void>) | undefined

  function draftOf(key: string): WorkbenchDraft | undefined {
    return drafts.value.find((d) => d.key === key)
  }

  async function write(key: string, title: string, source: ProfileSource, json: unknown): Promise<void> {
    try {
      const { savedAt } = await useApi().workbench.saveDraft({ key, title: title.slice(0, 128), source: toWorkbenchSource(source), json })
      drafts.value = [{ key, title, source: toWorkbenchSource(source), json, savedAt }, ...drafts.value.filter((d) => d.key !== key)]
      status.value = 'saved'
      error.value = undefined
    } catch (e) {
      status.value = 'failed'
      error.value = `The unsaved changes could not be kept as a draft: ${(e as Error).message}`
    }
  }

  /** Writes the draft of a profile DRAFT_DELAY_MS after the last call (edits in a row write once). */
  function schedule(key: string, title: string, source: ProfileSource, json: unknown): void {
    status.value = 'pending'
    if (timer) clearTimeout(timer)
    pending = () => write(key, title, source, json)
    timer = setTimeout(() => void flush(), DRAFT_DELAY_MS)
  }

  /** Writes a scheduled draft now. */
  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer)
    timer = undefined
    const p = pending
    pending = undefined
    if (p) await p()
  }

  /** Forgets a profile's draft (it was saved, or its changes discarded). */
  async function drop(key: string): Promise<void> {
    if (timer && pending) {
      clearTimeout(timer)
      timer = undefined
      pending = undefined
    }
    status.value = 'none'
    if (!draftOf(key)) return
    drafts.value = drafts.value.filter((d) => d.key !== key)
    await useApi().workbench.dropDraft({ key }).catch(() => undefined)
  }

  return { drafts, status, error, draftOf, schedule, flush, drop }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useDraftsStore, import.meta.hot))
