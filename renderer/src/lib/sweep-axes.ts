// The Sweep tab's axes: the knobs an engineer tunes (from the configuration editor's knob table), each
// turned into a sweep path of the resolved configuration (`host.kvm.haltPoll.haltPollNs`,
// `vms[0].kvm.disableExits.hlt`), with suggested values and the typed list parsed and checked by the
// knob's own schema. Pure.
import { KNOBS, knobProblem, showValue, type Knob } from './config-knobs.ts'
import { ALL_VMS, configNames, describeConfiguration, duplicateConfiguration, overrideLoc, renameConfiguration, setOverride, uniqueName, type VmTarget } from './config-edit.ts'

/** The knobs the Sweep tab offers, in the order an engineer reaches for them. */
export const SWEEP_KNOB_IDS: readonly string[] = [
  'host.kvm.haltPoll.haltPollNs', 'vm.kvm.disableExits.hlt', 'vm.kvm.disableExits.pause', 'vm.kvm.disableExits.mwait',
  'host.kvm.piInjectTimer', 'host.kvm.preemptionTimer', 'vm.guest.haltpoll.enabled', 'vm.guest.haltpoll.guestHaltPollNs',
  'vm.kvm.hintDedicated', 'vm.guest.idlePoll', 'vm.kvm.pv.pvUnhalt', 'vm.kvm.pv.pollControl', 'vm.guest.tickMode',
  'host.kvm.pleGap', 'host.kvm.pleWindow', 'host.kernel.cmdline.nohzFull', 'host.kernel.cmdline.rcuNocbs', 'host.kernel.cmdline.idle', 'run.durationSec',
]

export const SWEEP_KNOBS: readonly Knob[] = SWEEP_KNOB_IDS.map((id) => KNOBS.get(id)).filter((k): k is Knob => k !== undefined)

/** The path of a knob in the resolved configuration a sweep varies; VM knobs name one VM by index. */
export function sweepPath(k: Pick<Knob, 'scope' | 'path'>, vmIndex = 0): string {
  return k.scope === 'vm' ? `vms[${vmIndex}].${k.path.join('.')}` : `${k.scope}.${k.path.join('.')}`
}

/** Cpulists hold commas: their values are separated by ";" (every other knob's by ","). */
export function valueSeparator(k: Pick<Knob, 'control'>): string {
  return k.control.kind === 'cpulist' ? ';' : ','
}

/** Two values to start from: both booleans, an enum's values, the current number and one beside it. */
export function suggestedValues(k: Knob, current: unknown): unknown[] {
  const c = k.control
  if (c.kind === 'boolean') return [false, true]
  if (c.kind === 'enum') return c.values.slice(0, 4)
  if (c.kind === 'number') {
    const cur = typeof current === 'number' ? current : Number(k.defaultValue ?? 0)
    const other = cur === 0 ? (c.max !== undefined ? Math.min(c.max, 200_000) : 1) : (c.min ?? 0)
    return [...new Set([cur, other])].sort((a, b) => a - b)
  }
  return [current ?? k.defaultValue ?? '']
}

/** The values as the user types them. */
export function formatValues(k: Knob, values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : showValue(v))).join(`${valueSeparator(k)} `)
}

function parseOne(k: Knob, text: string): unknown {
  const c = k.control
  if (c.kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : text
  if (c.kind === 'number') return text !== '' && Number.isFinite(Number(text)) ? Number(text) : text
  if (c.kind === 'enum' && c.values.some((v) => typeof v === 'number')) return Number.isFinite(Number(text)) ? Number(text) : text
  return text
}

/** Parses a typed value list; each value is checked by the knob's schema (message — fix, naming the value). */
export function parseValues(k: Knob, text: string): { ok: true; values: unknown[] } | { ok: false; problem: string } {
  const parts = text.split(valueSeparator(k)).map((p) => p.trim())
  const values = k.control.kind === 'cpulist' || k.control.kind === 'text' ? parts.filter((p, i) => p !== '' || parts.length === 1 || i < parts.length - 1) : parts.filter((p) => p !== '')
  if (values.length === 0) return { ok: false, problem: `${k.label}: give at least one value` }
  const parsed = values.map((v) => parseOne(k, v))
  for (const v of parsed) {
    const p = knobProblem(k, v)
    if (p) return { ok: false, problem: `${k.label}: ${JSON.stringify(v)} ${p}` }
  }
  const seen = new Set<string>()
  for (const v of parsed) {
    const key = JSON.stringify(v)
    if (seen.has(key)) return { ok: false, problem: `${k.label}: ${key} is given twice — list each value once` }
    seen.add(key)
  }
  return { ok: true, values: parsed }
}

/** Parses "1, 2, 3" into seeds (whole numbers 0 … 2³²−1, each once). */
export function parseSeeds(text: string): { ok: true; seeds: number[] } | { ok: false; problem: string } {
  const parts = text.split(/[,\s]+/).filter((p) => p !== '')
  if (parts.length === 0) return { ok: false, problem: 'seeds: give at least one seed, e.g. 1, 2, 3' }
  const seeds = parts.map(Number)
  const bad = parts.find((p, i) => !Number.isInteger(seeds[i]) || seeds[i]! < 0 || seeds[i]! > 2 ** 32 - 1)
  if (bad !== undefined) return { ok: false, problem: `seeds: ${JSON.stringify(bad)} is not a whole number from 0 to 4294967295` }
  if (new Set(seeds).size !== seeds.length) return { ok: false, problem: 'seeds: a seed is given twice — list each once' }
  return { ok: true, seeds }
}

/** Where an axis came from: the knob, and the VM it names (VM knobs). */
export interface AxisSource { knob: Knob; vm?: string }

/**
 * Adds a sweep point as a configuration of the profile: a copy of the configuration the sweep varied, with
 * each axis's value as an override (a VM knob overrides that VM only). Returns the new JSON and its name.
 */
export function addPointConfiguration(json: unknown, config: string, point: { index: number; values: Record<string, unknown> }, sources: Record<string, AxisSource>): { json: Record<string, unknown>; name: string } {
  const copy = duplicateConfiguration(json, config)
  const name = uniqueName(`sweep-${point.index}`, configNames(copy.json).filter((n) => n !== copy.name))
  const renamed = renameConfiguration(copy.json, copy.name, name)
  let next = renamed.ok ? renamed.json : copy.json
  const at = renamed.ok ? name : copy.name
  for (const [path, value] of Object.entries(point.values)) {
    const src = sources[path]
    if (!src) continue
    const target: VmTarget = src.vm !== undefined ? { kind: 'vm', name: src.vm } : ALL_VMS
    next = setOverride(next, at, overrideLoc(src.knob, target), value)
  }
  const said = Object.entries(point.values).map(([p, v]) => `${p} = ${JSON.stringify(v)}`).join(', ')
  return { json: describeConfiguration(next, at, `Sweep point ${point.index} of ${config}: ${said}.`), name: at }
}
