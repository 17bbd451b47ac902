// profiles.* : the library of saved profiles (name, description, tags, times) over a ProfileRepository:
// save, save as, rename, duplicate, delete to the trash and restore (undo), import and export .json text.
// Every profile is migrated to the current format and validated by the core's one validation
// (core/check/check-profile.ts: what a run would refuse) before it is stored; the repository checks each
// entry it reads (when the file changed) and writes.
import { randomUUID } from 'node:crypto'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { DeletedProfileSummary, ProfileExportFile, ProfileImportResult, ProfileStoreReport, ProfileSummary, RequestOf, StoredProfile, ValidationResult } from '../../core/api/protocol.ts'
import { checkProfile } from '../../core/check/check-profile.ts'
import type { ProfileRepository } from './profile-repository.ts'
import { payloadShapeProblem } from './api-router.ts'

/** The marker and version of a profile export file. */
export const PROFILE_EXPORT_FORMAT = 1

export interface ProfileExportDocument {
  kvmbenchProfileExport: typeof PROFILE_EXPORT_FORMAT
  name: string
  description: string
  tags: string[]
  createdAt: string
  updatedAt: string
  exportedAt: string
  profile: unknown
}

/** A file name for a profile name: letters, digits, `-`, `_`, `.`; `.json`. */
export function exportFileName(name: string): string {
  const base = name.normalize('NFKD').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80)
  return `${base || 'profile'}.json`
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The profile JSON with its `name` set to the library name (profile names are at most 128 characters). */
export function withName(profile: unknown, name: string): unknown {
  return isObject(profile) ? { ...profile, name: name.slice(0, 128) } : profile
}

export class ProfileService {
  private readonly repo: ProfileRepository
  private readonly now: () => Date

  constructor(repo: ProfileRepository, now: () => Date = () => new Date()) {
    this.repo = repo
    this.now = now
  }

  list(): ProfileSummary[] {
    return this.repo.list().map(({ profile: _profile, ...summary }) => summary)
  }

  get(req: RequestOf<'profiles.get'>): StoredProfile {
    const p = this.repo.get(req.id)
    if (!p) throw new ApiFailure({ code: 'not-found', message: `no saved profile has the id ${JSON.stringify(req.id)}` })
    return p
  }

  /** Creates (no id, or an unknown id) or updates a profile. Only valid profiles are saved. Names are
   *  unique in the library, and the library name is written into the profile (its `name`), so the card,
   *  the exported JSON and later runs all carry the name it was saved under. */
  save(req: RequestOf<'profiles.save'>): StoredProfile {
    const name = req.name.trim()
    this.refuseTakenName(name, req.id)
    const profile = withName(this.checked(req.profile).profile, name)
    const existing = req.id !== undefined ? this.repo.get(req.id) : undefined
    const at = this.now().toISOString()
    const stored: StoredProfile = {
      id: req.id ?? randomUUID(),
      name,
      description: req.description,
      tags: req.tags,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      profile,
    }
    this.repo.put(stored)
    return stored
  }

  /** Saves under a new id; the profile it was opened from (if any) is left as it was. */
  saveAs(req: RequestOf<'profiles.saveAs'>): StoredProfile {
    return this.save({ id: undefined, name: req.name, description: req.description, tags: req.tags, profile: req.profile })
  }

  rename(req: RequestOf<'profiles.rename'>): StoredProfile {
    const p = this.get({ id: req.id })
    const name = req.name.trim()
    this.refuseTakenName(name, req.id)
    const renamed: StoredProfile = { ...p, name, profile: withName(p.profile, name), updatedAt: this.now().toISOString() }
    this.repo.put(renamed)
    return renamed
  }

  duplicate(req: RequestOf<'profiles.duplicate'>): StoredProfile {
    const p = this.get({ id: req.id })
    const at = this.now().toISOString()
    const name = req.name?.trim() ?? this.copyName(p.name)
    this.refuseTakenName(name, undefined)
    const copy: StoredProfile = { ...p, id: randomUUID(), name, profile: withName(p.profile, name), createdAt: at, updatedAt: at }
    this.repo.put(copy)
    return copy
  }

  /** Moves a profile to the trash (restorable with `restore`). */
  remove(req: RequestOf<'profiles.remove'>): { removed: boolean } {
    return { removed: this.repo.remove(req.id) }
  }

  deleted(): DeletedProfileSummary[] {
    return this.repo.listDeleted()
  }

  restore(req: RequestOf<'profiles.restore'>): StoredProfile {
    const p = this.repo.restore(req.id)
    if (!p) throw new ApiFailure({ code: 'not-found', message: `no deleted profile has the id ${JSON.stringify(req.id)} — see profiles.deleted` })
    return p
  }

  purge(req: RequestOf<'profiles.purge'>): { purged: boolean } {
    return { purged: this.repo.purge(req.id) }
  }

  export(req: RequestOf<'profiles.export'>): ProfileExportFile {
    const p = this.get({ id: req.id })
    const doc: ProfileExportDocument = {
      kvmbenchProfileExport: PROFILE_EXPORT_FORMAT,
      name: p.name, description: p.description, tags: p.tags, createdAt: p.createdAt, updatedAt: p.updatedAt,
      exportedAt: this.now().toISOString(),
      profile: p.profile,
    }
    return { fileName: exportFileName(p.name), json: `${JSON.stringify(doc, null, 2)}\n` }
  }

  /**
   * Imports a .json file's text: an export document (its name, description and tags are kept; its id and
   * times are not — an import is a new profile) or a bare bench profile (named after its `name`).
   */
  import(req: RequestOf<'profiles.import'>): ProfileImportResult {
    let json: unknown
    try {
      json = JSON.parse(req.json.replace(/^\uFEFF/, ''))
    } catch (e) {
      throw new ApiFailure({ code: 'bad-request', message: `the file is not valid JSON: ${(e as Error).message}` })
    }
    if (!isObject(json)) throw new ApiFailure({ code: 'bad-request', message: 'the file holds no profile: expected a JSON object (a kvmbench profile or profile export)' })
    const shape = payloadShapeProblem(json)
    if (shape) throw new ApiFailure({ code: 'bad-request', message: `the file is not a profile: ${shape.replace('the payload', 'it')}` })
    let meta: { name: string; description: string; tags: string[] }
    let profileJson: unknown
    if ('kvmbenchProfileExport' in json) {
      if (json.kvmbenchProfileExport !== PROFILE_EXPORT_FORMAT) {
        throw new ApiFailure({ code: 'bad-request', message: `the file is a profile export of format ${JSON.stringify(json.kvmbenchProfileExport)}, which this kvmbench does not read (it reads ${PROFILE_EXPORT_FORMAT})` })
      }
      profileJson = json.profile
      const tags = Array.isArray(json.tags) ? json.tags.filter((t): t is string => typeof t === 'string').map((t) => t.slice(0, 64)).slice(0, 64) : []
      meta = { name: typeof json.name === 'string' ? json.name : '', description: typeof json.description === 'string' ? json.description.slice(0, 16384) : '', tags }
    } else {
      profileJson = json
      meta = { name: typeof json.name === 'string' ? json.name : '', description: typeof json.description === 'string' ? json.description.slice(0, 16384) : '', tags: [] }
    }
    const { profile, migrated } = this.checked(profileJson)
    const wanted = (req.name ?? meta.name).trim().slice(0, 128) || 'imported profile'
    // An import never replaces nor refuses: a name the library has already gets " (imported)".
    const name = this.isTaken(wanted, undefined) ? this.copyName(wanted, 'imported') : wanted
    const stored = this.save({ id: undefined, name, description: meta.description, tags: meta.tags, profile })
    return { profile: stored, migrated }
  }

  storeReport(): ProfileStoreReport[] {
    return this.repo.reports()
  }

  validate(req: RequestOf<'profiles.validate'>): ValidationResult {
    const c = checkProfile(req.profile)
    return { ok: c.ok, issues: c.issues }
  }

  /** The profile migrated to the current format; throws bad-request with the issues when it is invalid. */
  private checked(json: unknown): { profile: unknown; migrated: string[] } {
    const c = checkProfile(json)
    if (!c.ok) throw new ApiFailure({ code: 'bad-request', message: `the profile is not valid: ${c.issues.length} issue(s) — ${c.issues.slice(0, 3).map((i) => `${i.path}: ${i.value} ${i.message}`).join('; ')}`, issues: c.issues })
    return { profile: c.json, migrated: c.migrated }
  }

  private isTaken(name: string, exceptId: string | undefined): boolean {
    const key = name.toLocaleLowerCase()
    return this.repo.list().some((p) => p.id !== exceptId && p.name.trim().toLocaleLowerCase() === key)
  }

  /** Names are unique in the library (compared without case): a taken one is refused, saying which. */
  private refuseTakenName(name: string, exceptId: string | undefined): void {
    if (!this.isTaken(name, exceptId)) return
    throw new ApiFailure({
      code: 'bad-request',
      message: `a profile named “${name}” exists already — choose another name (names are unique in the library), or open that profile and Save`,
      issues: [{ path: 'name', value: JSON.stringify(name), message: 'is the name of another saved profile', fix: 'choose another name' }],
    })
  }

  private copyName(name: string, word = 'copy'): string {
    const names = new Set(this.repo.list().map((p) => p.name.trim().toLocaleLowerCase()))
    const stem = name.replace(/ \((?:copy|imported)(?: \d+)?\)$/, '')
    for (let n = 1; ; n++) {
      const candidate = `${stem} (${word}${n > 1 ? ` ${n}` : ''})`.slice(0, 128)
      if (!names.has(candidate.toLocaleLowerCase())) return candidate
    }
  }
}
