import { describe, expect, it } from 'vitest'
import { makeResult, exitRow } from '../helpers/results.ts'
import { causesTitle, perfCells, perfRows, perfTotals, sortPerfRows } from '../../renderer/src/lib/perf-table.ts'
import { comparisonRows, delta, summarizeResult } from '../../renderer/src/lib/compare.ts'
import { flattenOverrides, kernelCmdline } from '../../renderer/src/lib/profile-summary.ts'
import { fmtDeltaPct, fmtNs } from '../../renderer/src/lib/format.ts'
import { shortcutFor } from '../../renderer/src/composables/useShortcuts.ts'

describe('perf table rows', () => {
  it("computes Samples% and Time% against all exits and prints cells like perf's print_result()", () => {
    const rows = perfRows([exitRow('EXTERNAL_INTERRUPT', 42916, 710), exitRow('HLT', 43916, 10)])
    const cells = perfCells(rows[0]!)
    expect(cells.samplesPct).toBe('49.42%')
    expect(cells.minNs).toBe('0.35us')
    expect(cells.meanNs).toBe('0.71us ( +-   1.09% )')
    expect(perfTotals(rows)).toBe(`Total Samples:86832, Total events handled time:${((42916 * 710 + 43916 * 10) / 1000).toFixed(2)}us.`)
  })

  it('sorts by any column in both directions', () => {
    const rows = perfRows(makeResult('a').allVms.exits)
    expect(sortPerfRows(rows, 'count', 'desc').map((r) => r.reason)).toEqual(['EXTERNAL_INTERRUPT', 'MSR_WRITE', 'HLT'])
    expect(sortPerfRows(rows, 'meanNs', 'desc')[0]?.reason).toBe('HLT')
    expect(sortPerfRows(rows, 'reason', 'asc').map((r) => r.reason)).toEqual(['EXTERNAL_INTERRUPT', 'HLT', 'MSR_WRITE'])
  })

  it('lists causes largest first in the hover text', () => {
    expect(causesTitle({ reason: 'X', count: 3, causes: { a: 1, b: 2 } })).toBe('X caused by:\n  b: 2 (66.7%)\n  a: 1 (33.3%)')
  })
})

describe('comparison', () => {
  it('summarizes throughput, p99 and EXTERNAL_INTERRUPT count', () => {
    expect(summarizeResult(makeResult('a', { extInt: 5 }))).toMatchObject({ throughput: 100_000, p99Ns: 200_000, extIntCount: 5 })
  })

  it('never adds throughputs of different workloads: the first VM\'s workload, summed over the VMs that run it', () => {
    const r = makeResult('a')
    const redis2 = structuredClone(r.vms[0]!)
    redis2.vm = 'vm1'
    const timer = structuredClone(r.vms[0]!)
    timer.vm = 'vm2'
    timer.workload = { ...timer.workload, kind: 'timer', unit: 'wake-ups', throughputPerSec: 1_000 }
    const s = summarizeResult({ ...r, vms: [r.vms[0]!, redis2, timer] })
    expect(s).toMatchObject({ throughput: 200_000, unit: 'requests', throughputVms: ['vm0', 'vm1'] })
    expect(summarizeResult(r).throughputVms).toBeNull()
  })

  it('colours deltas by direction: fewer exits and more throughput are good', () => {
    expect(delta(100, 50, 'lower')).toEqual({ pct: -50, tone: 'good' })
    expect(delta(100, 150, 'lower').tone).toBe('bad')
    expect(delta(100, 150, 'higher').tone).toBe('good')
    expect(delta(100, 100.5, 'higher').tone).toBe('neutral')
  })

  it('compares against the first configuration unless a baseline is given', () => {
    const a = makeResult('sw-timer', { extInt: 42916 })
    const b = makeResult('posted-timer', { extInt: 6871, throughput: 110_000 })
    const rows = comparisonRows([a, b], undefined)
    expect(rows[0]?.isBaseline).toBe(true)
    expect(rows[1]?.deltas.extIntCount.pct).toBeCloseTo(-83.99, 1)
    expect(rows[1]?.deltas.extIntCount.tone).toBe('good')
    expect(rows[1]?.deltas.throughput.tone).toBe('good')
    const pinned = comparisonRows([a, b], b)
    expect(pinned[1]?.isBaseline).toBe(true)
    expect(pinned[0]?.deltas.extIntCount.tone).toBe('bad')
  })
})

describe('profile summary and formatting', () => {
  it('writes the kernel command line as typed', () => {
    expect(kernelCmdline({ nohzFull: '2-23', isolcpus: 'managed_irq,domain,2-23', rcuNocbs: '2-23', irqaffinity: '0-1', idle: 'poll', intelIdleMaxCstate: -1 })).toBe(
      'nohz_full=2-23 isolcpus=managed_irq,domain,2-23 rcu_nocbs=2-23 irqaffinity=0-1 idle=poll',
    )
  })

  it('flattens overrides to differences', () => {
    expect(flattenOverrides({ host: { kvm: { piInjectTimer: 1 } }, vm: {}, run: { seed: 3 } })).toEqual([
      { path: 'host.kvm.piInjectTimer', value: '1' },
      { path: 'run.seed', value: '3' },
    ])
  })

  it('formats durations and deltas', () => {
    expect(fmtNs(710)).toBe('710 ns')
    expect(fmtNs(57_880)).toBe('57.9 µs')
    expect(fmtDeltaPct(-84)).toBe('−84.0 %')
    expect(fmtDeltaPct(3.21)).toBe('+3.2 %')
  })

  it('maps keys to shortcuts', () => {
    const k = (key: string, m: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean }> = {}) => shortcutFor({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...m })
    expect(k('Enter', { ctrlKey: true })).toBe('runAll')
    expect(k('Enter', { metaKey: true })).toBe('runAll')
    expect(k('L', { ctrlKey: true, shiftKey: true })).toBe('toggleTheme')
    expect(k('Escape')).toBeUndefined()
    expect(k('s', { ctrlKey: true })).toBe('save')
    expect(k('z', { ctrlKey: true })).toBe('undo')
    expect(k('Z', { ctrlKey: true, shiftKey: true })).toBe('redo')
    expect(k('y', { ctrlKey: true })).toBe('redo')
    expect(k('Enter')).toBeUndefined()
  })
})
