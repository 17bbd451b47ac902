// A configuration's results as CSV: one row per exit reason per VM, then the rows of all VMs together
// (vm "*", what `perf kvm stat` prints system-wide). RFC 4180 quoting, CRLF-free ("\n" lines).
// Each number column has one rounding, the same in every row, as the exit table rounds it (RESULTS_CSV_COLUMNS).
import type { ConfigResult, ExitRow } from '../result.ts'
import { formatFixed } from '../output/c-printf.ts'

/** The exit-table CSV's number columns and their decimals. Times are whole nanoseconds: perf kvm stat records them
 *  as u64 ns (and the table prints µs with two decimals, so nothing it shows is lost); relStddevPct has the two
 *  decimals of perf's "( +- x.xx% )"; exitsPerSec one decimal. Rounded as glibc's printf rounds (c-printf.ts). */
export const RESULTS_CSV_COLUMNS: readonly { name: keyof ExitRow | 'exitsPerSec'; decimals: number }[] = [
  { name: 'count', decimals: 0 },
  { name: 'totalNs', decimals: 0 },
  { name: 'minNs', decimals: 0 },
  { name: 'maxNs', decimals: 0 },
  { name: 'meanNs', decimals: 0 },
  { name: 'relStddevPct', decimals: 2 },
  { name: 'exitsPerSec', decimals: 1 },
]

const HEADER = ['config', 'vm', 'reason', ...RESULTS_CSV_COLUMNS.map((c) => c.name)]

export function csvField(v: string | number): string {
  const s = String(v)
  return /[",\n\r]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function exportResultsCsv(results: readonly ConfigResult[]): string {
  const lines = [HEADER.join(',')]
  for (const r of results) {
    const secs = r.virtualNs / 1e9
    const groups = [...r.vms.map((v) => ({ vm: v.vm, exits: v.exits })), { vm: '*', exits: r.allVms.exits }]
    for (const g of groups) {
      for (const e of g.exits) {
        const value = (name: keyof ExitRow | 'exitsPerSec'): number => (name === 'exitsPerSec' ? (secs > 0 ? e.count / secs : 0) : (e[name] as number))
        const numbers = RESULTS_CSV_COLUMNS.map((c) => formatFixed(value(c.name), c.decimals))
        lines.push([r.config, g.vm, e.reason, ...numbers].map(csvField).join(','))
      }
    }
  }
  return `${lines.join('\n')}\n`
}

const WORKLOAD_HEADER = ['config', 'vm', 'workload', 'metric', 'unit', 'value', 'ci95', 'replications']

/** The workloads' figures, one row each (long format): throughput, mean latency, the percentiles and the benchmark's
 *  own lines (hackbench's Time, perf bench sched pipe's usecs/op, ebizzy's records/s). With replications every value
 *  is the mean over them and ci95 its 95 % confidence half-width (empty for a single run). */
export function exportWorkloadCsv(results: readonly ConfigResult[]): string {
  const lines = [WORKLOAD_HEADER.join(',')]
  for (const r of results) {
    for (const v of r.vms) {
      const w = v.workload
      const ci = w.ci95
      const reps = w.replications ?? 1
      const row = (metric: string, unit: string, value: number, half: number | undefined) => lines.push([r.config, v.vm, w.kind, metric, unit, value, half ?? '', reps].map(csvField).join(','))
      row('throughput', `${w.unit}/s`, w.throughputPerSec, ci?.throughputPerSec)
      row('latency mean', 'ns', w.meanLatencyNs, ci?.meanLatencyNs)
      for (const k of ['p50', 'p90', 'p99', 'p999', 'max'] as const) row(`latency ${k}`, 'ns', w.latencyNs[k], ci?.[k])
      for (const f of w.benchmark?.figures ?? []) row(f.name, f.unit, f.value, f.ci95)
    }
  }
  return `${lines.join('\n')}\n`
}
