// The guest's fair-class decisions per guest kernel version (core/guest/guest-fair.ts, and the guest's cfs_rq kept by
// HostRunqueues), each against the kernel function it mirrors: kernel/sched/fair.c (CFS before v6.6, EEVDF from
// v6.6), kernel/sched/core.c resched_curr(), kernel/sched/idle.c / mwait_idle_with_hints() for TIF_POLLING_NRFLAG.
import { describe, it, expect } from 'vitest'
import { guestFairParams, checkPreemptTick, updateDeadlineResched, tickPreempts, reschedCurr, Resched, tifPollingNrflag } from '../../core/guest/guest-fair.ts'
import { HostRunqueues } from '../../core/host/runqueues.ts'
import { wakeupPreempts as hostWakeupPreempts } from '../../core/host/fair-sched.ts'
import { selectTaskRqFair } from '../../core/guest/select-idle.ts'
import type { RqView, SchedTopology } from '../../core/guest/select-idle.ts'
import { St } from '../../core/sim/constants.ts'

const MS = 1e6
const TICK = 1e6 // HZ=1000

describe('guestFairParams(): the guest\'s sched_init_granularity() over its vCPUs', () => {
  it('a 5.15 guest runs CFS, a 6.6 guest EEVDF (147f3efaa241)', () => {
    const eras = ['5.15', '6.5', '6.6', '6.8'].map((v) => guestFairParams(v, 4).era)
    expect(eras).toEqual(['cfs', 'cfs', 'eevdf', 'eevdf'])
  })
  it('the tunables scale by 1 + ilog2(min(vCPUs, 8)) of the guest, not of the host', () => {
    // 4 vCPUs: factor 3 — sched_latency 18 ms, min_granularity / base_slice 2.25 ms, wakeup_granularity 3 ms
    const p4 = guestFairParams('5.15', 4)
    expect([p4.latencyNs, p4.minGranularityNs, p4.wakeupGranularityNs]).toEqual([18 * MS, 2.25 * MS, 3 * MS])
    // 1 vCPU: factor 1 — the defaults 6 / 0.75 / 1 ms; 64 vCPUs: capped at 8 CPUs, factor 4
    expect(guestFairParams('6.8', 1).minGranularityNs).toBe(0.75 * MS)
    expect(guestFairParams('6.8', 64).minGranularityNs).toBe(3 * MS)
  })
})

describe('check_preempt_tick() (CFS entity_tick() with cfs_rq->nr_running > 1)', () => {
  const p = guestFairParams('5.15', 4) // period 18 ms; 2 runnable ⇒ ideal_runtime 9 ms, min_granularity 2.25 ms
  it('resched once curr ran more than its ideal slice (sched_slice()) since it was picked', () => {
    expect(checkPreemptTick(p, 2, 9.1 * MS, 0, 0)).toBe(true)
    expect(checkPreemptTick(p, 2, 8.9 * MS, 0, 0)).toBe(false)
    // 3 runnable: 6 ms slices
    expect(checkPreemptTick(p, 3, 6.1 * MS, 0, 0)).toBe(true)
  })
  it('after min_granularity, also when curr leads the leftmost by more than ideal_runtime; never before it', () => {
    expect(checkPreemptTick(p, 2, 3 * MS, 20 * MS, 10 * MS)).toBe(true)
    expect(checkPreemptTick(p, 2, 3 * MS, 15 * MS, 10 * MS)).toBe(false)
    expect(checkPreemptTick(p, 2, 2 * MS, 20 * MS, 10 * MS)).toBe(false)
  })
  it('alone on its runqueue curr is never rescheduled', () => {
    expect(checkPreemptTick(p, 1, 100 * MS, 0, Infinity)).toBe(false)
  })
})

describe('update_deadline() (EEVDF, from update_curr())', () => {
  it('resched_curr() when the deadline was reached and another entity is queued', () => {
    expect(updateDeadlineResched(true, 2)).toBe(true)
    expect(updateDeadlineResched(true, 1)).toBe(false)
    expect(updateDeadlineResched(false, 5)).toBe(false)
  })
  it('tickPreempts(): the era decides which check runs', () => {
    const cfs = guestFairParams('6.1', 4)
    const eevdf = guestFairParams('6.6', 4)
    // 10 ms run with 2 runnable: CFS's 9 ms slice is over; EEVDF only looks at the deadline
    expect(tickPreempts(cfs, 2, 10 * MS, 0, 0, false)).toBe(true)
    expect(tickPreempts(eevdf, 2, 10 * MS, 0, 0, false)).toBe(false)
    expect(tickPreempts(eevdf, 2, 0.1 * MS, 0, 0, true)).toBe(true)
  })
})

describe('resched_curr() (kernel/sched/core.c) with set_nr_and_not_polling()', () => {
  it('test_tsk_need_resched(curr): already set — no second IPI', () => {
    expect(reschedCurr(3, 1, true, false)).toBe(Resched.ALREADY)
  })
  it('cpu == smp_processor_id(): set_tsk_need_resched() locally, no IPI', () => {
    expect(reschedCurr(1, 1, false, false)).toBe(Resched.LOCAL)
  })
  it('a remote target polling with TIF_POLLING_NRFLAG gets no IPI (trace_sched_wake_idle_without_ipi())', () => {
    expect(reschedCurr(3, 1, false, true)).toBe(Resched.POLLING)
  })
  it('any other remote target: smp_send_reschedule()', () => {
    expect(reschedCurr(3, 1, false, false)).toBe(Resched.IPI)
  })
})

describe('TIF_POLLING_NRFLAG of the guest idle task', () => {
  it('set while polling: idle=poll (cpu_idle_poll()) and cpuidle-haltpoll\'s poll_idle() window', () => {
    expect(tifPollingNrflag(St.GUEST_POLL, true, false)).toBe(true)
  })
  it('set across MWAIT passed through (mwait_idle_with_hints() monitors the flags word): the store wakes it', () => {
    expect(tifPollingNrflag(St.GUEST_HLT, true, true)).toBe(true)
  })
  it('cleared before HLT (default_idle_call() → current_clr_polling_and_test())', () => {
    expect(tifPollingNrflag(St.GUEST_HLT, true, false)).toBe(false)
  })
  it('never for a vCPU running a task, nor for an idle one outside guest mode', () => {
    expect(tifPollingNrflag(St.GUEST_POLL, false, false)).toBe(false)
    expect(tifPollingNrflag(St.BLOCKED, true, false)).toBe(false)
    expect(tifPollingNrflag(St.EXIT, true, true)).toBe(false)
  })
})

/** One vCPU's guest cfs_rq (thread 0 runs from vruntime 0, thread 1 wakes with its own vruntime and, for EEVDF, the
 *  lag it kept at sleep): whether the wakee preempts, per guest version. */
function wakeupPreempts(version: string, currRanNs: number, wakeeVruntime: number, wakeeLag = 0): boolean {
  const q = new HostRunqueues(2, 1, guestFairParams(version, 4), TICK)
  q.setCurr(0, 0, 0)
  q.updateCurr(0, currRanNs)
  q.vruntime[1] = wakeeVruntime
  q.lag[1] = wakeeLag
  return q.enqueueWaking(1, 0, currRanNs, false)
}

describe('wake-up preemption per guest version', () => {
  it('CFS check_preempt_wakeup() → wakeup_preempt_entity(): only a lead of more than wakeup_gran (3 ms on 4 vCPUs)', () => {
    // curr ran 2 ms from vruntime 0; a wakee at vruntime 0 trails by 2 ms < 3 ms: no preemption
    expect(wakeupPreempts('5.15', 2 * MS, 0)).toBe(false)
    // curr ran 5 ms: the lead is 5 ms > 3 ms — the wakee preempts
    expect(wakeupPreempts('5.15', 5 * MS, 0)).toBe(true)
  })
  it('CFS place_entity(): a long sleeper is credited at most sched_latency/2 (9 ms), and preempts', () => {
    expect(wakeupPreempts('6.1', 1 * MS, -1000 * MS)).toBe(true)
  })
  it('EEVDF check_preempt_wakeup_fair() → pick_eevdf(): a wakee owed service (positive lag) takes the vCPU', () => {
    // placed at avg_vruntime − 2 × lag: eligible with the earlier deadline, curr no longer eligible
    expect(wakeupPreempts('6.8', 2.5 * MS, 0, 1 * MS)).toBe(true)
  })
  it('EEVDF: a wakee with lag 0 lands on avg_vruntime and ties curr\'s deadline: pick_eevdf() keeps curr', () => {
    expect(wakeupPreempts('6.8', 5 * MS, 0, 0)).toBe(false)
  })
  it('the same sleeper decides differently per era: CFS by vruntime lead, EEVDF by lag', () => {
    // it ran 5 ms less than curr and slept with lag 0: CFS preempts (5 ms > wakeup_gran), EEVDF does not
    expect(wakeupPreempts('6.5', 5 * MS, 0, 0)).toBe(true)
    expect(wakeupPreempts('6.6', 5 * MS, 0, 0)).toBe(false)
  })
  it('EEVDF RUN_TO_PARITY (63304558ba5d, 6.6): an eligible curr keeps its slice until its deadline', () => {
    // curr picked at 1 ms (deadline 3.25 ms), ran 0.5 ms; the wakee at 0.5 ms has deadline 2.75 ms; a third entity at
    // 6 ms lifts avg_vruntime so that both are eligible
    const p = guestFairParams('6.6', 4)
    const inputs = { currVruntime: 1.5 * MS, currDeadline: 3.25 * MS, avgVruntime: (1.5 + 0.5 + 6) / 3 * MS, wokenVruntime: 0.5 * MS, wokenDeadline: 2.75 * MS, othersBestDeadline: Infinity }
    expect(hostWakeupPreempts(p, { ...inputs, currProtected: true })).toBe(false)
    expect(hostWakeupPreempts(p, { ...inputs, currProtected: false })).toBe(true)
  })
})

describe('sync wake-ups (WF_SYNC): select_task_rq_fair() → wake_affine_idle(), the same in every modelled guest', () => {
  const topo: SchedTopology = { first: 0, nrCpus: 4, llcSize: 4 }
  const rqOf = (nr: number[]): RqView => ({ nrRunning: Int32Array.from(nr), preempted: new Uint8Array(4) })
  it('a sync wake-up from a vCPU running only the waker, prev busy: the wakee goes to the waker\'s vCPU', () => {
    // prev (2) runs a thread, every other vCPU busy; waker on vCPU 0 runs alone
    expect(selectTaskRqFair(1, 2, 0, true, 0, topo, rqOf([1, 1, 1, 1]), new Int32Array(4).fill(-1))).toBe(0)
  })
  it('without WF_SYNC the weight comparison keeps it on prev (wake_affine_weight())', () => {
    expect(selectTaskRqFair(1, 2, 0, false, 0, topo, rqOf([1, 1, 1, 1]), new Int32Array(4).fill(-1))).toBe(2)
  })
  it('an idle prev keeps the wakee even on a sync wake-up (available_idle_cpu(prev))', () => {
    expect(selectTaskRqFair(1, 2, 0, true, 0, topo, rqOf([1, 1, 0, 1]), new Int32Array(4).fill(-1))).toBe(2)
  })
})
