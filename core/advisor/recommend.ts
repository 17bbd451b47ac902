// What the advisor says about its pick: the margin over the runner-up with its 95 % confidence (Welch's t on
// the seeds' values), and the kernel decisions that differ from the starting configuration — the reasons
// the pick wins, as the model's decisions name them.
import { tQuantile975 } from '../metrics/student-t.ts'
import type { ConfigResult } from '../result.ts'
import type { MetricStat } from './search.ts'

export interface Margin { diff: number; relative: number; ci95: number | null; significant: boolean | null }

/** best − runner-up on the objective, with Welch's 95 % interval (null with fewer than 2 seeds each). */
export function objectiveMargin(best: MetricStat, runnerUp: MetricStat): Margin {
  const diff = best.mean - runnerUp.mean
  const relative = runnerUp.mean !== 0 ? diff / Math.abs(runnerUp.mean) : NaN
  const n1 = best.samples.length, n2 = runnerUp.samples.length
  if (n1 < 2 || n2 < 2) return { diff, relative, ci95: null, significant: null }
  const v = (xs: number[], m: number): number => xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
  const a = v(best.samples, best.mean) / n1, b = v(runnerUp.samples, runnerUp.mean) / n2
  const se = Math.sqrt(a + b)
  if (se === 0) return { diff, relative, ci95: 0, significant: diff !== 0 }
  const df = Math.max(1, Math.floor((a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1))))
  const ci95 = tQuantile975(df) * se
  return { diff, relative, ci95, significant: Math.abs(diff) > ci95 }
}

export interface DecisionChange { vm: string; id: string; title: string; from: string; to: string; reason: string; mirrors: string }

/** The decisions whose value differs between the starting configuration's run and the pick's. */
export function decisionChanges(base: ConfigResult, pick: ConfigResult): DecisionChange[] {
  const out: DecisionChange[] = []
  pick.vms.forEach((vm, i) => {
    const before = new Map((base.vms[i]?.decisions ?? []).map((d) => [d.id, d]))
    for (const d of vm.decisions) {
      const b = before.get(d.id)
      if (!b || b.value !== d.value) out.push({ vm: vm.vm, id: d.id, title: d.title, from: b?.value ?? '—', to: d.value, reason: d.reason, mirrors: d.mirrors })
    }
  })
  return out
}
