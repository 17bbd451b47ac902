// The comparison of one case: the model's change of the metric from the baseline to the changed
// configuration against the published change — ratio, direction and whether they agree.
import type { ConfigResult } from '../result.ts'
import { SURVEY_SEEDS } from './case-schema.ts'
import type { RunnableCase, ValidationCase } from './case-schema.ts'
import { metricValue } from './metric.ts'

export type Direction = 'up' | 'down' | 'none'

/** Changes smaller than this (in percent) count as "no change" on both sides. */
export const NO_CHANGE_BELOW_PCT = 1

/** Ratio of the model's change to the published one within [1/2, 2]: the magnitude agrees. */
export const MAGNITUDE_FACTOR = 2

/** What a run of a case gives, rounded as the doc records it (so that the doc re-renders byte for byte). */
export interface CaseOutcome {
  id: string
  /** How many seeds ran (1 … seeds). */
  seeds: number
  /** The metric in the baseline and the changed configuration: means over the seeds, 4 significant digits. */
  baseline: number
  changed: number
  /** The mean over the seeds of each seed's (changed − baseline) / baseline, in percent, rounded to 0.1. */
  modelChangePct: number
  /** The smallest and largest change of one seed (equal to modelChangePct for one seed). */
  minChangePct: number
  maxChangePct: number
  /** The change under each of seeds 1 … SURVEY_SEEDS (the spread survey of `validate --write-doc`), when made. */
  surveyChangesPct?: number[]
}

/** The metric of one configuration pair under one seed. */
export interface SeedRun {
  baseline: ConfigResult
  changed: ConfigResult
}

export type Verdict = 'agrees' | 'magnitude off' | 'direction miss' | 'waiting'

export interface CaseRow {
  c: ValidationCase
  outcome?: CaseOutcome
  publishedDirection: Direction
  modelDirection?: Direction
  /** Model change / published change; undefined when the published change is 0. */
  ratio?: number
  verdict: Verdict
}

const round = (x: number, step: number): number => Math.round(x / step) * step
const sig4 = (x: number): number => (x === 0 || !Number.isFinite(x) ? 0 : Number(x.toPrecision(4)))

export function direction(changePct: number): Direction {
  if (Math.abs(changePct) < NO_CHANGE_BELOW_PCT) return 'none'
  return changePct > 0 ? 'up' : 'down'
}

/** The model's direction over seeds: the mean's, but "no change" when the seeds disagree in sign (their range
 *  straddles 0) — a mean of +2 % from −6 %, +1 % and +11 % is noise, not a prediction. */
export function seedDirection(o: Pick<CaseOutcome, 'modelChangePct' | 'minChangePct' | 'maxChangePct'>): Direction {
  if (o.minChangePct < 0 && o.maxChangePct > 0) return 'none'
  return direction(o.modelChangePct)
}

export function changePct(baseline: number, changed: number): number {
  if (baseline === 0) return changed === 0 ? 0 : changed > 0 ? 100000 : -100
  return ((changed - baseline) / Math.abs(baseline)) * 100
}

const pct1 = (x: number): number => Number(round(x, 0.1).toFixed(1))
const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length

/** Mean, smallest and largest of per-seed changes (each rounded to 0.1 first, as the records keep them). */
export function seedSummary(changesPct: number[]): { modelChangePct: number; minChangePct: number; maxChangePct: number } {
  if (!changesPct.length) throw new RangeError('seedSummary: no seeds')
  const r = changesPct.map(pct1)
  return { modelChangePct: pct1(mean(r)), minChangePct: Math.min(...r), maxChangePct: Math.max(...r) }
}

/** The case's outcome from its runs, seed 1 first: the first `c.seeds` runs give the outcome; when there are at
 *  least SURVEY_SEEDS runs, all of them give the survey spread. */
export function evaluateCase(c: RunnableCase, runs: SeedRun[]): CaseOutcome {
  const n = c.seeds
  if (runs.length < n) throw new RangeError(`case ${c.id}: ${runs.length} seed runs for ${n} seeds`)
  const values = runs.map((r) => ({ b: sig4(metricValue(r.baseline, c.metric)), x: sig4(metricValue(r.changed, c.metric)) }))
  const changes = values.map((v) => changePct(v.b, v.x))
  const own = values.slice(0, n)
  const out: CaseOutcome = {
    id: c.id,
    seeds: n,
    baseline: sig4(mean(own.map((v) => v.b))),
    changed: sig4(mean(own.map((v) => v.x))),
    ...seedSummary(changes.slice(0, n)),
  }
  if (runs.length >= SURVEY_SEEDS) out.surveyChangesPct = changes.slice(0, SURVEY_SEEDS).map(pct1)
  return out
}

/** The table row of a case: directions, ratio and verdict (a waiting case has no outcome). */
export function caseRow(c: ValidationCase, outcome: CaseOutcome | undefined): CaseRow {
  const publishedDirection = direction(c.published.changePct)
  if (!outcome) return { c, publishedDirection, verdict: 'waiting' }
  const modelDirection = seedDirection(outcome)
  const ratio = c.published.changePct === 0 ? undefined : Number((outcome.modelChangePct / c.published.changePct).toFixed(2))
  let verdict: Verdict
  if (modelDirection !== publishedDirection) verdict = 'direction miss'
  else if (ratio !== undefined && modelDirection !== 'none' && (ratio < 1 / MAGNITUDE_FACTOR || ratio > MAGNITUDE_FACTOR)) verdict = 'magnitude off'
  else verdict = 'agrees'
  return { c, outcome, publishedDirection, modelDirection, ratio, verdict }
}

/** max − min of the survey's changes, rounded to 0.1. */
export function surveySpread(surveyChangesPct: number[]): number {
  return pct1(Math.max(...surveyChangesPct) - Math.min(...surveyChangesPct))
}

/** The seeds rule (docs/validation.md, "Seeds"): SURVEY_SEEDS seeds where the change's spread over SURVEY_SEEDS seeds
 *  exceeds a third of the published change — the seeds could then move a verdict — else 1. */
export function seedsByRule(publishedChangePct: number, surveySpreadPct: number): number {
  return surveySpreadPct > Math.abs(publishedChangePct) / 3 ? SURVEY_SEEDS : 1
}
