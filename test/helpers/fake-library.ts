// An in-memory profile library (profiles.* with a trash) on a fake API, for component tests.
import type { DeletedProfileSummary, ProfileStoreReport, StoredProfile } from '../../core/api/protocol.ts'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { FakeApi } from './fake-api.ts'

export function withLibrary(api: FakeApi, reports: ProfileStoreReport[] = []): { live: Map<string, StoredProfile>; trash: Map<string, DeletedProfileSummary & { profile: unknown }> } {
  const live = new Map<string, StoredProfile>()
  const trash = new Map<string, DeletedProfileSummary & { profile: unknown }>()
  let n = 0
  let clock = Date.parse('2025-01-01T00:00:00Z')
  const now = (): string => new Date((clock += 60_000)).toISOString()
  const log = (channel: string, payload: unknown = {}): void => void api.calls.push({ channel, payload })
  const notFound = (id: string): never => { throw new ApiFailure({ code: 'not-found', message: `no saved profile has the id "${id}"` }) }
  const summary = ({ profile: _p, ...s }: StoredProfile): Omit<StoredProfile, 'profile'> => s
  const put = (r: { id?: string; name: string; description: string; tags: string[]; profile: unknown }): StoredProfile => {
    const old = r.id ? live.get(r.id) : undefined
    const at = now()
    const p: StoredProfile = { id: r.id ?? `p${++n}`, name: r.name, description: r.description, tags: r.tags, createdAt: old?.createdAt ?? at, updatedAt: at, profile: r.profile }
    live.set(p.id, p)
    return p
  }
  Object.assign(api.profiles, {
    list: async () => [...live.values()].map(summary),
    get: async (r: { id: string }) => live.get(r.id) ?? notFound(r.id),
    save: async (r: StoredProfile) => (log('profiles.save', r), put(r)),
    saveAs: async (r: StoredProfile) => (log('profiles.saveAs', r), put({ ...r, id: undefined })),
    rename: async (r: { id: string; name: string }) => {
      log('profiles.rename', r)
      const p = live.get(r.id) ?? notFound(r.id)
      return put({ ...p, name: r.name })
    },
    duplicate: async (r: { id: string }) => {
      const p = live.get(r.id) ?? notFound(r.id)
      return put({ ...p, id: undefined, name: `${p.name} (copy)` })
    },
    remove: async (r: { id: string }) => {
      log('profiles.remove', r)
      const p = live.get(r.id)
      if (!p) return { removed: false }
      live.delete(r.id)
      trash.set(r.id, { ...p, deletedAt: now() })
      return { removed: true }
    },
    deleted: async () => [...trash.values()].map(({ profile: _p, ...s }) => s),
    restore: async (r: { id: string }) => {
      log('profiles.restore', r)
      const t = trash.get(r.id) ?? notFound(r.id)
      trash.delete(r.id)
      const { deletedAt: _d, ...p } = t
      live.set(p.id, p)
      return p
    },
    purge: async (r: { id: string }) => ({ purged: trash.delete(r.id) }),
    export: async (r: { id: string }) => {
      const p = live.get(r.id) ?? notFound(r.id)
      return { fileName: `${p.name}.json`, json: JSON.stringify({ kvmbenchProfileExport: 1, name: p.name, description: p.description, tags: p.tags, profile: p.profile }) }
    },
    import: async (r: { json: string }) => {
      log('profiles.import', r)
      const j = JSON.parse(r.json) as { name?: string; host?: { topology?: { sockets?: number } } }
      if (j.host?.topology?.sockets === 0) {
        throw new ApiFailure({ code: 'bad-request', message: 'the profile is not valid: 1 issue(s)', issues: [{ path: 'host.topology.sockets', value: '0', message: 'is less than 1', fix: 'use a number from 1 to 8' }] })
      }
      return { profile: put({ name: j.name ?? 'imported profile', description: '', tags: [], profile: j }), migrated: [] }
    },
    storeReport: async () => reports,
  })
  return { live, trash }
}
