// Throughput over virtual time, one line per configuration (and VM when there are several).
import type { ConfigResult } from '../../../core/result.ts'
import { baseOption, colorOf, type ChartOption, type ChartStyle } from './common.ts'
import { toCsv } from './csv.ts'
import { fmtRate } from '../lib/format.ts'

export interface ThroughputSeries { name: string; index: number; intervalNs: number; perSec: number[]; unit: string }

export function throughputSeries(results: readonly ConfigResult[]): ThroughputSeries[] {
  const out: ThroughputSeries[] = []
  results.forEach((r, index) => {
    for (const vm of r.vms) {
      out.push({
        name: r.vms.length > 1 ? `${r.config} / ${vm.vm}` : r.config,
        index,
        intervalNs: vm.workload.series.intervalNs,
        perSec: vm.workload.series.perSec,
        unit: vm.workload.unit,
      })
    }
  })
  return out
}

/** Points [time in s at the end of each interval, per-second value]. */
export function throughputPoints(s: ThroughputSeries): [number, number][] {
  return s.perSec.map((v, i) => [((i + 1) * s.intervalNs) / 1e9, v])
}

export function throughputOption(series: readonly ThroughputSeries[], opts: { fileName: string; style: ChartStyle }): ChartOption {
  const unit = series[0]?.unit ?? 'ops'
  return {
    ...baseOption('Throughput over time', opts.fileName, opts.style),
    tooltip: { trigger: 'axis', valueFormatter: ((v: unknown) => `${fmtRate(Number(v))} ${unit}/s`) as never },
    xAxis: { type: 'value', name: 'virtual time (s)', nameLocation: 'middle', nameGap: 28, min: 0 },
    yAxis: { type: 'value', name: `${unit}/s`, axisLabel: { formatter: (v: number) => fmtRate(v) } },
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }],
    series: series.map((s) => ({
      type: 'line' as const,
      name: s.name,
      showSymbol: false,
      sampling: 'lttb' as const,
      color: colorOf(s.index),
      data: throughputPoints(s),
    })),
  }
}

export function throughputCsv(series: readonly ThroughputSeries[]): string {
  const rows: (string | number)[][] = []
  for (const s of series) for (const [t, v] of throughputPoints(s)) rows.push([s.name, t, v])
  return toCsv(['series', 'time_s', `${series[0]?.unit ?? 'ops'}_per_s`], rows)
}
