// The Results page's order and summary (renderer/src/lib/results-summary.ts): the user's order, the
// baseline chosen, deltas per VM against the baseline's same VM.
import { describe, expect, it } from 'vitest'
import { moveConfig, orderedResults, resultsSummary } from '../../renderer/src/lib/results-summary.ts'
import type { ConfigResult } from '../../core/result.ts'

const r = (config: string, tput: number, ext: number): ConfigResult => ({
  config, seed: 1, virtualNs: 1, events: 1, wallMs: 1, vendor: 'vmx', pcpus: [], allVms: { exits: [], histograms: [] },
  vms: ['a', 'b'].map((vm) => ({ vm, histograms: [], vcpus: [], decisions: [{ id: 't', title: 'timer', value: config === 'x' ? 'sw' : 'posted', reason: '', mirrors: 'f()' }],
    exits: [{ reason: 'EXTERNAL_INTERRUPT', count: ext, totalNs: 0, minNs: 0, maxNs: 0, meanNs: 0, relStddevPct: 0, causes: {} }],
    workload: { kind: 'redis', unit: 'ops', throughputPerSec: tput, meanLatencyNs: 50, latencyNs: { p50: 1, p90: 1, p99: 100, p999: 1, max: 1 }, roles: [], time: {} as never, latencyHistogram: [] as never, series: { intervalNs: 1, perSec: [] } } })),
})

describe('the Results summary', () => {
  it('orders, moves, and compares with the chosen baseline per VM', () => {
    const rs = [r('x', 100, 1000), r('y', 110, 100), r('z', 110, 100)]
    expect(orderedResults(rs, ['z']).map((x) => x.config)).toEqual(['z', 'x', 'y'])
    expect(moveConfig(['x', 'y', 'z'], 'x', 1)).toEqual(['y', 'x', 'z'])
    expect(moveConfig(['x', 'y', 'z'], 'x', -1)).toEqual(['x', 'y', 'z'])
    const s = resultsSummary(rs, 'y')!
    expect(s.baseline).toBe('y')
    expect(s.rows.map((x) => `${x.config}/${x.vm}`)).toEqual(['x/a', 'x/b', 'y/a', 'y/b', 'z/a', 'z/b'])
    expect(s.rows[0]!.throughputPct).toBeCloseTo(((100 - 110) / 110) * 100)
    expect(s.rows[0]!.extIntPct).toBeCloseTo(900)
    expect(s.rows[2]!.throughputPct).toBeUndefined()
    expect(s.decisions.equivalent).toEqual([['y', 'z']])
    expect(s.decisions.differences.map((d) => d.vm)).toEqual(['a', 'b'])
  })
})
