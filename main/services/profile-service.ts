// profiles.* : saved profiles with name, description and tags, over a ProfileRepository.
import { randomUUID } from 'node:crypto'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { ProfileSummary, RequestOf, StoredProfile, ValidationResult } from '../../core/api/protocol.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import type { ProfileRepository } from './profile-repository.ts'

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

  /** Creates (no id, or an unknown id) or updates a profile. Only valid profiles are saved. */
  save(req: RequestOf<'profiles.save'>): StoredProfile {
    const v = this.validate({ profile: req.profile })
    if (!v.ok) throw new ApiFailure({ code: 'bad-request', message: `the profile is not valid: ${v.issues.length} issue(s)`, issues: v.issues })
    const existing = req.id !== undefined ? this.repo.get(req.id) : undefined
    const at = this.now().toISOString()
    const stored: StoredProfile = {
      id: req.id ?? randomUUID(),
      name: req.name,
      description: req.description,
      tags: req.tags,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      profile: req.profile,
    }
    this.repo.put(stored)
    return stored
  }

  remove(req: RequestOf<'profiles.remove'>): { removed: boolean } {
    return { removed: this.repo.remove(req.id) }
  }

  validate(req: RequestOf<'profiles.validate'>): ValidationResult {
    const r = loadProfile(req.profile)
    return r.ok ? { ok: true, issues: [] } : { ok: false, issues: r.issues }
  }
}
