// The points of a sweep: the base configuration resolved (host, vms, run with every default), then each
// combination of axis values written into it — the whole grid, or a sample drawn from it — × the seeds.
// A point's profile has one configuration, "point", with no overrides, so what runs is exactly what the
// point's values say. Bad axes are refused before anything runs, naming the axis (sweepIssues).
import { checkProfile } from '../check/check-profile.ts'
import { Rng } from '../engine/rng.ts'
import { configurationNames, resolveConfiguration } from '../profile/load-profile.ts'
import { PROFILE_SCHEMA_VERSION } from '../profile/profile-schema.ts'
import type { Profile } from '../profile/profile-schema.ts'
import { structuredCloneJson } from '../schema/schema.ts'
import type { Issue } from '../schema/schema.ts'
import { getPath, parsePath, setPath } from './json-path.ts'
import type { PathStep } from './json-path.ts'
import { MAX_SWEEP_POINTS, axisValues } from './sweep-spec.ts'
import type { SweepSpec } from './sweep-spec.ts'

export const POINT_CONFIGURATION = 'point'

export interface SweepPoint {
  /** Index in the grid (row-major over the axes, the last axis fastest). */
  index: number
  /** Each axis's value, by the axis's label or path. */
  values: Record<string, unknown>
  seed: number
}

export interface SweepPlan {
  /** The resolved base configuration as a profile with one configuration (no overrides). */
  baseProfile: Record<string, unknown>
  axes: { label: string; path: string; steps: PathStep[]; values: unknown[] }[]
  seeds: number[]
  gridSize: number
  /** The grid indices to run (all, or a sample in grid order). */
  indices: number[]
  metrics: string[]
}

/** The base configuration as a profile JSON of its own. */
function pointProfileOf(profile: Profile, config: string): Record<string, unknown> {
  const r = resolveConfiguration(profile, config)
  return structuredCloneJson({
    schemaVersion: PROFILE_SCHEMA_VERSION, name: `${profile.name} · ${config}`, description: `A sweep point of ${profile.name}, configuration ${config}.`,
    host: r.host, vms: r.vms, run: r.run, configurations: [{ name: POINT_CONFIGURATION, description: 'The point’s values.', overrides: {} }],
  })
}

export function defaultMetrics(profile: Profile): string[] {
  return profile.vms.flatMap((_, i) => ['throughputPerSec', 'latencyNs.p50', 'latencyNs.p99', 'latencyNs.p999'].map((m) => `vms[${i}].workload.${m}`))
}

/** Checks the spec against its base profile and plans the points; every issue names the spec field. */
export function planSweep(spec: SweepSpec, profile: Profile, opts: { sample?: number } = {}): { ok: true; plan: SweepPlan } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = []
  const names = configurationNames(profile)
  const config = spec.configuration ?? names[0]!
  if (!names.includes(config)) return { ok: false, issues: [{ path: 'configuration', value: JSON.stringify(config), message: 'is not a configuration of the base profile', fix: `use one of ${names.join(', ')}` }] }
  const baseProfile = pointProfileOf(profile, config)
  const axes: SweepPlan['axes'] = []
  const seen = new Set<string>()
  spec.axes.forEach((a, i) => {
    const steps = parsePath(a.path)
    const at = `axes[${i}].path`
    if (!steps) { issues.push({ path: at, value: JSON.stringify(a.path), message: 'is not a field path', fix: 'write it as the profile’s issues print paths, e.g. host.kvm.haltPoll.haltPollNs or vms[0].kvm.disableExits.hlt' }); return }
    if (!['host', 'vms', 'run'].includes(String(steps[0]))) { issues.push({ path: at, value: JSON.stringify(a.path), message: 'is outside the configuration', fix: 'start the path with host, vms[N] or run' }); return }
    if (getPath(baseProfile, steps) === undefined) { issues.push({ path: at, value: JSON.stringify(a.path), message: `is not a field of configuration ${JSON.stringify(config)}`, fix: 'check the spelling against `kvmbench schema` (paths are case-sensitive; list items by index, e.g. vms[0])' }); return }
    if (seen.has(a.path)) { issues.push({ path: at, value: JSON.stringify(a.path), message: 'is already an axis', fix: 'merge the two axes’ values into one' }); return }
    seen.add(a.path)
    axes.push({ label: a.label ?? a.path, path: a.path, steps, values: axisValues(a) })
  })
  if (issues.length) return { ok: false, issues }
  const seeds = spec.seeds ?? [Number((baseProfile.run as { seed: number }).seed)]
  const gridSize = axes.reduce((n, a) => n * a.values.length, 1)
  const sample = opts.sample ?? spec.sample
  const count = Math.min(gridSize, sample ?? gridSize)
  if (count * seeds.length > MAX_SWEEP_POINTS) {
    return { ok: false, issues: [{ path: sample ? 'sample' : 'axes', value: String(count * seeds.length), message: `points (${count} × ${seeds.length} seed${seeds.length > 1 ? 's' : ''}) are more than ${MAX_SWEEP_POINTS}`, fix: 'use fewer values or seeds, or --sample N' }] }
  }
  // each value alone on the base must be one a run accepts: the profile's own check, the axis named
  axes.forEach((a, i) => {
    a.values.forEach((v, j) => {
      const one = structuredCloneJson(baseProfile)
      setPath(one, a.steps, v)
      const c = checkProfile(one)
      const first = c.issues[0]
      if (first) issues.push({ path: `axes[${i}].values[${j}]`, value: JSON.stringify(v), message: `is refused for ${a.path}: ${first.path}: ${first.value} ${first.message}`, fix: first.fix })
    })
  })
  if (issues.length) return { ok: false, issues }
  const indices = sample !== undefined && sample < gridSize ? sampleIndices(gridSize, sample, spec.sampleSeed) : Array.from({ length: gridSize }, (_, i) => i)
  return { ok: true, plan: { baseProfile, axes, seeds, gridSize, indices, metrics: spec.metrics ?? defaultMetrics(profile) } }
}

/** n distinct grid indices, drawn with the sweep's own seed (a partial Fisher–Yates), in grid order. */
function sampleIndices(size: number, n: number, seed: number): number[] {
  const rng = new Rng(seed)
  const picked = new Map<number, number>()
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(size - i)
    out.push(picked.get(j) ?? j)
    picked.set(j, picked.get(i) ?? i)
  }
  return out.sort((a, b) => a - b)
}

/** Each axis's value at a grid index (row-major: the last axis changes fastest), in axis order. */
export function gridValues(plan: SweepPlan, index: number): Record<string, unknown> {
  const d = gridDigits(plan, index)
  return Object.fromEntries(plan.axes.map((a, k) => [a.label, a.values[d[k]!]]))
}

/** Each axis's value index at a grid index (row-major: the last axis changes fastest); gridIndex() inverts it. */
export function gridDigits(plan: SweepPlan, index: number): number[] {
  const d: number[] = []
  let rest = index
  for (let k = plan.axes.length - 1; k >= 0; k--) {
    const n = plan.axes[k]!.values.length
    d[k] = rest % n
    rest = Math.floor(rest / n)
  }
  return d
}

export function gridIndex(plan: SweepPlan, d: readonly number[]): number {
  return plan.axes.reduce((n, a, k) => n * a.values.length + d[k]!, 0)
}

/** The points in run order: each grid index × each seed. */
export function sweepPoints(plan: SweepPlan): SweepPoint[] {
  return plan.indices.flatMap((index) => {
    const values = gridValues(plan, index)
    return plan.seeds.map((seed) => ({ index, values, seed }))
  })
}

/** The profile JSON a point runs. */
export function pointProfile(plan: SweepPlan, p: SweepPoint): Record<string, unknown> {
  const prof = structuredCloneJson(plan.baseProfile)
  for (const a of plan.axes) setPath(prof, a.steps, p.values[a.label])
  return prof
}

/** The profile JSON of grid point `index`. */
export function profileAt(plan: SweepPlan, index: number): Record<string, unknown> {
  return pointProfile(plan, { index, values: gridValues(plan, index), seed: 0 })
}
