// Text output of the command line: per configuration the perf table for all VMs, the workload summary
// and the decisions; for a comparison, a summary with deltas against the first configuration.
import type { ConfigResult, ExitRow } from '../result.ts'
import { formatPerfKvmStat } from './perf-report.ts'
import { sprintf } from './c-printf.ts'

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
    out += `${vm.vm}: ${w.kind} ${fmtNum(w.throughputPerSec)} ${w.unit}/s`
    if (w.ci95) out += ` (±${fmtNum(w.ci95.throughputPerSec)})`
    out += `; latency p50 ${us(l.p50)} p90 ${us(l.p90)} p99 ${us(l.p99)} p99.9 ${us(l.p999)} max ${us(l.max)}\n`
    // what the benchmark itself prints (kvm-unit-tests, cyclictest, …)
    if (w.benchmark) for (const line of w.benchmark.output) out += `  | ${line}\n`
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

function throughput(r: ConfigResult): number {
  return r.vms.reduce((a, v) => a + v.workload.throughputPerSec, 0)
}

function p99(r: ConfigResult): number {
  return Math.max(...r.vms.map((v) => v.workload.latencyNs.p99))
}

export interface CompareRow { config: string; throughputPerSec: number; p99Ns: number; externalInterrupts: number; eiSharePct: number; totalExits: number }

export function compareRows(results: readonly ConfigResult[]): CompareRow[] {
  return results.map((r) => ({ config: r.config, throughputPerSec: throughput(r), p99Ns: p99(r), externalInterrupts: eiCount(r), eiSharePct: totalExits(r) ? (100 * eiCount(r)) / totalExits(r) : 0, totalExits: totalExits(r) }))
}

export function formatCompareTable(results: readonly ConfigResult[]): string {
  const rows = compareRows(results)
  if (!rows.length) return ''
  const base = rows[0]!
  const w = Math.max(13, ...rows.map((r) => r.config.length))
  let out = sprintf(`%-${w}s %14s %8s %12s %8s %12s %8s %7s\n`, 'configuration', 'throughput/s', 'Δ', 'p99 latency', 'Δ', 'EXT_INTR', 'Δ', 'share')
  for (const r of rows) {
    out += sprintf(`%-${w}s %14s %8s %12s %8s %12s %8s %6.2f%%\n`, r.config, fmtNum(r.throughputPerSec), delta(r.throughputPerSec, base.throughputPerSec, r === base), us(r.p99Ns), delta(r.p99Ns, base.p99Ns, r === base), String(r.externalInterrupts), delta(r.externalInterrupts, base.externalInterrupts, r === base), r.eiSharePct)
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
