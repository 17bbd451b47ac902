import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { EventQueue } from '../../core/engine/event-queue.ts'

function drain(q: EventQueue): { t: number; kind: number; target: number; token: number }[] {
  const out = []
  while (q.pop()) out.push({ t: q.popTime, kind: q.popKind, target: q.popTarget, token: q.popToken })
  return out
}

describe('EventQueue: (time, priority, sequence) order', () => {
  it('pops by time first', () => {
    const q = new EventQueue(2)
    q.push(30, 1, 3, 0, 0); q.push(10, 1, 1, 0, 0); q.push(20, 1, 2, 0, 0)
    expect(drain(q).map((e) => e.kind)).toEqual([1, 2, 3])
  })
  it('on equal time, lower priority first, whatever the insertion order', () => {
    const q = new EventQueue()
    q.push(5, 2, 20, 0, 0); q.push(5, 0, 0, 0, 0); q.push(5, 1, 10, 0, 0)
    expect(drain(q).map((e) => e.kind)).toEqual([0, 10, 20])
  })
  it('on equal time and priority, FIFO by insertion (sequence)', () => {
    const q = new EventQueue()
    for (let i = 0; i < 100; i++) q.push(7, 1, i, i, i)
    expect(drain(q).map((e) => e.kind)).toEqual([...Array(100).keys()])
  })
  it('carries kind/target/token with the entry, grows past its capacity, peekTime is Infinity when empty', () => {
    const q = new EventQueue(1)
    expect(q.peekTime()).toBe(Infinity)
    for (let i = 0; i < 50; i++) q.push(50 - i, 1, i, 1000 + i, -i)
    expect(q.size).toBe(50)
    expect(q.peekTime()).toBe(1)
    const out = drain(q)
    expect(out[0]).toEqual({ t: 1, kind: 49, target: 1049, token: -49 })
    expect(q.pop()).toBe(false)
  })
  it('property: pops equal a stable sort by (time, priority) of the pushes, with interleaved pops', () => {
    const op = fc.oneof(
      fc.record({ push: fc.constant(true), t: fc.integer({ min: 0, max: 20 }), pr: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ push: fc.constant(false) }),
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const q = new EventQueue(4)
      const ref: { t: number; pr: number; id: number }[] = []
      let id = 0
      const got: number[] = []
      const want: number[] = []
      const popRef = (): void => {
        ref.sort((a, b) => a.t - b.t || a.pr - b.pr || a.id - b.id)
        want.push(ref.shift()!.id)
      }
      for (const o of ops) {
        if (o.push) {
          // times never go below the last popped one, as in the engine
          const floor = got.length ? q.popTime : 0
          const t = floor + (o as { t: number }).t
          q.push(t, (o as { pr: number }).pr, id, 0, 0)
          ref.push({ t, pr: (o as { pr: number }).pr, id })
          id++
        } else if (ref.length) {
          q.pop(); got.push(q.popKind); popRef()
        }
      }
      while (ref.length) { q.pop(); got.push(q.popKind); popRef() }
      expect(got).toEqual(want)
      expect(q.size).toBe(0)
    }), { numRuns: 300, seed: 42 })
  })
})
