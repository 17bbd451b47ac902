// The summary of a comparison (issue 16): the headline deltas of each VM against the baseline with their
// 95 % confidence intervals, the exit-table deltas, and the kernel decisions as the differences between
// configurations — with the configurations that end up equivalent (the same effective decisions for
// every VM) named as such. Shared by the PDF report's first pages and the Results page. Pure.
import type { ConfigResult, Decision } from '../result.ts'
import { pctChange } from './summary.ts'

export interface HeadlineDelta {
  vm: string
  config: string
  unit: string
  throughputPerSec: number
  p99Ns: number
  /** Percent change against the baseline's same VM, and the half-width of its 95 % CI (percentage points)
   *  when both sides have replications (run.replications ≥ 2). */
  throughputPct?: number
  throughputCiPct?: number
  p99Pct?: number
  p99CiPct?: number
}

export interface ExitDelta {
  reason: string
  /** The count in each configuration, in configuration order (baseline first). */
  counts: number[]
  /** Percent change of each configuration against the baseline (null for the baseline, or a zero base:
   *  null, not undefined, so the snapshot is the same after a JSON round trip). */
  pcts: (number | null)[]
}

export interface DecisionDifference {
  vm: string
  id: string
  title: string
  mirrors: string
  /** The decision's value in each configuration, in configuration order ('—' when it was not made). */
  values: string[]
}

export interface DecisionSummary {
  differences: DecisionDifference[]
  /** How many decisions were compared (per VM, over all configurations). */
  compared: number
  /** Groups (2 or more) of configurations whose effective decisions are the same for every VM. */
  equivalent: string[][]
}

/** Relative 95 % CI half-width of the ratio b/a in percentage points (delta method: the relative
 *  half-widths add in quadrature); undefined without both CIs. */
export function ratioCiPct(a: number, ciA: number | undefined, b: number, ciB: number | undefined): number | undefined {
  if (ciA === undefined || ciB === undefined || a === 0 || b === 0) return undefined
  return Math.hypot(ciA / a, ciB / b) * Math.abs(b / a) * 100
}

/** Each VM of each configuration against the same VM of the baseline (results[0]). */
export function headlineDeltas(results: readonly ConfigResult[]): HeadlineDelta[] {
  const base = results[0]
  if (!base) return []
  const out: HeadlineDelta[] = []
  for (const r of results) {
    for (const v of r.vms) {
      const w = v.workload
      const b = base.vms.find((x) => x.vm === v.vm)?.workload
      const row: HeadlineDelta = { vm: v.vm, config: r.config, unit: w.unit, throughputPerSec: w.throughputPerSec, p99Ns: w.latencyNs.p99 }
      if (b && r !== base) {
        const tp = pctChange(b.throughputPerSec, w.throughputPerSec)
        const p99 = pctChange(b.latencyNs.p99, w.latencyNs.p99)
        if (tp !== undefined) row.throughputPct = tp
        if (p99 !== undefined) row.p99Pct = p99
        const tci = ratioCiPct(b.throughputPerSec, b.ci95?.throughputPerSec, w.throughputPerSec, w.ci95?.throughputPerSec)
        const pci = ratioCiPct(b.latencyNs.p99, b.ci95?.p99, w.latencyNs.p99, w.ci95?.p99)
        if (tci !== undefined) row.throughputCiPct = tci
        if (pci !== undefined) row.p99CiPct = pci
      }
      out.push(row)
    }
  }
  return out
}

/** The exit reasons (all VMs) with the largest counts in any configuration, most first; at most `limit`. */
export function exitDeltas(results: readonly ConfigResult[], limit = 8): ExitDelta[] {
  const reasons = new Map<string, number>()
  for (const r of results) for (const e of r.allVms.exits) reasons.set(e.reason, Math.max(reasons.get(e.reason) ?? 0, e.count))
  const top = [...reasons.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit)
  return top.map(([reason]) => {
    const counts = results.map((r) => r.allVms.exits.find((e) => e.reason === reason)?.count ?? 0)
    const base = counts[0] ?? 0
    return { reason, counts, pcts: counts.map((c, i) => (i === 0 ? null : pctChange(base, c) ?? null)) }
  })
}

/** Kernel decisions per VM as data: by VM, by decision id. */
export interface DecisionsOf { config: string; vms: { vm: string; decisions: Decision[] }[] }

/** The decisions whose values differ between configurations, and the configurations that are equivalent. */
export function decisionSummary(configs: readonly DecisionsOf[]): DecisionSummary {
  const vms: string[] = []
  for (const c of configs) for (const v of c.vms) if (!vms.includes(v.vm)) vms.push(v.vm)
  const differences: DecisionDifference[] = []
  let compared = 0
  for (const vm of vms) {
    const byConfig = configs.map((c) => new Map((c.vms.find((v) => v.vm === vm)?.decisions ?? []).map((d) => [d.id, d])))
    const ids: string[] = []
    for (const m of byConfig) for (const id of m.keys()) if (!ids.includes(id)) ids.push(id)
    for (const id of ids) {
      compared++
      const ds = byConfig.map((m) => m.get(id))
      const values = ds.map((d) => d?.value ?? '—')
      if (values.some((x) => x !== values[0])) {
        const any = ds.find((d) => d !== undefined) as Decision
        differences.push({ vm, id, title: any.title, mirrors: any.mirrors, values })
      }
    }
  }
  // Configurations with the same value in every decision of every VM.
  const signature = (i: number): string => JSON.stringify(configs[i]!.vms.map((v) => [v.vm, v.decisions.map((d) => [d.id, d.value])]))
  const groups = new Map<string, string[]>()
  configs.forEach((c, i) => {
    const k = signature(i)
    groups.set(k, [...(groups.get(k) ?? []), c.config])
  })
  return { differences, compared, equivalent: [...groups.values()].filter((g) => g.length > 1) }
}

/** "a, b and c" */
export function listText(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`
}

/** What an equivalence means in words, e.g. "sw-timer and posted-timer end up with the same kernel decisions…". */
export function equivalenceText(group: readonly string[]): string {
  return `${listText(group)} end up with the same kernel decisions for every VM: their settings differ, but not in anything the modelled kernel acts on differently, so any difference in their results is run-to-run noise.`
}
