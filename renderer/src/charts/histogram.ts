// EXTERNAL_INTERRUPT (or any exit reason) handling-time histograms: step lines over log-spaced buckets,
// log x (ns) and log y (exits), one series per configuration, overlaid or one chart per configuration.
import type { ConfigResult, HistogramBucket } from '../../../core/result.ts'
import { baseOption, colorOf, type ChartOption, type ChartStyle } from './common.ts'
import { toCsv } from './csv.ts'
import { fmtNs } from '../lib/format.ts'

export interface HistogramSeries {
  config: string
  /** Index of the configuration, so its colour is the same in every chart. */
  index: number
  buckets: HistogramBucket[]
}

/** Value drawn for an empty bucket: below the log axis' minimum of 1, so the step drops out of view. */
const EMPTY = 0.5

/** The histogram series of one exit reason for each configuration that has it (system-wide). */
export function histogramSeries(results: readonly ConfigResult[], reason: (r: ConfigResult) => string): HistogramSeries[] {
  const out: HistogramSeries[] = []
  results.forEach((r, index) => {
    const h = r.allVms.histograms.find((x) => x.reason === reason(r))
    if (h) out.push({ config: r.config, index, buckets: h.buckets })
  })
  return out
}

/** Step points: one per bucket at its lower bound, plus the upper bound of the last non-empty bucket. */
export function stepPoints(buckets: readonly HistogramBucket[]): [number, number, number, number][] {
  const sorted = [...buckets].filter((b) => b.highNs > 0).sort((a, b) => a.lowNs - b.lowNs)
  let last = sorted.length - 1
  while (last >= 0 && (sorted[last] as HistogramBucket).count === 0) last--
  let first = 0
  while (first <= last && (sorted[first] as HistogramBucket).count === 0) first++
  if (last < first) return []
  const pts: [number, number, number, number][] = []
  for (let i = first; i <= last; i++) {
    const b = sorted[i] as HistogramBucket
    pts.push([Math.max(b.lowNs, 1), b.count > 0 ? b.count : EMPTY, b.count, b.highNs])
  }
  const lb = sorted[last] as HistogramBucket
  pts.push([lb.highNs, EMPTY, 0, lb.highNs])
  return pts
}

export interface HistogramRange { xMin: number; xMax: number; yMax: number }

/** Shared axis range for a set of histograms, so side-by-side charts compare at a glance. */
export function histogramRange(series: readonly HistogramSeries[]): HistogramRange {
  let xMin = Infinity
  let xMax = 0
  let yMax = 1
  for (const s of series) {
    for (const [x, , c, hi] of stepPoints(s.buckets)) {
      xMin = Math.min(xMin, x)
      xMax = Math.max(xMax, hi)
      yMax = Math.max(yMax, c)
    }
  }
  if (!Number.isFinite(xMin)) return { xMin: 100, xMax: 1e6, yMax: 10 }
  const pow10 = (v: number, up: boolean): number => 10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)))
  return { xMin: pow10(xMin, false), xMax: pow10(xMax, true), yMax: pow10(yMax * 1.5, true) }
}

interface TooltipParam { seriesName?: string; color?: string; data?: unknown }

/** Tooltip text for the points under the pointer: bucket range and real count per configuration. */
export function histogramTooltip(params: TooltipParam | TooltipParam[]): string {
  const list = Array.isArray(params) ? params : [params]
  return list
    .map((p) => {
      const d = p.data as [number, number, number, number] | undefined
      if (!d) return ''
      return `<span style="color:${p.color ?? 'inherit'}">●</span> ${p.seriesName ?? ''}: ${d[2]} exits in [${fmtNs(d[0])}, ${fmtNs(d[3])})`
    })
    .filter(Boolean)
    .join('<br>')
}

export function histogramOption(
  series: readonly HistogramSeries[],
  opts: { title: string; fileName: string; style: ChartStyle; range?: HistogramRange },
): ChartOption {
  const range = opts.range ?? histogramRange(series)
  return {
    ...baseOption(opts.title, opts.fileName, opts.style),
    tooltip: { trigger: 'axis', formatter: histogramTooltip as never, axisPointer: { type: 'line' } },
    xAxis: {
      type: 'log',
      name: 'handling time',
      nameLocation: 'middle',
      nameGap: 28,
      min: range.xMin,
      max: range.xMax,
      axisLabel: { formatter: (v: number) => fmtNs(v) },
    },
    yAxis: { type: 'log', name: 'exits', min: 1, max: range.yMax, minorSplitLine: { show: false } },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    series: series.map((s) => ({
      type: 'line' as const,
      name: s.config,
      step: 'end' as const,
      symbol: 'none',
      clip: true,
      color: colorOf(s.index),
      lineStyle: { width: 1.5 },
      areaStyle: { opacity: series.length > 1 ? 0.18 : 0.3, origin: 'start' as const },
      data: stepPoints(s.buckets),
    })),
  }
}

export function histogramCsv(series: readonly HistogramSeries[]): string {
  const rows: (string | number)[][] = []
  for (const s of series) for (const b of s.buckets) rows.push([s.config, b.lowNs, b.highNs, b.count])
  return toCsv(['config', 'low_ns', 'high_ns', 'count'], rows)
}
