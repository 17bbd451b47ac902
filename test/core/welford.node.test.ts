import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { ExitStatsTable } from '../../core/metrics/welford.ts'
import { sprintf } from '../../core/output/c-printf.ts'
import { GCC, NO_GCC_NOTE, runC } from '../helpers/gcc.ts'

function twoPass(xs: readonly number[]): { mean: number; m2: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return { mean, m2: xs.reduce((a, x) => a + (x - mean) ** 2, 0) }
}

const close = (a: number, b: number, rel = 1e-9, abs = 1e-9): boolean => Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b))

const samplesArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 2 ** 40 })), {
  minLength: 1,
  maxLength: 300,
})

describe('ExitStatsTable (update_stats / stddev_stats / rel_stddev_stats)', () => {
  it('agrees with a naive two-pass computation', () => {
    fc.assert(
      fc.property(samplesArb, (xs) => {
        const t = new ExitStatsTable(2)
        for (const x of xs) t.add(1, x)
        const { mean, m2 } = twoPass(xs)
        expect(t.count(1)).toBe(xs.length)
        expect(t.totalNs(1)).toBe(xs.reduce((a, b) => a + b, 0))
        expect(t.minNs(1)).toBe(Math.min(...xs))
        expect(t.maxNs(1)).toBe(Math.max(...xs))
        expect(close(t.mean(1), mean)).toBe(true)
        expect(close(t.m2Of(1), m2, 1e-9, 1e-6 * mean * mean + 1e-9)).toBe(true)
        const n = xs.length
        const s = n < 2 ? 0 : Math.sqrt(m2 / (n - 1))
        const expected = n < 2 || mean === 0 ? 0 : (100 * s) / (Math.sqrt(n) * mean)
        expect(close(t.relStddevPct(1), expected, 1e-7, 1e-7)).toBe(true)
        expect(t.count(0)).toBe(0) // other series untouched
      }),
    )
  })

  it('gives ( +-   0.00% ) for one sample and for a zero mean', () => {
    const t = new ExitStatsTable(2)
    t.add(0, 12345)
    expect(t.relStddevPct(0)).toBe(0)
    expect(t.stddevOfMean(0)).toBe(0)
    expect(sprintf('( +-%7.2f%% )', t.relStddevPct(0))).toBe('( +-   0.00% )')
    t.add(1, 0)
    t.add(1, 0)
    expect(t.relStddevPct(1)).toBe(0)
  })

  it('computes 100*s/(sqrt(n)*mean) on a known set', () => {
    const t = new ExitStatsTable(1)
    for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) t.add(0, x)
    // mean 5, M2 32, s = sqrt(32/7), s_mean = s/sqrt(8)
    expect(t.mean(0)).toBe(5)
    expect(t.m2Of(0)).toBe(32)
    expect(t.relStddevPct(0)).toBeCloseTo((100 * Math.sqrt(32 / 7)) / Math.sqrt(8) / 5, 12)
  })

  it('merges exactly for n/total/min/max and by Chan et al. for mean/M2', () => {
    fc.assert(
      fc.property(samplesArb, samplesArb, (a, b) => {
        const whole = new ExitStatsTable(3)
        const ta = new ExitStatsTable(3)
        const tb = new ExitStatsTable(3)
        for (const x of a) {
          ta.add(0, x)
          whole.add(0, x)
          ta.add(2, x)
          whole.add(2, x)
        }
        for (const x of b) {
          tb.add(0, x)
          whole.add(0, x)
          tb.add(1, x)
          whole.add(1, x)
        }
        ta.merge(tb)
        for (const s of [0, 1, 2]) {
          expect(ta.count(s)).toBe(whole.count(s))
          expect(ta.totalNs(s)).toBe(whole.totalNs(s))
          expect(ta.minNs(s)).toBe(whole.minNs(s))
          expect(ta.maxNs(s)).toBe(whole.maxNs(s))
          expect(close(ta.mean(s), whole.mean(s))).toBe(true)
          const { mean, m2 } = twoPass([...(s !== 1 ? a : []), ...(s !== 2 ? b : [])])
          expect(close(ta.m2Of(s), m2, 1e-9, 1e-6 * mean * mean + 1e-9)).toBe(true)
        }
      }),
    )
  })

  it('round-trips through a JSON snapshot', () => {
    const t = new ExitStatsTable(3)
    for (const x of [10, 20, 35]) t.add(0, x)
    t.add(2, 7)
    const back = ExitStatsTable.fromSnapshot(JSON.parse(JSON.stringify(t)))
    expect(back.snapshot()).toEqual(t.snapshot())
    expect(back.minNs(1)).toBe(0)
    back.add(1, 5)
    expect(back.minNs(1)).toBe(5) // the empty series' min was restored to +inf
    t.reset(0)
    expect(t.count(0)).toBe(0)
    expect(t.count(2)).toBe(1)
  })

  it('is bit-identical to perf stat.c compiled with gcc', (ctx) => {
    if (GCC === null) ctx.skip(NO_GCC_NOTE)
    const series = fc.sample(samplesArb, { numRuns: 40, seed: 4242 })
    const src = [
      '#include <stdio.h>',
      '#include <math.h>',
      '#include <stdint.h>',
      'typedef uint64_t u64;',
      'struct stats { double n, mean, M2; u64 max, min; };',
      'static void init_stats(struct stats *stats) { stats->n = 0.0; stats->mean = 0.0; stats->M2 = 0.0; stats->min = (u64)-1; stats->max = 0; }',
      'static void update_stats(struct stats *stats, u64 val) { double delta; stats->n++; delta = val - stats->mean; stats->mean += delta / stats->n; stats->M2 += delta*(val - stats->mean); if (val > stats->max) stats->max = val; if (val < stats->min) stats->min = val; }',
      'static double avg_stats(struct stats *stats) { return stats->mean; }',
      'static double stddev_stats(struct stats *stats) { double variance, variance_mean; if (stats->n < 2) return 0.0; variance = stats->M2 / (stats->n - 1); variance_mean = variance / stats->n; return sqrt(variance_mean); }',
      'static double rel_stddev_stats(double stddev, double avg) { double pct = 0.0; if (avg) pct = 100.0 * stddev/avg; return pct; }',
      'int main(void) { struct stats s;',
      ...series.map(
        (xs) =>
          `init_stats(&s); { static const u64 v[] = { ${xs.map((x) => `${x}ULL`).join(', ')} }; for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) update_stats(&s, v[i]); }` +
          ' printf("%.17g %.17g %.17g\\n", avg_stats(&s), s.M2, rel_stddev_stats(stddev_stats(&s), avg_stats(&s)));',
      ),
      'return 0; }',
    ].join('\n')
    const lines = runC(src).trim().split('\n')
    series.forEach((xs, i) => {
      const t = new ExitStatsTable(1)
      for (const x of xs) t.add(0, x)
      const [mean, m2, rel] = lines[i]!.split(' ').map(Number)
      expect(t.mean(0)).toBe(mean)
      expect(t.m2Of(0)).toBe(m2)
      expect(t.relStddevPct(0)).toBe(rel)
    })
  })
})
