// The advisor's search and its statements, with a synthetic evaluator (a known landscape) so each decision
// can fail: grid vs coordinate search by budget, constraints before the objective, the closest point when
// nothing is feasible, the host constraint, and the margin's confidence (Welch).
import { describe, expect, it } from 'vitest'
import { loadGoal } from '../../core/advisor/goal-spec.ts'
import type { Goal } from '../../core/advisor/goal-spec.ts'
import { minHousekeepingCoresPerSocket } from '../../core/advisor/host-constraint.ts'
import { objectiveMargin } from '../../core/advisor/recommend.ts'
import { searchKnobs } from '../../core/advisor/search.ts'
import type { SeedMetrics } from '../../core/advisor/search.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { gridValues, planSweep } from '../../core/sweep/sweep-points.ts'
import type { SweepPlan } from '../../core/sweep/sweep-points.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const profile = (() => { const l = loadProfile(tinyProfile(['base'])); if (!l.ok) throw new Error('profile'); return l.profile })()
const X = 'host.kvm.haltPoll.haltPollNs', Y = 'host.kvm.haltPoll.growStart'

function plan(seeds = [1, 2]): SweepPlan {
  const r = planSweep({ schemaVersion: 1, base: '', sampleSeed: 1, seeds, metrics: ['thr', 'lat'], axes: [
    { path: X, range: { from: 0, to: 90000, step: 10000 } },
    { path: Y, range: { from: 0, to: 90000, step: 10000 } },
  ] }, profile)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.plan
}

function goal(o: Partial<Goal> = {}): Goal {
  const g = loadGoal({ schemaVersion: 1, constraints: [{ metric: 'lat', max: 50 }], objective: { metric: 'thr', direction: 'max' }, ...o })
  if (!g.ok) throw new Error(JSON.stringify(g.issues))
  return g.goal
}

/** thr peaks at x = 60000, y = 30000 (separable); lat = x/1000: the constraint lat ≤ 50 cuts x > 50000. */
function landscape(p: SweepPlan, calls: number[][] = []) {
  return async (indices: number[]): Promise<Map<number, SeedMetrics[]>> => {
    calls.push(indices)
    return new Map(indices.map((i) => {
      const v = gridValues(p, i)
      const x = Number(v[X]) / 1000, y = Number(v[Y]) / 1000
      return [i, p.seeds.map((s) => ({ thr: 1000 - (x - 60) ** 2 - (y - 30) ** 2 + s * 0.1, lat: x }))]
    }))
  }
}

describe('the advisor', () => {
  it('searches the whole grid when it fits the budget, and picks the best point that meets the constraints', async () => {
    const p = plan()
    const out = await searchKnobs(p, goal({ budget: 400 }), landscape(p), { start: 0 })
    expect(out.mode).toBe('grid')
    expect(out.evaluated).toHaveLength(100)
    // the unconstrained peak (x = 60000) is refused by lat ≤ 50: the pick is x = 50000, y = 30000
    expect(out.best!.values).toEqual({ [X]: 50000, [Y]: 30000 })
    expect(out.best!.feasible).toBe(true)
    expect(out.runnerUp!.values[X]).toBe(50000)
  })

  it('on an exact tie it keeps the start\'s value of a knob that moves nothing, instead of recommending a change', async () => {
    const p = plan()
    // thr depends on x only: every y gives the same figures, so y's start value (70000, grid digit 7) stays
    const flat = async (indices: number[]): Promise<Map<number, SeedMetrics[]>> => new Map(indices.map((i) => {
      const x = Number(gridValues(p, i)[X]) / 1000
      return [i, p.seeds.map(() => ({ thr: 1000 - (x - 40) ** 2, lat: x }))]
    }))
    const start = 0 * 10 + 7
    const grid = await searchKnobs(p, goal({ budget: 400 }), flat, { start })
    expect(grid.best!.values).toEqual({ [X]: 40000, [Y]: 70000 })
    const coordinate = await searchKnobs(p, goal({ budget: 40 }), flat, { start })
    expect(coordinate.mode).toBe('coordinate')
    expect(coordinate.best!.values).toEqual({ [X]: 40000, [Y]: 70000 })
  })

  it('over the budget, a coordinate search from the start that never runs more than the budget and says so', async () => {
    const p = plan()
    const calls: number[][] = []
    const out = await searchKnobs(p, goal({ budget: 80 }), landscape(p, calls), { start: 0 })
    expect(out.mode).toBe('coordinate')
    expect(calls.flat().length * p.seeds.length).toBeLessThanOrEqual(80)
    expect(out.evaluated.length).toBeLessThan(100)
    expect(out.best!.values).toEqual({ [X]: 50000, [Y]: 30000 })
    expect(out.rounds).toBeGreaterThanOrEqual(1)
  })

  it('with no feasible point it names the closest one instead of a recommendation', async () => {
    const p = plan()
    const out = await searchKnobs(p, goal({ constraints: [{ metric: 'lat', max: -1 }] }), landscape(p), { start: 0 })
    expect(out.best).toBeNull()
    expect(out.closest!.values[X]).toBe(0)
  })

  it('points the host constraint refuses are never run', async () => {
    const p = plan()
    const calls: number[][] = []
    const out = await searchKnobs(p, goal(), landscape(p, calls), { start: 0, allowed: (i) => Number(gridValues(p, i)[X]) <= 20000 })
    expect(calls.flat().every((i) => Number(gridValues(p, i)[X]) <= 20000)).toBe(true)
    expect(out.best!.values[X]).toBe(20000)
  })

  it('housekeeping cores per socket follow nohz_full= and isolcpus=', () => {
    const host = { ...profile.host, topology: { ...profile.host.topology, sockets: 2, coresPerSocket: 4, threadsPerCore: 2 } }
    const cmd = (nohzFull: string, isolcpus = '') => ({ ...host, kernel: { ...host.kernel, cmdline: { ...host.kernel.cmdline, nohzFull, isolcpus, rcuNocbs: '' } } })
    expect(minHousekeepingCoresPerSocket(cmd(''))).toBe(4)
    expect(minHousekeepingCoresPerSocket(cmd('1-3,5-7,9-11,13-15'))).toBeGreaterThanOrEqual(1)
    expect(minHousekeepingCoresPerSocket(cmd('1-15'))).toBe(0)
  })

  it('the margin carries a Welch 95 % interval; one seed gives none', () => {
    const m = objectiveMargin({ mean: 11, ci95: 0, samples: [10, 11, 12] }, { mean: 5, ci95: 0, samples: [4, 5, 6] })
    expect(m.diff).toBe(6)
    // s² = 1 each, se = √(2/3), df = 4, t = 2.776
    expect(m.ci95).toBeCloseTo(2.776 * Math.sqrt(2 / 3), 3)
    expect(m.significant).toBe(true)
    expect(objectiveMargin({ mean: 1, ci95: 0, samples: [1] }, { mean: 0, ci95: 0, samples: [0] }).ci95).toBeNull()
  })

  it('a goal without bounds on a constraint is refused, naming it', () => {
    const g = loadGoal({ schemaVersion: 1, constraints: [{ metric: 'lat' }], objective: { metric: 'thr' } })
    expect(g.ok).toBe(false)
    if (!g.ok) expect(g.issues[0]).toMatchObject({ path: 'constraints[0]', message: 'has neither max nor min' })
  })
})
