// The wake list's IPI (kernel/sched/core.c __ttwu_queue_wakelist() → kernel/smp.c __smp_call_single_queue(), guest
// ≥ 5.8; ttwu_queue_remote() before): the waker IPIs the target only when its llist_add() found the list empty — a
// later wake-up rides on the IPI already coming, whose handler takes the whole list. From 5.8 (a148866489fb "sched:
// Replace rq::wake_list") the list is the CPU's call_single_queue, shared with the call-function csds, so a pending csd
// carries a wake-up and the other way round; before, rq->wake_list is its own list. The rule on its own, then the real
// model: a fork-join guest in two LLCs (vCPUs 0–1 and 2–3), a waker on vCPU 0 and two sleeping threads whose last CPU is
// the idle vCPU 3 (pinned there, as a thread of `taskset`), woken through try_to_wake_up() as the workloads call it.
import { describe, it, expect } from 'vitest'
import { wakelistAddIpis, wakelistOnCallSingleQueue } from '../../core/guest/rq-lock.ts'
import { loadProfile } from '../../core/index.ts'
import type { HostModel } from '../../core/sim/host-model.ts'
import { St, Thr } from '../../core/sim/constants.ts'
import { IPI_TLB, IPI_MULTI } from '../../core/kvm/irq-delivery.ts'
import { startedModel } from '../helpers/model-runs.ts'
import { workloadProfile } from '../helpers/workload-runs.ts'

describe('the wake list\'s IPI rule per guest version', () => {
  it('the wake list is the call_single_queue from 5.8 (a148866489fb), rq->wake_list before', () => {
    expect(wakelistOnCallSingleQueue('4.19')).toBe(false)
    expect(wakelistOnCallSingleQueue('5.7')).toBe(false)
    expect(wakelistOnCallSingleQueue('5.8')).toBe(true)
    expect(wakelistOnCallSingleQueue('6.8')).toBe(true)
  })
  it('two wake-ups queued to one CPU: the first llist_add() finds the list empty and IPIs, the second does not — at every version', () => {
    for (const shared of [false, true]) {
      expect(wakelistAddIpis(shared, 0, 0)).toBe(true)
      expect(wakelistAddIpis(shared, 1, 0)).toBe(false)
    }
  })
  it('a csd still queued on the target carries the wake-up from 5.8 only (one list); before, the wake list IPIs on its own', () => {
    expect(wakelistAddIpis(true, 0, 1)).toBe(false)
    expect(wakelistAddIpis(false, 0, 1)).toBe(true)
  })
})

const TARGET = 3
const WAKER = 0
const CSD_SENDER = 1

interface Scene { m: HostModel; sleepers: number[]; ipisTo: () => number }

/** The model of a 4-vCPU guest of `guestVersion` in two LLCs, run until vCPU 3 is idle in HLT (nothing queued, no
 *  interrupt pending) — or with `targetBusy` runs one thread with TIF_NEED_RESCHED clear — while two threads sleep and vCPU 1 can call smp_call_function_many(); then the two sleepers are
 *  pinned to vCPU 3 as their last CPU. `ipisTo()` counts the IPIs queued for vCPU 3 from then on. */
function scene(guestVersion: string, guestTopology = { sockets: 2, cores: 2, threads: 1 }, targetBusy = false): Scene {
  const profile = workloadProfile({ kind: 'fork-join', threads: 4, workNs: 300e3, workSigma: 0.8, spinNs: 0 }, { hlt: {} },
    { guestTopology, guest: { kernelVersion: guestVersion } })
  const r = loadProfile(profile)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  const m = startedModel(r.profile, 'hlt', 0.05)
  const gs = m.gsched
  const sleeping = (): number[] => [0, 1, 2, 3].filter((t) => gs.threadSleeping(t))
  const targetReady = (): boolean => targetBusy
    ? m.rq.nrRunning[TARGET] === 1 && m.vcpu.state[TARGET] === St.RUN && !m.gsched.needResched[TARGET]
    : m.rq.nrRunning[TARGET] === 0 && m.vcpu.state[TARGET] !== St.RUN && !m.idle.pollingInIdle(TARGET)
  const ready = (): boolean => targetReady() && m.rqlock.wakeListed[TARGET] === 0 && m.vcpu.pendIrq[TARGET] === 0 &&
    m.csd.canCall(CSD_SENDER) && sleeping().length >= 2
  for (let t = 1e3; !ready(); t += 1e3) {
    if (t > m.endNs) throw new Error(`guest ${guestVersion}: no moment with vCPU ${TARGET} idle and two threads asleep`)
    m.engine.run({ until: t })
  }
  const sleepers = sleeping().slice(0, 2)
  for (const t of sleepers) { gs.thrCpu[t] = TARGET; gs.pinThread(t) }
  let ipis = 0
  const queueIpi = m.irq.queueIpi.bind(m.irq)
  m.irq.queueIpi = (g: number, entry: number): void => {
    if ((entry & ~(IPI_TLB | IPI_MULTI)) === TARGET) ipis++
    queueIpi(g, entry)
  }
  return { m, sleepers, ipisTo: () => ipis }
}

const wake = (s: Scene, k: number): number => s.m.gsched.wakeThread(s.sleepers[k]!, WAKER, false, -1, 50e3)
const callFunction = (s: Scene): number => s.m.csd.smpCallFunctionMany(CSD_SENDER, Int32Array.of(TARGET), 1, true, true)

describe('two wake-ups queued to one idle vCPU before it runs make one IPI (the model, across LLCs: the wake list at every version)', () => {
  for (const version of ['4.19', '5.4', '5.10', '6.8']) {
    it(`guest ${version}: the first wake-up IPIs vCPU ${TARGET}, the second rides on it; the IPI's handler takes both and both run`, () => {
      const s = scene(version)
      wake(s, 0)
      expect(s.ipisTo()).toBe(1)
      wake(s, 1)
      expect(s.ipisTo()).toBe(1)
      expect(s.m.rqlock.wakeListed[TARGET]).toBe(2)
      s.m.engine.run({ until: s.m.engine.now + 200e3 })
      expect(s.m.rqlock.wakeListed[TARGET]).toBe(0)
      // both ran there (a wakee still RUNNABLE would be one the IPI left behind)
      for (const t of s.sleepers) expect(s.m.gsched.thrState[t]).not.toBe(Thr.RUNNABLE)
    })
  }
  it('guest 6.8 inside one LLC: the second wake-up also goes to the wake list (ttwu_queue_cond() reads nr_running 0: the first is not enqueued yet), not through a remote rq->lock, and sends no IPI', () => {
    const s = scene('6.8', { sockets: 1, cores: 4, threads: 1 })
    wake(s, 0)
    wake(s, 1)
    expect(s.ipisTo()).toBe(1)
    expect(s.m.rqlock.wakeListed[TARGET]).toBe(2)
  })
})

describe('a busy vCPU: the wake list IPIs it whether or not the wakee preempts', () => {
  // resched_curr() alone would send nothing to a busy target its wakee does not preempt; the wake list's entry needs
  // the target's handler (sched_ttwu_pending()) all the same
  for (const version of ['5.4', '6.8']) {
    it(`guest ${version}: one IPI for the first wake-up queued on vCPU ${TARGET} while it runs a thread, none for the second`, () => {
      const s = scene(version, undefined, true)
      wake(s, 0)
      expect(s.ipisTo()).toBe(1)
      wake(s, 1)
      expect(s.ipisTo()).toBe(1)
      expect(s.m.rqlock.wakeListed[TARGET]).toBe(2)
    })
  }
})

describe('the wake list and the call-function csds: one call_single_queue from 5.8, two lists before', () => {
  it('a csd queued first carries the wake-up from 5.8; a 5.4 guest sends the wake list its own IPI', () => {
    const shared = scene('6.8')
    callFunction(shared)
    expect(shared.ipisTo()).toBe(1)
    wake(shared, 0)
    expect(shared.ipisTo()).toBe(1)
    const own = scene('5.4')
    callFunction(own)
    expect(own.ipisTo()).toBe(1)
    wake(own, 0)
    expect(own.ipisTo()).toBe(2)
  })
  it('a wake-up queued first carries the csd from 5.8 (smp_call_function_many() IPIs only targets whose queue was empty); not before', () => {
    const shared = scene('6.8')
    wake(shared, 0)
    callFunction(shared)
    expect(shared.ipisTo()).toBe(1)
    const own = scene('5.4')
    wake(own, 0)
    callFunction(own)
    expect(own.ipisTo()).toBe(2)
  })
})
