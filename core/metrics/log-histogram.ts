// Log-bucketed (HDR-like) histogram of nanosecond values in one Float64Array.
// perf kvm stat keeps no histogram (only update_stats()); this backs the charts
// and percentiles next to its table.
//
// Layout: every octave [2^e, 2^(e+1)) for e = 0..MAX_EXP-1 (1 ns .. 2^40 ns ≈ 18.3 min)
// is split into S = 2^subBucketBits equal sub-buckets; one underflow bucket holds [0, 1)
// and one overflow bucket holds [2^40, ∞).
//
// Error bound of percentile(p) (nearest-rank definition: the ceil(p/100·n)-th
// smallest sample, p = 0 meaning the minimum): the answer is the midpoint of the
// bucket holding that sample, clamped to [min, max], so for a true value v
//   1 ns ≤ v < 2^40 ns:  |answer − v| ≤ v / (2S)   (S = 32 → 1.5625 %, S = 16 → 3.125 %)
//   v < 1 ns:            |answer − v| ≤ 0.5 ns
//   v ≥ 2^40 ns:         answer = max (exact only for the largest sample).
// Memory: (4 + 2 + 40·S) doubles — 10.3 KB for S = 32, 5.2 KB for S = 16; fixed.

export const MAX_EXP = 40
const HEADER = 4 // [count, min, max, sum]
const I_COUNT = 0
const I_MIN = 1
const I_MAX = 2
const I_SUM = 3

export interface HistogramBucket {
  lowNs: number
  highNs: number
  count: number
}

export interface LogHistogramSnapshot {
  subBucketBits: number
  count: number
  min: number
  max: number
  sum: number
  /** Sparse [bucketIndex, count] pairs. */
  buckets: [number, number][]
}

export interface LogHistogramOptions {
  /** log2 of the sub-buckets per octave, 1..8; default 5 (32 sub-buckets). */
  subBucketBits?: number
  /** Caller-provided storage of length LogHistogram.storageLength(bits), e.g. a view into a pool. */
  storage?: Float64Array
}

export class LogHistogram {
  readonly subBucketBits: number
  readonly subBuckets: number
  readonly nBuckets: number
  private readonly data: Float64Array

  static storageLength(subBucketBits = 5): number {
    return HEADER + 2 + MAX_EXP * (1 << subBucketBits)
  }

  constructor(opts: LogHistogramOptions = {}) {
    const bits = opts.subBucketBits ?? 5
    if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new RangeError(`bad subBucketBits ${bits}`)
    this.subBucketBits = bits
    this.subBuckets = 1 << bits
    this.nBuckets = 2 + MAX_EXP * this.subBuckets
    const len = LogHistogram.storageLength(bits)
    if (opts.storage !== undefined && opts.storage.length !== len) {
      throw new RangeError(`storage length ${opts.storage.length}, need ${len}`)
    }
    this.data = opts.storage ?? new Float64Array(len)
    if (this.data[I_COUNT] === 0) this.data[I_MIN] = Infinity
  }

  /** Bucket index of a value (0 = underflow, nBuckets-1 = overflow). */
  indexOf(valueNs: number): number {
    if (valueNs < 1) return 0
    if (!(valueNs < 2147483648)) return this.indexOfLarge(valueNs)
    // the exponent of floor(v) from clz32 (2^e <= floor(v) <= v < 2^(e+1), e <= 30 here)
    const e = 31 - Math.clz32(valueNs)
    const base = 1 << e
    return 1 + e * this.subBuckets + Math.floor(((valueNs - base) / base) * this.subBuckets)
  }

  /** indexOf() from 2^31 ns up (rare: over 2 s), out of line so that the common path stays small where it is inlined. */
  private indexOfLarge(valueNs: number): number {
    if (valueNs >= 2 ** MAX_EXP) return this.nBuckets - 1
    let e = Math.floor(Math.log2(valueNs))
    let base = 2 ** e
    // Math.log2 may round across a power of two: fix e so that 2^e <= v < 2^(e+1).
    if (base > valueNs) {
      e--
      base /= 2
    } else if (base * 2 <= valueNs) {
      e++
      base *= 2
    }
    return 1 + e * this.subBuckets + Math.floor(((valueNs - base) / base) * this.subBuckets)
  }

  /** Lower edge of bucket i (inclusive). */
  lowOf(i: number): number {
    if (i <= 0) return 0
    if (i >= this.nBuckets - 1) return 2 ** MAX_EXP
    const e = Math.floor((i - 1) / this.subBuckets)
    const sub = (i - 1) % this.subBuckets
    return 2 ** e * (1 + sub / this.subBuckets)
  }

  /** Upper edge of bucket i (exclusive); Infinity for the overflow bucket. */
  highOf(i: number): number {
    if (i >= this.nBuckets - 1) return Infinity
    return this.lowOf(i + 1)
  }

  /** Adds `times` samples of value valueNs (≥ 0). Allocates nothing. */
  record(valueNs: number, times = 1): void {
    if (!(valueNs >= 0)) throw new RangeError(`record: bad value ${valueNs}`)
    const d = this.data
    const i = HEADER + this.indexOf(valueNs)
    d[i] = d[i]! + times
    d[I_COUNT] = d[I_COUNT]! + times
    d[I_SUM] = d[I_SUM]! + valueNs * times
    // min and max stored every time (the choice between locals): a store behind a branch that has not run when the JIT
    // compiles the caller (a new histogram's first value after warm-up) would throw that compiled code away
    const mn = d[I_MIN]!, mx = d[I_MAX]!
    d[I_MIN] = valueNs < mn ? valueNs : mn
    d[I_MAX] = valueNs > mx ? valueNs : mx
  }

  get count(): number {
    return this.data[I_COUNT]!
  }

  /** Exact smallest recorded value; 0 when empty. */
  get min(): number {
    return this.data[I_COUNT]! > 0 ? this.data[I_MIN]! : 0
  }

  /** Exact largest recorded value; 0 when empty. */
  get max(): number {
    return this.data[I_MAX]!
  }

  get sum(): number {
    return this.data[I_SUM]!
  }

  get mean(): number {
    const n = this.data[I_COUNT]!
    return n > 0 ? this.data[I_SUM]! / n : 0
  }

  /** Count held by bucket i. */
  bucketCount(i: number): number {
    return this.data[HEADER + i]!
  }

  /** Nearest-rank percentile, p in [0, 100]; error bound in the file header. 0 when empty. */
  percentile(p: number): number {
    const n = this.data[I_COUNT]!
    if (n === 0) return 0
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: bad p ${p}`)
    const rank = Math.max(1, Math.ceil((p / 100) * n))
    if (rank >= n) return this.max
    if (p === 0) return this.min
    let cum = 0
    const d = this.data
    for (let i = 0; i < this.nBuckets; i++) {
      cum += d[HEADER + i]!
      if (cum >= rank) return this.representative(i)
    }
    return this.max
  }

  /** Bucket midpoint clamped to [min, max] (the recorded max for the overflow bucket). */
  private representative(i: number): number {
    const hi = this.highOf(i)
    const mid = hi === Infinity ? this.max : (this.lowOf(i) + hi) / 2
    return Math.min(this.max, Math.max(this.min, mid))
  }

  /** Adds other's counts; both must have the same subBucketBits. */
  merge(other: LogHistogram): void {
    if (other.subBucketBits !== this.subBucketBits) throw new RangeError('merge: subBucketBits differ')
    const d = this.data
    const o = other.data
    if (o[I_COUNT] === 0) return
    for (let i = HEADER; i < HEADER + this.nBuckets; i++) d[i] = d[i]! + o[i]!
    d[I_COUNT] = d[I_COUNT]! + o[I_COUNT]!
    d[I_SUM] = d[I_SUM]! + o[I_SUM]!
    if (o[I_MIN]! < d[I_MIN]!) d[I_MIN] = o[I_MIN]!
    if (o[I_MAX]! > d[I_MAX]!) d[I_MAX] = o[I_MAX]!
  }

  reset(): void {
    this.data.fill(0)
    this.data[I_MIN] = Infinity
  }

  /** Non-empty buckets in increasing order; the overflow bucket's highNs is the recorded max. */
  buckets(): HistogramBucket[] {
    const out: HistogramBucket[] = []
    for (let i = 0; i < this.nBuckets; i++) {
      const c = this.data[HEADER + i]!
      if (c === 0) continue
      const hi = this.highOf(i)
      out.push({ lowNs: this.lowOf(i), highNs: hi === Infinity ? this.max : hi, count: c })
    }
    return out
  }

  /**
   * Counts re-binned into [edges[k], edges[k+1]) (edges ascending). Each internal bucket
   * goes whole to the bin holding its midpoint clamped to [min, max] (as percentile()),
   * so counts stay integers; buckets whose point is outside [edges[0], edges[last]) are dropped.
   */
  rebin(edgesNs: readonly number[]): number[] {
    const out = new Array<number>(Math.max(0, edgesNs.length - 1)).fill(0)
    if (out.length === 0) return out
    let k = 0
    for (let i = 0; i < this.nBuckets; i++) {
      const c = this.data[HEADER + i]!
      if (c === 0) continue
      const mid = this.representative(i)
      while (k < out.length && mid >= edgesNs[k + 1]!) k++
      if (k >= out.length) break
      if (mid >= edgesNs[k]!) out[k]! += c
    }
    return out
  }

  /**
   * Bins with edges 10^(j/binsPerDecade) ns spanning the non-empty range, empty bins
   * inside the range kept (for bar charts on a log axis). Midpoint assignment as rebin()
   * values below 1 ns fall in a first bin [0, 1).
   */
  toLog10Bins(binsPerDecade: number): HistogramBucket[] {
    if (!(binsPerDecade >= 1)) throw new RangeError(`bad binsPerDecade ${binsPerDecade}`)
    if (this.count === 0) return []
    const edges: number[] = []
    const hasUnder = this.data[HEADER]! > 0
    const lo = Math.max(1, this.min)
    let j = Math.floor(Math.log10(lo) * binsPerDecade)
    while (10 ** (j / binsPerDecade) > lo) j--
    while (10 ** ((j + 1) / binsPerDecade) <= lo) j++
    if (hasUnder) edges.push(0)
    edges.push(10 ** (j / binsPerDecade))
    const top = Math.max(this.max, 1)
    while (edges[edges.length - 1]! <= top) {
      j++
      edges.push(10 ** (j / binsPerDecade))
    }
    const counts = this.rebin(edges)
    const out: HistogramBucket[] = []
    for (let k = 0; k < counts.length; k++) out.push({ lowNs: edges[k]!, highNs: edges[k + 1]!, count: counts[k]! })
    while (out.length > 0 && out[out.length - 1]!.count === 0) out.pop()
    while (out.length > 0 && out[0]!.count === 0) out.shift()
    return out
  }

  snapshot(): LogHistogramSnapshot {
    const buckets: [number, number][] = []
    for (let i = 0; i < this.nBuckets; i++) {
      const c = this.data[HEADER + i]!
      if (c !== 0) buckets.push([i, c])
    }
    return { subBucketBits: this.subBucketBits, count: this.count, min: this.min, max: this.max, sum: this.sum, buckets }
  }

  toJSON(): LogHistogramSnapshot {
    return this.snapshot()
  }

  static fromSnapshot(snap: LogHistogramSnapshot): LogHistogram {
    const h = new LogHistogram({ subBucketBits: snap.subBucketBits })
    const d = h.data
    for (const [i, c] of snap.buckets) d[HEADER + i] = c
    d[I_COUNT] = snap.count
    d[I_SUM] = snap.sum
    d[I_MAX] = snap.max
    d[I_MIN] = snap.count > 0 ? snap.min : Infinity
    return h
  }
}
