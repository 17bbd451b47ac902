// Checking and repairing the profile store file (profiles.json of conf / electron-store). Every entry is
// validated — its metadata, then its profile migrated to the current format and loaded with the core's
// `loadProfile` — on every read and before every write. A file that is not valid JSON, that breaks the
// store's shape, or that holds an invalid entry is KEPT ASIDE (renamed `profiles.corrupt-<time>.json`,
// never cleared or overwritten) and replaced by a file holding every entry that could be recovered.
// The report says what was wrong, entry by entry.
import { randomUUID } from 'node:crypto'
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { migrateProfile } from '../../core/profile/migrations.ts'
import type { Issue } from '../../core/schema/schema.ts'
import { RESERVED_IDS } from '../../core/api/protocol.ts'
import type { StoredProfile } from '../../core/api/protocol.ts'

/** A stored profile; `deletedAt` marks one in the trash (deleted, can still be restored). */
export interface StoreEntry extends StoredProfile { deletedAt?: string }

export type ProfileStoreData = { profiles: Record<string, StoreEntry> }

export interface StoreProblem {
  /** Where in the file, e.g. `profiles["3f…"].profile.run.durationSec` or `(file)`. */
  path: string
  message: string
}

export interface StoreCheck {
  /** What the file should hold: every entry that could be recovered. */
  data: ProfileStoreData
  problems: StoreProblem[]
  /** Entries whose profile was migrated from an older format version. */
  migrated: string[]
  /** Entries that could not be recovered (they stay in the file kept aside). */
  lost: string[]
}

export interface StoreRepairReport {
  file: string
  at: string
  /** Where the original file was kept (renamed); absent when only migrations were applied (then: backup). */
  keptAside?: string
  /** A copy of the file from before migrating it. */
  backup?: string
  problems: StoreProblem[]
  migrated: string[]
  recovered: number
  lost: string[]
}

const ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/
const isId = (v: unknown): v is string => typeof v === 'string' && ID_RE.test(v) && !RESERVED_IDS.has(v)

/** A map keyed by id with no prototype: `m["__proto__"] = e` adds an entry, like any other id. */
export function idMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

function issueText(i: Issue): string {
  return `${i.value} ${i.message} — ${i.fix}`
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`
}

function isIsoDate(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 64 && /^\d{4}-\d\d-\d\dT/.test(v) && Number.isFinite(Date.parse(v))
}

export interface EntryCheck { entry?: StoreEntry; problems: StoreProblem[]; migrated?: string; label: string }

/**
 * Checks one entry. With `repair`, metadata of the wrong type is replaced (and reported) so the profile
 * is not lost; the profile itself must load. Without it (writes), any problem refuses the entry.
 */
export function checkEntry(key: string, value: unknown, o: { now: string; repair: boolean; newId?: () => string }): EntryCheck {
  const where = `profiles[${JSON.stringify(key)}]`
  const problems: StoreProblem[] = []
  if (!isObject(value)) return { problems: [{ path: where, message: `is ${kind(value)}, not a saved profile` }], label: key }
  const label = typeof value.name === 'string' && value.name.trim() ? `${value.name} (${key})` : key
  if (!('profile' in value)) return { problems: [{ path: `${where}.profile`, message: 'is missing: the entry holds no bench profile' }], label }
  const m = migrateProfile(value.profile)
  if (!m.ok) return { problems: m.issues.map((i) => ({ path: `${where}.profile.${i.path}`, message: issueText(i) })), label }
  const loaded = loadProfile(m.profile)
  if (!loaded.ok) return { problems: loaded.issues.map((i) => ({ path: `${where}.profile.${i.path}`, message: issueText(i) })), label }
  const fix = (path: string, message: string): void => { problems.push({ path: `${where}.${path}`, message }) }

  let id = value.id
  if (!isId(id)) {
    fix('id', `${JSON.stringify(id) ?? 'undefined'} is not a valid id${typeof id === 'string' && RESERVED_IDS.has(id) ? ' (a reserved name); the entry gets a new id' : ''}`)
    id = isId(key) ? key : (o.newId ?? randomUUID)()
  } else if (id !== key) {
    fix('id', `is ${JSON.stringify(id)} but the entry is stored under ${JSON.stringify(key)}`)
  }
  let name = value.name
  if (typeof name !== 'string' || !/\S/.test(name) || name.length > 128) {
    fix('name', `${JSON.stringify(name) ?? 'undefined'} is not a name (a non-empty string of at most 128 characters)`)
    name = typeof name === 'string' && /\S/.test(name) ? name.slice(0, 128) : loaded.profile.name || 'recovered profile'
  }
  let description = value.description
  if (typeof description !== 'string' || description.length > 16384) {
    fix('description', `is ${kind(description)}${typeof description === 'string' ? ' longer than 16384 characters' : ''}, not a description`)
    description = typeof description === 'string' ? description.slice(0, 16384) : typeof description === 'number' ? String(description) : ''
  }
  let tags = value.tags
  if (!Array.isArray(tags) || tags.length > 64 || tags.some((t) => typeof t !== 'string' || t.length > 64)) {
    fix('tags', `is ${kind(tags)}${Array.isArray(tags) ? ' with items that are not tags (strings of at most 64 characters)' : ''}, not a list of tags`)
    const raw: unknown[] = Array.isArray(tags) ? tags : typeof tags === 'string' ? tags.split(',') : []
    tags = raw.filter((t): t is string => typeof t === 'string').map((t) => t.trim().slice(0, 64)).filter(Boolean).slice(0, 64)
  }
  let createdAt = value.createdAt
  if (!isIsoDate(createdAt)) {
    fix('createdAt', `${JSON.stringify(createdAt) ?? 'undefined'} is not an ISO date`)
    createdAt = o.now
  }
  let updatedAt = value.updatedAt
  if (!isIsoDate(updatedAt)) {
    fix('updatedAt', `${JSON.stringify(updatedAt) ?? 'undefined'} is not an ISO date`)
    updatedAt = createdAt
  }
  let deletedAt = value.deletedAt
  if (deletedAt !== undefined && !isIsoDate(deletedAt)) {
    fix('deletedAt', `${JSON.stringify(deletedAt)} is not an ISO date; the profile is restored from the trash`)
    deletedAt = undefined
  }
  if (problems.length && !o.repair) return { problems, label }
  const entry: StoreEntry = {
    id: id as string, name: name as string, description: description as string, tags: tags as string[],
    createdAt: createdAt as string, updatedAt: updatedAt as string, profile: m.profile,
    ...(deletedAt !== undefined ? { deletedAt: deletedAt as string } : {}),
  }
  return { entry, problems, label, ...(m.applied.length ? { migrated: `${label}: ${m.applied.join('; ')}` } : {}) }
}

/** Checks parsed store data; `data` holds every entry that could be recovered. */
export function checkStoreData(raw: unknown, o: { now: string; newId?: () => string }): StoreCheck {
  const problems: StoreProblem[] = []
  const migrated: string[] = []
  const lost: string[] = []
  const profiles = idMap<StoreEntry>()
  let entries: [string, unknown][] = []
  if (!isObject(raw)) {
    problems.push({ path: '(file)', message: `holds ${kind(raw)}, not the store object { "profiles": { … } }` })
  } else if (raw.profiles === undefined) {
    // An empty store (conf writes `{}` before the first profile).
  } else if (isObject(raw.profiles)) {
    entries = Object.entries(raw.profiles)
  } else if (Array.isArray(raw.profiles)) {
    problems.push({ path: 'profiles', message: 'is an array, not an object of profiles by id; its entries are recovered' })
    entries = raw.profiles.map((v, i) => [isObject(v) && typeof v.id === 'string' ? v.id : `#${i}`, v])
  } else {
    problems.push({ path: 'profiles', message: `is ${kind(raw.profiles)}, not an object of profiles by id` })
  }
  for (const [key, value] of entries) addEntry(key, value)
  return { data: { profiles }, problems, migrated, lost }

  function addEntry(key: string, value: unknown): void {
    const c = checkEntry(key, value, { now: o.now, repair: true, ...(o.newId ? { newId: o.newId } : {}) })
    problems.push(...c.problems)
    if (!c.entry) {
      lost.push(c.label)
      return
    }
    if (c.migrated) migrated.push(c.migrated)
    let e = c.entry
    if (Object.prototype.hasOwnProperty.call(profiles, e.id)) {
      const id = (o.newId ?? randomUUID)()
      problems.push({ path: `profiles[${JSON.stringify(key)}].id`, message: `${JSON.stringify(e.id)} is used by another entry; this one gets the id ${JSON.stringify(id)}` })
      e = { ...e, id }
    }
    profiles[e.id] = e
  }
}

/** How deep (in braces) a saved profile may start in a damaged file: `{"profiles":{"id":{…` is depth 3. */
const SALVAGE_MAX_DEPTH = 8

/**
 * Finds the saved profiles in text that is not valid JSON: every balanced `{…}` that parses and looks
 * like a saved profile (has `profile` and an `id` or `name`), outermost first. Linear in the text: one
 * pass pairs every brace (outside strings), then only objects starting at most SALVAGE_MAX_DEPTH deep are
 * parsed, so each character is parsed at most that many times (a file of 50,000 `{` costs one pass).
 */
export function salvageEntries(text: string): Record<string, unknown>[] {
  const candidates = balancedObjects(text)
  const found: Record<string, unknown>[] = []
  let after = 0
  for (const [start, end] of candidates) {
    if (start < after) continue
    try {
      const v = JSON.parse(text.slice(start, end + 1)) as unknown
      if (isObject(v) && 'profile' in v && ('id' in v || 'name' in v)) {
        found.push(v)
        after = end + 1
      }
    } catch {
      // not this one; look inside it
    }
  }
  return found
}

/** [start, end] of every balanced `{…}` starting at most SALVAGE_MAX_DEPTH deep, by start. */
function balancedObjects(text: string): [number, number][] {
  const open: number[] = []
  const pairs: [number, number][] = []
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b) open.push(i)
    else if (c === 0x7d && open.length) {
      const start = open.pop()!
      if (open.length < SALVAGE_MAX_DEPTH) pairs.push([start, i])
    }
  }
  return pairs.sort((a, b) => a[0] - b[0])
}

/** Checks the text of a store file (JSON, or a damaged file from which entries are salvaged). */
export function checkStoreText(text: string, o: { now: string; newId?: () => string }): StoreCheck {
  const clean = text.replace(/^\uFEFF/, '')
  if (clean.trim() === '') return { data: { profiles: {} }, problems: [{ path: '(file)', message: 'is empty' }], migrated: [], lost: [] }
  let raw: unknown
  try {
    raw = JSON.parse(clean)
  } catch (e) {
    const salvaged = salvageEntries(clean)
    const c = checkStoreData({ profiles: salvaged.map((v) => v) }, o)
    // (the array form above is ours, not the file's: drop its "is an array" note)
    const problems = c.problems.filter((p) => p.path !== 'profiles')
    return { ...c, problems: [{ path: '(file)', message: `is not valid JSON (${(e as Error).message}); ${Object.keys(c.data.profiles).length} saved profile(s) were recovered from its text` }, ...problems] }
  }
  return checkStoreData(raw, o)
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-')
}

function freePath(file: string, tag: string, at: Date): string {
  const ext = extname(file)
  const base = join(dirname(file), `${basename(file, ext)}.${tag}-${stamp(at)}`)
  let p = `${base}${ext}`
  for (let n = 1; existsSync(p); n++) p = `${base}-${n}${ext}`
  return p
}

export function writeStoreFile(file: string, data: ProfileStoreData): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(data, undefined, '\t'), { mode: 0o600 })
  renameSync(tmp, file)
}

/**
 * Checks the store file and repairs it if needed: a file with problems is renamed aside (never deleted)
 * and a file with the recovered entries written in its place; a file that only needs migrations is
 * copied to a backup, then migrated. Returns undefined when the file is fine or absent.
 */
export function repairStoreFile(file: string, now: Date = new Date()): StoreRepairReport | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  const at = now.toISOString()
  const c = checkStoreText(text, { now: at })
  if (!c.problems.length && !c.migrated.length) return undefined
  const report: StoreRepairReport = { file, at, problems: c.problems, migrated: c.migrated, recovered: Object.keys(c.data.profiles).length, lost: c.lost }
  if (c.problems.length) {
    report.keptAside = freePath(file, 'corrupt', now)
    renameSync(file, report.keptAside)
  } else {
    report.backup = freePath(file, 'pre-migration', now)
    copyFileSync(file, report.backup)
  }
  writeStoreFile(file, c.data)
  return report
}

/** A few lines for the log / an error message. */
export function describeRepair(r: StoreRepairReport): string {
  const head = r.keptAside
    ? `kvmbench: the profile store ${r.file} had ${r.problems.length} problem(s); the file was kept aside as ${r.keptAside} and ${r.recovered} profile(s) were recovered${r.lost.length ? `, ${r.lost.length} could not be (${r.lost.join(', ')}) — they are still in the file kept aside` : ''}`
    : `kvmbench: migrated ${r.migrated.length} stored profile(s) in ${r.file} (backup: ${r.backup})`
  return [head, ...r.problems.slice(0, 20).map((p) => `  ${p.path}: ${p.message}`), ...(r.problems.length > 20 ? [`  … and ${r.problems.length - 20} more`] : []), ...r.migrated.map((m) => `  migrated ${m}`)].join('\n')
}
