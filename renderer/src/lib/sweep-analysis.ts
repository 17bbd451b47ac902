// What a sweep's points say: each grid point's mean over its seeds (with the 95 % CI), the sensitivity of
// a metric to each knob (the range of the per-value means along an axis, with a CI from the seeds' spread:
// "which knob matters"), and the Pareto front of throughput (max) vs p99 latency (min) vs housekeeping
// CPUs (min, when an axis varies them). Pure.
import type { SweepAxisInfo, SweepPointLine } from '../../../core/api/protocol.ts'
import { meanCi95, tQuantile975 } from '../../../core/metrics/student-t.ts'
import { countCpus, parseCpuList } from '../../../core/topology/cpulist.ts'

export interface GridPoint {
  index: number
  values: Record<string, unknown>
  /** Per metric: mean and CI over the seeds that gave a number (null when none did). */
  stats: Record<string, { mean: number; ci95: number; n: number } | null>
  /** Seeds whose run failed, with the first error. */
  errors: number
  error?: string
}

export function gridPoints(points: readonly SweepPointLine[], metrics: readonly string[]): GridPoint[] {
  const by = new Map<number, SweepPointLine[]>()
  for (const p of points) by.set(p.index, [...(by.get(p.index) ?? []), p])
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([index, ps]) => {
    const stats: GridPoint['stats'] = {}
    for (const m of metrics) {
      const xs = ps.map((p) => p.metrics?.[m]).filter((x): x is number => typeof x === 'number')
      stats[m] = xs.length ? { ...meanCi95(xs), n: xs.length } : null
    }
    const failed = ps.filter((p) => p.error !== undefined)
    return { index, values: ps[0]!.values, stats, errors: failed.length, ...(failed[0]?.error ? { error: failed[0].error } : {}) }
  })
}

export interface Sensitivity {
  axis: string
  /** Per value of the axis: the mean of the grid-point means with that value, and the 95 % CI of that
   *  mean from the seeds' spread (null with one seed per point: no spread to measure). */
  perValue: { value: unknown; mean: number; ci95: number | null; n: number }[]
  /** max − min of the per-value means. */
  range: number
  /** 95 % CI half-width of that range (the two extremes' CIs combined); null with one seed. */
  ci95: number | null
  /** The range is larger than its CI: the knob matters for this metric at this confidence (null: one seed). */
  matters: boolean | null
}

/** Per-value mean and its CI from the seeds: each grid point's seed variance, pooled over the points with that value. */
function valueStat(grid: readonly GridPoint[], samples: ReadonlyMap<number, number[]>): { mean: number; ci95: number | null; n: number } {
  let sum = 0
  let varSum = 0
  let df = 0
  for (const g of grid) {
    const xs = samples.get(g.index)!
    const m = meanCi95(xs).mean
    sum += m
    if (xs.length > 1) {
      const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)
      varSum += v / xs.length
      df += xs.length - 1
    }
  }
  const n = grid.length
  return { mean: sum / n, ci95: df > 0 ? tQuantile975(df) * Math.sqrt(varSum) / n : null, n }
}

/** Sensitivity of one metric to each axis with more than one value, largest range first. */
export function sensitivity(points: readonly SweepPointLine[], axes: readonly SweepAxisInfo[], metric: string): Sensitivity[] {
  const grid = gridPoints(points, [metric]).filter((g) => g.stats[metric])
  const samples = new Map<number, number[]>()
  for (const p of points) {
    const x = p.metrics?.[metric]
    if (typeof x === 'number') samples.set(p.index, [...(samples.get(p.index) ?? []), x])
  }
  return axes.filter((a) => a.values.length > 1).map((a) => {
    const perValue = a.values.flatMap((v) => {
      const key = JSON.stringify(v)
      const gs = grid.filter((g) => JSON.stringify(g.values[a.label]) === key)
      return gs.length ? [{ value: v, ...valueStat(gs, samples) }] : []
    })
    if (perValue.length === 0) return { axis: a.label, perValue, range: 0, ci95: null, matters: null }
    let lo = perValue[0]!
    let hi = perValue[0]!
    for (const x of perValue) {
      if (x.mean < lo.mean) lo = x
      if (x.mean > hi.mean) hi = x
    }
    const range = hi.mean - lo.mean
    const ci95 = hi.ci95 === null || lo.ci95 === null ? null : Math.hypot(hi.ci95, lo.ci95)
    return { axis: a.label, perValue, range, ci95, matters: ci95 === null ? null : perValue.length > 1 && range > ci95 }
  }).sort((x, y) => y.range - x.range)
}

/** The path a sweep's cpulist of isolated CPUs varies (nohz_full= or isolcpus=), if one is an axis. */
export function isolationAxis(axes: readonly SweepAxisInfo[]): SweepAxisInfo | undefined {
  return axes.find((a) => a.path === 'host.kernel.cmdline.nohzFull' || a.path === 'host.kernel.cmdline.isolcpus')
}

/** Housekeeping CPUs left by an isolated cpulist on a host of nrCpus CPUs (isolcpus flags skipped). */
export function housekeepingCpus(list: unknown, nrCpus: number): number | null {
  if (typeof list !== 'string') return null
  const cpus = list.split(',').filter((part) => !/^[a-z_]+$/.test(part.trim())).join(',')
  if (cpus.trim() === '') return nrCpus
  const r = parseCpuList(cpus, { nrCpus })
  return r.ok ? nrCpus - countCpus(r.cpus) : null
}

export interface ParetoPoint {
  index: number
  values: Record<string, unknown>
  throughput: number
  p99: number
  housekeeping: number | null
  front: boolean
}

/** a is at least as good as b on every objective and better on one. */
function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  const ge = a.throughput >= b.throughput && a.p99 <= b.p99 && (a.housekeeping === null || b.housekeeping === null || a.housekeeping <= b.housekeeping)
  const gt = a.throughput > b.throughput || a.p99 < b.p99 || (a.housekeeping !== null && b.housekeeping !== null && a.housekeeping < b.housekeeping)
  return ge && gt
}

/** Every grid point with both metrics, marked when no other point beats it on every objective. */
export function paretoPoints(grid: readonly GridPoint[], o: { throughput: string; p99: string; axes: readonly SweepAxisInfo[]; nrCpus: number }): ParetoPoint[] {
  const iso = isolationAxis(o.axes)
  const pts: ParetoPoint[] = grid.flatMap((g) => {
    const t = g.stats[o.throughput]
    const l = g.stats[o.p99]
    if (!t || !l) return []
    return [{ index: g.index, values: g.values, throughput: t.mean, p99: l.mean, housekeeping: iso ? housekeepingCpus(g.values[iso.label], o.nrCpus) : null, front: false }]
  })
  for (const p of pts) p.front = !pts.some((q) => q !== p && dominates(q, p))
  return pts
}

/** A point's values as one line ("haltPollNs=0, hlt=true"), by the last step of each path. */
export function pointLabel(values: Record<string, unknown>): string {
  return Object.entries(values).map(([k, v]) => `${k.split('.').pop()}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join(', ')
}
