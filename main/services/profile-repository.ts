// Where saved profiles live. Implementations: ConfProfileRepository (conf; browser host and tests) and
// ElectronStoreProfileRepository (electron-store; the desktop app). Both keep one small JSON file:
// profiles are small, run results are stored elsewhere (RunService's results directory).
import type { StoredProfile } from '../../core/api/protocol.ts'

export interface ProfileRepository {
  list(): StoredProfile[]
  get(id: string): StoredProfile | undefined
  put(p: StoredProfile): void
  remove(id: string): boolean
}

/** The store's JSON Schema (conf/electron-store `schema` option: properties of the root object). */
export const PROFILE_STORE_SCHEMA = {
  profiles: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['id', 'name', 'description', 'tags', 'createdAt', 'updatedAt', 'profile'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        description: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        createdAt: { type: 'string' },
        updatedAt: { type: 'string' },
      },
    },
    default: {},
  },
} as const

export type ProfileStoreData = { profiles: Record<string, StoredProfile> }

/** A store with conf's / electron-store's get and set; both repositories share this logic. */
export interface KeyValueStore {
  get(key: 'profiles'): Record<string, StoredProfile>
  set(key: 'profiles', value: Record<string, StoredProfile>): void
}

export class StoreProfileRepository implements ProfileRepository {
  private readonly store: KeyValueStore

  constructor(store: KeyValueStore) {
    this.store = store
  }

  list(): StoredProfile[] {
    return Object.values(this.store.get('profiles') ?? {}).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.name.localeCompare(b.name))
  }

  get(id: string): StoredProfile | undefined {
    const all = this.store.get('profiles') ?? {}
    return Object.prototype.hasOwnProperty.call(all, id) ? all[id] : undefined
  }

  put(p: StoredProfile): void {
    this.store.set('profiles', { ...(this.store.get('profiles') ?? {}), [p.id]: p })
  }

  remove(id: string): boolean {
    const all = { ...(this.store.get('profiles') ?? {}) }
    if (!Object.prototype.hasOwnProperty.call(all, id)) return false
    delete all[id]
    this.store.set('profiles', all)
    return true
  }
}
