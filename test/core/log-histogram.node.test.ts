import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { LogHistogram, MAX_EXP } from '../../core/metrics/log-histogram.ts'

/** Nearest-rank percentile: the ceil(p/100·n)-th smallest (p = 0: the minimum). */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]!
}

const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 2_000 }),
  fc.integer({ min: 0, max: 100_000_000_000 }),
  fc.double({ min: 0, max: 2 ** MAX_EXP, noNaN: true, maxExcluded: true }),
  fc.double({ min: 0, max: 4, noNaN: true }),
)

describe('LogHistogram', () => {
  for (const bits of [5, 4]) {
    it(`percentile is within v/(2·${1 << bits}) of the exact nearest-rank value (0.5 ns below 1 ns)`, () => {
      fc.assert(
        fc.property(fc.array(valueArb, { minLength: 1, maxLength: 400 }), fc.double({ min: 0, max: 100, noNaN: true }), (xs, p) => {
          const h = new LogHistogram({ subBucketBits: bits })
          for (const x of xs) h.record(x)
          const sorted = [...xs].sort((a, b) => a - b)
          for (const q of [p, 0, 50, 90, 99, 99.9, 100]) {
            const exact = exactPercentile(sorted, q)
            const est = h.percentile(q)
            const bound = exact < 1 ? 0.5 : (exact / (2 << bits)) * (1 + 1e-12)
            expect(Math.abs(est - exact)).toBeLessThanOrEqual(bound)
          }
        }),
        { numRuns: 300 },
      )
    })
  }

  it('keeps exact count, min, max and sum', () => {
    const h = new LogHistogram()
    for (const x of [5, 1_000, 17_159_690, 0.25, 740]) h.record(x)
    h.record(3, 4)
    expect(h.count).toBe(9)
    expect(h.min).toBe(0.25)
    expect(h.max).toBe(17_159_690)
    expect(h.sum).toBe(5 + 1_000 + 17_159_690 + 0.25 + 740 + 12)
    expect(h.percentile(0)).toBe(0.25)
    expect(h.percentile(100)).toBe(17_159_690)
    expect(new LogHistogram().percentile(50)).toBe(0)
    expect(() => h.record(-1)).toThrow(RangeError)
    expect(() => h.record(NaN)).toThrow(RangeError)
  })

  it('merges to the same state as recording everything in one histogram', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 45 }), { maxLength: 200 }), fc.array(fc.integer({ min: 0, max: 1e7 }), { maxLength: 200 }), (a, b) => {
        const ha = new LogHistogram()
        const hb = new LogHistogram()
        const all = new LogHistogram()
        for (const x of a) (ha.record(x), all.record(x))
        for (const x of b) (hb.record(x), all.record(x))
        ha.merge(hb)
        expect(ha.snapshot()).toEqual(all.snapshot())
      }),
    )
    expect(() => new LogHistogram().merge(new LogHistogram({ subBucketBits: 4 }))).toThrow()
  })

  it('has bounded, fixed memory whatever it records', () => {
    expect(LogHistogram.storageLength(5)).toBe(4 + 2 + MAX_EXP * 32)
    expect(LogHistogram.storageLength(4)).toBe(4 + 2 + MAX_EXP * 16)
    const storage = new Float64Array(LogHistogram.storageLength())
    const h = new LogHistogram({ storage })
    for (let i = 0; i < 200_000; i++) h.record(2 ** (i % 45) * (1 + (i % 97) / 97) - 0.5) // 0.5 ns .. 3.5e13 ns
    h.record(1e15) // beyond 2^40 ns: overflow bucket
    expect(h.count).toBe(200_001)
    expect(storage.length).toBe(LogHistogram.storageLength())
    expect(h.buckets().length).toBeLessThanOrEqual(h.nBuckets)
    expect(h.percentile(100)).toBe(1e15)
  })

  it('can share one pool of storage between many histograms', () => {
    const len = LogHistogram.storageLength()
    const pool = new Float64Array(len * 3)
    const hs = [0, 1, 2].map((i) => new LogHistogram({ storage: pool.subarray(i * len, (i + 1) * len) }))
    hs[1]!.record(100)
    hs[2]!.record(200)
    hs[2]!.record(300)
    expect(hs.map((h) => h.count)).toEqual([0, 1, 2])
    expect(hs[0]!.min).toBe(0)
    expect(hs[1]!.min).toBe(100)
    expect(() => new LogHistogram({ storage: new Float64Array(10) })).toThrow(RangeError)
  })

  it('buckets() lists non-empty, ascending buckets that hold their values', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 200 }), (xs) => {
        const h = new LogHistogram()
        for (const x of xs) h.record(x)
        const bs = h.buckets()
        expect(bs.reduce((a, b) => a + b.count, 0)).toBe(xs.length)
        for (let i = 0; i < bs.length; i++) {
          expect(bs[i]!.count).toBeGreaterThan(0)
          expect(bs[i]!.lowNs).toBeLessThan(bs[i]!.highNs)
          if (i > 0) expect(bs[i]!.lowNs).toBeGreaterThanOrEqual(bs[i - 1]!.highNs)
        }
        for (const x of xs) {
          const i = h.indexOf(x)
          expect(x).toBeGreaterThanOrEqual(h.lowOf(i))
          expect(x).toBeLessThan(h.highOf(i))
        }
      }),
    )
  })

  it('re-bins for charts without losing counts', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (xs, bpd) => {
        const h = new LogHistogram()
        for (const x of xs) h.record(x)
        const bins = h.toLog10Bins(bpd)
        expect(bins.reduce((a, b) => a + b.count, 0)).toBe(xs.length)
        for (let i = 1; i < bins.length; i++) expect(bins[i]!.lowNs).toBe(bins[i - 1]!.highNs)
        expect(bins[0]!.count).toBeGreaterThan(0)
        expect(bins[bins.length - 1]!.count).toBeGreaterThan(0)
      }),
    )
    const h = new LogHistogram()
    for (const x of [1, 10, 100, 1000, 1000, 5000]) h.record(x)
    expect(h.rebin([0, 50, 500, 2000])).toEqual([2, 1, 2])
    expect(h.rebin([])).toEqual([])
  })

  it('round-trips through a JSON snapshot', () => {
    const h = new LogHistogram({ subBucketBits: 4 })
    for (const x of [0.2, 3, 3, 900, 1e9]) h.record(x)
    const back = LogHistogram.fromSnapshot(JSON.parse(JSON.stringify(h)))
    expect(back.snapshot()).toEqual(h.snapshot())
    expect(back.percentile(50)).toBe(h.percentile(50))
  })
})
