// Results that say what they mean (issue 13 item 6): Student's t for small replication counts, every figure of a
// replicated run the mean over its replications with its confidence interval, the mean latency beside the
// percentiles, and comparisons that never add throughputs of different units.
import { describe, it, expect } from 'vitest'
import { tQuantile975, meanCi95 } from '../../core/metrics/student-t.ts'
import { loadProfile, runConfiguration, formatConfigReport, formatCompareTable } from '../../core/index.ts'
import { summarizeDeltas, summaryRows } from '../../core/output/summary.ts'
import { workloadProfile, runAll } from '../helpers/workload-runs.ts'
import { makeResult } from '../helpers/results.ts'

describe('tQuantile975 (Student t, two-sided 95 %)', () => {
  it('gives the table\'s critical values, and the expansion past the table agrees with published quantiles', () => {
    // t(0.975, df) as tables print them (df 1, 2, 3, 4, 9, 11, 29, 30) and for df 40, 60, 120 (NIST e-Handbook table)
    const known: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [9, 2.262], [11, 2.201], [29, 2.045], [30, 2.042], [40, 2.021], [60, 2.000], [120, 1.980]]
    for (const [df, t] of known) expect(tQuantile975(df)).toBeCloseTo(t, 3)
    expect(tQuantile975(1e6)).toBeCloseTo(1.95996, 4)
    // the quantile shrinks as the degrees of freedom grow, continuously across the table's end
    for (let df = 1; df < 200; df++) expect(tQuantile975(df + 1)).toBeLessThan(tQuantile975(df))
    expect(Math.abs(tQuantile975(31) - 2.0395)).toBeLessThan(2e-4)
  })

  it('refuses a degree of freedom that is not a positive integer', () => {
    expect(() => tQuantile975(0)).toThrow(/positive integer/)
    expect(() => tQuantile975(2.5)).toThrow(/positive integer/)
  })

  it('meanCi95: the mean and t·s/√n; 0 half-width for one sample', () => {
    const { mean, ci95 } = meanCi95([10, 12, 14])
    expect(mean).toBe(12)
    expect(ci95).toBeCloseTo(4.303 * 2 / Math.sqrt(3), 6)
    expect(meanCi95([5])).toEqual({ mean: 5, ci95: 0 })
  })
})

describe('replications: every figure is the mean over them', () => {
  const DURATION = 0.03
  const base = workloadProfile({ kind: 'hackbench' }, { one: {} })
  const withReps = (n: number) => ({ ...(base as Record<string, unknown>), run: { durationSec: DURATION, warmupSec: 0.01, seed: 1, replications: n } })
  const load = (p: unknown) => { const r = loadProfile(p); if (!r.ok) throw new Error('profile'); return r.profile }

  it('throughput, mean latency and percentiles are the means of the single-seed runs, with a Student-t half-width', () => {
    const reps = runConfiguration(load(withReps(3)), 'one')
    const singles = [1, 2, 3].map((seed) => runConfiguration(load(withReps(1)), 'one', { seed }))
    const w = reps.vms[0]!.workload
    const tps = singles.map((r) => r.vms[0]!.workload.throughputPerSec)
    const m = tps.reduce((a, b) => a + b, 0) / 3
    expect(w.replications).toBe(3)
    expect(w.throughputPerSec).toBeCloseTo(m, 1)
    // not the first replication's value (the defect this replaces)
    expect(w.throughputPerSec).not.toBe(tps[0])
    expect(w.ci95!.throughputPerSec).toBeCloseTo(meanCi95(tps).ci95, 1)
    const p99s = singles.map((r) => r.vms[0]!.workload.latencyNs.p99)
    expect(w.latencyNs.p99).toBe(Math.round(p99s.reduce((a, b) => a + b, 0) / 3))
    const means = singles.map((r) => r.vms[0]!.workload.meanLatencyNs)
    expect(w.meanLatencyNs).toBeCloseTo(means.reduce((a, b) => a + b, 0) / 3, 1)
    // the exit table: mean count per replication
    const hlt = (r: typeof reps) => r.vms[0]!.exits.find((e) => e.reason === 'HLT')?.count ?? 0
    expect(hlt(reps)).toBeCloseTo(singles.reduce((a, r) => a + hlt(r), 0) / 3, 1)
    // the text report prints the mean with its interval and says so
    const text = formatConfigReport(reps)
    expect(text).toMatch(/messages\/s; latency mean [\d.]+us ±[\d.]+us p50/)
    expect(text).toContain('(means of 3 replications, ±95 % CI)')
    // hackbench's own line prints the mean of the replications' Time, not the first's, and says so with its CI
    const times = singles.map((r) => r.vms[0]!.workload.benchmark!.figures.find((f) => f.name === 'Time')!.value)
    const time = w.benchmark!.figures.find((f) => f.name === 'Time')!
    expect(time.value).toBeCloseTo(times.reduce((a, b) => a + b, 0) / 3, 5)
    expect(time.ci95).toBeCloseTo(meanCi95(times).ci95, 5)
    expect(text).toContain("  (the benchmark's lines print the means of 3 replications, ± their 95 % CI)\n")
    expect(text).toContain(`  | Time: ${time.value.toFixed(3)}   (±${time.ci95!.toFixed(3)} s)\n`)
  })

  it('a microbenchmark\'s printed cycles are the mean over the replications, not the first replication\'s', () => {
    const ipi = workloadProfile({ kind: 'vmexit', test: 'ipi' }, { one: {} }, { vcpus: 2, pinning: { vcpupin: ['4', '5'], emulatorpin: '0', iothreadpin: '1' } }) as Record<string, unknown>
    const p = (n: number) => load({ ...ipi, run: { durationSec: DURATION, warmupSec: 0.01, seed: 1, replications: n } })
    const reps = runConfiguration(p(3), 'one')
    const singles = [1, 2, 3].map((seed) => runConfiguration(p(1), 'one', { seed }).vms[0]!.workload.benchmark!.figures[0]!.value)
    const f = reps.vms[0]!.workload.benchmark!.figures[0]!
    expect(f.name).toBe('ipi')
    expect(f.value).toBeCloseTo(singles.reduce((a, b) => a + b, 0) / 3, 6)
    expect(new Set(singles).size).toBeGreaterThan(1)
    // kvm-unit-tests prints whole cycles: the mean, truncated as %d does
    expect(formatConfigReport(reps)).toContain(`  | ipi ${Math.trunc(f.value)}   (±`)
  })

  it('the mean latency is the mean of the samples, between p50-like and max', () => {
    const r = runAll(withReps(1), DURATION)['one']!.vms[0]!.workload
    expect(r.meanLatencyNs).toBeGreaterThan(0)
    expect(r.meanLatencyNs).toBeLessThanOrEqual(r.latencyNs.max)
  })
})

describe('comparisons never add throughputs of different units', () => {
  it('two VMs with different workloads are compared per workload and unit', () => {
    const mk = (config: string, redis: number, timer: number) => {
      const r = makeResult(config, { throughput: redis })
      const vm2 = structuredClone(r.vms[0]!)
      vm2.vm = 'vm2'
      vm2.workload = { ...vm2.workload, kind: 'timer', unit: 'wake-ups', throughputPerSec: timer }
      r.vms.push(vm2)
      return r
    }
    const rows = summaryRows([mk('a', 100_000, 1_000), mk('b', 110_000, 1_000)])
    expect(rows[0]!.throughputPerSec).toBe(100_000)
    expect(rows[0]!.unit).toBe('requests')
    expect(rows[0]!.throughputs.map((g) => `${g.kind}:${g.perSec}`)).toEqual(['redis:100000', 'timer:1000'])
    const text = summarizeDeltas(rows)
    expect(text).toContain('redis (vm0) throughput +10.0 %')
    expect(text).toContain('timer (vm2) throughput unchanged')
    expect(text).not.toContain('101')
    const table = formatCompareTable([mk('a', 100_000, 1_000), mk('b', 110_000, 1_000)])
    expect(table).toContain('redis requests/s')
    expect(table).toContain('timer wake-ups/s')
  })

  it('two VMs with the same workload and unit are summed', () => {
    const a = makeResult('a', { throughput: 100 })
    a.vms.push({ ...structuredClone(a.vms[0]!), vm: 'vm2' })
    expect(summaryRows([a])[0]!.throughputPerSec).toBe(200)
  })
})

describe('exportWorkloadCsv', () => {
  it('one row per figure: throughput, mean latency, percentiles and the benchmark\'s lines, with their half-widths', async () => {
    const { exportWorkloadCsv } = await import('../../core/formats/results-csv.ts')
    const r = makeResult('a,b', { throughput: 1234 })
    r.vms[0]!.workload.benchmark = { figures: [{ name: 'Time', unit: 's', value: 0.5, ci95: 0.01 }], lines: [{ print: 'Time: %.3f', args: ['Time'] }] }
    r.vms[0]!.workload.replications = 3
    r.vms[0]!.workload.ci95 = { throughputPerSec: 12, meanLatencyNs: 5, p50: 1, p90: 2, p99: 3, p999: 4, max: 6 }
    const lines = exportWorkloadCsv([r]).trim().split('\n')
    expect(lines[0]).toBe('config,vm,workload,metric,unit,value,ci95,replications')
    expect(lines[1]).toBe('"a,b",vm0,redis,throughput,requests/s,1234,12,3')
    expect(lines[2]).toBe('"a,b",vm0,redis,latency mean,ns,70000,5,3')
    expect(lines).toContain('"a,b",vm0,redis,latency p99,ns,200000,3,3')
    expect(lines.at(-1)).toBe('"a,b",vm0,redis,Time,s,0.5,0.01,3')
    expect(lines).toHaveLength(1 + 7 + 1)
  })
})
