import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { Engine } from '../../core/engine/engine.ts'

function recorder(e: Engine): { log: [number, number, number, number][] } {
  const r = { log: [] as [number, number, number, number][] }
  e.setDispatch((kind, target, token) => { r.log.push([e.now, kind, target, token]) })
  return r
}

describe('Engine', () => {
  it('schedule() is relative to now, rounded to whole ns, never in the past', () => {
    const e = new Engine()
    const r = recorder(e)
    e.schedule(10.6, 1, 0)
    e.schedule(-5, 2, 0)
    e.run({ until: 100 })
    expect(r.log).toEqual([[0, 2, 0, 0], [11, 1, 0, 0]])
  })
  it('scheduleAt() is absolute and clamps to now', () => {
    const e = new Engine()
    const r = recorder(e)
    e.run({ until: 50 })
    e.scheduleAt(40, 1, 0)
    e.scheduleAt(70, 2, 0)
    e.run({ until: 100 })
    expect(r.log).toEqual([[50, 1, 0, 0], [70, 2, 0, 0]])
  })
  it('ties: priority then scheduling order; events scheduled at now while dispatching run in the same instant, after those already queued', () => {
    const e = new Engine()
    const log: string[] = []
    e.setDispatch((kind) => {
      log.push(`${e.now}:${kind}`)
      if (kind === 1) e.schedule(0, 9, 0, 0, 1)
    })
    e.schedule(5, 3, 0, 0, 2)
    e.schedule(5, 1, 0, 0, 1)
    e.schedule(5, 2, 0, 0, 1)
    e.schedule(5, 0, 0, 0, 0)
    e.run({ until: 5 })
    expect(log).toEqual(['5:0', '5:1', '5:2', '5:9', '5:3'])
  })
  it('run({until}) processes events at exactly `until`, leaves later ones queued, and ends with now = until', () => {
    const e = new Engine()
    const r = recorder(e)
    e.schedule(10, 1, 0); e.schedule(20, 2, 0); e.schedule(21, 3, 0)
    e.run({ until: 20 })
    expect(r.log.map((x) => x[1])).toEqual([1, 2])
    expect(e.now).toBe(20)
    expect(e.pending).toBe(1)
    expect(e.peek()).toBe(21)
    e.run({ until: 15 }) // until in the past: nothing runs, now does not go back
    expect(e.now).toBe(20)
    e.run({ until: Infinity })
    expect(e.now).toBe(21)
    expect(e.events).toBe(3)
  })
  it('run({ maxEvents }) stops when events reaches it, leaves now at the last event and returns false', () => {
    const e = new Engine()
    const r = recorder(e)
    for (let t = 10; t <= 50; t += 10) e.schedule(t, 1, t)
    expect(e.run({ until: 100, maxEvents: 3 })).toBe(false)
    expect(r.log.map(([t]) => t)).toEqual([10, 20, 30])
    expect(e.now).toBe(30)
    expect(e.run({ until: 100, maxEvents: 10 })).toBe(true)
    expect(e.events).toBe(5)
    expect(e.now).toBe(100)
  })
  it('setHandler(): events go to the model\'s dispatch() as a method call, and a new engine starts at time 0', () => {
    class Model {
      readonly seen: string[] = []
      readonly e: Engine
      constructor(e: Engine) {
        this.e = e
      }
      dispatch(kind: number, target: number, token: number): void {
        this.seen.push(`${this.e.now}:${kind}/${target}/${token}`)
      }
    }
    for (let run = 0; run < 2; run++) {
      const e = new Engine()
      expect(e.now).toBe(0)
      const m = new Model(e)
      e.setHandler(m)
      e.schedule(7.5, 3, 4, 5)
      e.schedule(2, 1, 0)
      expect(e.run({ until: 10 })).toBe(true)
      expect(m.seen).toEqual(['2:1/0/0', '8:3/4/5'])
      expect(e.now).toBe(10)
    }
  })
  it('step() processes exactly one event and returns false when empty', () => {
    const e = new Engine()
    const r = recorder(e)
    e.schedule(3, 1, 7, 9)
    expect(e.step()).toBe(true)
    expect(r.log).toEqual([[3, 1, 7, 9]])
    expect(e.step()).toBe(false)
  })
  it('property: dispatch order equals a stable sort by (time, priority) for any schedule', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 })), { maxLength: 200 }), (evs) => {
      const e = new Engine()
      const r = recorder(e)
      evs.forEach(([t, pr], i) => e.schedule(t, i, 0, 0, pr))
      e.run({ until: Infinity })
      const want = evs.map(([t, pr], i) => ({ t, pr, i })).sort((a, b) => a.t - b.t || a.pr - b.pr || a.i - b.i).map((x) => [x.t, x.i])
      expect(r.log.map((x) => [x[0], x[1]])).toEqual(want)
    }), { numRuns: 200, seed: 7 })
  })
})
