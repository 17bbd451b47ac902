// A sweep spec: a base profile, axes (profile paths with values or a range) crossed as a grid or sampled,
// the seeds, and the metrics to keep. One schema (core/schema) gives the type, the validation with
// field/value/fix messages, and the JSON Schema that `kvmbench schema --sweep` prints (docs/sweep.md).
import * as s from '../schema/schema.ts'

/** Most points one sweep may have (grid size × seeds): a sweep spec is a text file, the JSONL it writes is
 *  ~1 kB a point; raise it only with a reason (docs/sweep.md, "Limits"). */
export const MAX_SWEEP_POINTS = 100_000
/** Most values one axis may have (a range is expanded to its values). */
export const MAX_AXIS_VALUES = 10_000

const axisValue = s.unknownValue({ description: 'A value the profile field accepts: a number, true/false, a string (a cpulist, a version) — checked against the profile schema before anything runs.' })

export const rangeSchema = s.object({
  from: s.number({ description: 'First value.' }),
  to: s.number({ description: 'Last value (included when the steps land on it).' }),
  step: s.number({ min: 1e-12, description: 'Distance between values; positive.' }),
})

export const axisSchema = s.object({
  path: s.string({ description: 'Path of the field in the resolved configuration (host, vms, run), e.g. host.kvm.haltPoll.haltPollNs, vms[0].kvm.disableExits.hlt, host.kernel.cmdline.nohzFull, run.durationSec.' }),
  values: s.optional(s.array(axisValue, { minItems: 1, maxItems: MAX_AXIS_VALUES, description: 'The values to try, in order.' })),
  range: s.optional(rangeSchema),
  label: s.optional(s.string({ description: 'A short name for tables and charts (default: the path).' })),
})

export const sweepSpecSchema = s.object({
  schemaVersion: s.literal(1),
  name: s.optional(s.string({ description: 'A name for the sweep (default: the spec file name).' })),
  base: s.string({ description: 'The base profile: a path relative to the spec file.' }),
  configuration: s.optional(s.string({ description: 'Which configuration of the base profile the axes vary (default: its first).' })),
  axes: s.array(axisSchema, { minItems: 1, maxItems: 16, description: 'The knobs to vary; each a path with values or a range.' }),
  seeds: s.optional(s.array(s.integer({ min: 0, max: 2 ** 32 - 1 }), { minItems: 1, maxItems: 1000, description: 'Seeds to run every point with (default: the base configuration’s run.seed).' })),
  sample: s.optional(s.integer({ min: 1, max: MAX_SWEEP_POINTS, description: 'Run N points drawn from the grid without replacement instead of the whole grid (`--sample N` overrides).' })),
  sampleSeed: s.integer({ min: 0, max: 2 ** 32 - 1, default: 1, description: 'Seed of the sample draw (the same seed draws the same points).' }),
  metrics: s.optional(s.array(s.string(), { minItems: 1, maxItems: 64, description: 'Result paths to keep per point, e.g. vms[0].workload.throughputPerSec, vms[0].workload.latencyNs.p99, events (default: each VM’s throughput, p50, p99 and p99.9, and exits per second).' })),
})

export type SweepSpec = s.Infer<typeof sweepSpecSchema>
export type SweepAxis = s.Infer<typeof axisSchema>

export const sweepSpecJsonSchema = (): Record<string, unknown> =>
  s.toJsonSchema(sweepSpecSchema, { id: 'https://kvmbench.dev/schema/sweep-v1.json', title: 'kvmbench sweep spec' })

export type SpecResult = { ok: true; spec: SweepSpec } | { ok: false; issues: s.Issue[] }

/** Parses a spec; each axis has exactly one of values and range, and a range has at most MAX_AXIS_VALUES. */
export function loadSweepSpec(json: unknown): SpecResult {
  const r = s.parse(sweepSpecSchema, json)
  if (!r.ok) return { ok: false, issues: r.issues }
  const issues: s.Issue[] = []
  r.value.axes.forEach((a, i) => {
    const at = `axes[${i}]`
    if ((a.values === undefined) === (a.range === undefined)) {
      issues.push({ path: at, value: JSON.stringify(a.path), message: 'needs exactly one of "values" and "range"', fix: 'give the values as a list, e.g. "values": [0, 50000], or a range, e.g. "range": { "from": 0, "to": 200000, "step": 50000 }' })
    } else if (a.range) {
      const n = Math.floor((a.range.to - a.range.from) / a.range.step + 1e-9) + 1
      if (!(n >= 1)) issues.push({ path: `${at}.range`, value: JSON.stringify(a.range), message: 'has no value: "to" is below "from"', fix: 'write "from" ≤ "to"' })
      else if (n > MAX_AXIS_VALUES) issues.push({ path: `${at}.range`, value: JSON.stringify(a.range), message: `has ${n} values, more than ${MAX_AXIS_VALUES}`, fix: 'use a larger step' })
    }
  })
  return issues.length ? { ok: false, issues } : { ok: true, spec: r.value }
}

/** An axis's values in order (a range expanded, each value rounded to 12 significant digits so 0.1 steps stay 0.3, not 0.30000000000000004). */
export function axisValues(a: SweepAxis): unknown[] {
  if (a.values) return a.values
  const r = a.range!
  const n = Math.floor((r.to - r.from) / r.step + 1e-9) + 1
  return Array.from({ length: n }, (_, i) => Number((r.from + i * r.step).toPrecision(12)))
}
