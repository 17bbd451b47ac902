// The comparison as a chart: percent change of each headline metric against the baseline, one bar per
// configuration and metric, green when better and red when worse.
import type { ComparisonRow, Tone } from '../lib/compare.ts'
import { baseOption, type ChartOption, type ChartStyle } from './common.ts'
import { toCsv } from './csv.ts'
import { fmtDeltaPct } from '../lib/format.ts'

export const DELTA_METRICS = [
  { key: 'throughput', label: 'throughput' },
  { key: 'p99Ns', label: 'p99 latency' },
  { key: 'extIntCount', label: 'EXTERNAL_INTERRUPT' },
  { key: 'totalExits', label: 'all exits' },
] as const

export const TONE_COLORS: Record<Tone, string> = { good: '#2e9e5b', bad: '#d64545', neutral: '#8a93a3' }

export function deltasOption(rows: readonly ComparisonRow[], opts: { fileName: string; style: ChartStyle; extIntLabel?: string }): ChartOption {
  const others = rows.filter((r) => !r.isBaseline)
  const labels = DELTA_METRICS.map((m) => (m.key === 'extIntCount' && opts.extIntLabel ? opts.extIntLabel : m.label))
  return {
    ...baseOption('Change against the baseline', opts.fileName, opts.style),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: ((v: unknown) => fmtDeltaPct(Number(v))) as never },
    legend: { show: false },
    grid: { left: 150, right: 48, top: 40, bottom: 40 },
    xAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${v} %` } },
    yAxis: { type: 'category', data: labels, inverse: true },
    series: others.map((r) => ({
      type: 'bar' as const,
      name: r.config,
      label: { show: true, position: 'right' as const, formatter: ((p: { value: number }) => `${r.config} ${fmtDeltaPct(p.value)}`) as never },
      data: DELTA_METRICS.map((m) => {
        const d = r.deltas[m.key]
        return { value: Number.isFinite(d.pct) ? Number(d.pct.toFixed(2)) : 0, itemStyle: { color: TONE_COLORS[d.tone] } }
      }),
    })),
  }
}

export function deltasCsv(rows: readonly ComparisonRow[]): string {
  return toCsv(
    ['config', 'baseline', 'throughput', 'throughput_delta_pct', 'p99_ns', 'p99_delta_pct', 'ext_int_exits', 'ext_int_delta_pct', 'all_exits', 'all_exits_delta_pct'],
    rows.map((r) => [r.config, r.isBaseline ? 'yes' : 'no', r.throughput, r.deltas.throughput.pct, r.p99Ns, r.deltas.p99Ns.pct, r.extIntCount, r.deltas.extIntCount.pct, r.totalExits, r.deltas.totalExits.pct]),
  )
}
