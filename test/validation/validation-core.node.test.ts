// The pure parts of the validation table: the case format's checks, the comparison logic and the metrics,
// the latter read from a real run of the core.
import { describe, expect, it } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { caseRow, direction, metricValue, parseCase, parseRecordedOutcomes, RecordsError } from '../../core/validation/index.ts'
import type { ValidationCase } from '../../core/validation/index.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const base = {
  schemaVersion: 1, id: 'x-case', topic: 'timers', ref: 'abc', source: 'commit abc "subject"', setup: 'a host',
  published: { figure: '−50 %', changePct: -50 }, profile: 'p.json', baseline: 'a', changed: 'b',
  metric: { kind: 'exit-count', reason: 'HLT' }, mapping: 'how', limits: 'what is missing',
}

describe('validation case format', () => {
  it('accepts a complete case and fills durationSec', () => {
    const r = parseCase(base)
    expect(r.ok && r.value.durationSec).toBe(0.3)
  })

  it('names the field, the value and the fix for a bad case', () => {
    const noReason = parseCase({ ...base, metric: { kind: 'exit-count' } })
    expect(!noReason.ok && noReason.issues[0]!.fix).toMatch(/add "reason"/)
    const badTopic = parseCase({ ...base, topic: 'memory' })
    expect(!badTopic.ok && badTopic.issues[0]!.path).toBe('topic')
    const waitingWithProfile = parseCase({ ...base, waiting: 'a benchmark' })
    expect(!waitingWithProfile.ok && waitingWithProfile.issues[0]!.message).toMatch(/waiting case runs nothing/)
    const noMetric = parseCase({ ...base, metric: undefined })
    expect(!noMetric.ok && noMetric.issues[0]!.fix).toMatch(/"metric"/)
    const typo = parseCase({ ...base, limit: 'x' })
    expect(!typo.ok && typo.issues[0]!.fix).toMatch(/did you mean "limits"/)
  })
})

describe('comparison', () => {
  const c = (parseCase(base) as { ok: true; value: ValidationCase }).value
  it('gives directions with a 1 % dead band', () => {
    expect([direction(-5), direction(0.9), direction(-0.9), direction(3)]).toEqual(['down', 'none', 'none', 'up'])
  })
  it('agrees on direction and magnitude within ×2, is "magnitude off" outside, a miss for the other direction or no change', () => {
    expect(caseRow(c, { id: 'x-case', baseline: 10, changed: 4, modelChangePct: -60 })).toMatchObject({ verdict: 'agrees', ratio: 1.2 })
    expect(caseRow(c, { id: 'x-case', baseline: 10, changed: 9, modelChangePct: -10 }).verdict).toBe('magnitude off')
    expect(caseRow(c, { id: 'x-case', baseline: 10, changed: 11, modelChangePct: 10 })).toMatchObject({ verdict: 'direction miss', ratio: -0.2 })
    expect(caseRow(c, { id: 'x-case', baseline: 10, changed: 10, modelChangePct: 0 }).verdict).toBe('direction miss')
    expect(caseRow(c, undefined).verdict).toBe('waiting')
  })
  it('refuses a page without records, with the command that regenerates it', () => {
    expect(() => parseRecordedOutcomes('# nothing')).toThrow(RecordsError)
    expect(() => parseRecordedOutcomes('# nothing')).toThrow(/--write-doc/)
  })
})

describe('metrics read from a real run', () => {
  const r = loadProfile(tinyProfile(['base']))
  if (!r.ok) throw new Error('tiny profile')
  const res = runConfiguration(r.profile, 'base', { durationSec: 0.05 })
  const vm = res.vms[0]!
  it('exit counts per simulated second, shares, means, throughput and pCPU busy share', () => {
    const top = vm.exits[0]!
    expect(metricValue(res, { kind: 'exit-count', reason: top.reason })).toBeCloseTo(top.count / (res.virtualNs / 1e9), 6)
    expect(metricValue(res, { kind: 'exit-count', reason: 'NO_SUCH_EXIT' })).toBe(0)
    const share = metricValue(res, { kind: 'exit-share', reason: top.reason })
    expect(share).toBeCloseTo(top.count / vm.exits.reduce((a, e) => a + e.count, 0), 9)
    expect(metricValue(res, { kind: 'exit-mean', reason: top.reason })).toBe(top.meanNs)
    expect(metricValue(res, { kind: 'throughput' })).toBe(vm.workload.throughputPerSec)
    expect(metricValue(res, { kind: 'latency', percentile: 'p99' })).toBe(vm.workload.latencyNs.p99)
    const mean = metricValue(res, { kind: 'latency', percentile: 'mean' })
    expect(mean).toBeGreaterThan(0)
    const busy = metricValue(res, { kind: 'pcpu-busy' })
    expect(busy).toBeGreaterThan(0)
    expect(busy).toBeLessThanOrEqual(1)
    expect(() => metricValue(res, { kind: 'throughput', vm: 'nope' })).toThrow(/has no VM "nope"/)
  })
})
