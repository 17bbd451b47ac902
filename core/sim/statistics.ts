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
  /** complete()'s sinks: [warm-up scratch per VM, then `latency`], the counts likewise (`completed` is the second
   *  half), and one scratch slot before `series`. */
  private readonly latencySinks: LogHistogram[]
  private readonly completedSinks: Float64Array
  private readonly seriesSinks: Float64Array

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
    this.latencySinks = [...Array.from({ length: nVm }, () => new LogHistogram()), ...this.latency]
    this.completedSinks = new Float64Array(2 * nVm)
    this.completed = this.completedSinks.subarray(nVm)
    this.seriesIntervalNs = Math.max(1_000_000, Math.ceil(durationNs / SERIES_POINTS / 1_000_000) * 1_000_000)
    this.seriesSinks = new Float64Array(1 + nVm * (Math.ceil(durationNs / this.seriesIntervalNs) + 1))
    this.series = this.seriesSinks.subarray(1)
  }

  /** One exit of vCPU g (VM vm) handled in `ns`, recorded as kvm_exit → kvm_entry. */
  recordExit(g: number, vm: number, reason: number, cause: number, ns: number): void {
    const s = vm * R + reason
    this.exitStats.add(s, ns)
    this.exitHist[s]!.record(ns)
    this.causeCounts[s * this.nCauses + cause]!++
    this.exitsAfterWarmup[g]!++
  }

  /** One completion of VM v's workload (an op, an iteration, …) with its latency, at time `now`. During warm-up it
   *  goes to scratch sinks that nothing reads, by index arithmetic rather than an early return: the same operations
   *  run from the first completion, so the JIT's code for them (inlined into every workload's completion path) has
   *  type feedback for all of them and is not thrown away at warm-up end (a deoptimization and a recompile of the
   *  callers in every cold run). */
  complete(v: number, latencyNs: number, now: number): void {
    const w = +(now >= this.warmupEnd)
    const nVm = this.nVm
    this.latencySinks[w * nVm + v]!.record(latencyNs)
    this.completedSinks[w * nVm + v]!++
    const bin = Math.floor((now - this.warmupEnd) / this.seriesIntervalNs)
    const per = this.series.length / nVm
    // series[v * per + bin] after warm-up and inside the run, else the scratch slot 0 of seriesSinks
    const inRun = w & +(bin < per)
    this.seriesSinks[(inRun * (v * per + bin + 1)) | 0]!++
  }

  /** Warm-up end: the exit counters per vCPU restart. */
  resetAtWarmup(): void {
    this.exitsAfterWarmup.fill(0)
  }
}
