// The timer workload (model.md §3; cyclictest-like): `threads` guest threads, thread i pinned to vCPU i (cyclictest
// -t -a), each looping on clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next): it arms a guest hrtimer for its next
// deadline — a TSC-deadline write (MSR_WRITE exit unless …) when that becomes the vCPU's earliest timer — and sleeps;
// its vCPU idles (HLT or MWAIT, halt polling, haltpoll, C-states). At the deadline the guest LAPIC timer fires on the
// path KVM emulates it with (hv timer, sw hrtimer, posted from a housekeeping CPU); the timer interrupt's
// hrtimer_wakeup() wakes the thread, which returns from the syscall and reads the clock: latency = now − deadline
// (what cyclictest prints as Avg/Max). Then next += interval (skipping missed periods as cyclictest does) and again.
// Output: wake-ups per second and the latency histogram, and cyclictest's own lines per thread,
// "T: 0 ( 1234) P: 0 I:1000 C:   1000 Min:      2 Act:    3 Avg:    3 Max:      20" (µs; the TID is the guest thread's
// number in the model).
// Simplifications: SCHED_FIFO priorities are not modelled (each thread is alone on its vCPU); at most one thread per
// vCPU; cyclictest's own bookkeeping is part of the clock_nanosleep entry cost.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { TimerSpec } from '../model-inputs.ts'
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import { OpStats } from './op-stats.ts'
import type { WorkloadBenchmark } from '../../result.ts'

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
  /** Per thread, each period's latency in µs (printed truncated to whole µs, as cyclictest's calcdiff() gives them). */
  readonly stats: OpStats

  constructor(m: GuestOps, v: number, w: TimerSpec) {
    super(m, v)
    this.w = w
    this.stats = new OpStats(w.threads, m.inp.warmupNs)
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

  /** cyclictest's bursts are clock_nanosleep() (hrtimer_nanosleep() up to schedule()) and its return to user space:
   *  guest kernel code (get_cpl() == 0 in kvm_arch_vcpu_put()); the vDSO clock_gettime() and the statistics update
   *  in user space are a few hundred instructions (estimate), not told apart. */
  override threadInKernel(): boolean {
    return true
  }

  override threadBurstDone(g: number, tid: number): void {
    const m = this.m
    const i = tid - this.firstThread
    const now = m.engine.now
    if (this.phase[i] === WOKEN) {
      // clock_gettime() after the wake-up: the latency of this period
      m.complete(this.v, now - this.next[i]!)
      this.stats.record(i, (now - this.next[i]!) / 1000, now)
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

  /** cyclictest's print_stat() line per thread: "T:%2d (%5d) P:%2d I:%ld C:%7lu Min:%7ld Act:%5ld Avg:%5ld Max:%8ld"
   *  (whole µs), from figures per thread (`T<n> C`, `T<n> Min`, `T<n> Act`, `T<n> Avg`, `T<n> Max`); and the figures Min, Avg
   *  and Max over all threads. All in µs to the ns. */
  override benchmark(): WorkloadBenchmark {
    const out = new BenchmarkPrintout()
    const s = this.stats
    for (let i = 0; i < this.w.threads; i++) {
      const n = s.count[i]!
      const f = (what: string, unit: string, value: number): string => out.figure(`T${i} ${what}`, unit, value)
      out.line('T:%2d (%5d) P:%2d I:%ld C:%7lu Min:%7ld Act:%5ld Avg:%5ld Max:%8ld', i, this.firstThread + i, this.w.priority, Math.round(this.interval[i]! / 1000),
        f('C', 'loops', n), f('Min', 'µs', r3(n ? s.min[i]! : 0)), f('Act', 'µs', r3(s.last[i]!)), f('Avg', 'µs', r3(s.mean(i))), f('Max', 'µs', r3(s.max[i]!)))
    }
    const t = s.total()
    out.figure('Min', 'µs', r3(t.min))
    out.figure('Avg', 'µs', r3(t.mean))
    out.figure('Max', 'µs', r3(t.max))
    return out
  }
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000
