// The model's statistics: the exit table per VM as `perf kvm stat` keeps it (count, time, min/max, Welford's M2),
// exit-time histograms, exit causes, the workload's completions, latency histogram and throughput series. Recorded
// after warm-up only; collect.ts turns them into the JSON result.
import { EXIT_REASON_COUNT } from '../output/exit-names.ts'
import { ExitStatsTable } from '../metrics/welford.ts'
import { LogHistogram } from '../metrics/log-histogram.ts'

const R = EXIT_REASON_COUNT
const SERIES_POINTS = 200

export class ModelStats {
  readonly nVm: number
  /** Exit causes registered (the stride of causeCounts): every cause has a slot, however many VMs and IRQs. */
  readonly nCauses: number
  readonly exitStats: ExitStatsTable
  readonly exitHist: LogHistogram[]
  /** Per VM × exit reason × cause: exits counted. */
  readonly causeCounts: Float64Array
  readonly exitsAfterWarmup: Float64Array
  readonly latency: LogHistogram[]
  readonly completed: Float64Array
  readonly series: Float64Array
  readonly seriesIntervalNs: number
  private readonly warmupEnd: number

  constructor(nV: number, nVm: number, nCauses: number, warmupNs: number, durationNs: number) {
    this.nVm = nVm
    this.nCauses = nCauses
    this.warmupEnd = warmupNs
    this.exitStats = new ExitStatsTable(nVm * R)
    this.exitHist = []
    for (let i = 0; i < nVm * R; i++) this.exitHist.push(new LogHistogram())
    this.causeCounts = new Float64Array(nVm * R * nCauses)
    this.exitsAfterWarmup = new Float64Array(nV)
    this.latency = Array.from({ length: nVm }, () => new LogHistogram())
    this.completed = new Float64Array(nVm)
    this.seriesIntervalNs = Math.max(1_000_000, Math.ceil(durationNs / SERIES_POINTS / 1_000_000) * 1_000_000)
    this.series = new Float64Array(nVm * (Math.ceil(durationNs / this.seriesIntervalNs) + 1))
  }

  /** One exit of vCPU g (VM vm) handled in `ns`, recorded as kvm_exit → kvm_entry. */
  recordExit(g: number, vm: number, reason: number, cause: number, ns: number): void {
    const s = vm * R + reason
    this.exitStats.add(s, ns)
    this.exitHist[s]!.record(ns)
    this.causeCounts[s * this.nCauses + cause]!++
    this.exitsAfterWarmup[g]!++
  }

  /** One completion of VM v's workload (an op, an iteration, …) with its latency, at time `now`. */
  complete(v: number, latencyNs: number, now: number): void {
    if (now < this.warmupEnd) return
    this.latency[v]!.record(latencyNs)
    this.completed[v]!++
    const bin = Math.floor((now - this.warmupEnd) / this.seriesIntervalNs)
    const per = this.series.length / this.nVm
    if (bin < per) this.series[v * per + bin]!++
  }

  /** Warm-up end: the exit counters per vCPU restart. */
  resetAtWarmup(): void {
    this.exitsAfterWarmup.fill(0)
  }
}
