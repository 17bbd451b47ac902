// Profile format migrations (core/profile/migrations.ts): the registry chains pure steps from every older
// schemaVersion to the current one. Only v1 exists today, so the mechanism is tested with a synthetic
// history (v-1 → v0 → v1) shaped like the changes a real format bump makes: renames and new structure.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { MIGRATIONS, migratableVersions, migrateProfile } from '../../core/profile/migrations.ts'
import type { MigrationRegistry } from '../../core/profile/migrations.ts'
import { PROFILE_SCHEMA_VERSION } from '../../core/profile/profile-schema.ts'
import { tinyProfile } from '../helpers/profiles.ts'

/** A synthetic history: v-1 named the seed `rngSeed` at top level; v0 kept configurations as a map. */
const HISTORY: MigrationRegistry = {
  [-1]: {
    from: -1,
    description: 'top-level rngSeed moves to run.seed',
    migrate: (p) => {
      const { rngSeed, ...rest } = p
      return { ...rest, run: { ...(rest.run as object | undefined), ...(rngSeed !== undefined ? { seed: rngSeed } : {}) } }
    },
  },
  0: {
    from: 0,
    description: 'configurations become a list of { name, description, overrides }',
    migrate: (p) => {
      const map = (p.configurations ?? {}) as Record<string, { overrides?: unknown; note?: string }>
      return { ...p, configurations: Object.entries(map).map(([name, c]) => ({ name, description: c.note ?? '', overrides: c.overrides ?? {} })) }
    },
  },
}

const V1 = tinyProfile(['base', 'tuned'])
const V0 = {
  schemaVersion: 0, name: V1.name, description: V1.description, run: V1.run,
  configurations: { base: { note: 'configuration base', overrides: {} }, tuned: { note: 'configuration tuned', overrides: { host: { kvm: { haltPoll: { haltPollNs: 0 } } } } } },
}
const VM1 = { ...V0, schemaVersion: -1, run: { durationSec: 0.02, warmupSec: 0.005 }, rngSeed: 11 }

describe('migrateProfile', () => {
  it('returns a current profile unchanged (the same object)', () => {
    const r = migrateProfile(V1)
    expect(r).toEqual({ ok: true, profile: V1, from: 1, to: 1, applied: [] })
    expect(r.ok && r.profile).toBe(V1)
  })

  it('has a chain from every registered version in the real registry, each loading after migration', () => {
    // Empty today; when a version is added, this test covers it (and a fixture of it must be added below).
    for (const v of migratableVersions()) {
      expect(MIGRATIONS[v]?.from).toBe(v)
    }
    expect(migratableVersions()).toEqual(Object.keys(MIGRATIONS).map(Number).sort((a, b) => a - b))
  })

  it('migrates every older version of the synthetic history to v1, and the result loads', () => {
    const fixtures: Record<number, unknown> = { [-1]: VM1, 0: V0 }
    expect(migratableVersions(HISTORY, 1)).toEqual([-1, 0])
    for (const v of migratableVersions(HISTORY, 1)) {
      const r = migrateProfile(fixtures[v], HISTORY, 1)
      expect(r.ok, `from v${v}`).toBe(true)
      if (!r.ok) continue
      expect(r.from).toBe(v)
      expect(r.to).toBe(1)
      expect(r.applied).toHaveLength(1 - v)
      expect(r.profile).toEqual(V1)
      expect(loadProfile(r.profile).ok).toBe(true)
    }
  })

  it('never mutates its input', () => {
    const input = structuredClone(VM1)
    migrateProfile(input, HISTORY, 1)
    expect(input).toEqual(VM1)
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 5 }), fc.integer({ min: -1, max: 0 }), (extra, v) => {
      const p = { ...extra, schemaVersion: v, configurations: {} }
      const before = JSON.stringify(p)
      const r = migrateProfile(p, HISTORY, 1)
      expect(JSON.stringify(p)).toBe(before)
      expect(r.ok && (r.profile as { schemaVersion: number }).schemaVersion).toBe(1)
    }))
  })

  it('reports a version newer than this build, and one with no migration path', () => {
    const newer = migrateProfile({ ...V1, schemaVersion: PROFILE_SCHEMA_VERSION + 1 })
    expect(newer.ok).toBe(false)
    expect(!newer.ok && newer.issues[0]?.message).toMatch(/newer than this kvmbench understands/)
    const orphan = migrateProfile({ ...V1, schemaVersion: -5 }, HISTORY, 1)
    expect(!orphan.ok && orphan.issues[0]?.message).toMatch(/no migration from version -5/)
    expect(migrateProfile({ ...V1, schemaVersion: 0 }).ok).toBe(false)
  })

  it('reports a step that throws instead of throwing', () => {
    const broken: MigrationRegistry = { 0: { from: 0, description: 'x', migrate: () => { throw new Error('bad shape') } } }
    const r = migrateProfile({ schemaVersion: 0 }, broken, 1)
    expect(!r.ok && r.issues[0]?.message).toMatch(/could not be migrated to version 1: bad shape/)
  })

  it('hands non-objects and missing versions back for loadProfile to report', () => {
    expect(migrateProfile('x')).toMatchObject({ ok: true, profile: 'x' })
    expect(migrateProfile({ name: 'n' })).toMatchObject({ ok: true, profile: { name: 'n' } })
  })
})
