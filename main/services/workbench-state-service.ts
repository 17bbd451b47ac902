// workbench.* : what the workbench must not lose (issue 16) — each unsaved profile as a draft, and the
// last profile, run and baseline to come back to on start. Kept in a small key-value store of the host
// (electron-store `workbench.json` in the app's userData, a conf file `workbench.json` in the browser
// host's data directory), apart from the profile library: a draft is never a saved profile.
import type { RequestOf, ResponseMap, WorkbenchDraft, WorkbenchState } from '../../core/api/protocol.ts'

/** Drafts kept at once; saving one more drops the oldest (documented in docs/security.md, "Limits"). */
export const MAX_DRAFTS = 16

/** The part of conf / electron-store this service uses. */
export interface KeyValueStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
}

/** A store in memory (the CLI, tests of other services). */
export function memoryStore(): KeyValueStore {
  const m = new Map<string, unknown>()
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function draftsOf(v: unknown): WorkbenchDraft[] {
  if (!Array.isArray(v)) return []
  return v.filter((d): d is WorkbenchDraft => isObject(d) && typeof d.key === 'string' && typeof d.title === 'string' && isObject(d.source) && typeof d.savedAt === 'string' && d.json !== undefined)
}

export class WorkbenchStateService {
  private readonly store: KeyValueStore
  private readonly now: () => Date

  constructor(store: KeyValueStore, now: () => Date = () => new Date()) {
    this.store = store
    this.now = now
  }

  state(): WorkbenchState {
    const session = this.store.get('session')
    const s = isObject(session) ? (session as Omit<WorkbenchState, 'drafts'>) : {}
    return {
      ...(isObject(s.profile) ? { profile: s.profile } : {}),
      ...(typeof s.runId === 'string' ? { runId: s.runId } : {}),
      ...(isObject(s.baseline) ? { baseline: s.baseline } : {}),
      drafts: draftsOf(this.store.get('drafts')),
    }
  }

  saveDraft(req: RequestOf<'workbench.saveDraft'>): ResponseMap['workbench.saveDraft'] {
    const savedAt = this.now().toISOString()
    const others = draftsOf(this.store.get('drafts')).filter((d) => d.key !== req.key)
    const draft: WorkbenchDraft = { key: req.key, title: req.title, source: req.source, json: req.json, savedAt }
    this.store.set('drafts', [draft, ...others].slice(0, MAX_DRAFTS))
    return { savedAt }
  }

  dropDraft(req: RequestOf<'workbench.dropDraft'>): ResponseMap['workbench.dropDraft'] {
    const all = draftsOf(this.store.get('drafts'))
    const kept = all.filter((d) => d.key !== req.key)
    if (kept.length !== all.length) this.store.set('drafts', kept)
    return { dropped: kept.length !== all.length }
  }

  /** Replaces the remembered profile, run and baseline (a field left out is forgotten). */
  remember(req: RequestOf<'workbench.remember'>): ResponseMap['workbench.remember'] {
    this.store.set('session', {
      ...(req.profile ? { profile: req.profile } : {}),
      ...(req.runId ? { runId: req.runId } : {}),
      ...(req.baseline ? { baseline: req.baseline } : {}),
    })
    return { ok: true }
  }
}
