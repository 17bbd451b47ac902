// Guest spinlocks (kernel/locking/qspinlock.c, qspinlock_paravirt.h; a user-space test-and-set lock): a busy vCPU
// takes one of its VM's contended locks in the middle of its work; a waiter spins on PAUSE until the lock is handed
// over (the MCS queue's head, or a random spinner for test-and-set: qspinlock.ts), its PLE window ends (a PAUSE exit:
// pause-loop.ts) or, with pvqspinlock, SPIN_THRESHOLD loops pass and it halts in pv_wait() (an HLT exit) until the
// unlocker's pv_kick() (KVM_HC_KICK_CPU: a VMCALL exit on the unlocker) wakes it — and from host 5.3 the hypercall
// yields to the kicked waiter as well (kvm_sched_yield(), core/kvm/pv-sched-yield.ts).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, Work, After } from '../sim/constants.ts'
import type { ModelCore, Parts, Spinlocks as SpinlocksPart } from '../sim/model-parts.ts'
import { spinBeforeWaitNs, handoff, waiterHalts } from './qspinlock.ts'
import { SPREADS } from '../sim/spreads.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import { SPIN_CSD } from './csd-lock-wait.ts'
import { mutexOfSpinArg } from './mutex-spin.ts'
import { kickCpuYields, kvmSchedYieldHypercall, directYieldBailsOutWhenAlone } from '../kvm/pv-sched-yield.ts'
import { yieldKind } from '../host/sched-yield.ts'

/** What ends a spin budget. */
const SPIN_NONE = 0
const SPIN_PLE = 1
const SPIN_PV_WAIT = 2
/** Kernel spinlocks a workload takes itself, per VM (GuestOps.spinLock()): 0 is the page LRU lock (ebizzy.ts). */
export const WORKLOAD_SPINLOCKS_PER_VM = 1

export class GuestSpinlocks implements SpinlocksPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private halt!: Parts['halt']
  private csd!: Parts['csd']
  private mutex!: Parts['mutex']
  private ple!: Parts['ple']
  private run!: Parts['run']
  private sched!: Parts['sched']
  private work!: Parts['work']
  /** KVM_HC_KICK_CPU yields to the kicked vCPU (host ≥ 5.3), with yield_task_fair() of the host version. */
  private readonly kickYields: boolean
  private readonly yieldKind: number
  private readonly yieldBailsOutWhenAlone: boolean
  /** Per VM: KVM_HC_KICK_CPU hypercalls, and those whose kvm_sched_yield() gave the unlocker's pCPU up. */
  readonly kicks: Float64Array
  readonly kickYieldsTaken: Float64Array
  private rqlock!: Parts['rqlock']
  /** Lock ids from here on are the guest run queues' rq->lock, one per vCPU (rq-lock.ts): kernel locks whatever the
   *  profile's contended lock is. */
  readonly rqLockBase: number
  /** Lock ids from here on are the workloads' own kernel spinlocks, WORKLOAD_SPINLOCKS_PER_VM per VM (after the rq locks). */
  readonly wlLockBase: number
  /** Per vCPU: the critical section of the workload spinlock it takes (spinLock()). */
  private readonly wlHoldNs: Float64Array
  /** Per lock: the vCPU holding it (−1: free), and its waiters as a singly linked FIFO over vCPUs. */
  readonly lockOwner: Int32Array
  readonly lockHead: Int32Array
  readonly lockTail: Int32Array
  readonly waitNext: Int32Array
  /** Spin time since the waiter's pv_wait loop started (SPIN_THRESHOLD counts across exits). */
  readonly spinSpun: Float64Array
  /** What ends the current spin budget (SPIN_*). */
  readonly spinWhy: Int8Array
  /** The length of the frame startSpin() chose. */
  startNs = 0
  private readonly pauseNs: number

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
    const nLocks = m.inp.vms.reduce((n, vm) => Math.max(n, vm.spinlock.lockBase + vm.spinlock.locks), 0)
    this.rqLockBase = nLocks
    this.wlLockBase = nLocks + m.nV
    const n = this.wlLockBase + m.inp.vms.length * WORKLOAD_SPINLOCKS_PER_VM
    this.wlHoldNs = new Float64Array(m.nV)
    this.lockOwner = new Int32Array(n).fill(-1); this.lockHead = new Int32Array(n).fill(-1); this.lockTail = new Int32Array(n).fill(-1)
    this.waitNext = new Int32Array(m.nV).fill(-1)
    this.spinSpun = new Float64Array(m.nV); this.spinWhy = new Int8Array(m.nV)
    this.pauseNs = m.inp.costs.pauseInstruction.meanNs
    this.kickYields = kickCpuYields(m.inp.hostVersion)
    this.yieldBailsOutWhenAlone = directYieldBailsOutWhenAlone(m.inp.hostVersion)
    this.yieldKind = yieldKind(m.inp.hostVersion)
    this.kicks = new Float64Array(m.inp.vms.length)
    this.kickYieldsTaken = new Float64Array(m.inp.vms.length)
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.csd = p.csd
    this.mutex = p.mutex
    this.ple = p.ple
    this.run = p.run
    this.sched = p.sched
    this.work = p.work
    this.rqlock = p.rqlock
  }

  /** Ev.LOCK_ACQUIRE: a busy vCPU takes one of its VM's contended locks in the middle of its current work (model.md §3:
   *  spinlock contention in any workload). Acquisitions arrive as a Poisson process thinned to busy, task-level time. */
  onLockAcquire(g: number): void {
    const m = this.m
    const v = this.v
    const work = this.work
    const sl = m.vmSpec(g).spinlock
    m.engine.schedule(m.rng.exponential(1e9 / sl.acquisitionsPerSec), Ev.LOCK_ACQUIRE, g)
    if (v.state[g] !== St.RUN || v.inIrq[g] || work.inLockOp(g)) return
    const k = work.curKind[g]!
    if (k !== Work.ITEM && k !== Work.THREAD) return
    work.suspendWork(g)
    work.pushLockFrame(g)
    this.acquire(g, sl.lockBase + m.rng.int(sl.locks))
  }

  /** spin_lock() by the task on vCPU g of its VM's workload spinlock `id`, held holdNs (a kernel lock of the guest's
   *  kind: waiters spin, exit on PLE or halt in pv_wait()); called from itemDone/threadBurstDone like mutexLock(). */
  spinLock(g: number, id: number, holdNs: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= WORKLOAD_SPINLOCKS_PER_VM) throw new Error(`spinLock: lock id ${id} is outside 0…${WORKLOAD_SPINLOCKS_PER_VM - 1}`)
    const v = this.v
    const work = this.work
    if (v.state[g] !== St.RUN || v.inIrq[g] || work.inLockOp(g)) throw new Error(`spinLock: vCPU ${g} is not running task-level work (state ${v.state[g]}, in an interrupt or lock operation); take a spinlock from itemDone/threadBurstDone`)
    work.suspendWork(g)
    work.pushLockFrame(g)
    this.wlHoldNs[g] = holdNs
    this.acquire(g, this.wlLockBase + v.vmOf[g]! * WORKLOAD_SPINLOCKS_PER_VM + id)
  }

  /** g (its lock frame pushed) takes lock l: queued behind the holder when it is held (the MCS queue, or the crowd of
   *  test-and-set spinners), then the spin frame starts (it owns the lock at once when it is free). */
  acquire(g: number, l: number): void {
    if (this.lockOwner[l]! >= 0) {
      this.waitNext[g] = -1
      if (this.lockTail[l]! >= 0) this.waitNext[this.lockTail[l]!] = g
      else this.lockHead[l] = g
      this.lockTail[l] = g
      this.spinSpun[g] = 0
    }
    this.work.startWork(g, Work.SPIN, l, 0)
  }

  /** A waiter (re)starts spinning on lock l: it may own the lock by now (handed over while it was away), find it free
   *  (test-and-set), or spin until its budget ends. Returns the frame's kind; its length is in startNs. A negative l is
   *  another PAUSE loop on the same frame kind: csd_lock_wait() (SPIN_CSD) or a mutex spinner (mutexSpinArg()). */
  startSpin(g: number, l: number): number {
    if (l < 0) {
      const csd = l === SPIN_CSD
      const kind = csd ? this.csd.startSpin(g) : this.mutex.startSpin(g, mutexOfSpinArg(l))
      this.startNs = csd ? this.csd.startNs : this.mutex.startNs
      return kind
    }
    if (this.lockOwner[l]! < 0) this.takeLock(l, g)
    if (this.lockOwner[l] === g) {
      this.startNs = l >= this.wlLockBase ? this.wlHoldNs[g]! : l >= this.rqLockBase ? this.rqlock.acquired(g) : this.m.rng.lognormal(this.m.vmSpec(g).spinlock.holdNs, SPREADS.spinlockHold)
      return Work.LOCK_CS
    }
    this.startNs = this.spinBudget(g, l >= this.rqLockBase)
    return Work.SPIN
  }

  /** g becomes the owner of the free lock l (and leaves its waiters if it was one). */
  private takeLock(l: number, g: number): void {
    this.lockOwner[l] = g
    let prev = -1
    for (let w = this.lockHead[l]!; w >= 0; prev = w, w = this.waitNext[w]!) {
      if (w !== g) continue
      if (prev < 0) this.lockHead[l] = this.waitNext[w]!
      else this.waitNext[prev] = this.waitNext[w]!
      if (this.lockTail[l] === w) this.lockTail[l] = prev
      this.waitNext[w] = -1
      break
    }
  }

  /** How long the waiter spins on PAUSE unless the lock is handed over first: until the PLE window ends or
   *  SPIN_THRESHOLD loops before pv_wait() — whichever comes first, recorded in spinWhy. */
  private spinBudget(g: number, kernel: boolean): number {
    const sl = this.m.vmSpec(g).spinlock
    let ns = 1e15
    let why = SPIN_NONE
    if (kernel ? sl.kernelPauseExits : sl.pauseExits) {
      const w = this.ple.windowNs(g)
      if (w < ns) { ns = w; why = SPIN_PLE }
    }
    if (kernel ? waiterHalts(sl.kind, false) : sl.halts) {
      const left = Math.max(0, spinBeforeWaitNs(this.pauseNs) - this.spinSpun[g]!)
      if (left < ns) { ns = left; why = SPIN_PV_WAIT }
    }
    this.spinWhy[g] = why
    return ns
  }

  /** The spin budget ran out: a PAUSE exit (handle_pause()) or pv_wait()'s HLT (kvm_wait()). */
  spinBudgetOver(g: number, l: number): void {
    if (l === SPIN_CSD) { this.csd.spinBudgetOver(g); return }
    if (l < 0) { this.mutex.spinBudgetOver(g, mutexOfSpinArg(l)); return }
    const now = this.m.engine.now
    const work = this.work
    this.spinSpun[g] = this.spinSpun[g]! + now - work.curStart[g]!
    work.curKind[g] = Work.SPIN
    work.curArg[g] = l
    work.curRem[g] = 0
    work.curStart[g] = now
    if (this.spinWhy[g] === SPIN_PV_WAIT) {
      // kvm_wait(): halt unless already kicked
      const halt = this.halt
      this.spinSpun[g] = 0
      if (halt.pvUnhalted[g]) { halt.pvUnhalted[g] = 0; work.dispatchNext(g); return }
      halt.pvHalted[g] = 1
      halt.haltStart[g] = now
      this.run.beginExit(g, ExitReason.HLT, this.m.causeIds.pvWait, this.m.cost(CostId.exitHlt), After.HLT)
      return
    }
    if (this.spinWhy[g] === SPIN_PLE) { this.ple.pauseExit(g); return }
    work.dispatchNext(g)
  }

  /** The holder leaves its critical section: the lock goes to the next owner as the lock kind hands over, the
   *  interrupted work resumes, and a halted pvqspinlock head is kicked by hypercall (a VMCALL exit on the unlocker). */
  lockRelease(g: number, l: number): void {
    if (l === SPIN_CSD) { this.csd.waitOver(g); return }
    if (l < 0) { this.mutex.release(g, mutexOfSpinArg(l)); return }
    const m = this.m
    const work = this.work
    work.popLockFrame(g)
    this.lockOwner[l] = -1
    const sl = m.vmSpec(g).spinlock
    const kernel = l >= this.rqLockBase
    if (kernel && l < this.wlLockBase) this.rqlock.released(g)
    let next = -1
    if (handoff(sl.kind, kernel ? false : sl.userSpace) === 'head') next = this.lockHead[l]!
    else {
      let n = 0
      for (let w = this.lockHead[l]!; w >= 0; w = this.waitNext[w]!) if (this.spinningNow(w)) n++
      if (n > 0) {
        let k = m.rng.int(n)
        for (let w = this.lockHead[l]!; w >= 0; w = this.waitNext[w]!) if (this.spinningNow(w) && k-- === 0) { next = w; break }
      }
    }
    if (next >= 0) {
      this.takeLock(l, next)
      if (this.spinningNow(next)) {
        // the spinner sees it at once
        work.suspendWork(next)
        work.startWork(next, Work.SPIN, l, 0)
      } else if (this.halt.pvHalted[next]) {
        this.halt.pvUnhalted[next] = 1
        const s = this.v.state[next]!
        if (s === St.HOST_POLL || s === St.BLOCKED) this.halt.wakeVcpu(next)
        // kvm_pv_kick_cpu_op(), then (host ≥ 5.3) kvm_sched_yield() to the kicked waiter if it waits for a pCPU —
        // from 5.13 not when the unlocker is alone on its pCPU (72b268a8e930)
        const after = this.kickYields ? kvmSchedYieldHypercall(m, this.sched, g, next, this.yieldKind, this.yieldBailsOutWhenAlone) : After.ENTRY
        const vmi = this.v.vmOf[g]!
        this.kicks[vmi]!++
        if (after === After.RESCHED) this.kickYieldsTaken[vmi]!++
        this.run.beginExit(g, ExitReason.VMCALL, m.causeIds.pvKick, m.cost(CostId.exitVmcall), after)
        return
      }
    }
    work.dispatchNext(g)
  }

  private spinningNow(w: number): boolean {
    return this.v.state[w] === St.RUN && this.work.curKind[w] === Work.SPIN && !this.v.inIrq[w]
  }
}
