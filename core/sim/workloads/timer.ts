// The timer workload (model.md §3; cyclictest-like): `threads` guest threads, thread i pinned to vCPU i (cyclictest
// -t -a), each looping on clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next): it arms a guest hrtimer for its next
// deadline — a TSC-deadline write (MSR_WRITE exit unless …) when that becomes the vCPU's earliest timer — and sleeps;
// its vCPU idles (HLT or MWAIT, halt polling, haltpoll, C-states). At the deadline the guest LAPIC timer fires on the
// path KVM emulates it with (hv timer, sw hrtimer, posted from a housekeeping CPU); the timer interrupt's
// hrtimer_wakeup() wakes the thread, which returns from the syscall and reads the clock: latency = now − deadline
// (what cyclictest prints as Avg/Max). Then next += interval (skipping missed periods as cyclictest does) and again.
// Output: wake-ups per second and the latency histogram.
// Simplifications: SCHED_FIFO priorities are not modelled (each thread is alone on its vCPU); at most one thread per
// vCPU; cyclictest's own bookkeeping is part of the clock_nanosleep entry cost.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { TimerSpec } from '../model-inputs.ts'
import { GuestWorkload } from './workload.ts'

/** The thread's burst: the return from clock_nanosleep() after a wake-up (ends with the measurement)… */
const WOKEN = 0
/** …or the bookkeeping and the clock_nanosleep() entry (ends with the hrtimer armed and the thread asleep). */
const ENTRY = 1

export class TimerWorkload extends GuestWorkload {
  readonly kind = 'timer'
  readonly unit = 'wake-ups'
  readonly w: TimerSpec
  firstThread = 0
  /** Each thread's absolute deadline. */
  readonly next: Float64Array
  readonly interval: Float64Array
  readonly phase: Int8Array

  constructor(m: GuestOps, v: number, w: TimerSpec) {
    super(m, v)
    this.w = w
    this.next = new Float64Array(w.threads)
    this.interval = new Float64Array(w.threads)
    this.phase = new Int8Array(w.threads)
  }

  override threadCount(): number {
    return this.w.threads
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const m = this.m
    const vm = m.inp.vms[this.v]!
    for (let i = 0; i < this.w.threads; i++) {
      const tid = firstThread + i
      this.interval[i] = this.w.intervalNs + i * this.w.distanceNs
      this.phase[i] = ENTRY
      m.startThread(tid, vm.firstVcpu + i, m.cost(CostId.guestNanosleepEntry))
      m.pinThread(tid)
    }
  }

  override threadBurstDone(g: number, tid: number): void {
    const m = this.m
    const i = tid - this.firstThread
    const now = m.engine.now
    if (this.phase[i] === WOKEN) {
      // clock_gettime() after the wake-up: the latency of this period
      m.complete(this.v, now - this.next[i]!)
      const iv = this.interval[i]!
      this.next[i]! += iv
      while (this.next[i]! <= now) this.next[i]! += iv
      this.phase[i] = ENTRY
      m.threadContinue(tid, m.cost(CostId.guestNanosleepEntry))
      return
    }
    // the first period starts from the clock read before the first clock_nanosleep()
    if (this.next[i] === 0) this.next[i] = now + this.interval[i]!
    this.phase[i] = WOKEN
    m.armHrtimer(g, this.next[i]!, tid, m.cost(CostId.guestNanosleepExit))
    m.threadSleep(tid)
  }
}
