// The Sweep tab's charts: a heat map of one metric over two axes, parallel coordinates over more, the
// sensitivity of a metric to each knob (bars with the CI as an error whisker), and the Pareto front of
// throughput vs p99 latency. Pure: options only (no DOM, no echarts runtime).
import type { EChartsOption } from 'echarts'
import type { SweepAxisInfo } from '../../../core/api/protocol.ts'
import { baseOption, colorOf, type ChartOption, type ChartStyle } from './common.ts'
import { toCsv } from './csv.ts'
import type { GridPoint, ParetoPoint, Sensitivity } from '../lib/sweep-analysis.ts'
import { pointLabel } from '../lib/sweep-analysis.ts'

/** The full option type (types only): heatmap, parallel and visualMap are outside ChartOption's set. */
export type SweepChartOption = EChartsOption

/** A metric path as a user reads it, with its unit: `vms[0].workload.latencyNs.p99` → `web p99 latency (µs)` when
 *  VM 0 is "web"; `vms[1].workload.throughputPerSec` → `db throughput (/s)`. Other result paths keep their steps. */
export function metricName(m: string, vmNames: readonly string[] = []): string {
  const vm = m.match(/^vms\[(\d+)\]\.(?:workload\.)?/)
  const who = vm ? (vmNames[Number(vm[1])] ?? `vms[${vm[1]}]`) : ''
  const rest = vm ? m.slice(vm[0].length) : m
  const lat = rest.match(/^latencyNs\.(\w+)$/)
  const what = lat ? `${lat[1]} latency (µs)` : rest === 'throughputPerSec' ? 'throughput (/s)' : metricScale(rest) === 1000 ? `${rest} (µs)` : rest
  return who ? `${who} ${what}` : what
}

/** A path's short name for an axis: its last two steps. */
export function axisName(path: string): string {
  return path.split('.').slice(-2).join('.')
}

const show = (v: unknown): string => (typeof v === 'string' ? v || '(not set)' : String(v))
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(4))))

/** What a metric's raw value is divided by to be read: latencies (…Ns) are shown in µs. */
export function metricScale(metric: string): number {
  return /Ns(\.|$)/.test(metric) ? 1000 : 1
}

/** A metric's value as a user reads it: latencies (…Ns) in µs, everything else as it is. */
export function metricValue(metric: string): (v: number) => string {
  return metricScale(metric) === 1000 ? (v) => `${fmt(v / 1000)} µs` : fmt
}

function base(title: string, fileName: string, style: ChartStyle): SweepChartOption {
  const { legend: _legend, ...rest } = baseOption(title, fileName, style)
  return rest as SweepChartOption
}

/** Heat map: x = the first axis's values, y = the second's, colour = the metric's mean over the seeds. */
export function heatmapOption(grid: readonly GridPoint[], axes: readonly [SweepAxisInfo, SweepAxisInfo], metric: string, o: { fileName: string; style: ChartStyle; vmNames?: readonly string[] }): SweepChartOption {
  const [ax, ay] = axes
  const name = metricName(metric, o.vmNames)
  const val = metricValue(metric)
  const xs = ax.values.map(show)
  const ys = ay.values.map(show)
  const cells = grid.flatMap((g) => {
    const s = g.stats[metric]
    const xi = ax.values.findIndex((v) => JSON.stringify(v) === JSON.stringify(g.values[ax.label]))
    const yi = ay.values.findIndex((v) => JSON.stringify(v) === JSON.stringify(g.values[ay.label]))
    return s && xi >= 0 && yi >= 0 ? [{ value: [xi, yi, s.mean] as [number, number, number], index: g.index }] : []
  })
  const vals = cells.map((c) => c.value[2])
  return {
    ...base(`${name} over ${axisName(ax.path)} × ${axisName(ay.path)}`, o.fileName, o.style),
    grid: { left: 96, right: 132, top: 48, bottom: 56 },
    tooltip: { trigger: 'item', formatter: ((p: { value: [number, number, number] }) => `${axisName(ax.path)} = ${xs[p.value[0]]}<br>${axisName(ay.path)} = ${ys[p.value[1]]}<br>${name}: ${val(p.value[2])}`) as never },
    xAxis: { type: 'category', data: xs, name: axisName(ax.path), nameLocation: 'middle', nameGap: 30, splitArea: { show: true } },
    yAxis: { type: 'category', data: ys, name: axisName(ay.path), nameLocation: 'middle', nameGap: 72, splitArea: { show: true } },
    visualMap: { type: 'continuous', min: vals.length ? Math.min(...vals) : 0, max: vals.length ? Math.max(...vals) : 1, calculable: true, orient: 'vertical', right: 16, top: 'middle', formatter: ((v: number) => val(v)) as never },
    series: [{ type: 'heatmap', name, data: cells, label: { show: true, formatter: ((p: { value: [number, number, number] }) => val(p.value[2])) as never } }],
  }
}

/** Axis names of parallel coordinates are slanted: ECharts truncates a level name to the gap between axes, a slanted
 *  one to that gap over sin(angle) (the full name is the name's tooltip). */
const slanted = { nameRotate: 35, nameTextStyle: { align: 'left' as const } }

/** Parallel coordinates: one axis per knob, then the metrics; one line per grid point. */
export function parallelOption(grid: readonly GridPoint[], axes: readonly SweepAxisInfo[], metrics: readonly string[], o: { fileName: string; style: ChartStyle; colorBy: string; vmNames?: readonly string[] }): SweepChartOption {
  const dims = [
    ...axes.map((a, i) => ({ dim: i, name: axisName(a.path), type: 'category' as const, data: a.values.map(show), ...slanted })),
    ...metrics.map((m, j) => ({ dim: axes.length + j, name: metricName(m, o.vmNames), type: 'value' as const, ...slanted })),
  ]
  const data = grid.map((g) => [...axes.map((a) => show(g.values[a.label])), ...metrics.map((m) => { const st = g.stats[m]; return st ? st.mean / metricScale(m) : null })])
  const ci = axes.length + Math.max(0, metrics.indexOf(o.colorBy))
  const cvals = data.map((d) => d[ci]).filter((v): v is number => typeof v === 'number')
  return {
    ...base('Every point: knobs → metrics', o.fileName, o.style),
    parallel: { left: 48, right: 150, top: 96, bottom: 32 },
    parallelAxis: dims,
    visualMap: { type: 'continuous', dimension: ci, min: cvals.length ? Math.min(...cvals) : 0, max: cvals.length ? Math.max(...cvals) : 1, right: 8, top: 'middle', calculable: true, formatter: ((v: number) => fmt(v)) as never },
    series: [{ type: 'parallel', lineStyle: { width: 2, opacity: 0.7 }, data }],
  }
}

/** "range ± CI" in the metric's unit (latencies in µs), or the range alone with one seed (no CI to give). */
export function rangeText(r: Pick<Sensitivity, 'range' | 'ci95'>, metric = ''): string {
  const val = metricValue(metric)
  return r.ci95 === null ? `${val(r.range)} (1 seed)` : `${val(r.range)} ± ${val(r.ci95)}`
}

/** Sensitivity: one bar per knob (range of the per-value means), the CI drawn as a whisker, both under the knob's name. */
export function sensitivityOption(rows: readonly Sensitivity[], metric: string, o: { fileName: string; style: ChartStyle; vmNames?: readonly string[] }): SweepChartOption {
  const names = rows.map((r) => axisName(r.axis))
  const name = metricName(metric, o.vmNames)
  const d = metricScale(metric)
  return {
    ...base(`Which knob matters for ${name}`, o.fileName, o.style),
    grid: { left: 180, right: 40, top: 48, bottom: 40 },
    tooltip: { trigger: 'item', formatter: ((p: { dataIndex: number }) => { const r = rows[p.dataIndex]!; return `${r.axis}<br>range ${rangeText(r, metric)}${r.matters === false ? ' (within the seeds’ spread)' : r.matters === null ? ' (one seed: run several for a CI)' : ''}` }) as never },
    xAxis: { type: 'value', name: `range of ${name} means`, nameLocation: 'middle', nameGap: 26 },
    // the range ± CI under each knob's name: beside the bar it would run into the CI whisker
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { lineHeight: 15, formatter: ((v: string, i: number) => `${v}\n${rangeText(rows[i]!, metric)}`) as never } },
    series: [
      { type: 'bar', name: 'range', data: rows.map((r) => ({ value: r.range / d, itemStyle: { color: r.matters === false ? '#9aa3ad' : colorOf(0) } })) },
      {
        type: 'custom', name: 'ci95',
        // the whisker's ends are x values: the value axis stretches to hold them
        encode: { x: [1, 2], y: 0 },
        data: rows.flatMap((r, i) => (r.ci95 === null ? [] : [[i, Math.max(0, r.range - r.ci95) / d, (r.range + r.ci95) / d]])),
        renderItem: ((_p: unknown, api: { value(i: number): number; coord(v: [number, number]): [number, number] }) => {
          const a = api.coord([api.value(1), api.value(0)])
          const b = api.coord([api.value(2), api.value(0)])
          return { type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: { stroke: o.style.dark ? '#e6e6e6' : '#222', lineWidth: 1.5 } }
        }) as never,
        z: 3,
      },
    ],
  }
}

/** Pareto: every point (throughput vs p99), the front highlighted and joined; symbol size = housekeeping CPUs when they vary. */
export function paretoOption(points: readonly ParetoPoint[], o: { fileName: string; style: ChartStyle; throughputName: string; p99Name: string }): SweepChartOption {
  const hk = points.some((p) => p.housekeeping !== null)
  const datum = (p: ParetoPoint) => ({ value: [p.p99 / 1000, p.throughput, p.housekeeping ?? 0, p.index] as number[], name: pointLabel(p.values) })
  const front = points.filter((p) => p.front).sort((a, b) => a.p99 - b.p99)
  const size = hk ? ((v: number[]) => 8 + 2 * (v[2] ?? 0)) : 10
  return {
    ...base('Pareto front: throughput vs p99 latency', o.fileName, o.style),
    ...{ legend: { top: 26 } },
    grid: { left: 72, right: 24, top: 64, bottom: 48 },
    tooltip: { trigger: 'item', formatter: ((p: { name: string; value: number[] }) => `${p.name}<br>p99 ${fmt(p.value[0]!)} µs · ${fmt(p.value[1]!)} /s${hk ? `<br>${p.value[2]} housekeeping CPUs` : ''}<br>click: open as a configuration`) as never },
    xAxis: { type: 'value', name: `${o.p99Name}, lower is better`, nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: `${o.throughputName}, higher is better`, scale: true },
    series: [
      { type: 'scatter', name: 'points', data: points.filter((p) => !p.front).map(datum), symbolSize: size as never, itemStyle: { color: '#9aa3ad' } },
      { type: 'line', name: 'Pareto front', data: front.map(datum), symbolSize: size as never, color: colorOf(1), lineStyle: { type: 'dashed' } },
    ],
  }
}

export function gridCsv(grid: readonly GridPoint[], axes: readonly SweepAxisInfo[], metrics: readonly string[]): string {
  const head = ['index', ...axes.map((a) => a.path), ...metrics.flatMap((m) => [`${m} mean`, `${m} ci95`]), 'errors']
  const rows = grid.map((g) => [g.index, ...axes.map((a) => show(g.values[a.label])), ...metrics.flatMap((m) => [g.stats[m]?.mean ?? '', g.stats[m]?.ci95 ?? '']), g.errors])
  return toCsv(head, rows)
}

/** ChartCard takes the common option type; sweep options carry series kinds it does not name. */
export const asChart = (o: SweepChartOption): ChartOption => o as ChartOption
