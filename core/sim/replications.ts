// Replications of one configuration (run.replications > 1: seeds seed … seed+n−1) merged into one result in which
// every figure is the mean over the replications: the workload's throughput, mean latency, percentiles, series and
// its benchmark figures (the printed lines, rendered from them, then show the means), each with its 95 % confidence half-width (Student t, n − 1 degrees of freedom); the exit
// table's counts and times per replication (min/max over all, the relative stddev pooled), the exit histograms,
// per-vCPU and per-pCPU time. Decisions and the configuration's identity are the first replication's (they depend
// on the configuration, not the seed). Pure.
import type { ConfigResult, ExitRow, ExitHistogram, HistogramBucket, TimeAccounting, WorkloadResult, WorkloadBenchmark, BenchmarkFigure, VmResult } from '../result.ts'
import { meanCi95 } from '../metrics/student-t.ts'

export function mergeReplications(results: readonly ConfigResult[]): ConfigResult {
  const first = results[0]
  if (!first) throw new Error('mergeReplications: no replication')
  if (results.length === 1) return first
  const n = results.length
  return {
    ...first,
    events: sum(results.map((r) => r.events)),
    wallMs: sum(results.map((r) => r.wallMs)),
    vms: first.vms.map((vm, v): VmResult => ({
      ...vm,
      exits: meanExitRows(results.map((r) => r.vms[v]!.exits), n),
      histograms: meanHistograms(results.map((r) => r.vms[v]!.histograms), n),
      workload: meanWorkload(results.map((r) => r.vms[v]!.workload)),
      vcpus: vm.vcpus.map((c, i) => ({ ...c, exitsPerSec: round2(mean(results.map((r) => r.vms[v]!.vcpus[i]!.exitsPerSec))), time: meanTime(results.map((r) => r.vms[v]!.vcpus[i]!.time)) })),
    })),
    allVms: { exits: meanExitRows(results.map((r) => r.allVms.exits), n), histograms: meanHistograms(results.map((r) => r.allVms.histograms), n) },
    pcpus: first.pcpus.map((p, i) => ({ ...p, time: meanTime(results.map((r) => r.pcpus[i]!.time)) })),
  }
}

function meanWorkload(ws: readonly WorkloadResult[]): WorkloadResult {
  const w = ws[0]!
  const of = (f: (x: WorkloadResult) => number) => meanCi95(ws.map(f))
  const tp = of((x) => x.throughputPerSec)
  const ml = of((x) => x.meanLatencyNs)
  const p = { p50: of((x) => x.latencyNs.p50), p90: of((x) => x.latencyNs.p90), p99: of((x) => x.latencyNs.p99), p999: of((x) => x.latencyNs.p999), max: of((x) => x.latencyNs.max) }
  const out: WorkloadResult = {
    ...w,
    throughputPerSec: round2(tp.mean),
    meanLatencyNs: round2(ml.mean),
    latencyNs: { p50: Math.round(p.p50.mean), p90: Math.round(p.p90.mean), p99: Math.round(p.p99.mean), p999: Math.round(p.p999.mean), max: Math.round(p.max.mean) },
    latencyHistogram: meanBuckets(ws.map((x) => x.latencyHistogram), ws.length),
    series: { intervalNs: w.series.intervalNs, perSec: w.series.perSec.map((_, b) => round2(mean(ws.map((x) => x.series.perSec[b] ?? 0)))) },
    replications: ws.length,
    ci95: { throughputPerSec: round2(tp.ci95), meanLatencyNs: round2(ml.ci95), p50: round2(p.p50.ci95), p90: round2(p.p90.ci95), p99: round2(p.p99.ci95), p999: round2(p.p999.ci95), max: round2(p.max.ci95) },
  }
  const b = meanBenchmark(ws)
  if (b) out.benchmark = b
  return out
}

/** The benchmark's figures by name, each the mean over the replications that printed it (with its CI); the lines are
 *  the first printout's that has figures (their constants depend on the configuration, their figures are the means). */
function meanBenchmark(ws: readonly WorkloadResult[]): WorkloadBenchmark | undefined {
  const outs = ws.map((x) => x.benchmark).filter((x): x is WorkloadBenchmark => x !== undefined)
  if (outs.length === 0) return undefined
  const base = outs.find((o) => o.figures.length > 0) ?? outs[0]!
  const names: BenchmarkFigure[] = []
  for (const o of outs) for (const f of o.figures) if (!names.some((x) => x.name === f.name)) names.push(f)
  const figures = names.map((f): BenchmarkFigure => {
    const m = meanCi95(outs.flatMap((o) => o.figures.filter((x) => x.name === f.name).map((x) => x.value)))
    return { name: f.name, unit: f.unit, value: m.mean, ci95: m.ci95 }
  })
  return { figures, lines: base.lines }
}

/** The exit rows of n replications: per reason the mean count and time per replication, the extremes over all of
 *  them, and the relative stddev of the pooled samples (Chan et al.'s merge of each row's n, mean and M2). */
function meanExitRows(lists: readonly ExitRow[][], n: number): ExitRow[] {
  const byReason = new Map<string, ExitRow[]>()
  for (const list of lists) for (const r of list) { const a = byReason.get(r.reason); if (a) a.push(r); else byReason.set(r.reason, [r]) }
  const out: ExitRow[] = []
  for (const [reason, rows] of byReason) {
    let cnt = 0
    let mu = 0
    let m2 = 0
    let total = 0
    const causes: Record<string, number> = {}
    for (const r of rows) {
      const rm = r.totalNs / r.count
      // perf's rel stddev is 100·s/(√n·mean): back to this row's M2
      const s = (r.relStddevPct / 100) * Math.sqrt(r.count) * rm
      const rm2 = s * s * (r.count - 1)
      const nn = cnt + r.count
      const d = rm - mu
      m2 += rm2 + (d * d * cnt * r.count) / nn
      mu += (d * r.count) / nn
      cnt = nn
      total += r.totalNs
      for (const [c, k] of Object.entries(r.causes)) causes[c] = (causes[c] ?? 0) + k
    }
    const sd = cnt > 1 ? Math.sqrt(m2 / (cnt - 1)) : 0
    for (const c of Object.keys(causes)) causes[c] = round2(causes[c]! / n)
    out.push({
      reason,
      count: round2(cnt / n),
      totalNs: round2(total / n),
      minNs: Math.min(...rows.map((r) => r.minNs)),
      maxNs: Math.max(...rows.map((r) => r.maxNs)),
      meanNs: round2(total / cnt),
      relStddevPct: mu > 0 ? Math.round(((100 * sd) / (Math.sqrt(cnt) * mu)) * 10000) / 10000 : 0,
      causes,
    })
  }
  out.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
  return out
}

function meanHistograms(lists: readonly ExitHistogram[][], n: number): ExitHistogram[] {
  const byReason = new Map<string, HistogramBucket[][]>()
  for (const list of lists) for (const h of list) { const a = byReason.get(h.reason); if (a) a.push(h.buckets); else byReason.set(h.reason, [h.buckets]) }
  return [...byReason].map(([reason, bs]) => ({ reason, buckets: meanBuckets(bs, n) }))
}

/** Buckets of the same log10 bins (keyed by their low edge) summed over the replications and divided by n. */
function meanBuckets(lists: readonly HistogramBucket[][], n: number): HistogramBucket[] {
  const m = new Map<number, HistogramBucket>()
  for (const list of lists) {
    for (const b of list) {
      const cur = m.get(b.lowNs)
      if (cur) cur.count += b.count
      else m.set(b.lowNs, { ...b })
    }
  }
  return [...m.values()].sort((a, b) => a.lowNs - b.lowNs).map((b) => ({ ...b, count: round2(b.count / n) }))
}

function meanTime(ts: readonly TimeAccounting[]): TimeAccounting {
  const t = { ...ts[0]! }
  for (const k of Object.keys(t) as (keyof TimeAccounting)[]) t[k] = Math.round(mean(ts.map((x) => x[k])))
  return t
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)
const mean = (xs: readonly number[]): number => sum(xs) / xs.length
const round2 = (x: number): number => Math.round(x * 100) / 100
