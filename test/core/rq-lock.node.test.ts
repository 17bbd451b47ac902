import { describe, it, expect } from 'vitest'
import { ttwuQueueWakelist } from '../../core/guest/rq-lock.ts'
import type { TtwuQueueInputs } from '../../core/guest/rq-lock.ts'

const inp = (o: Partial<TtwuQueueInputs> = {}): TtwuQueueInputs => ({ guestVersion: '6.8', sameLlc: true, sameCpu: false, nrRunning: 1, wakeeOnCpu: false, ...o })

describe('ttwu_queue_cond() (kernel/sched/core.c): wake list IPI or the remote rq->lock', () => {
  it('across LLCs the wake-up is queued on the wake list at every version (3.3+)', () => {
    expect(ttwuQueueWakelist(inp({ guestVersion: '4.19', sameLlc: false }))).toBe(true)
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.8', sameLlc: false }))).toBe(true)
  })
  it('within an LLC before 5.8 the waker always takes the remote rq->lock', () => {
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.4', nrRunning: 0 }))).toBe(false)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.4', wakeeOnCpu: true, nrRunning: 1 }))).toBe(false)
  })
  it('5.8 (2ebb17717550): a wakee still descheduling on a CPU with at most one task goes on the wake list', () => {
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.8', wakeeOnCpu: true, nrRunning: 1 }))).toBe(true)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.8', wakeeOnCpu: true, nrRunning: 2 }))).toBe(false)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.15', nrRunning: 0 }))).toBe(false)
  })
  it('6.0 (f3dd3f674555): an idle wakee CPU too; a busy one still means the remote rq->lock', () => {
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.0', nrRunning: 0 }))).toBe(true)
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.8', nrRunning: 1 }))).toBe(false)
  })
  it('6.0 (28156108fecb): a descheduling wakee no longer goes on the wake list when another task runs there', () => {
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.19', wakeeOnCpu: true, nrRunning: 1 }))).toBe(true)
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.0', wakeeOnCpu: true, nrRunning: 1 }))).toBe(false)
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.0', wakeeOnCpu: true, nrRunning: 0 }))).toBe(true)
  })
  it('stable backports: 5.10.137 takes 28156108fecb only, 5.15.61 both', () => {
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.10.136', wakeeOnCpu: true, nrRunning: 1 }))).toBe(true)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.10.137', wakeeOnCpu: true, nrRunning: 1 }))).toBe(false)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.10.137', nrRunning: 0 }))).toBe(false)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.15.60', nrRunning: 0 }))).toBe(false)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.15.61', nrRunning: 0 }))).toBe(true)
    expect(ttwuQueueWakelist(inp({ guestVersion: '5.15.61', wakeeOnCpu: true, nrRunning: 1 }))).toBe(false)
  })
  it("never for the waker's own CPU within its LLC", () => {
    expect(ttwuQueueWakelist(inp({ sameCpu: true, nrRunning: 0 }))).toBe(false)
  })
})
