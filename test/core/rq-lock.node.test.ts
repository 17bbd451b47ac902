import { describe, it, expect } from 'vitest'
import { ttwuQueueWakelist, ttwuQueueEra, ttwuQueueCond, TtwuEra, wakelistTo } from '../../core/guest/rq-lock.ts'
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
  it('6.0 (28156108fecb + f3dd3f674555): an idle wakee CPU (nr_running 0), descheduling wakee or not; a busy one still means the remote rq->lock', () => {
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.0', nrRunning: 0 }))).toBe(true)
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.8', nrRunning: 1 }))).toBe(false)
    // WF_ON_CPU no longer lets a CPU with one task take the wake list: the wakee is already out of nr_running
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.0', wakeeOnCpu: true, nrRunning: 1 }))).toBe(false)
    expect(ttwuQueueWakelist(inp({ guestVersion: '6.0', wakeeOnCpu: true, nrRunning: 0 }))).toBe(true)
  })
  it('cpus_share_cache() from the VM topology: two 4-vCPU LLC domains — across them the wake list at any version, inside them the version rule', () => {
    const t = { first: 8, nrCpus: 8, llcSize: 4 }
    expect(wakelistTo(t, 12, 9, TtwuEra.CROSS_LLC, 3, false)).toBe(true)
    expect(wakelistTo(t, 10, 9, TtwuEra.CROSS_LLC, 0, false)).toBe(false)
    expect(wakelistTo(t, 10, 9, TtwuEra.IDLE_CPU, 0, false)).toBe(true)
    expect(wakelistTo(t, 9, 9, TtwuEra.IDLE_CPU, 0, false)).toBe(false)
  })
  it('the era resolved once per VM gives the same answers as the version (ttwuQueueEra() → ttwuQueueCond())', () => {
    expect(ttwuQueueEra('5.4')).toBe(TtwuEra.CROSS_LLC)
    expect(ttwuQueueEra('5.8')).toBe(TtwuEra.ON_CPU)
    expect(ttwuQueueEra('5.19')).toBe(TtwuEra.ON_CPU)
    expect(ttwuQueueEra('6.0')).toBe(TtwuEra.IDLE_CPU)
    expect(ttwuQueueCond(TtwuEra.ON_CPU, true, false, 1, true)).toBe(true)
    expect(ttwuQueueCond(TtwuEra.IDLE_CPU, false, false, 3, false)).toBe(true)
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
