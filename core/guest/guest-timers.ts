// The guest kernel's timers on one vCPU (kernel/time/: the tick, hrtimers, clockevents on the LAPIC TSC-deadline
// timer): the periodic tick (stopped in idle by tick_nohz_idle_stop_tick() unless periodic), the kernel's background
// timers, and armed hrtimers — a sleeper's expiry (hrtimer_wakeup()) wakes its thread from the timer interrupt.
// Whenever the earliest expiry moves, the guest reprograms the deadline (clockevents_program_event() → a
// TSC-deadline MSR write: an exit, then KVM's LAPIC timer).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Act, After, Irq } from '../sim/constants.ts'
import type { ModelCore, Parts, GuestTimers as GuestTimersPart } from '../sim/model-parts.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

/** Where in guestTimerIrq (interrupt entry, hrtimer_interrupt(), irq_exit()) hrtimer_update_base() reads the clock:
 *  estimate — after the IDT vectoring, irq_enter() and the base lock, before the queues run, the reprogram and irq_exit();
 *  taken as half the handler's time. */
const HRTIMER_CLOCK_READ_SHARE = 0.5

export class GuestTimers implements GuestTimersPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private gsched!: Parts['gsched']
  private run!: Parts['run']
  private timer!: Parts['timer']
  private work!: Parts['work']
  readonly tickRunning: Uint8Array
  readonly tickNext: Float64Array
  /** Next guest-kernel housekeeping timer per vCPU (Infinity when none). */
  readonly bgNext: Float64Array
  /** Armed hrtimers per vCPU (unordered, `hrtCap` slots each; the slots double when one vCPU needs more): expiry, the
   *  thread its expiry wakes (−1: none) and that thread's next burst. */
  private hrt: Float64Array
  private hrtThr: Int32Array
  private hrtBurst: Float64Array
  private hrtCap = 16
  readonly hrtCount: Int32Array
  /** The pending reprogram is hrtimer_interrupt()'s own (the timer interrupt ran since the last reprogram). */
  private readonly inTimerIrq: Uint8Array
  /** A workload's own deadline that counts from the guest's next TSC-deadline write (armTimerFnAtWrite(): kvm-unit-tests'
   *  wrmsr(MSR_IA32_TSCDEADLINE, rdtsc() + delta)) — its delta (−1: none pending) and the workload's timer `arg`. */
  private readonly atWriteDelta: Float64Array
  private readonly atWriteArg: Int32Array

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
    const nV = m.nV
    this.tickRunning = new Uint8Array(nV)
    this.tickNext = new Float64Array(nV)
    this.bgNext = new Float64Array(nV).fill(Infinity)
    this.hrt = new Float64Array(nV * this.hrtCap)
    this.hrtThr = new Int32Array(nV * this.hrtCap)
    this.hrtBurst = new Float64Array(nV * this.hrtCap)
    this.hrtCount = new Int32Array(nV)
    this.inTimerIrq = new Uint8Array(nV)
    this.atWriteDelta = new Float64Array(nV).fill(-1)
    this.atWriteArg = new Int32Array(nV)
  }

  link(p: Parts): void {
    this.gsched = p.gsched
    this.run = p.run
    this.timer = p.timer
    this.work = p.work
  }

  /** At time 0: the tick runs (its phase is random), the background timers start; the first deadline is programmed. */
  start(g: number): void {
    const vm = this.m.vmSpec(g)
    const rng = this.m.rng
    this.tickRunning[g] = 1
    const period = 1e9 / vm.guestHz
    this.tickNext[g] = Math.floor(rng.uniform() * period) + 1
    if (vm.guestBackgroundTimersPerSec > 0) this.bgNext[g] = rng.exponential(1e9 / vm.guestBackgroundTimersPerSec)
    this.timer.programTimer(g, this.tickNext[g]!)
  }

  /** The guest's LAPIC timer interrupt (hrtimer_interrupt()): the tick if due, background timers, expired hrtimers
   *  (a sleeper's wake-up runs here). Returns its guest CPU time. */
  timerIrqWork(g: number): number {
    const m = this.m
    this.inTimerIrq[g] = 1
    let ns = m.cost(CostId.guestTimerIrq)
    // hrtimer_interrupt() reads the clock (hrtimer_update_base()) after the interrupt entry: a timer that expires by
    // then runs in this pass
    const now = m.engine.now + ns * HRTIMER_CLOCK_READ_SHARE
    const vm = m.vmSpec(g)
    if (this.tickRunning[g] && this.tickNext[g]! <= now + 1) {
      const period = 1e9 / vm.guestHz
      while (this.tickNext[g]! <= now + 1) this.tickNext[g]! += period
      ns += m.cost(CostId.guestTickHandler)
      this.gsched.schedulerTick(g)
    }
    if (this.bgNext[g]! <= now + 1) this.bgNext[g] = now + m.rng.exponential(1e9 / vm.guestBackgroundTimersPerSec)
    const base = g * this.hrtCap
    let n = this.hrtCount[g]!
    for (let i = 0; i < n; ) {
      const k = base + i
      if (this.hrt[k]! <= now + 1) {
        const tid = this.hrtThr[k]!
        const burst = this.hrtBurst[k]!
        const last = base + n - 1
        this.hrt[k] = this.hrt[last]!
        this.hrtThr[k] = this.hrtThr[last]!
        this.hrtBurst[k] = this.hrtBurst[last]!
        n--
        this.hrtCount[g] = n
        if (tid >= 0) ns += this.gsched.wakeThread(tid, g, false, -1, burst)
        else if (tid < -1) ns += m.workloads[this.v.vmOf[g]!]!.timerFn(g, -2 - tid)
      } else i++
    }
    return ns
  }

  /** The earliest expiry among the tick (while it runs), the background timers and the armed hrtimers. */
  nextGuestTimer(g: number): number {
    const t = this.nextTimerEvent(g)
    return this.tickRunning[g] && this.tickNext[g]! < t ? this.tickNext[g]! : t
  }

  /** The earliest expiry but the tick's (tick_nohz_next_event()'s next timer; Infinity when none). */
  nextTimerEvent(g: number): number {
    let t = this.bgNext[g]!
    const base = g * this.hrtCap
    for (let i = 0, n = this.hrtCount[g]!; i < n; i++) if (this.hrt[base + i]! < t) t = this.hrt[base + i]!
    return t
  }

  /** Act.REPROGRAM: the guest writes the new earliest expiry to the TSC-deadline MSR (an exit) unless it is unchanged. */
  reprogram(g: number): void {
    // the rdtsc() of a deadline counted from this write is now: the write's exit starts after the guest work before it
    if (this.atWriteDelta[g]! >= 0) {
      this.addHrtimer(g, this.m.engine.now + this.atWriteDelta[g]!, -2 - this.atWriteArg[g]!, 0)
      this.atWriteDelta[g] = -1
    }
    const want = this.nextGuestTimer(g)
    if (want === this.timer.deadline[g]) { this.work.dispatchNext(g); return }
    const inIrq = this.inTimerIrq[g] === 1
    this.inTimerIrq[g] = 0
    if (inIrq && want <= this.m.engine.now && !this.rawDeadlineDue(g)) {
      // hrtimer_interrupt(): the next expiry passed while the handler ran (an interrupt that came early, or a long
      // handler): tick_program_event(…, 0) → clockevents_program_event() returns -ETIME and the handler retries
      // __hrtimer_run_queues() without writing the deadline. Outside the interrupt hrtimer_reprogram() forces the write
      // (tick_program_event(…, 1): the minimum delta)
      this.v.pendIrq[g]! |= Irq.TIMER
      this.work.dispatchNext(g)
      return
    }
    // the exit's cost as the timer path takes it (sampled before programTimer() re-arms the timer)
    const ns = this.timer.msrWriteNs(g)
    this.timer.programTimer(g, want)
    this.run.beginExit(g, ExitReason.MSR_WRITE, this.m.causeIds.tscWrite, ns, After.ENTRY)
  }

  /** A workload's own timer (armTimerFn(): kvm-unit-tests' wrmsr(MSR_IA32_TSCDEADLINE) — no clockevents, no -ETIME
   *  retry) is due: its deadline is written even when already past (tscdeadline_immed). */
  private rawDeadlineDue(g: number): boolean {
    const now = this.m.engine.now
    const base = g * this.hrtCap
    for (let i = 0, n = this.hrtCount[g]!; i < n; i++) if (this.hrtThr[base + i]! < -1 && this.hrt[base + i]! <= now) return true
    return false
  }

  /** A guest hrtimer armed on vCPU g at absolute time t (a reprogram when it becomes the earliest). With `wakeTid`
   *  ≥ 0 it is a sleeper's timer (hrtimer_nanosleep(): hrtimer_wakeup() on expiry): the timer interrupt that expires it
   *  wakes that thread with `wakeBurstNs` as its next burst. With `wakeTid` ≤ −2 it is the workload's own hrtimer
   *  −2 − wakeTid: its expiry calls the workload's timerFn() (an hrtimer callback in hardirq context). */
  armHrtimer(g: number, t: number, wakeTid: number, wakeBurstNs: number): void {
    this.addHrtimer(g, t, wakeTid, wakeBurstNs)
    if (t < this.timer.deadline[g]!) this.v.actions[g]! |= Act.REPROGRAM
  }

  private addHrtimer(g: number, t: number, wakeTid: number, wakeBurstNs: number): void {
    const n = this.hrtCount[g]!
    if (n >= this.hrtCap) this.grow()
    const k = g * this.hrtCap + n
    this.hrt[k] = t
    this.hrtThr[k] = wakeTid
    this.hrtBurst[k] = wakeBurstNs
    this.hrtCount[g] = n + 1
  }

  /** The workload's own hrtimer `arg` on vCPU g, due `deltaNs` after the guest's next TSC-deadline write (the loop's
   *  rdtsc() right before its wrmsr): resolved when reprogram() writes. */
  armTimerFnAtWrite(g: number, deltaNs: number, arg: number): void {
    this.atWriteDelta[g] = deltaNs
    this.atWriteArg[g] = arg
    // from the timer's own handler the write comes at its end (hrtimer_interrupt()'s reprogram, irq_exit()); else now
    if (!this.inTimerIrq[g]) this.v.actions[g]! |= Act.REPROGRAM
  }

  /** Doubles the hrtimer slots of every vCPU (rare: a vCPU with more armed timers than ever before). */
  private grow(): void {
    const old = this.hrtCap
    const cap = old * 2
    const nV = this.m.nV
    const hrt = new Float64Array(nV * cap)
    const thr = new Int32Array(nV * cap)
    const burst = new Float64Array(nV * cap)
    for (let g = 0; g < nV; g++) {
      for (let i = 0; i < this.hrtCount[g]!; i++) {
        hrt[g * cap + i] = this.hrt[g * old + i]!
        thr[g * cap + i] = this.hrtThr[g * old + i]!
        burst[g * cap + i] = this.hrtBurst[g * old + i]!
      }
    }
    this.hrt = hrt
    this.hrtThr = thr
    this.hrtBurst = burst
    this.hrtCap = cap
  }
}
