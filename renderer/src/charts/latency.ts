// Latency percentiles (p50, p90, p99, p99.9, max) as grouped bars per configuration and VM, on a linear
// µs axis from 0 (a log axis hid 565 vs 582 µs), with each bar's value above it while the bars are wide
// enough to carry one (up to 4 series). A colour per series: configuration and VM.
import type { ConfigResult, LatencyPercentiles } from '../../../core/result.ts'
import { baseOption, colorOf, type ChartOption, type ChartStyle } from './common.ts'
import { toCsv } from './csv.ts'
import { fmtNs } from '../lib/format.ts'

export const PERCENTILES: readonly { key: keyof LatencyPercentiles; label: string }[] = [
  { key: 'p50', label: 'p50' },
  { key: 'p90', label: 'p90' },
  { key: 'p99', label: 'p99' },
  { key: 'p999', label: 'p99.9' },
  { key: 'max', label: 'max' },
]

export interface LatencySeries { name: string; index: number; latencyNs: LatencyPercentiles }

export function latencySeries(results: readonly ConfigResult[]): LatencySeries[] {
  const out: LatencySeries[] = []
  results.forEach((r, index) => {
    for (const vm of r.vms) out.push({ name: r.vms.length > 1 ? `${r.config} / ${vm.vm}` : r.config, index, latencyNs: vm.workload.latencyNs })
  })
  return out
}

export function latencyOption(series: readonly LatencySeries[], opts: { fileName: string; style: ChartStyle }): ChartOption {
  return {
    ...baseOption('Request latency percentiles', opts.fileName, opts.style),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: ((v: unknown) => fmtNs(Number(v) * 1000)) as never },
    xAxis: { type: 'category', data: PERCENTILES.map((p) => p.label) },
    yAxis: { type: 'value', name: 'µs', min: 0, axisLabel: { formatter: (v: number) => String(v) } },
    series: series.map((s, i) => ({
      type: 'bar' as const,
      name: s.name,
      color: colorOf(series.length > new Set(series.map((x) => x.index)).size ? i : s.index),
      label: { show: series.length <= 4, position: 'top' as const, fontSize: 10, formatter: (p: { value?: unknown }) => fmtNs(Number(p.value) * 1000) },
      data: PERCENTILES.map((p) => Math.max(s.latencyNs[p.key] / 1000, 0.001)),
    })),
  }
}

export function latencyCsv(series: readonly LatencySeries[]): string {
  return toCsv(['series', ...PERCENTILES.map((p) => `${p.label}_ns`)], series.map((s) => [s.name, ...PERCENTILES.map((p) => s.latencyNs[p.key])]))
}
