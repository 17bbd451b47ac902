// Running statistics for many series at once, with the arithmetic of perf's
// tools/perf/util/stat.c: update_stats() (Welford), avg_stats(), stddev_stats()
// (standard error of the mean) and rel_stddev_stats(). Used by perf kvm stat as
// kvm_event_rel_stddev() = rel_stddev_stats(stddev_stats(s), avg_stats(s)).
// Storage is one Float64Array per field indexed by series id, so add() allocates nothing.

export interface ExitStatsSnapshot {
  nSeries: number
  n: number[]
  mean: number[]
  m2: number[]
  /** 0 for an empty series (perf keeps (u64)-1 there; it is never printed). */
  min: number[]
  max: number[]
  total: number[]
}

export class ExitStatsTable {
  readonly nSeries: number
  private readonly n: Float64Array
  private readonly meanArr: Float64Array
  private readonly m2: Float64Array
  private readonly min: Float64Array
  private readonly max: Float64Array
  private readonly total: Float64Array

  constructor(nSeries: number) {
    if (!Number.isInteger(nSeries) || nSeries < 0) throw new RangeError(`bad nSeries ${nSeries}`)
    this.nSeries = nSeries
    this.n = new Float64Array(nSeries)
    this.meanArr = new Float64Array(nSeries)
    this.m2 = new Float64Array(nSeries)
    this.min = new Float64Array(nSeries).fill(Infinity)
    this.max = new Float64Array(nSeries)
    this.total = new Float64Array(nSeries)
  }

  /** update_stats() plus perf kvm's `time += time_diff` (kvm_update_event_stats()). */
  add(series: number, valueNs: number): void {
    const n = this.n[series]! + 1
    this.n[series] = n
    const mean = this.meanArr[series]!
    const delta = valueNs - mean
    const newMean = mean + delta / n
    this.meanArr[series] = newMean
    this.m2[series] = this.m2[series]! + delta * (valueNs - newMean)
    if (valueNs > this.max[series]!) this.max[series] = valueNs
    if (valueNs < this.min[series]!) this.min[series] = valueNs
    this.total[series] = this.total[series]! + valueNs
  }

  count(s: number): number {
    return this.n[s]!
  }

  totalNs(s: number): number {
    return this.total[s]!
  }

  /** Smallest sample, 0 when the series is empty. */
  minNs(s: number): number {
    return this.n[s]! > 0 ? this.min[s]! : 0
  }

  maxNs(s: number): number {
    return this.max[s]!
  }

  /** avg_stats(): the running Welford mean. */
  mean(s: number): number {
    return this.meanArr[s]!
  }

  /** Sum of squared deviations from the mean (Welford's M2). */
  m2Of(s: number): number {
    return this.m2[s]!
  }

  /** stddev_stats(): sqrt(M2/(n-1)/n), the standard error of the mean; 0 if n < 2. */
  stddevOfMean(s: number): number {
    const n = this.n[s]!
    if (n < 2) return 0.0
    const variance = this.m2[s]! / (n - 1)
    const varianceMean = variance / n
    return Math.sqrt(varianceMean)
  }

  /** rel_stddev_stats(stddev_stats(), avg_stats()) = 100*s/(sqrt(n)*mean); 0 if n < 2 or mean == 0. */
  relStddevPct(s: number): number {
    const stddev = this.stddevOfMean(s)
    const avg = this.meanArr[s]!
    let pct = 0.0
    if (avg) pct = (100.0 * stddev) / avg
    return pct
  }

  /** init_stats() for one series, or for all when no series is given. */
  reset(s?: number): void {
    if (s === undefined) {
      this.n.fill(0)
      this.meanArr.fill(0)
      this.m2.fill(0)
      this.min.fill(Infinity)
      this.max.fill(0)
      this.total.fill(0)
      return
    }
    this.n[s] = 0
    this.meanArr[s] = 0
    this.m2[s] = 0
    this.min[s] = Infinity
    this.max[s] = 0
    this.total[s] = 0
  }

  /**
   * Adds other's samples into this table, series by series. n, total, min and max
   * are combined exactly; mean and M2 by the parallel Welford combination (Chan et al.):
   * delta = mean_b - mean_a, mean = mean_a + delta*n_b/n, M2 = M2_a + M2_b + delta^2*n_a*n_b/n.
   */
  merge(other: ExitStatsTable): void {
    if (other.nSeries !== this.nSeries) throw new RangeError('merge: series count differs')
    for (let s = 0; s < this.nSeries; s++) {
      const nb = other.n[s]!
      if (nb === 0) continue
      const na = this.n[s]!
      if (na === 0) {
        this.n[s] = nb
        this.meanArr[s] = other.meanArr[s]!
        this.m2[s] = other.m2[s]!
      } else {
        const n = na + nb
        const delta = other.meanArr[s]! - this.meanArr[s]!
        this.n[s] = n
        this.meanArr[s] = this.meanArr[s]! + (delta * nb) / n
        this.m2[s] = this.m2[s]! + other.m2[s]! + (((delta * delta) * na) * nb) / n
      }
      this.total[s] = this.total[s]! + other.total[s]!
      if (other.min[s]! < this.min[s]!) this.min[s] = other.min[s]!
      if (other.max[s]! > this.max[s]!) this.max[s] = other.max[s]!
    }
  }

  /** Plain-array copy, safe for JSON.stringify / structuredClone. */
  snapshot(): ExitStatsSnapshot {
    const min: number[] = []
    for (let s = 0; s < this.nSeries; s++) min.push(this.minNs(s))
    return {
      nSeries: this.nSeries,
      n: Array.from(this.n),
      mean: Array.from(this.meanArr),
      m2: Array.from(this.m2),
      min,
      max: Array.from(this.max),
      total: Array.from(this.total),
    }
  }

  toJSON(): ExitStatsSnapshot {
    return this.snapshot()
  }

  static fromSnapshot(snap: ExitStatsSnapshot): ExitStatsTable {
    const t = new ExitStatsTable(snap.nSeries)
    t.n.set(snap.n)
    t.meanArr.set(snap.mean)
    t.m2.set(snap.m2)
    t.max.set(snap.max)
    t.total.set(snap.total)
    for (let s = 0; s < snap.nSeries; s++) t.min[s] = snap.n[s]! > 0 ? snap.min[s]! : Infinity
    return t
  }
}
