// The validation case format: one published result (a KVM commit, a cover letter, a paper) and the bench
// profile designed from its setup. Validated with the project's schema library, so a bad case file gets
// the same "field, value, fix" messages as a bad profile.
import { integer, literal, number, object, oneOf, optional, parse, refine, string } from '../schema/schema.ts'
import type { Infer, ParseResult } from '../schema/schema.ts'

export const CASE_SCHEMA_VERSION = 1

/** The mechanism families of issue 14 item 10; the table is ordered by them. */
export const TOPICS = ['timers', 'idle', 'preempted', 'spinlocks', 'ipis', 'interrupts'] as const

/** What a case reads from a configuration's result (see metricValue()). */
export const METRIC_KINDS = ['throughput', 'time-per-op', 'latency', 'exit-count', 'exit-share', 'exit-mean', 'exits-total', 'pcpu-busy', 'figure'] as const

export const PERCENTILES = ['mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const

/** At most this many seeds per case (CI runs every case's seeds). */
export const MAX_SEEDS = 10

/** Seeds of the spread survey `validate --write-doc` makes for every case, and of a case the rule says is seed-sensitive. */
export const SURVEY_SEEDS = 3

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/
const PROFILE_FILE = /^[a-z0-9][a-z0-9-]{0,63}\.json$/

const metricShape = object({
  kind: oneOf(METRIC_KINDS, { description: 'throughput: the workload\'s throughput per second; time-per-op: its inverse, ns per operation (for results published as run times, e.g. kernbench or hackbench); latency: a workload latency (percentile); exit-count: exits of one reason (count per simulated second); exit-share: that reason\'s Samples% of all exits; exit-mean: its mean handling time (perf\'s Avg time); exits-total: all exits per simulated second; pcpu-busy: busy share of the pCPUs that run the VM\'s vCPUs; figure: a number the benchmark itself prints (kvm-unit-tests\' cycles per operation, cyclictest\'s Avg), named by `figure`.' }),
  vm: optional(string({ maxLength: 64, description: 'The VM to read (default: the first VM of the profile).' })),
  reason: optional(string({ maxLength: 64, description: 'exit-count, exit-share, exit-mean: the exit reason as perf prints it for the vendor, e.g. "EXTERNAL_INTERRUPT" (VMX) or "msr" (SVM).' })),
  figure: optional(string({ maxLength: 64, description: 'figure: the name of the printed figure, e.g. "ipi" (kvm-unit-tests vmexit cycles), "latency avg" (tscdeadline_latency cycles), "Avg" (cyclictest µs), "ns per call".' })),
  percentile: optional(oneOf(PERCENTILES, { description: 'latency: which figure (mean is estimated from the latency histogram while results carry no mean).' })),
})

export const metricSchema = refine(metricShape, (m) => {
  const needsReason = m.kind === 'exit-count' || m.kind === 'exit-share' || m.kind === 'exit-mean'
  if (needsReason && !m.reason) return { message: `metric "${m.kind}" needs an exit reason`, fix: 'add "reason", e.g. "EXTERNAL_INTERRUPT"' }
  if (!needsReason && m.reason) return { message: `metric "${m.kind}" reads no exit reason`, fix: 'remove "reason", or use kind "exit-count", "exit-share" or "exit-mean"' }
  if (m.kind === 'latency' && !m.percentile) return { message: 'metric "latency" needs a percentile', fix: 'add "percentile": one of mean, p50, p90, p99, p999, max' }
  if (m.kind !== 'latency' && m.percentile) return { message: `metric "${m.kind}" has no percentile`, fix: 'remove "percentile"' }
  if (m.kind === 'figure' && !m.figure) return { message: 'metric "figure" needs the name of a printed figure', fix: 'add "figure", e.g. "ipi"' }
  if (m.kind !== 'figure' && m.figure) return { message: `metric "${m.kind}" reads no printed figure`, fix: 'remove "figure", or use kind "figure"' }
  return undefined
})

const publishedSchema = object({
  figure: string({ maxLength: 300, description: 'The published figure as the source states it, e.g. "EXTERNAL_INTERRUPT samples 42916 → 6871 (−84.0 %)".' }),
  changePct: number({ min: -100, max: 100000, description: 'The published change of the metric from the baseline to the changed configuration, in percent (e.g. -84 for −84 %, 200 for ×3). For a range, its midpoint; the figure states the range.' }),
})

const caseShape = object({
  schemaVersion: literal(CASE_SCHEMA_VERSION),
  id: string({ maxLength: 64, pattern: ID, patternHint: 'lower-case letters, digits and "-", e.g. "posted-timer-exits"' }),
  topic: oneOf(TOPICS),
  ref: string({ maxLength: 40, description: 'A short citation for the table, e.g. "0c5f81dad46c" or "ELI, ASPLOS 2012".' }),
  source: string({ maxLength: 400, description: 'The citation, without URLs: commit id and subject, or paper, venue and section.' }),
  setup: string({ maxLength: 400, description: 'The published setup in one line.' }),
  published: publishedSchema,
  profile: optional(string({ maxLength: 70, pattern: PROFILE_FILE, patternHint: 'a file name in examples/validation/profiles/, e.g. "posted-timer.json"' })),
  baseline: optional(string({ maxLength: 64, description: 'The profile configuration that stands for the published baseline.' })),
  changed: optional(string({ maxLength: 64, description: 'The profile configuration that stands for the published change.' })),
  metric: optional(metricSchema),
  durationSec: number({ min: 0.01, max: 5, default: 0.3, description: 'Simulated seconds per configuration in a validation run (short, so the whole table runs in CI).' }),
  seeds: integer({ min: 1, max: MAX_SEEDS, default: 1, description: `Seeds the case runs (1 … seeds, both configurations per seed); the verdict reads the mean change over them. The rule (docs/validation.md, "Seeds"): ${SURVEY_SEEDS} where the change's spread over ${SURVEY_SEEDS} seeds exceeds a third of the published change, else 1.` }),
  mapping: string({ maxLength: 2000, description: 'How the profile maps the published setup, and what it cannot express.' }),
  limits: string({ maxLength: 2000, default: '', description: 'Which mechanism or benchmark the model lacks for this case: the reason when it misses.' }),
  waiting: optional(string({ maxLength: 1000, description: 'Set when no reasonable profile can be built yet: what is missing. Such a case has no profile and is listed under "cases waiting for a mechanism".' })),
})

export const caseSchema = refine(caseShape, (c) => {
  if (c.waiting !== undefined) {
    if (c.profile || c.baseline || c.changed || c.metric) return { message: 'a waiting case runs nothing', fix: 'remove "profile", "baseline", "changed" and "metric", or remove "waiting"' }
    return undefined
  }
  const missing = (['profile', 'baseline', 'changed', 'metric'] as const).filter((k) => c[k] === undefined)
  if (missing.length) return { message: `a case that runs needs ${missing.join(', ')}`, fix: `add ${missing.map((k) => `"${k}"`).join(', ')}, or add "waiting" with what is missing` }
  if (c.baseline === c.changed) return { message: 'baseline and changed are the same configuration', fix: 'name two different configurations of the profile' }
  return undefined
})

export type ValidationCase = Infer<typeof caseShape>
export type Metric = Infer<typeof metricShape>
export type Topic = (typeof TOPICS)[number]

export function parseCase(json: unknown): ParseResult<ValidationCase> {
  return parse(caseSchema, json)
}

/** A case that runs (has a profile, both configurations and a metric). */
export interface RunnableCase extends ValidationCase {
  profile: string
  baseline: string
  changed: string
  metric: Metric
}

export function isRunnable(c: ValidationCase): c is RunnableCase {
  return c.waiting === undefined
}

/** Cases in table order: by topic, then as given. */
export function sortCases<T extends ValidationCase>(cases: T[]): T[] {
  return cases.map((c, i) => ({ c, i })).sort((a, b) => TOPICS.indexOf(a.c.topic) - TOPICS.indexOf(b.c.topic) || a.i - b.i).map((x) => x.c)
}
