// Configuration edits as pure functions over the profile JSON as written: each configuration is a variant of
// the base profile and stores only its differences (`configurations[].overrides`), so setting a knob back to
// the value it would have without the override removes the override (and any parent object left empty).
import { loadProfile, deepMerge } from '../../../core/profile/load-profile.ts'
import type { Profile, Vm } from '../../../core/profile/profile-schema.ts'
import type { Knob } from './config-knobs.ts'

type Json = Record<string, unknown>

/** Where a VM knob is overridden: for every VM (`overrides.vm`) or for one (`overrides.vms.<name>`). */
export type VmTarget = { kind: 'all' } | { kind: 'vm'; name: string }

export const ALL_VMS: VmTarget = { kind: 'all' }

/** The profile's default configuration list, used when the JSON leaves `configurations` out. */
export const DEFAULT_CONFIGURATIONS = [{ name: 'base', description: 'The profile as written.', overrides: {} }]

export const CONFIG_NAME_PATTERN = /^[A-Za-z0-9_.+-]+$/

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function clone<T>(v: T): T {
  return structuredClone(v)
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]))
  }
  return false
}

function getIn(v: unknown, path: readonly string[]): unknown {
  let cur = v
  for (const k of path) {
    if (!isObj(cur)) return undefined
    cur = cur[k]
  }
  return cur
}

/** The configurations as written (the default `base` one when the JSON has none). */
export function configsOf(json: unknown): Json[] {
  const c = isObj(json) ? json.configurations : undefined
  return Array.isArray(c) ? (c as Json[]) : clone(DEFAULT_CONFIGURATIONS)
}

function withConfigs(json: unknown, configs: Json[]): Json {
  return { ...(isObj(json) ? clone(json) : {}), configurations: configs }
}

function indexOf(configs: Json[], name: string): number {
  const i = configs.findIndex((c) => c.name === name)
  if (i < 0) throw new Error(`configuration ${JSON.stringify(name)} is not in the profile`)
  return i
}

/** The location of a knob inside `overrides` (`['host','kvm','piInjectTimer']`, `['vms','redis-vm','io']`). */
export function overrideLoc(k: Pick<Knob, 'scope' | 'path'>, target: VmTarget = ALL_VMS): string[] {
  if (k.scope !== 'vm') return [k.scope, ...k.path]
  return target.kind === 'all' ? ['vm', ...k.path] : ['vms', target.name, ...k.path]
}

/** A configuration's overrides as written. */
export function overridesOf(json: unknown, config: string): Json {
  const c = configsOf(json).find((x) => x.name === config)
  return isObj(c?.overrides) ? c.overrides : {}
}

/** The override at a location, or undefined when the configuration keeps the base value there. */
export function overrideAt(json: unknown, config: string, loc: readonly string[]): unknown {
  return getIn(overridesOf(json, config), loc)
}

/** Sets an override (creating the objects on the way). */
export function setOverride(json: unknown, config: string, loc: readonly string[], value: unknown): Json {
  const configs = clone(configsOf(json))
  const c = configs[indexOf(configs, config)]!
  if (!isObj(c.overrides)) c.overrides = {}
  let cur = c.overrides as Json
  loc.slice(0, -1).forEach((k) => {
    if (!isObj(cur[k])) cur[k] = {}
    cur = cur[k] as Json
  })
  cur[loc[loc.length - 1]!] = clone(value)
  return withConfigs(json, configs)
}

/** Removes an override, and the objects it leaves empty (`overrides` itself stays). */
export function clearOverride(json: unknown, config: string, loc: readonly string[]): Json {
  const configs = clone(configsOf(json))
  const c = configs[indexOf(configs, config)]!
  const prune = (o: Json, path: readonly string[]): void => {
    const [k, ...rest] = path
    if (k === undefined) return
    if (rest.length === 0) {
      delete o[k]
      return
    }
    const child = o[k]
    if (!isObj(child)) return
    prune(child, rest)
    if (Object.keys(child).length === 0) delete o[k]
  }
  if (isObj(c.overrides)) prune(c.overrides, loc)
  return withConfigs(json, configs)
}

/** The base profile alone (defaults filled, configurations left out): what overrides differ from. */
export function baseProfileOf(json: unknown): Profile | undefined {
  if (!isObj(json)) return undefined
  const { configurations: _ignored, ...base } = json
  const r = loadProfile(base)
  return r.ok ? r.profile : undefined
}

/**
 * The value a knob has in a configuration without the override at `target`: the base profile's value for
 * host/run knobs and for "all VMs" (the first VM's, with `varies` when the VMs differ), and for one VM its
 * base value with the configuration's all-VM override (`overrides.vm`) applied.
 */
export function baseValueOf(base: Profile, json: unknown, config: string, k: Pick<Knob, 'scope' | 'path'>, target: VmTarget = ALL_VMS): { value: unknown; varies: boolean } {
  if (k.scope === 'host') return { value: getIn(base.host, k.path), varies: false }
  if (k.scope === 'run') return { value: getIn(base.run, k.path), varies: false }
  if (target.kind === 'all') {
    const values = base.vms.map((vm) => getIn(vm, k.path))
    return { value: values[0], varies: values.some((v) => !deepEqual(v, values[0])) }
  }
  const vm = base.vms.find((v) => v.name === target.name)
  const merged = vm ? deepMerge<Vm>(vm, overridesOf(json, config).vm) : undefined
  return { value: getIn(merged, k.path), varies: false }
}

/** The value the editor shows for a knob: the override when there is one, else the base value. */
export function effectiveValueOf(base: Profile, json: unknown, config: string, k: Pick<Knob, 'scope' | 'path'>, target: VmTarget = ALL_VMS): { value: unknown; overridden: boolean; base: unknown; varies: boolean } {
  const o = overrideAt(json, config, overrideLoc(k, target))
  const b = baseValueOf(base, json, config, k, target)
  return { value: o === undefined ? b.value : o, overridden: o !== undefined, base: b.value, varies: b.varies }
}

/**
 * Sets a knob in a configuration: an override when the value differs from the base value, and no override
 * (removing any) when it equals it.
 */
export function setKnob(json: unknown, base: Profile, config: string, k: Pick<Knob, 'scope' | 'path'>, value: unknown, target: VmTarget = ALL_VMS): Json {
  const loc = overrideLoc(k, target)
  const b = baseValueOf(base, json, config, k, target)
  return !b.varies && deepEqual(value, b.value) ? clearOverride(json, config, loc) : setOverride(json, config, loc, value)
}

export interface OverrideEntry { loc: string[]; value: unknown }

/** A configuration's overrides as a flat list of leaves (arrays are leaves: they replace). */
export function listOverrides(json: unknown, config: string): OverrideEntry[] {
  const out: OverrideEntry[] = []
  const walk = (v: unknown, loc: string[]): void => {
    if (isObj(v)) for (const [k, x] of Object.entries(v)) walk(x, [...loc, k])
    else if (v !== undefined && loc.length) out.push({ loc, value: v })
  }
  walk(overridesOf(json, config), [])
  return out
}

/** Why a configuration name cannot be used, or undefined when it can. */
export function configNameProblem(name: string, taken: readonly string[]): string | undefined {
  if (!name) return 'a configuration needs a name'
  if (name.length > 64) return 'is longer than 64 characters'
  if (!CONFIG_NAME_PATTERN.test(name)) return 'use letters, digits, "-", "_", "+" or "."'
  if (taken.includes(name)) return 'is used by another configuration'
  return undefined
}

/** `stem`, or `stem-2`, `stem-3`, … — the first one not taken. */
export function uniqueName(stem: string, taken: readonly string[]): string {
  if (!taken.includes(stem)) return stem
  for (let i = 2; ; i++) if (!taken.includes(`${stem}-${i}`)) return `${stem}-${i}`
}

export function configNames(json: unknown): string[] {
  return configsOf(json).map((c) => String(c.name))
}

/** Adds a configuration identical to the base (no overrides); returns the new JSON and its name. */
export function addConfiguration(json: unknown, stem = 'variant'): { json: Json; name: string } {
  const configs = clone(configsOf(json))
  const name = uniqueName(stem, configs.map((c) => String(c.name)))
  configs.push({ name, description: '', overrides: {} })
  return { json: withConfigs(json, configs), name }
}

/** Adds a copy of a configuration (its overrides and description) right after it. */
export function duplicateConfiguration(json: unknown, config: string): { json: Json; name: string } {
  const configs = clone(configsOf(json))
  const i = indexOf(configs, config)
  const name = uniqueName(`${config}-copy`, configs.map((c) => String(c.name)))
  configs.splice(i + 1, 0, { ...clone(configs[i]!), name })
  return { json: withConfigs(json, configs), name }
}

/** Renames a configuration, keeping its overrides; an error when the name cannot be used. */
export function renameConfiguration(json: unknown, from: string, to: string): { ok: true; json: Json } | { ok: false; problem: string } {
  const configs = clone(configsOf(json))
  const i = indexOf(configs, from)
  if (to === from) return { ok: true, json: withConfigs(json, configs) }
  const problem = configNameProblem(to, configs.filter((_, j) => j !== i).map((c) => String(c.name)))
  if (problem) return { ok: false, problem }
  configs[i] = { ...configs[i]!, name: to }
  return { ok: true, json: withConfigs(json, configs) }
}

/** Deletes a configuration; a profile keeps at least one. */
export function deleteConfiguration(json: unknown, config: string): { ok: true; json: Json } | { ok: false; problem: string } {
  const configs = clone(configsOf(json))
  if (configs.length <= 1) return { ok: false, problem: 'a profile needs at least one configuration' }
  configs.splice(indexOf(configs, config), 1)
  return { ok: true, json: withConfigs(json, configs) }
}

export function describeConfiguration(json: unknown, config: string, description: string): Json {
  const configs = clone(configsOf(json))
  const c = configs[indexOf(configs, config)]!
  if (description) c.description = description
  else delete c.description
  return withConfigs(json, configs)
}
