import { describe, it, expect } from 'vitest'
import { Rng } from '../../core/engine/rng.ts'

const N = 100_000

describe('Rng (xoshiro128**)', () => {
  it('same seed ⇒ same stream (all distributions)', () => {
    const a = new Rng(12345), b = new Rng(12345)
    for (let i = 0; i < 1000; i++) {
      expect(a.nextU32()).toBe(b.nextU32())
      expect(a.uniform()).toBe(b.uniform())
      expect(a.exponential(3)).toBe(b.exponential(3))
      expect(a.lognormal(5, 0.5)).toBe(b.lognormal(5, 0.5))
    }
  })
  it('different seeds ⇒ different streams (also adjacent seeds and 0)', () => {
    const seq = (s: number) => { const r = new Rng(s); return Array.from({ length: 8 }, () => r.nextU32()) }
    expect(seq(1)).not.toEqual(seq(2))
    expect(seq(0)).not.toEqual(seq(1))
    expect(seq(0)).not.toEqual(Array(8).fill(0))
  })
  it('uniform() is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Rng(1)
    let sum = 0, sq = 0, min = 1, max = 0
    for (let i = 0; i < N; i++) {
      const u = r.uniform()
      expect(u >= 0 && u < 1).toBe(true)
      sum += u; sq += u * u; min = Math.min(min, u); max = Math.max(max, u)
    }
    const mean = sum / N
    expect(mean).toBeCloseTo(0.5, 2)
    expect(sq / N - mean * mean).toBeCloseTo(1 / 12, 2)
    expect(min).toBeLessThan(0.001)
    expect(max).toBeGreaterThan(0.999)
  })
  it('int(n) covers 0..n-1 evenly', () => {
    const r = new Rng(3)
    const counts = new Array(10).fill(0)
    for (let i = 0; i < N; i++) counts[r.int(10)]++
    for (const c of counts) expect(Math.abs(c - N / 10)).toBeLessThan(0.05 * N / 10)
  })
  it('exponential(mean): sample mean within 2 %, and P(X > mean) ≈ e^-1', () => {
    const r = new Rng(5)
    let sum = 0, above = 0
    for (let i = 0; i < N; i++) { const x = r.exponential(2000); expect(x).toBeGreaterThanOrEqual(0); sum += x; if (x > 2000) above++ }
    expect(Math.abs(sum / N / 2000 - 1)).toBeLessThan(0.02)
    expect(Math.abs(above / N - Math.exp(-1))).toBeLessThan(0.01)
  })
  it('lognormal(mean, sigma): sample mean within 2 % (σ=0.35 and σ=1), median ≈ mean·e^(−σ²/2)', () => {
    for (const sigma of [0.35, 1]) {
      const r = new Rng(9)
      const xs = new Float64Array(N)
      let sum = 0
      for (let i = 0; i < N; i++) { xs[i] = r.lognormal(8000, sigma); sum += xs[i]! }
      expect(Math.abs(sum / N / 8000 - 1)).toBeLessThan(sigma < 0.5 ? 0.01 : 0.03)
      xs.sort()
      expect(Math.abs(xs[N / 2]! / (8000 * Math.exp(-sigma * sigma / 2)) - 1)).toBeLessThan(0.02)
    }
    expect(new Rng(1).lognormal(42, 0)).toBe(42)
  })
  it('normal(): mean 0, variance 1', () => {
    const r = new Rng(11)
    let sum = 0, sq = 0
    for (let i = 0; i < N; i++) { const z = r.normal(); sum += z; sq += z * z }
    expect(Math.abs(sum / N)).toBeLessThan(0.01)
    expect(Math.abs(sq / N - 1)).toBeLessThan(0.02)
  })
  it('empirical(values, cdf) picks by the cumulative weights', () => {
    const r = new Rng(13)
    const counts = [0, 0, 0]
    for (let i = 0; i < N; i++) counts[[10, 20, 30].indexOf(r.empirical([10, 20, 30], [0.2, 0.7, 1]))]! += 1
    expect(counts[0]! / N).toBeCloseTo(0.2, 1)
    expect(counts[1]! / N).toBeCloseTo(0.5, 1)
    expect(counts[2]! / N).toBeCloseTo(0.3, 1)
  })
})
