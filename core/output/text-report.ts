// Text output of the command line: per configuration the perf table for all VMs, the workload summary
// and the decisions; for a comparison, a summary with deltas against the first configuration.
import type { ConfigResult, ExitRow } from '../result.ts'
import { formatPerfKvmStat } from './perf-report.ts'
import { sprintf } from './c-printf.ts'
import { printedLines, linesNote } from './benchmark-lines.ts'

export interface TextReportOptions {
  /** perf version whose layout to print (name column 20 before v6.4, 40 from v6.4). */
  perfVersion?: string
  /** Also print each VM's decisions (default true). */
  decisions?: boolean
}

export function perfTable(rows: readonly ExitRow[], perfVersion?: string): string {
  return formatPerfKvmStat(rows.map((r) => ({ name: r.reason, count: r.count, totalNs: r.totalNs, minNs: r.minNs, maxNs: r.maxNs, relStddevPct: r.relStddevPct })), { perfVersion })
}

export function formatConfigReport(r: ConfigResult, opts: TextReportOptions = {}): string {
  let out = `=== ${r.config}  (seed ${r.seed}, ${(r.virtualNs / 1e9).toFixed(3)} s virtual, ${r.events.toLocaleString('en-US')} events, ${r.wallMs} ms wall)\n`
  out += perfTable(r.allVms.exits, opts.perfVersion)
  for (const vm of r.vms) {
    const w = vm.workload
    const l = w.latencyNs
    const ci = w.ci95
    const pm = (x: number | undefined, show: (n: number) => string): string => (x === undefined ? '' : ` ±${show(x)}`)
    out += `${vm.vm}: ${w.kind} ${fmtNum(w.throughputPerSec)}${pm(ci?.throughputPerSec, fmtNum)} ${w.unit}/s`
    out += `; latency mean ${us(w.meanLatencyNs)}${pm(ci?.meanLatencyNs, us)} p50 ${us(l.p50)}${pm(ci?.p50, us)} p90 ${us(l.p90)}${pm(ci?.p90, us)} p99 ${us(l.p99)}${pm(ci?.p99, us)} p99.9 ${us(l.p999)}${pm(ci?.p999, us)} max ${us(l.max)}${pm(ci?.max, us)}`
    out += w.replications ? ` (means of ${w.replications} replications, ±95 % CI)\n` : '\n'
    // what the benchmark itself prints (hackbench, kvm-unit-tests, cyclictest, …), from its figures
    const note = linesNote(w)
    if (note) out += `  (${note})\n`
    for (const l of printedLines(w)) out += `  | ${l.text}${l.ci ? `   (${l.ci})` : ''}\n`
    if (opts.decisions !== false) {
      for (const d of vm.decisions) out += `  - ${d.title}: ${d.value} — ${d.reason}\n`
    }
    const ei = vm.exits.find((e) => e.reason === 'EXTERNAL_INTERRUPT' || e.reason === 'interrupt')
    if (ei) {
      const causes = Object.entries(ei.causes).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')
      out += `  ${ei.reason} causes: ${causes}\n`
    }
  }
  return out + '\n'
}

function eiCount(r: ConfigResult): number {
  return r.allVms.exits.filter((e) => e.reason === 'EXTERNAL_INTERRUPT' || e.reason === 'interrupt').reduce((a, e) => a + e.count, 0)
}

function totalExits(r: ConfigResult): number {
  return r.allVms.exits.reduce((a, e) => a + e.count, 0)
}

function p99(r: ConfigResult): number {
  return Math.max(...r.vms.map((v) => v.workload.latencyNs.p99))
}

/** The throughput of the VMs that run the same workload kind in the same unit, summed (never across units). */
export interface ThroughputGroup { kind: string; unit: string; vms: string[]; perSec: number }

export function throughputGroups(r: ConfigResult): ThroughputGroup[] {
  const out: ThroughputGroup[] = []
  for (const v of r.vms) {
    const g = out.find((x) => x.kind === v.workload.kind && x.unit === v.workload.unit)
    if (g) { g.vms.push(v.vm); g.perSec += v.workload.throughputPerSec }
    else out.push({ kind: v.workload.kind, unit: v.workload.unit, vms: [v.vm], perSec: v.workload.throughputPerSec })
  }
  return out
}

/** One configuration's headline numbers. `throughputPerSec` and `unit` are the first group's (the first VM's workload
 *  and every VM running the same workload in the same unit); `throughputs` has every group. */
export interface CompareRow { config: string; throughputPerSec: number; unit: string; throughputs: ThroughputGroup[]; p99Ns: number; externalInterrupts: number; eiSharePct: number; totalExits: number }

export function compareRows(results: readonly ConfigResult[]): CompareRow[] {
  return results.map((r) => {
    const groups = throughputGroups(r)
    return { config: r.config, throughputPerSec: groups[0]?.perSec ?? 0, unit: groups[0]?.unit ?? 'ops', throughputs: groups, p99Ns: p99(r), externalInterrupts: eiCount(r), eiSharePct: totalExits(r) ? (100 * eiCount(r)) / totalExits(r) : 0, totalExits: totalExits(r) }
  })
}

export function formatCompareTable(results: readonly ConfigResult[]): string {
  const rows = compareRows(results)
  if (!rows.length) return ''
  const base = rows[0]!
  const w = Math.max(13, ...rows.map((r) => r.config.length))
  // one throughput column per workload group (kind and unit) of the baseline: units are never added together
  const cols = base.throughputs.map((g) => `${g.kind} ${g.unit}/s`)
  const tw = Math.max(14, ...cols.map((c) => c.length))
  let out = sprintf(`%-${w}s${cols.map(() => ` %${tw}s %8s`).join('')} %12s %8s %12s %8s %7s\n`, 'configuration', ...cols.flatMap((c) => [c, 'Δ']), 'p99 latency', 'Δ', 'EXT_INTR', 'Δ', 'share')
  for (const r of rows) {
    const tp = base.throughputs.flatMap((g) => {
      const x = r.throughputs.find((o) => o.kind === g.kind && o.unit === g.unit)?.perSec ?? 0
      return [fmtNum(x), delta(x, g.perSec, r === base)]
    })
    out += sprintf(`%-${w}s${cols.map(() => ` %${tw}s %8s`).join('')} %12s %8s %12s %8s %6.2f%%\n`, r.config, ...tp, us(r.p99Ns), delta(r.p99Ns, base.p99Ns, r === base), String(r.externalInterrupts), delta(r.externalInterrupts, base.externalInterrupts, r === base), r.eiSharePct)
  }
  return out
}

function delta(x: number, base: number, isBase: boolean): string {
  if (isBase) return '—'
  if (base === 0) return x === 0 ? '+0.0%' : 'new'
  const d = (100 * (x - base)) / base
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)}%`
}

function us(ns: number): string {
  return `${(ns / 1000).toFixed(1)}us`
}

function fmtNum(x: number): string {
  return Math.round(x).toLocaleString('en-US')
}
