// The comparison of one case: the model's change of the metric from the baseline to the changed
// configuration against the published change — ratio, direction and whether they agree.
import type { ConfigResult } from '../result.ts'
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
  baseline: number
  changed: number
  /** (changed − baseline) / baseline in percent, rounded to 0.1. */
  modelChangePct: number
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

export function changePct(baseline: number, changed: number): number {
  if (baseline === 0) return changed === 0 ? 0 : changed > 0 ? 100000 : -100
  return ((changed - baseline) / Math.abs(baseline)) * 100
}

/** The case's outcome from the two configurations' results. */
export function evaluateCase(c: RunnableCase, baseline: ConfigResult, changed: ConfigResult): CaseOutcome {
  const b = sig4(metricValue(baseline, c.metric))
  const x = sig4(metricValue(changed, c.metric))
  return { id: c.id, baseline: b, changed: x, modelChangePct: Number(round(changePct(b, x), 0.1).toFixed(1)) }
}

/** The table row of a case: directions, ratio and verdict (a waiting case has no outcome). */
export function caseRow(c: ValidationCase, outcome: CaseOutcome | undefined): CaseRow {
  const publishedDirection = direction(c.published.changePct)
  if (!outcome) return { c, publishedDirection, verdict: 'waiting' }
  const modelDirection = direction(outcome.modelChangePct)
  const ratio = c.published.changePct === 0 ? undefined : Number((outcome.modelChangePct / c.published.changePct).toFixed(2))
  let verdict: Verdict
  if (modelDirection !== publishedDirection) verdict = 'direction miss'
  else if (ratio !== undefined && modelDirection !== 'none' && (ratio < 1 / MAGNITUDE_FACTOR || ratio > MAGNITUDE_FACTOR)) verdict = 'magnitude off'
  else verdict = 'agrees'
  return { c, outcome, publishedDirection, modelDirection, ratio, verdict }
}
