// The pure parts of the validation table: the case format's checks, the comparison logic and the metrics,
// the latter read from a real run of the core.
import { describe, expect, it } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import {
  caseRow, changePct, direction, evaluateCase, formatValidationText, isRunnable, metricValue, parseCase, parseRecordedOutcomes, RecordsError,
  renderValidationDoc, seedDirection, seedsByRule, seedSummary,
} from '../../core/validation/index.ts'
import type { CaseOutcome, ValidationCase } from '../../core/validation/index.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const base = {
  schemaVersion: 1, id: 'x-case', topic: 'timers', ref: 'abc', source: 'commit abc "subject"', setup: 'a host',
  published: { figure: '−50 %', changePct: -50 }, profile: 'p.json', baseline: 'a', changed: 'b',
  metric: { kind: 'exit-count', reason: 'HLT' }, mapping: 'how', limits: 'what is missing',
}

describe('validation case format', () => {
  it('accepts a complete case and fills durationSec and seeds', () => {
    const r = parseCase(base)
    expect(r.ok && r.value.durationSec).toBe(0.3)
    expect(r.ok && r.value.seeds).toBe(1)
    const three = parseCase({ ...base, seeds: 3 })
    expect(three.ok && three.value.seeds).toBe(3)
  })

  it('refuses a bad seeds value, naming the field, the value and the fix', () => {
    for (const [seeds, message, fix] of [[0, /at least 1/, /from 1 to 10/], [2.5, /whole number/, /integer/], [11, /at most 10/, /from 1 to 10/], ['3', /number/, /write a number/]] as const) {
      const r = parseCase({ ...base, seeds })
      expect(r.ok, String(seeds)).toBe(false)
      const issue = !r.ok ? r.issues[0]! : undefined
      expect(issue?.path).toBe('seeds')
      expect(issue?.message).toMatch(message)
      expect(issue?.fix).toMatch(fix)
    }
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

/** An outcome of one seed with this change. */
const one = (modelChangePct: number, changed = 10 * (1 + modelChangePct / 100)): CaseOutcome => ({ id: 'x-case', seeds: 1, baseline: 10, changed, modelChangePct, minChangePct: modelChangePct, maxChangePct: modelChangePct })

describe('comparison', () => {
  const c = (parseCase(base) as { ok: true; value: ValidationCase }).value
  it('gives directions with a 1 % dead band', () => {
    expect([direction(-5), direction(0.9), direction(-0.9), direction(3)]).toEqual(['down', 'none', 'none', 'up'])
  })
  it('agrees on direction and magnitude within ×2, is "magnitude off" outside, a miss for the other direction or no change', () => {
    expect(caseRow(c, one(-60))).toMatchObject({ verdict: 'agrees', ratio: 1.2 })
    expect(caseRow(c, one(-10)).verdict).toBe('magnitude off')
    expect(caseRow(c, one(10))).toMatchObject({ verdict: 'direction miss', ratio: -0.2 })
    expect(caseRow(c, one(0)).verdict).toBe('direction miss')
    expect(caseRow(c, undefined).verdict).toBe('waiting')
  })
  it('refuses a page without records, or with a record that lacks its seed range, with the command that regenerates it', () => {
    expect(() => parseRecordedOutcomes('# nothing')).toThrow(RecordsError)
    expect(() => parseRecordedOutcomes('# nothing')).toThrow(/--write-doc/)
    const doc = renderValidationDoc([c], { 'x-case': one(-60) })
    expect(parseRecordedOutcomes(doc)['x-case']).toEqual(one(-60))
    const noRange = doc.replace(/"minChangePct": [^,]+,/, '')
    expect(() => parseRecordedOutcomes(noRange)).toThrow(/record is malformed/)
  })
})

describe('seeds: the mean change, its range, and the straddling-zero rule', () => {
  const c = (parseCase({ ...base, seeds: 3 }) as { ok: true; value: ValidationCase }).value
  /** pv-tlb-flush-1vm's three seeds over 0.3 s before the page LRU lock's merge: −0.4 %, −6.5 %, +6.4 %. */
  const noisy: CaseOutcome = { id: 'x-case', seeds: 3, baseline: 28530, changed: 28460, ...seedSummary([-0.4, -6.5, 6.4]) }

  it('averages the per-seed changes and keeps their smallest and largest', () => {
    expect(seedSummary([-0.4, -6.5, 6.4])).toEqual({ modelChangePct: -0.2, minChangePct: -6.5, maxChangePct: 6.4 })
    expect(seedSummary([-52.94, -32.31, -50.26])).toEqual({ modelChangePct: -45.2, minChangePct: -52.9, maxChangePct: -32.3 })
    expect(seedSummary([7.04])).toEqual({ modelChangePct: 7, minChangePct: 7, maxChangePct: 7 })
    expect(() => seedSummary([])).toThrow(RangeError)
  })

  it('a mean whose seed range straddles 0 is no change, whatever its size; a range on one side keeps the mean\'s direction', () => {
    expect(seedDirection({ modelChangePct: 4.5, minChangePct: -2, maxChangePct: 11 })).toBe('none')
    expect(seedDirection({ modelChangePct: -3.8, minChangePct: -6, maxChangePct: -0.5 })).toBe('down')
    expect(seedDirection({ modelChangePct: 0.6, minChangePct: 0.2, maxChangePct: 1.1 })).toBe('none')
    expect(seedDirection({ modelChangePct: 2, minChangePct: 0, maxChangePct: 4 })).toBe('up')
    const row = caseRow(c, { ...noisy, ...seedSummary([-2, 11, 4.5]) })
    expect(row).toMatchObject({ modelDirection: 'none', verdict: 'direction miss' })
    expect(caseRow(c, { ...noisy, ...seedSummary([-40, -60, -50]) })).toMatchObject({ modelDirection: 'down', verdict: 'agrees', ratio: 1 })
  })

  it('the rule: 3 seeds where the spread over 3 seeds exceeds a third of the published change', () => {
    expect(seedsByRule(4, 3.5)).toBe(3)
    expect(seedsByRule(-70, 4.3)).toBe(1)
    expect(seedsByRule(-5.2, 1.9)).toBe(3)
    expect(seedsByRule(70, 23.3)).toBe(1)
  })

  it('renders the mean, the seed range and the seeds survey in the doc\'s table and the text report', () => {
    const doc = renderValidationDoc([c], { 'x-case': { ...noisy, surveyChangesPct: [-0.4, -6.5, 6.4] } })
    expect(doc).toContain('| Case | Source | Published | Model | Seed range | Ratio |')
    expect(doc).toContain('| 1 | [x-case](#x-case) | abc | −50.0 % | −0.2 % | −6.5 … +6.4 % (3 seeds) | 0.00 | ↓ / = | direction miss |')
    expect(doc).toContain('| x-case | −50.0 % | −0.4, −6.5, +6.4 % | 12.9 | 16.7 | 1 | 3 |')
    expect(doc).toContain('HLT exits/s, means over 3 seeds: 28530/s → 28460/s (mean of the seeds\' changes −0.2 %, seed range −6.5 … +6.4 %)')
    const oneSeed = renderValidationDoc([{ ...c, seeds: 1 }], { 'x-case': one(-60) })
    expect(oneSeed).toContain('| −60.0 % | 1 seed | 1.20 | ↓ / ↓ | agrees |')
    const text = formatValidationText([caseRow(c, noisy)])
    expect(text).toMatch(/#\s+case\s+published\s+model\s+seed range\s+ratio/)
    expect(text).toMatch(/1\s+x-case\s+−50\.0 %\s+−0\.2 %\s+−6\.5 … \+6\.4 % \(3 seeds\)\s+0\.00\s+↓ \/ =\s+direction miss/)
  })
})

describe('a case over seeds, from real runs', () => {
  const r = loadProfile(tinyProfile(['base', 'tuned']))
  if (!r.ok) throw new Error('tiny profile')
  const parsed = parseCase({ ...base, baseline: 'base', changed: 'tuned', metric: { kind: 'exits-total' }, seeds: 2 })
  if (!parsed.ok || !isRunnable(parsed.value)) throw new Error('case')
  const c = parsed.value
  const runs = [1, 2, 3].map((seed) => ({
    baseline: runConfiguration(r.profile, 'base', { durationSec: 0.02, seed }),
    changed: runConfiguration(r.profile, 'tuned', { durationSec: 0.02, seed }),
  }))
  it('gives the means of the first `seeds` seeds, the mean of their changes and its range, and the survey of all three', () => {
    const v = runs.map((x) => ({ b: Number(metricValue(x.baseline, c.metric).toPrecision(4)), x: Number(metricValue(x.changed, c.metric).toPrecision(4)) }))
    const ch = v.map((x) => Number(changePct(x.b, x.x).toFixed(1)))
    const o = evaluateCase(c, runs)
    expect(o.seeds).toBe(2)
    // the means over the seeds, recorded to 4 significant digits (outcome.ts)
    expect(o.baseline).toBe(Number(((v[0]!.b + v[1]!.b) / 2).toPrecision(4)))
    expect(o.changed).toBe(Number(((v[0]!.x + v[1]!.x) / 2).toPrecision(4)))
    expect(o.modelChangePct).toBeCloseTo((ch[0]! + ch[1]!) / 2, 1)
    expect(o.minChangePct).toBe(Math.min(ch[0]!, ch[1]!))
    expect(o.maxChangePct).toBe(Math.max(ch[0]!, ch[1]!))
    expect(o.surveyChangesPct).toEqual(ch)
    expect(evaluateCase(c, runs.slice(0, 2)).surveyChangesPct).toBeUndefined()
    expect(() => evaluateCase(c, runs.slice(0, 1))).toThrow(/1 seed runs for 2 seeds/)
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
