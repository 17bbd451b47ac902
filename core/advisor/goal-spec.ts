// The advisor's goal: constraints on metrics (p99 ≤ 200 µs), one objective (the most throughput), a host
// constraint (housekeeping cores per socket), the knobs to search (default: the KVM features of the base),
// the seeds each point runs with, and a budget of runs. One schema gives type, checks and JSON Schema.
import * as s from '../schema/schema.ts'
import { axisSchema } from '../sweep/sweep-spec.ts'

export const goalSchema = s.object({
  schemaVersion: s.literal(1),
  configuration: s.optional(s.string({ description: 'The configuration of the profile to start from (default: its first).' })),
  constraints: s.array(s.object({
    metric: s.string({ description: 'A numeric path of the result, e.g. vms[0].workload.latencyNs.p99.' }),
    max: s.optional(s.number({ description: 'The mean over the seeds must be at most this.' })),
    min: s.optional(s.number({ description: 'The mean over the seeds must be at least this.' })),
  }), { default: [], maxItems: 16, description: 'What a recommendation must meet; each on the mean over the seeds.' }),
  objective: s.object({
    metric: s.string({ description: 'The metric to optimise among the points that meet the constraints.' }),
    direction: s.oneOf(['max', 'min'] as const, { default: 'max' }),
  }),
  minHousekeepingCoresPerSocket: s.integer({ min: 0, max: 1024, default: 0, description: 'Points whose host keeps fewer housekeeping cores (cores with a CPU outside nohz_full=) on some socket are not run.' }),
  knobs: s.optional(s.array(axisSchema, { minItems: 1, maxItems: 16, description: 'The knobs to search, as sweep axes (default: halt polling, the HLT/PAUSE exits, the posted timer, guest haltpoll and the dedicated hint).' })),
  seeds: s.array(s.integer({ min: 0, max: 2 ** 32 - 1 }), { default: [1, 2, 3], minItems: 1, maxItems: 100, description: 'Every point runs with each seed: the confidence of the margin comes from them.' }),
  budget: s.integer({ min: 1, max: 100_000, default: 400, description: 'Most runs (points × seeds): the whole grid when it fits, a coordinate search when it does not.' }),
})

export type Goal = s.Infer<typeof goalSchema>

export const goalJsonSchema = (): Record<string, unknown> =>
  s.toJsonSchema(goalSchema, { id: 'https://kvmbench.dev/schema/goal-v1.json', title: 'kvmbench advisor goal' })

export function loadGoal(json: unknown): { ok: true; goal: Goal } | { ok: false; issues: s.Issue[] } {
  const r = s.parse(goalSchema, json)
  if (!r.ok) return { ok: false, issues: r.issues }
  const issues = r.value.constraints.flatMap((c, i) => c.max === undefined && c.min === undefined
    ? [{ path: `constraints[${i}]`, value: JSON.stringify(c.metric), message: 'has neither max nor min', fix: 'add "max": N or "min": N' }] : [])
  return issues.length ? { ok: false, issues } : { ok: true, goal: r.value }
}
