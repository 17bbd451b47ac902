// Per-operation statistics a microbenchmark prints itself (kvm-unit-tests' cycles per operation, cyclictest's
// Min/Act/Avg/Max): count, sum, minimum, maximum and the last value per series, in typed arrays (nothing allocated per
// operation), recorded after warm-up only, as the model's own statistics are.
export class OpStats {
  readonly count: Float64Array
  readonly sum: Float64Array
  readonly min: Float64Array
  readonly max: Float64Array
  readonly last: Float64Array
  /** The first `firstValues` values of series 0 (kvm-unit-tests' tscdeadline_latency prints each interrupt's). */
  readonly first: Float64Array
  private readonly warmupEnd: number

  constructor(series: number, warmupEnd: number, firstValues = 0) {
    this.count = new Float64Array(series)
    this.sum = new Float64Array(series)
    this.min = new Float64Array(series).fill(Infinity)
    this.max = new Float64Array(series)
    this.last = new Float64Array(series)
    this.first = new Float64Array(firstValues)
    this.warmupEnd = warmupEnd
  }

  /** One value of series i at time `now` (ignored during warm-up). */
  record(i: number, x: number, now: number): void {
    if (now < this.warmupEnd) return
    const n = this.count[i]!
    if (i === 0 && n < this.first.length) this.first[n] = x
    this.count[i] = n + 1
    this.sum[i]! += x
    if (x < this.min[i]!) this.min[i] = x
    if (x > this.max[i]!) this.max[i] = x
    this.last[i] = x
  }

  mean(i: number): number {
    return this.count[i]! > 0 ? this.sum[i]! / this.count[i]! : 0
  }

  /** All series together: count, mean, min and max. */
  total(): { count: number; mean: number; min: number; max: number } {
    let count = 0
    let sum = 0
    let min = Infinity
    let max = 0
    for (let i = 0; i < this.count.length; i++) {
      count += this.count[i]!
      sum += this.sum[i]!
      if (this.min[i]! < min) min = this.min[i]!
      if (this.max[i]! > max) max = this.max[i]!
    }
    return { count, mean: count ? sum / count : 0, min: count ? min : 0, max }
  }
}

/** A guest burst that never ends by itself: a busy-wait loop (`while (!done) ;`) that something else cuts short. */
export const SPIN_FOREVER_NS = 1e15
