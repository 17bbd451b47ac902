// The advisor's search over the knobs: the whole grid when grid × seeds fits the budget, otherwise a
// coordinate search (from the base configuration, try every value of one knob with the others held, move
// to the best, knob after knob, until a round moves nothing or the budget is spent) — a local search that
// says so. Points run through `evaluate` (worker processes in the CLI), in grid order, so the search is
// deterministic. Scoring: a point that meets every constraint beats one that does not; among those that
// do, the objective; among those that do not, the smaller total relative violation.
import { meanCi95 } from '../metrics/student-t.ts'
import { gridDigits, gridIndex, gridValues } from '../sweep/sweep-points.ts'
import type { SweepPlan } from '../sweep/sweep-points.ts'
import type { Goal } from './goal-spec.ts'

export type SeedMetrics = Record<string, number | null>
/** Runs the grid points (each with every seed of the plan); gives each point's metrics per seed. */
export type Evaluate = (indices: number[]) => Promise<Map<number, SeedMetrics[]>>

export interface MetricStat { mean: number; ci95: number; samples: number[] }

export interface ScoredPoint {
  index: number
  values: Record<string, unknown>
  metrics: Record<string, MetricStat>
  feasible: boolean
  /** Sum over the constraints of how far the mean misses, relative to the bound (0 when feasible). */
  violation: number
  /** A seed's run failed: its error. */
  error?: string
}

export interface SearchOutcome {
  mode: 'grid' | 'coordinate'
  rounds: number
  gridSize: number
  evaluated: ScoredPoint[]
  /** The best point meeting every constraint, or null. */
  best: ScoredPoint | null
  /** The second best feasible point (the margin is against it). */
  runnerUp: ScoredPoint | null
  /** With no feasible point: the one that comes closest. */
  closest: ScoredPoint | null
}

export function scorePoint(plan: SweepPlan, goal: Goal, index: number, runs: SeedMetrics[]): ScoredPoint {
  const metrics: Record<string, MetricStat> = {}
  let error: string | undefined
  for (const m of plan.metrics) {
    const xs = runs.map((r) => r[m]).filter((v): v is number => typeof v === 'number')
    if (xs.length < runs.length) error ??= `${m}: ${runs.length - xs.length} of ${runs.length} runs gave no value`
    metrics[m] = { ...meanCi95(xs), samples: xs }
  }
  let violation = 0
  for (const c of goal.constraints) {
    const v = metrics[c.metric]?.mean ?? NaN
    if (!Number.isFinite(v)) { violation += 1; continue }
    if (c.max !== undefined && v > c.max) violation += (v - c.max) / Math.max(Math.abs(c.max), 1e-9)
    if (c.min !== undefined && v < c.min) violation += (c.min - v) / Math.max(Math.abs(c.min), 1e-9)
  }
  const p: ScoredPoint = { index, values: gridValues(plan, index), metrics, feasible: violation === 0 && error === undefined, violation: error ? Infinity : violation }
  if (error) p.error = error
  return p
}

/** Negative when a is better than b. On an exact tie, `changes` (knobs moved from the start) prefers the
 *  smaller change: a knob that moves nothing is not recommended. */
export function comparePoints(goal: Goal, a: ScoredPoint, b: ScoredPoint, changes?: (index: number) => number): number {
  const tie = (): number => (changes ? changes(a.index) - changes(b.index) : 0) || a.index - b.index
  if (a.feasible !== b.feasible) return a.feasible ? -1 : 1
  if (!a.feasible) return a.violation - b.violation || tie()
  const sign = goal.objective.direction === 'max' ? -1 : 1
  const d = sign * ((a.metrics[goal.objective.metric]?.mean ?? NaN) - (b.metrics[goal.objective.metric]?.mean ?? NaN))
  return (Number.isFinite(d) ? d : 0) || tie()
}

/** How many knobs point `index` moves from the start point's values. */
function changesFrom(plan: SweepPlan, start: number): (index: number) => number {
  const from = gridDigits(plan, start)
  return (index) => gridDigits(plan, index).filter((d, k) => d !== from[k]).length
}

export interface SearchOptions {
  /** Grid points that must not run (the host constraint); default none. */
  allowed?: (index: number) => boolean
  /** The grid index of the base configuration's own values (the coordinate search starts there). */
  start: number
}

export async function searchKnobs(plan: SweepPlan, goal: Goal, evaluate: Evaluate, o: SearchOptions): Promise<SearchOutcome> {
  const allowed = o.allowed ?? (() => true)
  const seeds = plan.seeds.length
  const scored = new Map<number, ScoredPoint>()
  const changes = changesFrom(plan, o.start)
  const run = async (indices: number[]): Promise<void> => {
    const todo = [...new Set(indices)].filter((i) => !scored.has(i) && allowed(i)).sort((a, b) => a - b)
    if (!todo.length) return
    const got = await evaluate(todo)
    for (const i of todo) scored.set(i, scorePoint(plan, goal, i, got.get(i) ?? []))
  }
  let mode: SearchOutcome['mode'] = 'grid'
  let rounds = 1
  if (plan.gridSize * seeds <= goal.budget) {
    await run(Array.from({ length: plan.gridSize }, (_, i) => i))
  } else {
    mode = 'coordinate'
    rounds = 0
    let current = o.start
    await run([current])
    for (let moved = true; moved && scored.size * seeds < goal.budget;) {
      moved = false
      rounds++
      for (let k = 0; k < plan.axes.length && scored.size * seeds < goal.budget; k++) {
        const d = gridDigits(plan, current)
        const line = plan.axes[k]!.values.map((_, v) => gridIndex(plan, d.map((x, j) => (j === k ? v : x))))
        // never past the budget: the line is cut to what is left
        const left = Math.floor(goal.budget / seeds) - scored.size
        await run(line.filter((i) => !scored.has(i) && allowed(i)).slice(0, Math.max(0, left)))
        const best = line.map((i) => scored.get(i)).filter((p): p is ScoredPoint => p !== undefined).sort((a, b) => comparePoints(goal, a, b, changes))[0]
        if (best && best.index !== current && (!scored.has(current) || comparePoints(goal, best, scored.get(current)!, changes) < 0)) { current = best.index; moved = true }
      }
    }
  }
  const ranked = [...scored.values()].sort((a, b) => comparePoints(goal, a, b, changes))
  const feasible = ranked.filter((p) => p.feasible)
  return {
    mode, rounds, gridSize: plan.gridSize, evaluated: [...scored.values()].sort((a, b) => a.index - b.index),
    best: feasible[0] ?? null, runnerUp: feasible[1] ?? null, closest: feasible.length ? null : (ranked[0] ?? null),
  }
}
