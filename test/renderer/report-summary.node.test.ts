// The comparison summary shared by the PDF report and the Results page (core/output/report-summary.ts):
// deltas against the baseline with the CI of a ratio, the largest exit reasons, the decisions that
// differ and the configurations that end up equivalent.
import { describe, expect, it } from 'vitest'
import { decisionSummary, equivalenceText, exitDeltas, headlineDeltas, ratioCiPct } from '../../core/output/report-summary.ts'
import type { ConfigResult, Decision } from '../../core/result.ts'

const dec = (id: string, value: string): Decision => ({ id, title: id, value, reason: 'r', mirrors: 'f()' })

function result(config: string, tput: number, p99: number, exits: Record<string, number>, ci?: { throughputPerSec: number; p99: number }): ConfigResult {
  const workload = { kind: 'redis', unit: 'ops', throughputPerSec: tput, meanLatencyNs: p99 / 2, latencyNs: { p50: 1, p90: 2, p99, p999: 4, max: 5 }, roles: [], time: {} as never, latencyHistogram: [] as never, series: { intervalNs: 1, perSec: [] }, ...(ci ? { ci95: { meanLatencyNs: 0, p50: 0, p90: 0, p999: 0, max: 0, ...ci } } : {}) }
  return {
    config, seed: 1, virtualNs: 1e9, events: 1, wallMs: 1, vendor: 'vmx', pcpus: [],
    vms: [{ vm: 'a', exits: [], histograms: [], workload, vcpus: [], decisions: [] }],
    allVms: { exits: Object.entries(exits).map(([reason, count]) => ({ reason, count, totalNs: 0, minNs: 0, maxNs: 0, meanNs: 0, relStddevPct: 0, causes: {} })), histograms: [] },
  }
}

describe('the comparison summary', () => {
  it('gives each VM\'s deltas against the baseline, with the 95 % CI of the ratio when both have one', () => {
    const rows = headlineDeltas([result('base', 100, 500, {}, { throughputPerSec: 2, p99: 10 }), result('b', 110, 450, {}, { throughputPerSec: 2.2, p99: 9 }), result('c', 90, 550, {})])
    expect(rows.map((r) => r.config)).toEqual(['base', 'b', 'c'])
    expect(rows[0]!.throughputPct).toBeUndefined()
    expect(rows[1]!.throughputPct).toBeCloseTo(10)
    expect(rows[1]!.p99Pct).toBeCloseTo(-10)
    expect(rows[1]!.throughputCiPct).toBeCloseTo(Math.hypot(0.02, 0.02) * 1.1 * 100)
    expect(rows[2]!.throughputCiPct).toBeUndefined()
    expect(ratioCiPct(0, 1, 1, 1)).toBeUndefined()
  })

  it('lists the largest exit reasons in any configuration with their changes', () => {
    const e = exitDeltas([result('base', 1, 1, { HLT: 10, EXTERNAL_INTERRUPT: 100 }), result('b', 1, 1, { EXTERNAL_INTERRUPT: 50, MSR_WRITE: 300 })], 2)
    expect(e).toEqual([
      { reason: 'MSR_WRITE', counts: [0, 300], pcts: [null, null] },
      { reason: 'EXTERNAL_INTERRUPT', counts: [100, 50], pcts: [null, -50] },
    ])
  })

  it('shows the decisions as differences and names the configurations that end up equivalent', () => {
    const s = decisionSummary([
      { config: 'sw', vms: [{ vm: 'a', decisions: [dec('timer', 'sw'), dec('idle', 'poll')] }] },
      { config: 'posted', vms: [{ vm: 'a', decisions: [dec('timer', 'posted'), dec('idle', 'poll')] }] },
      { config: 'default', vms: [{ vm: 'a', decisions: [dec('timer', 'posted'), dec('idle', 'poll')] }] },
    ])
    expect(s.compared).toBe(2)
    expect(s.differences).toEqual([{ vm: 'a', id: 'timer', title: 'timer', mirrors: 'f()', values: ['sw', 'posted', 'posted'] }])
    expect(s.equivalent).toEqual([['posted', 'default']])
    expect(equivalenceText(['x', 'y', 'z'])).toMatch(/^x, y and z end up with the same kernel decisions for every VM/)
  })
})
