// Where saved profiles live. Implementations: ConfProfileRepository (conf; browser host, CLI and tests) and
// ElectronStoreProfileRepository (electron-store; the desktop app). Both are this StoreProfileRepository
// over one small JSON file — the same code path, only the store object differs. Profiles are small; run
// results are stored elsewhere (RunService's results directory, one file per run).
//
// The file's entries are validated (profile-store-check.ts: metadata, migration to the current format,
// `loadProfile`) when it is opened and whenever it changed on disk since we last read or wrote it (its
// inode, size and mtime differ): a list or a save of 2,000 profiles does not re-check 2,000 entries. A file
// that fails — invalid JSON, the wrong shape, an invalid entry, a hand edit made while the app runs — is
// kept aside under a timestamped name and replaced by the recovered entries; the report is kept for
// `profiles.storeReport`. Every write validates the entry it writes. Entries are kept by id in
// prototype-less maps, so no id (not even `__proto__`) can reach an object's prototype; reserved ids are
// refused anyway (core/api/protocol.ts RESERVED_IDS).
// Deleting moves a profile to the trash (`deletedAt`), from which it can be restored.
import { chmodSync, statSync } from 'node:fs'
import { ApiFailure, reservedIdProblem } from '../../core/api/protocol.ts'
import type { DeletedProfileSummary, StoredProfile } from '../../core/api/protocol.ts'
import { checkEntry, checkStoreData, describeRepair, idMap, repairStoreFile } from './profile-store-check.ts'
import type { ProfileStoreData, StoreEntry, StoreRepairReport } from './profile-store-check.ts'

export type { ProfileStoreData, StoreEntry, StoreRepairReport } from './profile-store-check.ts'

export interface ProfileRepository {
  /** Saved profiles (not those in the trash). */
  list(): StoredProfile[]
  get(id: string): StoredProfile | undefined
  /** Creates or replaces (a profile in the trash with this id comes back out of it). */
  put(p: StoredProfile): void
  /** Moves a profile to the trash; false when there is no such (live) profile. */
  remove(id: string): boolean
  /** Profiles in the trash, most recently deleted first. */
  listDeleted(): DeletedProfileSummary[]
  /** Takes a profile out of the trash. */
  restore(id: string): StoredProfile | undefined
  /** Deletes a profile in the trash for good. */
  purge(id: string): boolean
  /** Every repair of the store file made since this repository was opened. */
  reports(): StoreRepairReport[]
}

/** The store file is `<dir>/profiles.json` in both hosts. */
export const PROFILE_STORE_NAME = 'profiles'

/** The store file is readable and writable by its user only. */
export const PROFILE_STORE_FILE_MODE = 0o600

/** Profiles kept in the trash at most; older deletions are purged first. */
export const TRASH_LIMIT = 50

/** The store's JSON Schema (conf/electron-store `schema` option: properties of the root object). conf
 *  checks it on every read and write; our own check (checkEntry) is stricter and recovers entries. */
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
        deletedAt: { type: 'string' },
      },
    },
    default: {},
  },
} as const

/** A store with conf's / electron-store's get and set; both repositories share this logic. */
export interface KeyValueStore {
  get(key: 'profiles'): Record<string, StoreEntry>
  set(key: 'profiles', value: Record<string, StoreEntry>): void
}

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/** A prototype-less copy of an id-keyed map. */
function copyOf(all: Record<string, StoreEntry>): Record<string, StoreEntry> {
  return Object.assign(idMap<StoreEntry>(), all)
}

/** What identifies one version of the file on disk (an atomic rename gives a new inode). */
function fileStamp(file: string): string {
  try {
    const st = statSync(file)
    return `${st.ino}:${st.size}:${st.mtimeMs}`
  } catch {
    return 'absent'
  }
}

function strip(e: StoreEntry): StoredProfile {
  const { deletedAt: _d, ...p } = e
  return p
}

/**
 * Opens a store after checking (and if needed repairing) its file: `open` constructs the conf or
 * electron-store object, which itself refuses a file that breaks the schema.
 */
export function openCheckedStore<S>(file: string, open: () => S, now: () => Date): { store: S; reports: StoreRepairReport[] } {
  const reports: StoreRepairReport[] = []
  try {
    chmodSync(file, PROFILE_STORE_FILE_MODE) // a file from a version that made it 0644
  } catch {
    // not there yet
  }
  const r = repairStoreFile(file, now())
  if (r) {
    console.warn(describeRepair(r))
    reports.push(r)
  }
  return { store: open(), reports }
}

export class StoreProfileRepository implements ProfileRepository {
  private readonly store: KeyValueStore
  private readonly file: string
  private readonly now: () => Date
  private readonly repairs: StoreRepairReport[]
  /** The checked entries of the file version `stamp`. */
  private cache: { stamp: string; all: Record<string, StoreEntry> } | undefined

  /** `file` is the store's path (conf's `.path`); `reports` are repairs made while opening it. */
  constructor(store: KeyValueStore, file: string, o: { now?: () => Date; reports?: StoreRepairReport[] } = {}) {
    this.store = store
    this.file = file
    this.now = o.now ?? (() => new Date())
    this.repairs = [...(o.reports ?? [])]
  }

  reports(): StoreRepairReport[] {
    return [...this.repairs]
  }

  list(): StoredProfile[] {
    return Object.values(this.read()).filter((e) => e.deletedAt === undefined).map(strip)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.name.localeCompare(b.name))
  }

  get(id: string): StoredProfile | undefined {
    const all = this.read()
    const e = own(all, id) ? all[id] : undefined
    return e && e.deletedAt === undefined ? strip(e) : undefined
  }

  put(p: StoredProfile): void {
    const reserved = reservedIdProblem(p.id)
    if (reserved) throw new ApiFailure({ code: 'bad-request', message: `the profile cannot be stored: id ${JSON.stringify(p.id)} ${reserved.message} — ${reserved.fix}` })
    const c = checkEntry(p.id, p, { now: this.now().toISOString(), repair: false })
    if (!c.entry) {
      throw new ApiFailure({ code: 'bad-request', message: `the profile cannot be stored: ${c.problems.map((x) => `${x.path}: ${x.message}`).join('; ')}` })
    }
    const all = copyOf(this.read())
    all[p.id] = strip(c.entry)
    this.write(all)
  }

  remove(id: string): boolean {
    const all = copyOf(this.read())
    const e = own(all, id) ? all[id] : undefined
    if (!e || e.deletedAt !== undefined) return false
    all[id] = { ...e, deletedAt: this.now().toISOString() }
    const trash = Object.values(all).filter((x) => x.deletedAt !== undefined).sort((a, b) => (b.deletedAt ?? '').localeCompare(a.deletedAt ?? ''))
    for (const old of trash.slice(TRASH_LIMIT)) delete all[old.id]
    this.write(all)
    return true
  }

  listDeleted(): DeletedProfileSummary[] {
    return Object.values(this.read()).flatMap((e) => {
      if (e.deletedAt === undefined) return []
      const { profile: _p, ...summary } = e
      return [{ ...summary, deletedAt: e.deletedAt }]
    }).sort((a, b) => b.deletedAt.localeCompare(a.deletedAt))
  }

  restore(id: string): StoredProfile | undefined {
    const all = copyOf(this.read())
    const e = own(all, id) ? all[id] : undefined
    if (!e || e.deletedAt === undefined) return undefined
    const back = strip(e)
    all[id] = back
    this.write(all)
    return back
  }

  purge(id: string): boolean {
    const all = copyOf(this.read())
    const e = own(all, id) ? all[id] : undefined
    if (!e || e.deletedAt === undefined) return false
    delete all[id]
    this.write(all)
    return true
  }

  /** Every entry, validated. A store that fails its check is repaired (kept aside, recovered) first.
   *  Unchanged since the last read or write: the entries checked then. */
  private read(): Record<string, StoreEntry> {
    const stamp = fileStamp(this.file)
    if (this.cache?.stamp === stamp) return this.cache.all
    const all = this.readChecked()
    this.cache = { stamp: fileStamp(this.file), all }
    return all
  }

  private readChecked(): Record<string, StoreEntry> {
    let raw: unknown
    try {
      raw = { profiles: this.store.get('profiles') ?? {} }
    } catch {
      // conf refused the file (not JSON, or against the schema): repair it, then read again.
      this.repair()
      raw = { profiles: this.store.get('profiles') ?? {} }
    }
    const c = checkStoreData(raw, { now: this.now().toISOString() })
    if (c.problems.length || c.migrated.length) {
      // A hand edit while we run, or entries of an older format: repair the file the same way as at startup.
      const r = this.repair()
      if (r) return copyOf(this.store.get('profiles'))
      return c.data.profiles
    }
    return c.data.profiles
  }

  private repair(): StoreRepairReport | undefined {
    const r = repairStoreFile(this.file, this.now())
    if (r) {
      console.warn(describeRepair(r))
      this.repairs.push(r)
    }
    return r
  }

  private write(all: Record<string, StoreEntry>): void {
    this.store.set('profiles', all)
    this.cache = { stamp: fileStamp(this.file), all }
  }
}

export type { ProfileStoreData as StoreData }
