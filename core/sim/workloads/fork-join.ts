// The fork-join workload (model.md §3; OpenMP / NPB-like): `threads` guest threads each compute a lognormal amount of
// work per iteration, then meet at a barrier. A thread arriving early spins for up to `spinNs` (libgomp spins
// GOMP_SPINCOUNT iterations of a load + PAUSE before futex_wait(); OMP_WAIT_POLICY=passive makes that 0), then sleeps
// in futex_wait(). The last arriver completes the iteration: spinners see it at once; sleepers are woken by its
// futex_wake() one by one, each placed by the guest scheduler (select_task_rq_fair()) and, on an idle vCPU, sent a
// reschedule IPI. Output: iterations per second and the time per iteration (barrier to barrier).
// Simplifications: a central barrier (libgomp's gomp_barrier_wait_end: one counter, one futex); futex_wake() wakes the
// sleepers in the order they slept (FIFO); the spin is a burst of guest work of fixed length (its PAUSEs exit only
// when PLE is modelled, which it is not yet).
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { ForkJoinSpec } from '../model-inputs.ts'
import { GuestWorkload } from './workload.ts'

const WORK = 0
const SPIN = 1
const SLEEP = 2

export class ForkJoinWorkload extends GuestWorkload {
  readonly kind = 'fork-join'
  readonly unit = 'iterations'
  readonly w: ForkJoinSpec
  readonly n: number
  firstThread = 0
  readonly phase: Int8Array
  readonly arrivedGen: Int32Array
  /** Sleepers of the current barrier, in the order they slept (local ids). */
  readonly sleepers: Int32Array
  nSleepers = 0
  readonly spinners: Int32Array
  nSpinners = 0
  arrived = 0
  gen = 0
  iterStart = 0
  /** Per thread: its running burst's length and its kernel prefix (the last arriver's futex_wake() and the wake-ups
   *  it does before it computes on; 0 for any other burst) — where in the burst the thread is in the kernel. */
  readonly burstNs: Float64Array
  readonly kernelNs: Float64Array

  constructor(m: GuestOps, v: number, w: ForkJoinSpec) {
    super(m, v)
    this.w = w
    this.n = w.threads
    this.phase = new Int8Array(this.n)
    this.arrivedGen = new Int32Array(this.n)
    this.sleepers = new Int32Array(this.n)
    this.spinners = new Int32Array(this.n)
    this.burstNs = new Float64Array(this.n)
    this.kernelNs = new Float64Array(this.n)
  }

  override threadCount(): number {
    return this.n
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const vm = this.m.inp.vms[this.v]!
    // the runtime's threads start one per vCPU in order (OMP_PROC_BIND unset: the scheduler spread them at fork)
    for (let i = 0; i < this.n; i++) this.m.startThread(firstThread + i, vm.firstVcpu + (i % vm.vcpus), this.work())
  }

  private work(): number {
    return this.m.rng.lognormal(this.w.workNs, this.w.workSigma)
  }

  /** The computation and libgomp's spin are user code; the last arriver's futex_wake() syscall (futex_wake() →
   *  wake_up_q() → try_to_wake_up() per sleeper) at the start of its next burst is kernel (get_cpl() == 0 in
   *  kvm_arch_vcpu_put()). A woken sleeper's return from futex_wait() is not charged, so not told apart. */
  override threadInKernel(tid: number, leftNs: number): boolean {
    const i = tid - this.firstThread
    const k = this.kernelNs[i]!
    return k > 0 && this.burstNs[i]! - leftNs < k
  }

  override threadBurstDone(g: number, tid: number): void {
    const i = tid - this.firstThread
    this.kernelNs[i] = 0
    const ph = this.phase[i]!
    if (ph === WORK) { this.arrive(i, g); return }
    if (ph === SPIN) {
      if (this.arrivedGen[i] !== this.gen) {
        // released while spinning: straight into the next iteration's work
        this.phase[i] = WORK
        this.m.threadContinue(tid, this.work())
        return
      }
      this.sleep(i)
      return
    }
    // SLEEP is never running; a burst ending in that phase is a woken sleeper's first burst: it is work
    this.phase[i] = WORK
    this.arrive(i, g)
  }

  private sleep(i: number): void {
    // futex_wait(): the thread blocks; its spin entry is dropped
    this.phase[i] = SLEEP
    this.sleepers[this.nSleepers++] = i
    this.m.threadSleep(this.firstThread + i)
  }

  private arrive(i: number, g: number): void {
    this.arrived++
    this.arrivedGen[i] = this.gen
    if (this.arrived === this.n) { this.complete(i, g); return }
    if (this.w.spinNs > 0) {
      this.phase[i] = SPIN
      this.spinners[this.nSpinners++] = i
      this.m.threadContinue(this.firstThread + i, this.w.spinNs)
    } else {
      this.sleep(i)
    }
  }

  /** The last arriver: the iteration is over; release the spinners, futex_wake() the sleepers, go on computing. */
  private complete(last: number, g: number): void {
    const m = this.m
    const now = m.engine.now
    m.complete(this.v, now - this.iterStart)
    this.iterStart = now
    this.gen++
    this.arrived = 0
    for (let k = 0; k < this.nSpinners; k++) {
      const i = this.spinners[k]!
      if (this.phase[i] === SPIN) m.cutBurst(this.firstThread + i)
    }
    this.nSpinners = 0
    let wakeNs = 0
    if (this.nSleepers > 0) {
      wakeNs += m.cost(CostId.guestFutexWake)
      for (let k = 0; k < this.nSleepers; k++) {
        const i = this.sleepers[k]!
        this.phase[i] = WORK
        wakeNs += m.wakeThread(this.firstThread + i, g, false, this.firstThread + last, this.work())
      }
      this.nSleepers = 0
    }
    this.phase[last] = WORK
    const burst = wakeNs + this.work()
    this.burstNs[last] = burst
    this.kernelNs[last] = wakeNs
    m.threadContinue(this.firstThread + last, burst)
  }
}
