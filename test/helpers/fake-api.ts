// An in-memory KvmbenchApi for component tests of the stores and views (the end-to-end tests use the
// real browser host and worker instead).
import type { KvmbenchApi, RunEvent } from '../../core/api/protocol.ts'

export interface FakeApi extends KvmbenchApi {
  emit(e: RunEvent): void
  calls: { channel: string; payload: unknown }[]
}

export function fakeApi(opts: { configs?: string[]; runId?: string } = {}): FakeApi {
  const listeners = new Set<(e: RunEvent) => void>()
  const calls: { channel: string; payload: unknown }[] = []
  const log = (channel: string, payload: unknown = {}): void => {
    calls.push({ channel, payload })
  }
  const configs = opts.configs ?? ['sw-timer', 'posted-timer']
  const runId = opts.runId ?? 'run-1'
  return {
    calls,
    emit: (e) => {
      for (const l of listeners) l(e)
    },
    app: { info: async () => ({ version: '0.0.0', host: 'browser', workers: 1 }) },
    examples: {
      list: async () => (log('examples.list'), [{ name: 'posted-timer', title: 'Posted timer', summary: 'sw vs posted' }]),
      get: async (r) => (log('examples.get', r), { name: r.name, profile: { schemaVersion: 1, name: r.name, configurations: configs.map((name) => ({ name, overrides: {} })) } }),
    },
    profiles: {
      list: async () => [],
      get: async () => { throw new Error('none') },
      save: async () => { throw new Error('none') },
      remove: async () => ({ removed: false }),
      validate: async () => ({ ok: true, issues: [] }),
      saveAs: async () => { throw new Error('none') },
      rename: async () => { throw new Error('none') },
      duplicate: async () => { throw new Error('none') },
      deleted: async () => [],
      restore: async () => { throw new Error('none') },
      purge: async () => ({ purged: false }),
      export: async () => { throw new Error('none') },
      import: async () => { throw new Error('none') },
      storeReport: async () => [],
    },
    runs: {
      start: async (r) => (log('runs.start', r), { runId, configs: r.configs ?? configs }),
      cancel: async (r) => (log('runs.cancel', r), { cancelled: true }),
      get: async (r) => { log('runs.get', r); throw new Error('not found') },
      list: async () => [],
      onEvent: (cb) => {
        listeners.add(cb)
        return () => listeners.delete(cb)
      },
    },
    reports: {
      snapshot: async () => { throw new Error('none') },
      pdf: async () => { throw new Error('none') },
    },
    machine: { read: async () => { throw new Error('none') } },
    sweeps: {
      start: async () => { throw new Error('none') },
      cancel: async () => ({ cancelled: false }),
      get: async () => { throw new Error('none') },
      onEvent: () => () => {},
    },
    workbench: {
      state: async () => (log('workbench.state'), { drafts: [] }),
      saveDraft: async (r) => (log('workbench.saveDraft', r), { savedAt: '2026-01-01T00:00:00.000Z' }),
      dropDraft: async (r) => (log('workbench.dropDraft', r), { dropped: false }),
      remember: async (r) => (log('workbench.remember', r), { ok: true as const }),
    },
  }
}
