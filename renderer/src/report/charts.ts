// The report's chart options, from the frozen snapshot: the external-interrupt handling-time histogram
// (one step line per configuration, log/log), throughput over virtual time and latency percentiles.
// For print: no toolbox, tooltip or zoom, no animation, legend at the bottom. Pure.
import type { ReportSnapshot } from '../../../core/api/protocol.ts'
import { colorOf, type ChartOption } from '../charts/common.ts'
import { histogramRange, stepPoints } from '../charts/histogram.ts'
import type { HistogramSeries } from '../charts/histogram.ts'
import { PERCENTILES } from '../charts/latency.ts'
import { fmtNs, fmtRate } from '../lib/format.ts'

const TEXT = '#1f2328'
const AXIS = { axisLine: { lineStyle: { color: '#6e7781' } }, axisLabel: { color: TEXT, fontSize: 10 }, nameTextStyle: { color: TEXT, fontSize: 10 }, splitLine: { lineStyle: { color: '#e4e7eb' } } }

/** Legend entries per line at the bottom of a 690-px chart; the grid leaves room for every line (the
 *  legend wraps, it is never cut). */
const LEGEND_PER_LINE = 3

function printBase(title: string, entries = 1): ChartOption {
  const lines = Math.max(1, Math.ceil(entries / LEGEND_PER_LINE))
  return {
    backgroundColor: '#ffffff',
    animation: false,
    textStyle: { fontFamily: 'sans-serif' },
    title: { text: title, left: 4, top: 0, textStyle: { fontSize: 12, fontWeight: 600, color: TEXT } },
    legend: { bottom: 2, left: 'center', width: 640, textStyle: { color: TEXT, fontSize: 10 }, itemWidth: 14, itemHeight: 8 },
    grid: { left: 60, right: 18, top: 40, bottom: 44 + 16 * lines },
  }
}

export function histogramSeriesOf(s: ReportSnapshot): HistogramSeries[] {
  return s.configurations.flatMap((c, index) => (c.eiHistogram ? [{ config: c.name, index, buckets: c.eiHistogram }] : []))
}

export function eiHistogramOption(s: ReportSnapshot): ChartOption {
  const series = histogramSeriesOf(s)
  const range = histogramRange(series)
  const reason = s.configurations[0]?.eiReason ?? 'EXTERNAL_INTERRUPT'
  return {
    ...printBase(`${reason} handling time (all VMs)`, series.length),
    xAxis: { type: 'log', name: 'handling time', nameLocation: 'middle', nameGap: 24, min: range.xMin, max: range.xMax, ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => fmtNs(v) } },
    yAxis: { type: 'log', name: 'exits', min: 1, max: range.yMax, ...AXIS },
    series: series.map((x) => ({
      type: 'line' as const, name: x.config, step: 'end' as const, symbol: 'none', clip: true, color: seriesColor(s, x.index, 0),
      lineStyle: { width: 1.5 }, areaStyle: { opacity: series.length > 1 ? 0.15 : 0.3, origin: 'start' as const }, data: stepPoints(x.buckets),
    })),
  }
}

/** Colour of a (configuration, VM) series: each configuration its own colour, and with several VMs each
 *  VM of each configuration a colour of its own (configuration-major), so no two series share one. */
export function seriesColor(s: ReportSnapshot, configIndex: number, vmIndex: number): string {
  const vms = Math.max(1, ...s.configurations.map((c) => c.vms.length))
  return colorOf(vms > 1 ? configIndex * vms + vmIndex : configIndex)
}

export function throughputChartOption(s: ReportSnapshot): ChartOption {
  const series = s.configurations.flatMap((c, ci) => c.vms.map((v, vi) => ({ v, vi })).filter(({ v }) => v.workload.series.perSec.length).map(({ v, vi }) => ({
    name: c.vms.length > 1 ? `${c.name} / ${v.vm}` : c.name, color: seriesColor(s, ci, vi), unit: v.workload.unit,
    data: v.workload.series.perSec.map((y, i): [number, number] => [((i + 1) * v.workload.series.intervalNs) / 1e9, y]),
  })))
  const unit = series[0]?.unit ?? 'ops'
  return {
    ...printBase('Throughput over virtual time', series.length),
    xAxis: { type: 'value', name: 'virtual time (s)', nameLocation: 'middle', nameGap: 24, min: 0, ...AXIS },
    yAxis: { type: 'value', name: `${unit}/s`, scale: true, ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => fmtRate(v) } },
    series: series.map((x) => ({ type: 'line' as const, name: x.name, showSymbol: false, sampling: 'lttb' as const, color: x.color, lineStyle: { width: 1.2 }, data: x.data })),
  }
}

export function latencyChartOption(s: ReportSnapshot): ChartOption {
  const series = s.configurations.flatMap((c, ci) => c.vms.map((v, vi) => ({ v, vi })).filter(({ v }) => v.workload.latencyNs.max > 0).map(({ v, vi }) => ({ name: c.vms.length > 1 ? `${c.name} / ${v.vm}` : c.name, color: seriesColor(s, ci, vi), l: v.workload.latencyNs })))
  return {
    ...printBase('Request latency percentiles', series.length),
    xAxis: { type: 'category', data: PERCENTILES.map((p) => p.label), ...AXIS },
    yAxis: { type: 'value', name: 'µs', min: 0, ...AXIS },
    series: series.map((x) => ({
      type: 'bar' as const, name: x.name, color: x.color, barGap: '10%',
      // Values above the bars while they fit (up to 3 series); more would overlap: the axis reads them.
      label: { show: series.length <= 3, position: 'top' as const, fontSize: 8, color: TEXT, formatter: (p: { value?: unknown }) => fmtNs(Number(p.value) * 1000).replace(' ', '\u202f') },
      data: PERCENTILES.map((p) => Math.max(x.l[p.key] / 1000, 0.001)),
    })),
  }
}
