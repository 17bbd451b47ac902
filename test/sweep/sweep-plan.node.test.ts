// The sweep's plan in the core: axes checked against the base configuration, values against the profile's
// own validation (named by axis), the grid in row-major order, ranges, samples, and each point's profile.
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { getPath, parsePath, canonicalJson } from '../../core/sweep/json-path.ts'
import { planSweep, pointProfile, sweepPoints } from '../../core/sweep/sweep-points.ts'
import { axisValues, loadSweepSpec } from '../../core/sweep/sweep-spec.ts'
import type { SweepSpec } from '../../core/sweep/sweep-spec.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const profile = (() => {
  const l = loadProfile(tinyProfile(['base', 'tuned']))
  if (!l.ok) throw new Error('tiny profile')
  return l.profile
})()

function spec(axes: unknown[], extra: Record<string, unknown> = {}): SweepSpec {
  const r = loadSweepSpec({ schemaVersion: 1, base: 'x.json', axes, ...extra })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.spec
}

describe('sweep spec and plan', () => {
  it('paths parse as the profile prints them; anything else is refused', () => {
    expect(parsePath('vms[0].kvm.disableExits.hlt')).toEqual(['vms', 0, 'kvm', 'disableExits', 'hlt'])
    for (const bad of ['', 'vms[x]', 'a..b', '.a', 'a.', '[0]', 'a[0', 'a b']) expect(parsePath(bad), bad).toBeNull()
    expect(getPath({ a: [{ b: 3 }] }, parsePath('a[0].b')!)).toBe(3)
    expect(getPath({ a: {} }, parsePath('a.constructor')!)).toBeUndefined()
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 1 }] })).toBe('{"a":[{"c":1,"d":2}],"b":1}')
  })

  it('a range expands to its values without float drift; exactly one of values and range', () => {
    expect(axisValues({ path: 'x', range: { from: 0.1, to: 0.5, step: 0.1 } })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5])
    const both = loadSweepSpec({ schemaVersion: 1, base: 'b.json', axes: [{ path: 'run.seed', values: [1], range: { from: 0, to: 1, step: 1 } }] })
    expect(both.ok).toBe(false)
    if (!both.ok) expect(both.issues[0]).toMatchObject({ path: 'axes[0]', message: expect.stringContaining('exactly one') })
    const none = loadSweepSpec({ schemaVersion: 1, base: 'b.json', axes: [{ path: 'run.seed' }] })
    expect(none.ok).toBe(false)
  })

  it('the grid is row-major (last axis fastest) × seeds, and each point profile carries its values', () => {
    const r = planSweep(spec([
      { path: 'host.kvm.haltPoll.haltPollNs', values: [0, 100000] },
      { path: 'run.durationSec', values: [0.01, 0.02, 0.03] },
    ], { seeds: [5, 6] }), profile)
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    expect(r.plan.gridSize).toBe(6)
    const pts = sweepPoints(r.plan)
    expect(pts).toHaveLength(12)
    expect(pts.slice(0, 3).map((p) => [p.index, p.seed, p.values['run.durationSec']])).toEqual([[0, 5, 0.01], [0, 6, 0.01], [1, 5, 0.02]])
    const last = pts[11]!
    expect(last.values).toEqual({ 'host.kvm.haltPoll.haltPollNs': 100000, 'run.durationSec': 0.03 })
    const prof = pointProfile(r.plan, last) as { host: { kvm: { haltPoll: { haltPollNs: number } } }; run: { durationSec: number }; configurations: unknown[] }
    expect(prof.host.kvm.haltPoll.haltPollNs).toBe(100000)
    expect(prof.run.durationSec).toBe(0.03)
    expect(prof.configurations).toEqual([{ name: 'point', description: 'The point’s values.', overrides: {} }])
    expect(loadProfile(prof).ok).toBe(true)
  })

  it('the axes vary the chosen configuration as resolved (its overrides included)', () => {
    const r = planSweep(spec([{ path: 'run.durationSec', values: [0.01] }], { configuration: 'tuned' }), profile)
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    // "tuned" overrides haltPollNs to 0 (tinyProfile): the point keeps it
    expect(getPath(r.plan.baseProfile, parsePath('host.kvm.haltPoll.haltPollNs')!)).toBe(0)
  })

  it('a sample draws distinct grid points, the same ones for the same sampleSeed', () => {
    const axes = [{ path: 'host.kvm.haltPoll.haltPollNs', range: { from: 0, to: 99000, step: 1000 } }, { path: 'run.durationSec', values: [0.01, 0.02] }]
    const a = planSweep(spec(axes, { sampleSeed: 3 }), profile, { sample: 20 })
    const b = planSweep(spec(axes, { sampleSeed: 3 }), profile, { sample: 20 })
    const c = planSweep(spec(axes, { sampleSeed: 4 }), profile, { sample: 20 })
    if (!a.ok || !b.ok || !c.ok) throw new Error('plan')
    expect(new Set(a.plan.indices).size).toBe(20)
    expect(a.plan.indices.every((i) => i >= 0 && i < 200)).toBe(true)
    expect(a.plan.indices).toEqual(b.plan.indices)
    expect(a.plan.indices).not.toEqual(c.plan.indices)
  })

  it('bad axes are refused before anything runs, each naming the axis, the value and the fix', () => {
    const bad = planSweep(spec([
      { path: 'host.kvm.haltPoll.haltPollNS', values: [1] },
      { path: 'vms[7].vcpus', values: [1] },
      { path: 'name', values: ['x'] },
    ]), profile)
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(bad.issues.map((i) => i.path)).toEqual(['axes[0].path', 'axes[1].path', 'axes[2].path'])
    expect(bad.issues[0]!.message).toContain('not a field')
    expect(bad.issues[2]!.fix).toContain('host, vms[N] or run')
    const refused = planSweep(spec([{ path: 'host.kernel.cmdline.nohzFull', values: ['1-3', '1-4095'] }]), profile)
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.issues).toHaveLength(1)
    expect(refused.issues[0]).toMatchObject({ path: 'axes[0].values[1]', value: '"1-4095"' })
    expect(refused.issues[0]!.message).toContain('host.kernel.cmdline.nohzFull')
    expect(refused.issues[0]!.fix).toContain('CPUs')
    const wrongType = planSweep(spec([{ path: 'vms[0].kvm.disableExits.hlt', values: [true, 'yes'] }]), profile)
    expect(wrongType.ok).toBe(false)
    if (!wrongType.ok) expect(wrongType.issues[0]!.path).toBe('axes[0].values[1]')
  })

  it('more points than the limit are refused, naming the count', () => {
    const r = planSweep(spec([
      { path: 'host.kvm.haltPoll.haltPollNs', range: { from: 0, to: 9999, step: 1 } },
      { path: 'run.durationSec', range: { from: 0.01, to: 0.2, step: 0.01 } },
    ]), profile)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: 'axes', value: '200000' })
  })
})
