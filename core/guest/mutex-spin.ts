// Sleeping locks with optimistic spinning (kernel/locking/mutex.c __mutex_lock_common() → mutex_optimistic_spin(),
// mutex_spin_on_owner(), mutex_can_spin_on_owner(); kernel/locking/rwsem.c rwsem_optimistic_spin() /
// rwsem_spin_on_owner(); the waiters queue on the OSQ, kernel/locking/osq_lock.c). A task that finds the lock held
// spins with cpu_relax() (PAUSE) while the owner task is on a CPU — owner->on_cpu, which stays true while the owner's
// vCPU is preempted by the host, since the guest does not see that — unless vcpu_is_preempted(task_cpu(owner)) says
// otherwise (guest ≥ 4.10, when it reads steal time: PreemptedReaders.mutexSpin), or need_resched() is set. When the
// spin stops it sleeps (schedule()) and the unlocker wakes it (wake_up_q() → try_to_wake_up(): an IPI to its idle
// vCPU). Spinning PAUSE loops exit on PLE / the pause filter (pause-loop.ts) and ask for a directed yield.
// rwsems (readers, writers, per-version spinning) are core/guest/rwsem.ts, which shares this file's owner test
// (ownerVcpuPreempted()) and PAUSE-loop budget (SpinWindow); their spin frames are routed through here.
// Simplifications: one owner per lock; a spinner re-checks the owner every
// SPIN_RECHECK_NS of spinning (the kernel checks every loop); at unlock a spinning waiter takes the lock first, else the
// first sleeper is handed it (MUTEX_FLAG_HANDOFF); a sleeping waiter's vCPU idles — other runnable threads of that vCPU
// wait until the unlock.
import { Ev, St, Work } from '../sim/constants.ts'
import { SPREADS } from '../sim/spreads.ts'
import type { ModelCore, Parts, GuestMutex as GuestMutexPart } from '../sim/model-parts.ts'
import type { StealTime } from '../kvm/steal-time.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import { GuestRwsems } from './rwsem.ts'
import { SpinWindow, SleeperQueue, ownerVcpuPreempted, mutexSpinArg, spinFrame, sleepOnLock, SPIN_RECHECK_NS, SLEEPING, SLEEP_NOW } from './owner-spin.ts'
export { mutexSpinArg, mutexOfSpinArg, SPIN_RECHECK_NS } from './owner-spin.ts'

/** Sleeping locks per VM that a workload may name (ids 0 … MUTEXES_PER_VM − 1). */
export const MUTEXES_PER_VM = 64

export interface SpinOnOwnerInputs {
  /** owner->on_cpu: the owner task is current on its CPU (true while its vCPU is preempted by the host). */
  ownerOnCpu: boolean
  /** need_resched() on the spinner's CPU. */
  needResched: boolean
  /** vcpu_is_preempted(task_cpu(owner)) reads true: the guest reads steal time on this path (guest ≥ 4.10) and the
   *  host set KVM_VCPU_PREEMPTED for the owner's vCPU. */
  ownerVcpuPreempted: boolean
}

/** mutex_spin_on_owner() / mutex_can_spin_on_owner() (and rwsem_spin_on_owner(), the same test): keep spinning while
 *  the owner runs — stop when !owner->on_cpu, need_resched() or vcpu_is_preempted(task_cpu(owner)). */
export function mutexSpinOnOwner(i: SpinOnOwnerInputs): boolean {
  return i.ownerOnCpu && !i.needResched && !i.ownerVcpuPreempted
}

export class GuestMutexes implements GuestMutexPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly steal: StealTime
  private idle!: Parts['idle']
  private irq!: Parts['irq']
  private ple!: Parts['ple']
  private work!: Parts['work']
  private gsched!: Parts['gsched']
  /** Per lock (VM · MUTEXES_PER_VM + id): the owning vCPU (−1: free) and its sleepers as a FIFO over vCPUs. */
  readonly owner: Int32Array
  private readonly q: SleeperQueue
  /** Per vCPU: its critical section once it owns the lock; SLEEPING / SLEEP_NOW; its PAUSE loop. */
  private readonly holdNs: Float64Array
  private readonly sleep: Uint8Array
  private readonly win: SpinWindow
  /** The VM's rwsems (core/guest/rwsem.ts); their spin frames carry mutexSpinArg(owner.length + rwsem index). */
  readonly rwsem: GuestRwsems
  /** Per VM, after warm-up: contended acquisitions, those that slept, and the waiters' spin time. */
  readonly contended: Float64Array
  readonly slept: Float64Array
  readonly spinNs: Float64Array
  private _startNs = 0
  /** The inputs of mutexSpinOnOwner(), reused (no allocation per event). */
  private readonly spinIn: SpinOnOwnerInputs = { ownerOnCpu: true, needResched: false, ownerVcpuPreempted: false }

  constructor(m: ModelCore, steal: StealTime) {
    this.m = m
    this.v = m.vcpu
    this.steal = steal
    const n = m.inp.vms.length * MUTEXES_PER_VM
    this.owner = new Int32Array(n).fill(-1)
    this.q = new SleeperQueue(n, m.nV)
    this.holdNs = new Float64Array(m.nV); this.sleep = new Uint8Array(m.nV)
    this.win = new SpinWindow(m.nV)
    this.rwsem = new GuestRwsems(m, steal, this.win, n)
    const nVm = m.inp.vms.length
    this.contended = new Float64Array(nVm); this.slept = new Float64Array(nVm); this.spinNs = new Float64Array(nVm)
  }

  link(p: Parts): void {
    this.idle = p.idle
    this.irq = p.irq
    this.ple = p.ple
    this.work = p.work
    this.gsched = p.gsched
    this.rwsem.link(p)
  }

  /** The length of the frame startSpin() chose (the rwsem's for an rwsem frame). */
  get startNs(): number {
    return this.lastRwsem ? this.rwsem.startNs : this._startNs
  }
  private lastRwsem = false

  /** Ev.MUTEX_ACQUIRE: a busy vCPU's task takes one of its VM's contended mutexes in the middle of its work (the
   *  profile's contention.mutex); acquisitions arrive as a Poisson process thinned to task-level busy time. */
  onAcquire(g: number): void {
    const m = this.m
    const v = this.v
    const mx = m.vmSpec(g).mutex
    m.engine.schedule(m.rng.exponential(1e9 / mx.acquisitionsPerSec), Ev.MUTEX_ACQUIRE, g)
    if (v.state[g] !== St.RUN || v.inIrq[g] || v.idle[g] || this.work.inLockOp(g)) return
    const k = this.work.curKind[g]!
    if (k !== Work.ITEM && k !== Work.THREAD) return
    this.lock(g, m.rng.int(mx.locks), m.rng.lognormal(mx.holdNs, SPREADS.spinlockHold))
    this.work.dispatchNext(g)
  }

  /** mutex_lock(): the task running on vCPU g takes lock `id` of its VM, holds it holdNs of CPU time, then its work goes
   *  on. Call from a work completion (itemDone / threadBurstDone) or with the vCPU running task-level work. */
  lock(g: number, id: number, holdNs: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= MUTEXES_PER_VM) throw new Error(`mutexLock: lock id ${id} is outside 0…${MUTEXES_PER_VM - 1}; use fewer locks per VM`)
    const v = this.v
    const work = this.work
    if (v.state[g] !== St.RUN || v.inIrq[g] || work.inLockOp(g)) throw new Error(`mutexLock: vCPU ${g} is not running task-level work (state ${v.state[g]}, in an interrupt or lock operation); take a mutex from itemDone/threadBurstDone`)
    const l = v.vmOf[g]! * MUTEXES_PER_VM + id
    work.suspendWork(g)
    work.pushLockFrame(g)
    this.holdNs[g] = holdNs
    this.sleep[g] = 0
    this.win.reset(g)
    if (this.owner[l]! >= 0 && this.m.engine.now >= this.m.warmupEnd) { const vi = v.vmOf[g]!; this.contended[vi] = this.contended[vi]! + 1 }
    spinFrame(work, g, mutexSpinArg(l), this.m.engine.now)
  }

  /** The waiter (re)starts on lock l: it owns it (taken free, or handed over), spins while the owner runs, or sleeps. */
  startSpin(g: number, l: number): number {
    this.lastRwsem = l >= this.owner.length
    if (this.lastRwsem) return this.rwsem.startSpin(g, l - this.owner.length)
    const o = this.owner[l]!
    if (o < 0 || o === g) {
      if (o < 0) this.owner[l] = g
      this.sleep[g] = 0
      this._startNs = this.holdNs[g]!
      return Work.LOCK_CS
    }
    if (this.sleep[g] === SLEEPING) { this._startNs = 0; return Work.SPIN }
    // owner->on_cpu: the owner's critical section is its task's current work, so it is on its (v)CPU
    const si = this.spinIn
    si.ownerOnCpu = true
    si.needResched = false
    si.ownerVcpuPreempted = ownerVcpuPreempted(this.m, this.steal, g, o)
    const spin = mutexSpinOnOwner(si)
    if (!spin) {
      // schedule(): queue as a sleeper; the frame ends at once and the vCPU idles
      this.sleep[g] = SLEEP_NOW
      this._startNs = 0
      return Work.SPIN
    }
    this._startNs = this.win.budget(g, this.ple, this.m.vmSpec(g).spinlock.kernelPauseExits, SPIN_RECHECK_NS)
    return Work.SPIN
  }

  /** The spin budget ran out: a PAUSE exit, a re-check of the owner, or the waiter goes to sleep. */
  spinBudgetOver(g: number, l: number): void {
    if (l >= this.owner.length) { this.rwsem.spinBudgetOver(g, l - this.owner.length); return }
    const now = this.m.engine.now
    const work = this.work
    const spun = this.sleep[g] ? 0 : now - work.curStart[g]!
    if (spun > 0 && now >= this.m.warmupEnd) { const vi = this.v.vmOf[g]!; this.spinNs[vi] = this.spinNs[vi]! + spun }
    const pauseExit = this.win.spent(g, spun)
    spinFrame(work, g, mutexSpinArg(l), now)
    if (this.sleep[g] === SLEEP_NOW) {
      // __mutex_lock_common(): on the wait list it tries __mutex_trylock() again — a mutex_unlock() at this instant
      // passed this waiter by, so it takes the free mutex (startSpin()) instead of sleeping
      if (this.q.queueOrTake(l, g, now, this.owner[l]! < 0)) {
        this.sleep[g] = SLEEPING
        if (now >= this.m.warmupEnd) { const vi = this.v.vmOf[g]!; this.slept[vi] = this.slept[vi]! + 1 }
      } else { this.sleep[g] = 0; work.dispatchNext(g); return }
    }
    if (this.sleep[g] === SLEEPING) { sleepOnLock(this.idle, this.gsched, g); return }
    if (pauseExit) { this.ple.pauseExit(g); return }
    work.dispatchNext(g)
  }

  /** mutex_unlock(): a spinning waiter takes the lock, else the first sleeper is handed it and woken by IPI; the
   *  owner's interrupted work resumes. */
  release(g: number, l: number): void {
    if (l >= this.owner.length) { this.rwsem.release(g, l - this.owner.length); return }
    const work = this.work
    work.popLockFrame(g)
    this.owner[l] = -1
    const vm = this.m.vmSpec(g)
    const arg = mutexSpinArg(l)
    const end = vm.firstVcpu + vm.vcpus
    for (let s = vm.firstVcpu; s < end; s++) {
      if (s === g || this.sleep[s] || work.curKind[s] !== Work.SPIN || work.curArg[s] !== arg) continue
      if (this.v.state[s] !== St.RUN || this.v.inIrq[s]) continue
      this.owner[l] = s
      const now = this.m.engine.now
      if (now >= this.m.warmupEnd) { const vi = this.v.vmOf[s]!; this.spinNs[vi] = this.spinNs[vi]! + now - work.curStart[s]! }
      work.suspendWork(s)
      work.startWork(s, Work.SPIN, arg, 0)
      break
    }
    if (this.owner[l]! < 0 && this.q.head[l]! >= 0) {
      const w = this.q.head[l]!
      this.q.dequeue(l, w, -1)
      this.owner[l] = w
      this.sleep[w] = 0
      // wake_up_q() → try_to_wake_up(): the sleeper's vCPU is idle, so the wake-up is a reschedule IPI
      this.irq.queueIpi(g, w)
    }
    work.dispatchNext(g)
  }
}
