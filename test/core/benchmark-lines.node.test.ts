// A benchmark's printed lines come from its figures (core/output/benchmark-lines.ts): the line an ops engineer knows,
// with the figures' values — the means, with replications, and their 95 % half-widths beside — and a result saved
// in the version-1 shape reads back in the current one (core/result-v1.ts).
import { describe, it, expect } from 'vitest'
import { printedLines, linesNote } from '../../core/output/benchmark-lines.ts'
import { formatConfigReport } from '../../core/output/text-report.ts'
import { upgradeResultV1 } from '../../core/result-v1.ts'
import { exportWorkloadCsv } from '../../core/formats/results-csv.ts'
import { metricValue } from '../../core/validation/metric.ts'
import type { ConfigResult, WorkloadBenchmark, WorkloadResult } from '../../core/result.ts'
import { makeResult } from '../helpers/results.ts'
import { BenchmarkPrintout } from '../../core/sim/workloads/workload.ts'

const cyclictest: WorkloadBenchmark = {
  figures: [
    { name: 'T0 C', unit: 'loops', value: 99_000 }, { name: 'T0 Min', unit: 'µs', value: 3.2 }, { name: 'T0 Act', unit: 'µs', value: 4.9 },
    { name: 'T0 Avg', unit: 'µs', value: 4.4 }, { name: 'T0 Max', unit: 'µs', value: 12.7 }, { name: 'Max', unit: 'µs', value: 12.7 },
  ],
  lines: [{ print: 'T:%2d (%5d) P:%2d I:%ld C:%7lu Min:%7ld Act:%5ld Avg:%5ld Max:%8ld', args: [0, 1234, 99, 1000, 'T0 C', 'T0 Min', 'T0 Act', 'T0 Avg', 'T0 Max'] }],
}

function withBenchmark(b: WorkloadBenchmark, replications?: number): WorkloadResult {
  const w = makeResult('a').vms[0]!.workload
  return { ...w, benchmark: b, ...(replications ? { replications } : {}) }
}

describe('printed lines from figures', () => {
  it('renders cyclictest\'s T: line as it prints it (whole µs), no CI for a single run', () => {
    expect(printedLines(withBenchmark(cyclictest))).toEqual([{ text: 'T: 0 ( 1234) P:99 I:1000 C:  99000 Min:      3 Act:    4 Avg:    4 Max:      12', ci: '' }])
    expect(linesNote(withBenchmark(cyclictest))).toBe('')
  })

  it('names each figure of a several-figure line without the words they share ("T0 Min" → "Min")', () => {
    const b: WorkloadBenchmark = { figures: cyclictest.figures.map((f) => ({ ...f, ci95: 1.5 })), lines: cyclictest.lines }
    expect(printedLines(withBenchmark(b, 3))[0]!.ci).toBe('C ±2 loops, Min ±2 µs, Act ±2 µs, Avg ±2 µs, Max ±2 µs')
  })

  it('with replications: the means, each figure\'s ± in the precision printed, named on a line of several', () => {
    const b: WorkloadBenchmark = {
      figures: [{ name: 'Time', unit: 's', value: 0.51234, ci95: 0.0123 }, { name: 'ipi', unit: 'cycles', value: 5094.6, ci95: 0.4 }, { name: 'Min', unit: 'µs', value: 3, ci95: 1.6 }, { name: 'Max', unit: 'µs', value: 12, ci95: 3.2 }],
      lines: [{ print: 'Time: %.3f', args: ['Time'] }, { print: 'ipi %ld', args: ['ipi'] }, { print: 'Min:%ld Max:%ld', args: ['Min', 'Max'] }, { print: 'vCPU pCPUs Busy%% (%%c0): none', args: [] }],
    }
    const w = withBenchmark(b, 5)
    expect(printedLines(w)).toEqual([
      { text: 'Time: 0.512', ci: '±0.012 s' },
      { text: 'ipi 5094', ci: '±0.4 cycles' },
      { text: 'Min:3 Max:12', ci: 'Min ±2 µs, Max ±3 µs' },
      { text: 'vCPU pCPUs Busy% (%c0): none', ci: '' },
    ])
    expect(linesNote(w)).toBe('the benchmark\'s lines print the means of 5 replications, ± their 95 % CI')
    const r = makeResult('a')
    r.vms[0]!.workload = w
    expect(formatConfigReport(r)).toContain('  | Time: 0.512   (±0.012 s)\n  | ipi 5094   (±0.4 cycles)\n')
  })

  it('a half-width that the printed precision would show as 0 keeps two significant digits', () => {
    const w = withBenchmark({ figures: [{ name: 'Time', unit: 's', value: 0.0004, ci95: 0.000031 }], lines: [{ print: 'Time: %.3f', args: ['Time'] }] }, 3)
    expect(printedLines(w)).toEqual([{ text: 'Time: 0.000', ci: '±0.000031 s' }])
  })
})

describe('a result saved with schema version 1', () => {
  function v1(workload: Record<string, unknown>): ConfigResult {
    const r = makeResult('old')
    Object.assign(r.vms[0]!.workload, workload)
    return r
  }

  it('hackbench-like figures with their printf format become figures and lines', () => {
    const r = upgradeResultV1(v1({ figures: [{ name: 'Time', unit: 's', value: 0.5, print: 'Time: %.3f', ci95: 0.01 }], replications: 3 }))
    const w = r.vms[0]!.workload
    expect(w).not.toHaveProperty('figures')
    expect(w.benchmark).toEqual({ figures: [{ name: 'Time', unit: 's', value: 0.5, ci95: 0.01 }], lines: [{ print: 'Time: %.3f', args: ['Time'] }] })
    expect(exportWorkloadCsv([r])).toContain('old,vm0,redis,Time,s,0.5,0.01,3')
  })

  it('printed text lines are kept verbatim; their named figures still serve a validation metric', () => {
    const r = upgradeResultV1(v1({ benchmark: { output: ['vCPU pCPUs Busy% (%c0): 12.500'], figures: { 'busy %': 12.5 } } }))
    expect(printedLines(r.vms[0]!.workload).map((l) => l.text)).toEqual(['vCPU pCPUs Busy% (%c0): 12.500'])
    expect(metricValue(r, { kind: 'figure', figure: 'busy %' })).toBe(12.5)
  })

  it('a workload that printed nothing stays without a printout; a current result is unchanged', () => {
    const none = upgradeResultV1(v1({}))
    expect(none.vms[0]!.workload).not.toHaveProperty('benchmark')
    const current = makeResult('new')
    current.vms[0]!.workload.benchmark = cyclictest
    expect(upgradeResultV1(current)).toEqual(current)
  })
})

describe('BenchmarkPrintout.line() refuses a line it could not print', () => {
  it('a figure name not declared before the line: the line and the name in the message, nothing added', () => {
    const out = new BenchmarkPrintout()
    out.figure('Time', 's', 0.5)
    expect(() => out.line('Time: %.3f Max: %ld', 'Time', 'Max')).toThrow('benchmark line "Time: %.3f Max: %ld": argument "Max" names no figure; declare it with figure() before the line')
    expect(out.lines).toEqual([])
    out.line('Time: %.3f', 'Time')
    expect(printedLines(withBenchmark(out))).toEqual([{ text: 'Time: 0.500', ci: '' }])
  })

  it('arguments out of step with the conversions (%% takes none)', () => {
    const out = new BenchmarkPrintout()
    const t = out.figure('Time', 's', 0.5)
    expect(() => out.line('Time: %.3f %ld', t)).toThrow('benchmark line "Time: %.3f %ld": 2 conversion(s) but 1 argument(s)')
    expect(() => out.line('Busy%%: %.3f', t, 3)).toThrow('1 conversion(s) but 2 argument(s)')
    expect(() => out.line('Busy%%: %.3f', t)).not.toThrow()
  })

  it("a '*' width or precision, whose extra argument would put the figures' ± out of step: refused, with the fix", () => {
    const out = new BenchmarkPrintout()
    const t = out.figure('Time', 's', 0.5)
    expect(() => out.line('Time: %*ld', 8, t)).toThrow("benchmark line \"Time: %*ld\": a '*' width or precision takes its value from the arguments; write it as digits (e.g. %8ld)")
    expect(() => out.line('Time: %.*f', 3, t)).toThrow("'*' width or precision")
    expect(() => out.line('Time: %8ld', t)).not.toThrow()
  })

  it('a result whose line names a missing figure is not printed as "nan": printedLines() names the line and the figure', () => {
    const b: WorkloadBenchmark = { figures: [], lines: [{ print: 'ipi %ld', args: ['ipi'] }] }
    expect(() => printedLines(withBenchmark(b))).toThrow('benchmark line "ipi %ld": argument "ipi" names no figure')
  })
})
