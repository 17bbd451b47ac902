// `kvmbench advise`: the goal checked, the knob space planned as a sweep over the starting configuration,
// the search run on the local worker pool (core/advisor/search.ts), then the pick and the starting point run
// once more in full for the kernel decisions that differ, and the pick's exports.
import { loadProfile, resolveConfiguration } from '../../core/profile/load-profile.ts'
import type { Host, Profile } from '../../core/profile/profile-schema.ts'
import type { ConfigResult } from '../../core/result.ts'
import type { Issue } from '../../core/schema/schema.ts'
import { exportCmdline } from '../../core/formats/cmdline.ts'
import type { FormatResult } from '../../core/formats/format-result.ts'
import { exportLibvirt } from '../../core/formats/libvirt-export.ts'
import { exportQemu } from '../../core/formats/qemu.ts'
import { exportTuned } from '../../core/formats/tuned.ts'
import { defaultKnobs } from '../../core/advisor/knobs.ts'
import type { Goal } from '../../core/advisor/goal-spec.ts'
import { minHousekeepingCoresPerSocket } from '../../core/advisor/host-constraint.ts'
import { decisionChanges, objectiveMargin } from '../../core/advisor/recommend.ts'
import type { DecisionChange, Margin } from '../../core/advisor/recommend.ts'
import { searchKnobs } from '../../core/advisor/search.ts'
import type { ScoredPoint, SearchOutcome, SeedMetrics } from '../../core/advisor/search.ts'
import { getPath } from '../../core/sweep/json-path.ts'
import { POINT_CONFIGURATION, gridIndex, planSweep, profileAt } from '../../core/sweep/sweep-points.ts'
import type { SweepPlan } from '../../core/sweep/sweep-points.ts'
import { WorkerPool } from '../worker/pool.ts'
import { ChildProcessLauncher } from '../worker/child-process-launcher.ts'
import { runLocalSweep } from './local-sweep.ts'
import { probeMetrics } from './prepare-sweep.ts'
import { sweepJobs } from './sweep-job.ts'

export interface Advice {
  outcome: SearchOutcome
  plan: SweepPlan
  start: ScoredPoint | undefined
  margin: Margin | null
  decisions: DecisionChange[]
  /** Each export written, with what it could not express (e.g. QEMU has no HLT-only disable-exits: said, not dropped). */
  exports: { name: string; text: string; warnings: string[] }[]
  /** Exports the pick cannot have, with why (e.g. tuned's profiles need isolated CPUs). */
  notExported: { name: string; why: string }[]
  runs: number
}

export class AdviceError extends Error {
  readonly issues: Issue[]
  constructor(message: string, issues: Issue[]) { super(message); this.issues = issues }
}

function planFor(profile: Profile, goal: Goal): SweepPlan {
  const metrics = [...new Set([...goal.constraints.map((c) => c.metric), goal.objective.metric])]
  const planned = planSweep({ schemaVersion: 1, base: '', axes: goal.knobs ?? defaultKnobs(profile), seeds: goal.seeds, sampleSeed: 1, metrics, ...(goal.configuration !== undefined ? { configuration: goal.configuration } : {}) }, profile)
  if (!planned.ok) throw new AdviceError('the goal cannot be searched:', planned.issues.map((i) => ({ ...i, path: i.path.replace(/^axes/, 'knobs') })))
  const bad = probeMetrics(planned.plan)
  if (bad.length) throw new AdviceError('the goal cannot be searched:', bad.map((i) => ({ ...i, message: `${i.message} (named in the goal's constraints or objective)` })))
  return planned.plan
}

/** The grid index of the starting configuration's own values (a knob value not in the list: its first). */
function startIndex(plan: SweepPlan): number {
  return gridIndex(plan, plan.axes.map((a) => {
    const v = JSON.stringify(getPath(plan.baseProfile, a.steps))
    return Math.max(0, a.values.findIndex((x) => JSON.stringify(x) === v))
  }))
}

function exportsOf(profileJson: Record<string, unknown>): Pick<Advice, 'exports' | 'notExported'> {
  const l = loadProfile(profileJson)
  if (!l.ok) return { exports: [], notExported: [] }
  const cfg = resolveConfiguration(l.profile, POINT_CONFIGURATION)
  const out: Advice['exports'] = []
  const notExported: Advice['notExported'] = []
  const add = (name: string, r: FormatResult<string>): void => {
    if (r.ok) out.push({ name, text: r.value.endsWith('\n') ? r.value : `${r.value}\n`, warnings: r.warnings })
    else notExported.push({ name, why: r.errors.map((e) => e.message).join('; ') })
  }
  add('kernel-cmdline.txt', exportCmdline(cfg))
  add('tuned-cpu-partitioning.conf', exportTuned(cfg, 'cpu-partitioning'))
  for (const vm of cfg.vms) {
    add(`libvirt-${vm.name}.xml`, exportLibvirt(cfg, { vm: vm.name }))
    add(`qemu-${vm.name}.sh`, exportQemu(cfg, { vm: vm.name }))
  }
  return { exports: out, notExported }
}

export async function advise(profile: Profile, goal: Goal, o: { workers: number; onProgress?: (runs: number) => void }): Promise<Advice> {
  const plan = planFor(profile, goal)
  let runs = 0
  const evaluate = async (indices: number[]): Promise<Map<number, SeedMetrics[]>> => {
    const jobs = sweepJobs(plan, indices)
    const got = new Map<number, SeedMetrics[]>(indices.map((i) => [i, []]))
    await runLocalSweep(jobs, { workers: o.workers, onLine: (l) => { got.get(l.index)!.push(l.metrics ?? {}); runs++; o.onProgress?.(runs) } })
    return got
  }
  const min = goal.minHousekeepingCoresPerSocket
  const allowed = min > 0 ? (i: number): boolean => (minHousekeepingCoresPerSocket(profileAt(plan, i).host as Host) ?? 0) >= min : undefined
  const start = startIndex(plan)
  const outcome = await searchKnobs(plan, goal, evaluate, { start, ...(allowed ? { allowed } : {}) })
  const pick = outcome.best ?? outcome.closest
  const margin = outcome.best && outcome.runnerUp ? objectiveMargin(outcome.best.metrics[goal.objective.metric]!, outcome.runnerUp.metrics[goal.objective.metric]!) : null
  let decisions: DecisionChange[] = []
  let exported: Pick<Advice, 'exports' | 'notExported'> = { exports: [], notExported: [] }
  if (pick) {
    const pool = new WorkerPool(new ChildProcessLauncher(), { size: 2 })
    try {
      const full = (index: number): Promise<ConfigResult> => pool.run({ profile: profileAt(plan, index), config: POINT_CONFIGURATION, seed: plan.seeds[0]! }).result
      const [base, best] = await Promise.all([full(start), full(pick.index)])
      decisions = decisionChanges(base, best)
    } finally {
      await pool.dispose()
    }
    exported = exportsOf(profileAt(plan, pick.index))
  }
  return { outcome, plan, start: outcome.evaluated.find((p) => p.index === start), margin, decisions, ...exported, runs }
}
