// Seeded PRNG (xoshiro128**, 32-bit integer arithmetic: identical in every JS engine and process)
// and the distributions the model needs. Nothing here allocates per draw.

export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number
  private spare = 0
  private hasSpare = false

  constructor(seed: number) {
    // splitmix32 expands the seed into the 128-bit state
    let s = seed >>> 0
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next(); this.b = next(); this.c = next(); this.d = next()
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    // the state in locals: each field read and written once (smaller code where the JIT inlines it, which is everywhere)
    const a = this.a, b = this.b
    // rotl(x, k) written out: a function of its own was compiled on its own before every caller inlined it
    const b5 = Math.imul(b, 5)
    const result = Math.imul((b5 << 7) | (b5 >>> 25), 9) >>> 0
    const c = this.c ^ a
    const d = this.d ^ b
    this.a = a ^ d
    this.b = b ^ c
    this.c = c ^ (b << 9)
    this.d = (d << 11) | (d >>> 21)
    return result
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5
    const lo = this.nextU32() >>> 6
    return (hi * 67108864 + lo) / 9007199254740992
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n)
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    // one 32-bit draw: 1 − u lies in (0, 1], so the log is finite
    return -mean * Math.log(1 - this.nextU32() * 2.3283064365386963e-10)
  }

  /** Standard normal (Marsaglia polar method; keeps the spare draw). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false
      return this.spare
    }
    return this.polar()
  }

  /** The polar method's pair: returns one, keeps the other as the spare. Out of normal() so that the spare's path is
   *  all a caller inlines when the JIT's inlining budget is short (every cost draw goes through normal()). */
  private polar(): number {
    let u: number, v: number, q: number
    do {
      // 32-bit uniforms are plenty for the polar method and halve the generator calls
      u = this.nextU32() * 4.656612873077393e-10 - 1
      v = this.nextU32() * 4.656612873077393e-10 - 1
      q = u * u + v * v
    } while (q >= 1 || q === 0)
    const f = Math.sqrt((-2 * Math.log(q)) / q)
    this.spare = v * f
    this.hasSpare = true
    return u * f
  }

  /** Lognormal with the given mean and shape sigma (the mean is exact: exp(σZ − σ²/2) has mean 1). */
  lognormal(mean: number, sigma: number): number {
    if (sigma <= 0) return mean
    return mean * Math.exp(sigma * this.normal() - 0.5 * sigma * sigma)
  }

  /** An empirical distribution: picks one of `values` with the cumulative weights `cdf` (ascending, last = 1). */
  empirical(values: ArrayLike<number>, cdf: ArrayLike<number>): number {
    const u = this.uniform()
    let lo = 0, hi = cdf.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cdf[mid]! > u) hi = mid
      else lo = mid + 1
    }
    return values[lo]!
  }
}
