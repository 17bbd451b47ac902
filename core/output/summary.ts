// The one-paragraph summary of a comparison's deltas, as the PDF report prints it under its title: each
// configuration against the baseline (the first one) on the numbers the comparison is about — external
// interrupt exits and their share, all exits, throughput and p99 latency. Throughput is compared per workload and
// unit (text-report.ts throughputGroups()): VMs running different workloads are never added together. Pure and
// deterministic.
import type { ConfigResult } from '../result.ts'
import { compareRows } from './text-report.ts'
import type { CompareRow, ThroughputGroup } from './text-report.ts'

export interface SummaryRow extends CompareRow {
  /** The first workload group's name, e.g. "redis" (its unit is CompareRow.unit). */
  workload: string
  /** The external-interrupt row's name for the vendor (VMX EXTERNAL_INTERRUPT, SVM interrupt). */
  eiReason: string
}

export function summaryRows(results: readonly ConfigResult[]): SummaryRow[] {
  const rows = compareRows(results)
  return rows.map((r, i) => {
    const res = results[i] as ConfigResult
    return { ...r, workload: r.throughputs[0]?.kind ?? 'workload', eiReason: res.vendor === 'svm' ? 'interrupt' : 'EXTERNAL_INTERRUPT' }
  })
}

/** Relative change in percent; undefined when the base is 0. */
export function pctChange(base: number, value: number): number | undefined {
  return base === 0 ? undefined : ((value - base) / Math.abs(base)) * 100
}

/** "+3.1 %", "−84.1 %", "±0.0 %" (U+2212 minus, as the app prints deltas). */
export function fmtPct(p: number): string {
  const r = Math.round(p * 10) / 10
  const sign = r > 0 ? '+' : r < 0 ? '−' : '±'
  return `${sign}${Math.abs(r).toFixed(1)} %`
}

function int(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

function rate(n: number): string {
  return n >= 1e4 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(n >= 100 ? 0 : 1)
}

function us(ns: number): string {
  const u = ns / 1000
  return `${u >= 100 ? u.toFixed(0) : u >= 10 ? u.toFixed(1) : u.toFixed(2)} µs`
}

function change(what: string, base: number, value: number, show: (n: number) => string): string {
  const p = pctChange(base, value)
  if (p === undefined) return value === 0 ? `${what} 0 in both` : `${what} from 0 to ${show(value)}`
  if (Math.abs(p) < 0.05) return `${what} unchanged (${show(value)})`
  return `${what} ${fmtPct(p)} (${show(base)} → ${show(value)})`
}

/** "redis" when every VM runs the one workload; "timer (vm2)" when the VMs run different ones. */
function groupName(g: ThroughputGroup, groups: readonly ThroughputGroup[]): string {
  return groups.length === 1 ? g.kind : `${g.kind} (${g.vms.join(', ')})`
}

function sameGroup(r: CompareRow, g: ThroughputGroup): number {
  return r.throughputs.find((o) => o.kind === g.kind && o.unit === g.unit)?.perSec ?? 0
}

/**
 * One paragraph: for every configuration after the first, its deltas against the first. `failed` names
 * configurations that produced no result (they are mentioned, not compared).
 */
export function summarizeDeltas(rows: readonly SummaryRow[], failed: readonly string[] = []): string {
  const tail = failed.length ? ` ${failed.length === 1 ? 'Configuration' : 'Configurations'} ${failed.join(', ')} produced no result and ${failed.length === 1 ? 'is' : 'are'} not compared.` : ''
  const base = rows[0]
  if (!base) return `No configuration produced a result.${tail}`
  if (rows.length === 1) {
    const tp = base.throughputs.map((g) => `${groupName(g, base.throughputs)} throughput ${rate(g.perSec)} ${g.unit}/s`).join(', ')
    return `Only ${base.config} produced a result: ${int(base.externalInterrupts)} ${base.eiReason} exits (${base.eiSharePct.toFixed(1)} % of ${int(base.totalExits)} exits), ${tp} and p99 latency ${us(base.p99Ns)}.${tail}`
  }
  const sentences = rows.slice(1).map((r) => {
    const parts = [
      `${change(`${r.eiReason} exits`, base.externalInterrupts, r.externalInterrupts, int)}, their share of all exits going from ${base.eiSharePct.toFixed(1)} % to ${r.eiSharePct.toFixed(1)} %`,
      change('all exits', base.totalExits, r.totalExits, int),
      ...base.throughputs.map((g) => change(`${groupName(g, base.throughputs)} throughput`, g.perSec, sameGroup(r, g), (n) => `${rate(n)} ${g.unit}/s`)),
      change('p99 latency', base.p99Ns, r.p99Ns, us),
    ]
    return `${r.config}: ${parts.slice(0, -1).join('; ')}; and ${parts[parts.length - 1]}.`
  })
  // The headline: the configuration with the largest throughput gain (or smallest loss).
  const best = rows.slice(1).reduce((a, r) => ((pctChange(base.throughputPerSec, r.throughputPerSec) ?? 0) > (pctChange(base.throughputPerSec, a.throughputPerSec) ?? 0) ? r : a))
  const bestPct = pctChange(base.throughputPerSec, best.throughputPerSec) ?? 0
  const headline = bestPct > 0.05
    ? `${best.config} has the highest ${best.workload} throughput, ${fmtPct(bestPct)} over ${base.config}.`
    : `No configuration improves ${base.workload} throughput over ${base.config}.`
  return `Compared with ${base.config} (the baseline), ${sentences.join(' ')} ${headline}${tail}`
}
