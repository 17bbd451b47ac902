// Loading a profile: schema validation with defaults, then the semantic checks that need the whole
// profile (cpulists against the host's CPU count, configuration names, pinning ranges).
import * as s from '../schema/schema.ts'
import type { Issue } from '../schema/schema.ts'
import { profileSchema, hostSchema, vmSchema, PROFILE_SCHEMA_VERSION } from './profile-schema.ts'
import type { Profile, Overrides, Host, Vm, RunSettings } from './profile-schema.ts'

export type LoadResult = { ok: true; profile: Profile } | { ok: false; issues: Issue[] }

export const profileJsonSchema = (): Record<string, unknown> =>
  s.toJsonSchema(profileSchema, { id: `https://kvmbench.dev/schema/profile-v${PROFILE_SCHEMA_VERSION}.json`, title: 'kvmbench bench profile' })

/** Validates a parsed JSON value as a profile and fills in every default. Never throws. */
export function loadProfile(json: unknown): LoadResult {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const v = (json as Record<string, unknown>).schemaVersion
    if (v === undefined) return { ok: false, issues: [{ path: 'schemaVersion', value: 'undefined', message: 'is required', fix: `add "schemaVersion": ${PROFILE_SCHEMA_VERSION}` }] }
    if (typeof v === 'number' && v > PROFILE_SCHEMA_VERSION) {
      return { ok: false, issues: [{ path: 'schemaVersion', value: String(v), message: `is newer than this kvmbench understands (${PROFILE_SCHEMA_VERSION})`, fix: 'update kvmbench, or save the profile from this version' }] }
    }
  }
  const r = s.parse(profileSchema, json)
  if (!r.ok) return r
  const issues = semanticIssues(r.value)
  return issues.length ? { ok: false, issues } : { ok: true, profile: r.value }
}

function semanticIssues(p: Profile): Issue[] {
  const issues: Issue[] = []
  const names = new Set<string>()
  p.configurations.forEach((c, i) => {
    if (names.has(c.name)) issues.push({ path: `configurations[${i}].name`, value: JSON.stringify(c.name), message: 'is used by another configuration', fix: 'give each configuration a unique name' })
    names.add(c.name)
    for (const vmName of Object.keys(c.overrides.vms ?? {})) {
      if (!p.vms.some((v) => v.name === vmName)) issues.push({ path: `configurations[${i}].overrides.vms.${vmName}`, value: JSON.stringify(vmName), message: 'names no VM of the profile', fix: `use one of ${p.vms.map((v) => JSON.stringify(v.name)).join(', ')}` })
    }
  })
  const vmNames = new Set<string>()
  p.vms.forEach((v, i) => {
    if (vmNames.has(v.name)) issues.push({ path: `vms[${i}].name`, value: JSON.stringify(v.name), message: 'is used by another VM', fix: 'give each VM a unique name' })
    vmNames.add(v.name)
  })
  return issues
}

export function configurationNames(p: Profile): string[] {
  return p.configurations.map((c) => c.name)
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Deep merge of an override into a base value: objects merge field by field, arrays and scalars replace. */
export function deepMerge<T>(baseValue: T, override: unknown): T {
  if (override === undefined) return baseValue
  if (!isPlainObject(baseValue) || !isPlainObject(override)) return s.structuredCloneJson(override) as T
  const out: Record<string, unknown> = { ...(baseValue as Record<string, unknown>) }
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(out[k], v)
  return out as T
}

export interface ResolvedConfiguration { name: string; description: string; host: Host; vms: Vm[]; run: RunSettings }

/** The base profile with one configuration's overrides applied (host, every VM, then VMs by name, then run). */
export function resolveConfiguration(p: Profile, name: string): ResolvedConfiguration {
  const c = p.configurations.find((x) => x.name === name)
  if (!c) throw new Error(`configuration ${JSON.stringify(name)} is not in the profile — use one of ${configurationNames(p).join(', ')}`)
  const o: Overrides = c.overrides
  // an override replaces a list whole, and its items were checked without defaults: fill them in now
  const host = withDefaults(hostSchema, deepMerge(p.host, o.host))
  const vms = p.vms.map((vm) => withDefaults(vmSchema, deepMerge(deepMerge(vm, o.vm), o.vms?.[vm.name])))
  const run = deepMerge(p.run, o.run)
  return { name: c.name, description: c.description, host, vms, run }
}

/** The merged value with the schema's defaults filled in where an override left them out (it was valid in parts). */
function withDefaults<T>(schema: s.Schema<T>, merged: T): T {
  const r = s.parse(schema, merged)
  return r.ok ? r.value : merged
}
