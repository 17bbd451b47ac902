// The workbench session: on start, the last profile (with its draft, if it had unsaved changes), run and
// baseline come back (workbench.state); while working, each profile's runs are its own (runs by profile
// key), its unsaved changes are kept as a draft, what is open is remembered (workbench.remember), and
// closing the window with unsaved changes asks first (beforeunload).
import { onBeforeUnmount, onMounted, watch } from 'vue'
import { useApi } from '../api/index.ts'
import { fromWorkbenchSource, toWorkbenchSource } from '../lib/profile-key.ts'
import { useDraftsStore } from '../stores/drafts.ts'
import { useMeasuredStore } from '../stores/measured.ts'
import { useProfileStore } from '../stores/profile.ts'
import { useRunsStore } from '../stores/runs.ts'

export function useWorkbenchSession(): void {
  const profile = useProfileStore()
  const runs = useRunsStore()
  const drafts = useDraftsStore()
  const measured = useMeasuredStore()
  let restored = false

  async function restore(): Promise<void> {
    const api = useApi()
    const state = await api.workbench.state()
    drafts.drafts = state.drafts
    const last = state.profile
    if (last && !profile.isOpen) {
      const draft = drafts.draftOf(last.key)
      const from = fromWorkbenchSource(last.source)
      if (draft && from?.kind === 'saved') {
        const entry = await api.profiles.get({ id: from.id }).catch(() => undefined)
        profile.restoreDraft(draft, entry)
      } else if (draft) {
        profile.restoreDraft(draft)
      } else if (from?.kind === 'saved') {
        await profile.openSaved(from.id)
      } else if (from?.kind === 'example') {
        await profile.openExample(from.name)
      }
    }
    if (profile.key && profile.key === last?.key) {
      await runs.useProfile(profile.key, profile.name)
      if (state.runId) {
        if (!runs.runs[state.runId]) await runs.loadRun(state.runId)
        runs.select(state.runId)
      }
      const b = state.baseline
      if (b) {
        if (!runs.runs[b.runId]) await runs.loadRun(b.runId)
        if (runs.runs[b.runId]) runs.pinBaseline(b.runId, b.config)
      }
    }
  }

  function remember(): void {
    if (!restored) return
    const key = profile.key
    const b = runs.pinnedBaseline
    void useApi().workbench.remember({
      ...(key && profile.source ? { profile: { key, title: profile.title.slice(0, 128), source: toWorkbenchSource(profile.source) } } : {}),
      ...(key && runs.currentRunId ? { runId: runs.currentRunId } : {}),
      ...(key && b ? { baseline: b.config ? { runId: b.runId, config: b.config } : { runId: b.runId } } : {}),
    }).catch(() => undefined)
  }

  // Another profile: its own runs, baseline and run settings; nothing of the last one's measured table.
  watch(() => [profile.key, profile.name] as const, ([key, name], old) => {
    if (old && key !== old[0]) {
      measured.clear()
      drafts.status = 'none'
    }
    void runs.useProfile(key, name)
    // Opened again with a draft kept: its unsaved changes come back.
    const d = restored && key && !profile.dirty ? drafts.draftOf(key) : undefined
    if (d) profile.restoreDraft(d)
  })

  // Unsaved changes are kept as a draft a moment after each edit.
  watch(() => [profile.json, profile.dirty] as const, ([json, dirty]) => {
    if (!restored || !profile.source || json === undefined) return
    if (dirty) drafts.schedule(profile.key, profile.title, profile.source, json)
  })

  watch(() => [profile.key, runs.currentRunId, runs.pinnedBaseline] as const, remember, { deep: true })

  const beforeUnload = (e: BeforeUnloadEvent): void => {
    void drafts.flush()
    if (profile.dirty) e.preventDefault()
  }

  onMounted(() => {
    window.addEventListener('beforeunload', beforeUnload)
    restore()
      .catch((e: unknown) => {
        profile.error = `The last session could not be restored: ${(e as Error).message}`
      })
      .finally(() => {
        restored = true
        remember()
      })
  })
  onBeforeUnmount(() => window.removeEventListener('beforeunload', beforeUnload))
}
