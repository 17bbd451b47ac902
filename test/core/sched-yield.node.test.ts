// yield() in the host's fair scheduler (do_sched_yield() → yield_task_fair() → schedule()), as the 2023 Woodhouse RFC's
// yield on an emulated MWAIT uses it, and the run queue's pick after it.
import { describe, it, expect } from 'vitest'
import { yieldKind, YieldKind, yieldTaskFair, skipBuddyGivesWay } from '../../core/host/sched-yield.ts'
import { fairParams } from '../../core/host/fair-sched.ts'
import { HostRunqueues } from '../../core/host/runqueues.ts'

describe('yield_task_fair() by host version', () => {
  it('CFS skip buddy before 6.6, EEVDF deadline push 6.6–6.18, forfeit from 6.19 (79104becf42b)', () => {
    expect(yieldKind('5.15')).toBe(YieldKind.CFS_SKIP)
    expect(yieldKind('6.5')).toBe(YieldKind.CFS_SKIP)
    expect(yieldKind('6.6')).toBe(YieldKind.EEVDF_DEADLINE)
    expect(yieldKind('6.18')).toBe(YieldKind.EEVDF_DEADLINE)
    expect(yieldKind('6.19')).toBe(YieldKind.EEVDF_FORFEIT)
  })
  it('EEVDF 6.6–6.18: se->deadline += slice, vruntime untouched, eligible or not', () => {
    const v = Float64Array.of(100), d = Float64Array.of(400)
    yieldTaskFair(YieldKind.EEVDF_DEADLINE, 0, v, d, 3_000, false)
    expect([v[0], d[0]]).toEqual([100, 3_400])
  })
  it('EEVDF 6.19+: an eligible yielder forfeits the rest of its slice (vruntime = deadline, deadline += slice)', () => {
    const v = Float64Array.of(100), d = Float64Array.of(400)
    yieldTaskFair(YieldKind.EEVDF_FORFEIT, 0, v, d, 3_000, true)
    expect([v[0], d[0]]).toEqual([400, 3_400])
    yieldTaskFair(YieldKind.EEVDF_FORFEIT, 0, v, d, 3_000, false)
    expect([v[0], d[0]]).toEqual([400, 3_400])
  })
  it('CFS pick_next_entity(): the skip buddy gives way to an entity at most wakeup_gran ahead', () => {
    expect(skipBuddyGivesWay(1_000, 2_000, 4_000)).toBe(true)
    expect(skipBuddyGivesWay(6_000, 2_000, 4_000)).toBe(true)
    expect(skipBuddyGivesWay(6_001, 2_000, 4_000)).toBe(false)
  })
})

/** A run queue on pCPU 0 with the yielder (thread 0) running and thread 1 waiting, at the given vruntimes. */
function queue(hostVersion: string, yielder: number, other: number): HostRunqueues {
  const rq = new HostRunqueues(2, 1, fairParams(hostVersion, 32), 1e6)
  rq.setCurr(0, 0, 0)
  rq.enqueueWaking(1, 0, 0, false)
  rq.vruntime[0] = yielder
  rq.vruntime[1] = other
  rq.deadline[0] = yielder + rq.p.minGranularityNs
  rq.deadline[1] = other + rq.p.minGranularityNs
  return rq
}

describe('HostRunqueues.yieldCurr(): schedule() after the yield', () => {
  it('alone on its pCPU: the yielder goes on (rq->nr_running == 1)', () => {
    const rq = new HostRunqueues(1, 1, fairParams('6.8', 32), 1e6)
    rq.setCurr(0, 0, 0)
    expect(rq.yieldCurr(0, 10, yieldKind('6.8'))).toBe(false)
    expect(rq.cur[0]).toBe(0)
  })
  it('CFS: a waiting thread behind in vruntime, or ahead by at most wakeup_gran, runs; the pick agrees after the requeue', () => {
    for (const other of [0, 3e6]) {
      const rq = queue('5.15', 1e6, other)
      expect(rq.yieldCurr(0, 0, YieldKind.CFS_SKIP)).toBe(true)
      rq.requeueCurr(0, 0)
      expect(rq.pick(0)).toBe(1)
      rq.setCurr(1, 0, 0)
      expect(rq.skip[0]).toBe(0) // the yielder stays the skip buddy until it is picked
    }
  })
  it('CFS: a thread more than wakeup_gran ahead does not; the yielder is picked again and the skip buddy cleared', () => {
    const rq = queue('5.15', 1e6, 1e6 + 4e6 + 1) // wakeup_gran = 4 ms on 8+ CPUs
    expect(rq.yieldCurr(0, 0, YieldKind.CFS_SKIP)).toBe(false)
    expect(rq.cur[0]).toBe(0)
    expect(rq.skip[0]).toBe(-1)
    expect(rq.nrQueued[0]).toBe(1)
  })
  it('EEVDF 6.6–6.18: with both eligible the pushed deadline lets the other run; an ineligible other does not', () => {
    const rq = queue('6.8', 1e6, 1e6)
    expect(rq.yieldCurr(0, 0, YieldKind.EEVDF_DEADLINE)).toBe(true)
    rq.requeueCurr(0, 0)
    expect(rq.pick(0)).toBe(1)
    // the other far ahead in vruntime: not eligible, so pick_eevdf() takes the yielder again (its deadline still moves)
    const rq2 = queue('6.8', 1e6, 9e6)
    const before = rq2.deadline[0]!
    expect(rq2.yieldCurr(0, 0, YieldKind.EEVDF_DEADLINE)).toBe(false)
    expect(rq2.deadline[0]).toBe(before + rq2.p.minGranularityNs)
    expect(rq2.cur[0]).toBe(0)
  })
  it('EEVDF 6.19+: the eligible yielder forfeits its vruntime to its deadline', () => {
    const rq = queue('6.19', 1e6, 1e6)
    const d = rq.deadline[0]!
    expect(rq.yieldCurr(0, 0, YieldKind.EEVDF_FORFEIT)).toBe(true)
    expect(rq.vruntime[0]).toBe(d)
  })
})
