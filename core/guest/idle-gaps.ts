// Idle gaps of a guest thread (the profile's vms[].contention.idleGaps): now and then the running thread sleeps briefly — a short
// nanosleep()/poll() timeout, hrtimer_nanosleep() → schedule() — and an hrtimer wakes it with the rest of its burst
// (guest-timers.ts armHrtimer()). Not inside an interrupt handler or a lock operation.
import { Ev, St, Work } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'

export class GuestIdleGaps {
  private readonly m: ModelCore
  private gsched!: Parts['gsched']
  private gtimers!: Parts['gtimers']
  private work!: Parts['work']

  constructor(m: ModelCore) {
    this.m = m
  }

  link(p: Parts): void {
    this.gsched = p.gsched
    this.gtimers = p.gtimers
    this.work = p.work
  }

  /** Ev.IDLE_GAP on vCPU g: its running thread sleeps until an hrtimer a random gap later; the next gap is scheduled. */
  onIdleGap(g: number): void {
    const m = this.m
    const v = m.vcpu
    const vm = m.vmSpec(g)
    const work = this.work
    m.engine.schedule(m.rng.exponential(1e9 / vm.idleGaps.perSec), Ev.IDLE_GAP, g)
    if (v.state[g] !== St.RUN || v.inIrq[g] || work.curKind[g] !== Work.THREAD || work.inLockOp(g)) return
    const tid = work.curArg[g]!
    work.suspendWork(g)
    const rem = work.curRem[g]!
    work.curKind[g] = Work.NONE
    work.curRem[g] = 0
    this.gsched.threadSleep(tid)
    this.gtimers.armHrtimer(g, m.engine.now + m.rng.exponential(vm.idleGaps.meanNs), tid, rem)
    work.dispatchNext(g)
  }
}
