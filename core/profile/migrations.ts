// Profile format migrations: pure functions that lift a profile written by an older kvmbench to the
// current `schemaVersion`, one version at a time. The registry is keyed by the version a step migrates
// FROM; `migrateProfile` chains the steps from the profile's version up to PROFILE_SCHEMA_VERSION and
// never mutates its input. Today only version 1 exists, so the registry is empty; when the format
// changes, bump PROFILE_SCHEMA_VERSION in profile-schema.ts and add `MIGRATIONS[old] = { … }` here,
// with a test that loads a profile of every older version (test/main/profile-migrations.node.test.ts does
// so for every entry of this registry).
import type { Issue } from '../schema/schema.ts'
import { structuredCloneJson } from '../schema/schema.ts'
import { PROFILE_SCHEMA_VERSION } from './profile-schema.ts'

export type ProfileJson = Record<string, unknown>

export interface ProfileMigration {
  /** The version this step reads; it writes `from + 1`. */
  readonly from: number
  /** What changed, in a sentence (shown when a stored or imported profile is migrated). */
  readonly description: string
  /** Pure: returns a new object (the input is a private deep copy, so changing it in place is fine too). */
  readonly migrate: (p: ProfileJson) => ProfileJson
}

export type MigrationRegistry = Readonly<Record<number, ProfileMigration>>

/** The migrations of the profile format, keyed by the version they migrate from. */
export const MIGRATIONS: MigrationRegistry = Object.freeze({})

export type MigrateResult =
  | { ok: true; profile: unknown; from: number; to: number; applied: string[] }
  | { ok: false; issues: Issue[] }

function isObject(v: unknown): v is ProfileJson {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Lifts a parsed profile to `target` (default: the current version). A profile already at the target is
 * returned as is (same object). Anything that is not an object, or has no integer `schemaVersion`, is
 * handed back unchanged for `loadProfile` to report; a version newer than `target`, or one no chain of
 * migrations leads from, is an issue.
 */
export function migrateProfile(json: unknown, registry: MigrationRegistry = MIGRATIONS, target: number = PROFILE_SCHEMA_VERSION): MigrateResult {
  if (!isObject(json)) return { ok: true, profile: json, from: target, to: target, applied: [] }
  const v = json.schemaVersion
  if (typeof v !== 'number' || !Number.isInteger(v)) return { ok: true, profile: json, from: target, to: target, applied: [] }
  if (v === target) return { ok: true, profile: json, from: v, to: v, applied: [] }
  if (v > target) {
    return { ok: false, issues: [{ path: 'schemaVersion', value: String(v), message: `is newer than this kvmbench understands (${target})`, fix: 'update kvmbench, or save the profile from this version' }] }
  }
  let p = structuredCloneJson(json)
  const applied: string[] = []
  for (let version = v; version < target; version++) {
    const step = Object.prototype.hasOwnProperty.call(registry, version) ? registry[version] : undefined
    if (!step || step.from !== version) {
      return { ok: false, issues: [{ path: 'schemaVersion', value: String(v), message: `is a format version kvmbench cannot migrate from (no migration from version ${version})`, fix: `re-create the profile, or set "schemaVersion": ${target} and fix what loading reports` }] }
    }
    let next: ProfileJson
    try {
      next = step.migrate(p)
    } catch (e) {
      return { ok: false, issues: [{ path: 'schemaVersion', value: String(version), message: `could not be migrated to version ${version + 1}: ${e instanceof Error ? e.message : String(e)}`, fix: 'edit the profile by hand to the current format' }] }
    }
    p = { ...next, schemaVersion: version + 1 }
    applied.push(`v${version} → v${version + 1}: ${step.description}`)
  }
  return { ok: true, profile: p, from: v, to: target, applied }
}

/** The versions a profile can be migrated from: every key of the registry that chains up to `target`. */
export function migratableVersions(registry: MigrationRegistry = MIGRATIONS, target: number = PROFILE_SCHEMA_VERSION): number[] {
  return Object.keys(registry).map(Number).filter((from) => {
    for (let v = from; v < target; v++) if (!Object.prototype.hasOwnProperty.call(registry, v)) return false
    return from < target
  }).sort((a, b) => a - b)
}
