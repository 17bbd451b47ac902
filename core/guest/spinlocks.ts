// Guest spinlocks (kernel/locking/qspinlock.c, qspinlock_paravirt.h; a user-space test-and-set lock): a busy vCPU
// takes one of its VM's contended locks in the middle of its work; a waiter spins on PAUSE until the lock is handed
// over (the MCS queue's head, or a random spinner for test-and-set: qspinlock.ts), its PLE window ends (a PAUSE exit:
// pause-loop.ts) or, with pvqspinlock, SPIN_THRESHOLD loops pass and it halts in pv_wait() (an HLT exit) until the
// unlocker's pv_kick() (KVM_HC_KICK_CPU: a VMCALL exit on the unlocker) wakes it — and from host 5.3 the hypercall
// yields to the kicked waiter as well (kvm_sched_yield(), core/kvm/pv-sched-yield.ts). A pvqspinlock released while
// its head does not spin (halted, or not yet running as head) is free for any running waiter to steal — newcomers at
// slowpath entry, and from guest 4.15 the unfair spinners kept out of the queue (qspinlock.ts pvLockFeatures()).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, Work, After } from '../sim/constants.ts'
import type { ModelCore, Parts, Spinlocks as SpinlocksPart } from '../sim/model-parts.ts'
import { spinBeforeWaitNs, handoff, waiterHalts, pvQueuedSpinTrylock, pvUnlockHandoff, pvWaitEarly, waitEarlyCheckLoops, predecessorIn, ENTRY_QUEUE, ENTRY_UNFAIR } from './qspinlock.ts'
import type { StealTime } from '../kvm/steal-time.ts'
import { SPREADS } from '../sim/spreads.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import { SPIN_CSD } from './csd-lock-wait.ts'
import { mutexOfSpinArg } from './mutex-spin.ts'
import { PvKick } from './pv-kick.ts'

/** What ends a spin budget. */
const SPIN_NONE = 0
const SPIN_PLE = 1
const SPIN_PV_WAIT = 2
const SPIN_WAIT_EARLY = 3 // pv_wait_node() halting before SPIN_THRESHOLD: pv_wait_early()

/** How a pvqspinlock waiter waits (waitState): not at all, in the MCS queue (pv_wait_node(), or pv_wait_head_or_lock()
 *  as its head), or out of the queue in pv_hybrid_queued_unfair_trylock()'s loop. */
const W_NONE = 0, W_QUEUED = 1, W_UNFAIR = 2
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
  private work!: Parts['work']
  /** pv_kick() (pv-kick.ts), and its per-VM counts: KVM_HC_KICK_CPU hypercalls, and those that yielded. */
  private readonly pvKick: PvKick
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
  /** pvqspinlock state: each waiter's W_*; per lock the pending bit (its head spins in pv_wait_head_or_lock()) and
   *  _Q_SLOW_VAL (a hashed, halted head the unlock must kick); the unfair spinners as a singly linked list; per waiter
   *  whether it has been hashed as head (pv_wait_head_or_lock() hashes once: after that pv_wait() returns at once). */
  readonly waitState: Int8Array
  readonly lockPending: Uint8Array
  readonly lockSlow: Uint8Array
  readonly unfairHead: Int32Array
  readonly unfairNext: Int32Array
  readonly hashed: Uint8Array
  /** Per VM: locks taken ahead of a queued head (qstat pv_lock_stealing), and pv_wait_early() halts (pv_wait_early). */
  readonly steals: Float64Array
  readonly waitEarlyHalts: Float64Array
  private readonly steal: StealTime
  /** Spin time since the waiter's pv_wait loop started (SPIN_THRESHOLD counts across exits). */
  readonly spinSpun: Float64Array
  /** What ends the current spin budget (SPIN_*). */
  readonly spinWhy: Int8Array
  /** The length of the frame startSpin() chose. */
  startNs = 0
  private readonly pauseNs: number

  constructor(m: ModelCore, steal: StealTime) {
    this.m = m
    this.steal = steal
    this.v = m.vcpu
    const nLocks = m.inp.vms.reduce((n, vm) => Math.max(n, vm.spinlock.lockBase + vm.spinlock.locks), 0)
    this.rqLockBase = nLocks
    this.wlLockBase = nLocks + m.nV
    const n = this.wlLockBase + m.inp.vms.length * WORKLOAD_SPINLOCKS_PER_VM
    this.wlHoldNs = new Float64Array(m.nV)
    this.lockOwner = new Int32Array(n).fill(-1); this.lockHead = new Int32Array(n).fill(-1); this.lockTail = new Int32Array(n).fill(-1)
    this.waitNext = new Int32Array(m.nV).fill(-1)
    this.waitState = new Int8Array(m.nV); this.hashed = new Uint8Array(m.nV)
    this.lockPending = new Uint8Array(n); this.lockSlow = new Uint8Array(n)
    this.unfairHead = new Int32Array(n).fill(-1); this.unfairNext = new Int32Array(m.nV).fill(-1)
    this.steals = new Float64Array(m.inp.vms.length); this.waitEarlyHalts = new Float64Array(m.inp.vms.length)
    this.spinSpun = new Float64Array(m.nV); this.spinWhy = new Int8Array(m.nV)
    this.pauseNs = m.inp.costs.pauseInstruction.meanNs
    this.pvKick = new PvKick(m)
    this.kicks = this.pvKick.kicks; this.kickYieldsTaken = this.pvKick.kickYieldsTaken
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.csd = p.csd
    this.mutex = p.mutex
    this.ple = p.ple
    this.run = p.run
    this.work = p.work
    this.pvKick.link(p)
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
   *  test-and-set spinners), then the spin frame starts (it owns the lock at once when it is free). A pvqspinlock
   *  newcomer decides by pvQueuedSpinTrylock(): take a free lock, queue, or spin unfairly out of the queue. */
  acquire(g: number, l: number): void {
    if (this.pvLock(g, l)) {
      const e = pvQueuedSpinTrylock(this.m.vmSpec(g).spinlock.pv, this.lockOwner[l]! >= 0, this.lockPending[l] === 1, this.lockHead[l]! >= 0)
      if (e === ENTRY_QUEUE) this.enqueue(g, l)
      else if (e === ENTRY_UNFAIR) { this.waitState[g] = W_UNFAIR; this.unfairNext[g] = this.unfairHead[l]!; this.unfairHead[l] = g }
    } else if (this.lockOwner[l]! >= 0) this.enqueue(g, l)
    this.work.startWork(g, Work.SPIN, l, 0)
  }

  /** A pvqspinlock kernel lock (not a user-space loop): stealing, pending and pv_wait_early() apply. */
  private pvLock(g: number, l: number): boolean {
    const sl = this.m.vmSpec(g).spinlock
    return sl.kind === 'pvqspinlock' && (l >= this.rqLockBase || !sl.userSpace)
  }

  /** xchg_tail(): g joins the MCS queue's tail; its pv_wait_node() loop starts. */
  private enqueue(g: number, l: number): void {
    this.waitNext[g] = -1
    if (this.lockTail[l]! >= 0) this.waitNext[this.lockTail[l]!] = g
    else this.lockHead[l] = g
    this.lockTail[l] = g
    this.waitState[g] = W_QUEUED
    this.spinSpun[g] = 0
  }

  /** A waiter (re)starts spinning on lock l: it may own the lock by now (handed over while it was away), find it free
   *  (test-and-set; a pvqspinlock head, unfair spinner or newcomer), or spin until its budget ends. Returns the frame's
   *  kind; its length is in startNs. A negative l is another PAUSE loop on the same frame kind: csd_lock_wait()
   *  (SPIN_CSD) or a mutex spinner (mutexSpinArg()). */
  startSpin(g: number, l: number): number {
    if (l < 0) {
      const csd = l === SPIN_CSD
      const kind = csd ? this.csd.startSpin(g) : this.mutex.startSpin(g, mutexOfSpinArg(l))
      this.startNs = csd ? this.csd.startNs : this.mutex.startNs
      return kind
    }
    if (this.lockOwner[l]! < 0 && this.mayTakeFree(g, l)) {
      if (this.pvLock(g, l) && (this.waitState[g] === W_UNFAIR || (this.waitState[g] === W_NONE && this.lockHead[l]! >= 0))) this.steals[this.v.vmOf[g]!]!++
      this.takeLock(l, g)
    }
    if (this.lockOwner[l] === g) {
      this.startNs = l >= this.wlLockBase ? this.wlHoldNs[g]! : l >= this.rqLockBase ? this.rqlock.acquired(g) : this.m.rng.lognormal(this.m.vmSpec(g).spinlock.holdNs, SPREADS.spinlockHold)
      return Work.LOCK_CS
    }
    if (this.lockHead[l] === g && this.waitState[g] === W_QUEUED && this.pvLock(g, l) && !this.lockPending[l]) {
      // pv_wait_head_or_lock(): set_pending() — no stealing while the head spins; unfair spinners see it and queue
      this.lockPending[l] = 1
      this.drainUnfair(l)
    }
    this.startNs = this.spinBudget(g, l, l >= this.rqLockBase)
    return Work.SPIN
  }

  /** Whether g's cmpxchg may take the free lock l: anyone for test-and-set and user loops; for pvqspinlock the queue
   *  head, an unfair spinner while pending is clear, or a newcomer pvQueuedSpinTrylock() let take it — never a queued
   *  waiter behind the head (it spins on its own MCS node). */
  private mayTakeFree(g: number, l: number): boolean {
    if (!this.pvLock(g, l)) return true
    const w = this.waitState[g]
    if (w === W_QUEUED) return this.lockHead[l] === g
    return w === W_NONE || !this.lockPending[l]
  }

  /** g becomes the owner of the free lock l (and leaves its waiters if it was one). */
  private takeLock(l: number, g: number): void {
    this.lockOwner[l] = g
    const was = this.waitState[g]
    this.waitState[g] = W_NONE
    this.hashed[g] = 0
    if (was === W_UNFAIR) { this.unlinkUnfair(l, g); return }
    const wasHead = this.lockHead[l] === g
    let prev = -1
    for (let w = this.lockHead[l]!; w >= 0; prev = w, w = this.waitNext[w]!) {
      if (w !== g) continue
      if (prev < 0) this.lockHead[l] = this.waitNext[w]!
      else this.waitNext[prev] = this.waitNext[w]!
      if (this.lockTail[l] === w) this.lockTail[l] = prev
      this.waitNext[w] = -1
      break
    }
    if (!wasHead || !this.pvLock(g, l)) return
    // trylock_clear_pending(); the new owner passes the MCS lock to the next node (arch_mcs_spin_unlock_contended())
    this.lockPending[l] = 0
    const h = this.lockHead[l]!
    if (h < 0) { this.drainUnfair(l); return }
    if (this.halt.pvHalted[h]) {
      // pv_kick_node(): a halted node is advanced to vcpu_hashed and the lock word to _Q_SLOW_VAL — the owner's unlock
      // kicks it
      this.hashed[h] = 1
      this.lockSlow[l] = 1
      this.spinSpun[h] = 0
    } else if (this.spinningNow(h)) this.restartSpin(h, l, true)
    else this.spinSpun[h] = 0
  }

  private unlinkUnfair(l: number, g: number): void {
    const prev = predecessorIn(this.unfairHead[l]!, this.unfairNext, g)
    if (prev < 0) this.unfairHead[l] = this.unfairNext[g]!
    else this.unfairNext[prev] = this.unfairNext[g]!
    this.unfairNext[g] = -1
  }

  /** The unfair spinners leave pv_hybrid_queued_unfair_trylock()'s loop and queue: the head set pending, or the queue
   *  emptied (no tail). */
  private drainUnfair(l: number): void {
    let w = this.unfairHead[l]!
    if (w < 0) return
    this.unfairHead[l] = -1
    const first = w
    for (; w >= 0; w = this.unfairNext[w]!) this.enqueue(w, l)
    for (w = first; w >= 0;) {
      const next = this.unfairNext[w]!
      this.unfairNext[w] = -1
      if (this.spinningNow(w) && this.waitState[w] === W_QUEUED) this.restartSpin(w, l, true)
      w = next
    }
  }

  /** A running waiter's spin frame starts over (its budget changes): `fresh` starts a new SPIN_THRESHOLD loop. */
  private restartSpin(w: number, l: number, fresh: boolean): void {
    this.work.suspendWork(w)
    if (fresh) this.spinSpun[w] = 0
    this.work.startWork(w, Work.SPIN, l, 0)
  }

  /** How long the waiter spins on PAUSE unless the lock is handed over first: until the PLE window ends or
   *  SPIN_THRESHOLD loops before pv_wait() (a queued pvqspinlock waiter; pv_wait_early() may cut it to the next
   *  256-loop check) — whichever comes first, recorded in spinWhy. */
  private spinBudget(g: number, l: number, kernel: boolean): number {
    const sl = this.m.vmSpec(g).spinlock
    let ns = 1e15
    let why = SPIN_NONE
    if (kernel ? sl.kernelPauseExits : sl.pauseExits) {
      const w = this.ple.windowNs(g)
      if (w < ns) { ns = w; why = SPIN_PLE }
    }
    // only queued waiters halt: an unfair spinner's loop has no threshold; a hashed head's pv_wait(&lock->locked,
    // _Q_SLOW_VAL) halts only while the lock word is still _Q_SLOW_VAL — after a steal wrote _Q_LOCKED_VAL it returns
    // at once and the head spins again (pv_wait_head_or_lock(), kvm_wait())
    const halts = kernel ? waiterHalts(sl.kind, false) : sl.halts
    if (halts && this.waitState[g] === W_QUEUED && !(this.lockHead[l] === g && this.hashed[g] && this.lockSlow[l] === 0)) {
      let left = Math.max(0, spinBeforeWaitNs(this.pauseNs) - this.spinSpun[g]!)
      let early = false
      const p = this.lockHead[l] === g ? -1 : predecessorIn(this.lockHead[l]!, this.waitNext, g)
      if (p >= 0 && pvWaitEarly(sl.pv, this.halt.pvHalted[p] === 1, this.m.vmSpec(g).preemptedReaders.pvWaitEarly && this.steal.preempted[p] === 1)) {
        const e = waitEarlyCheckLoops(Math.floor(this.spinSpun[g]! / this.pauseNs)) * this.pauseNs
        if (e < left) { left = e; early = true }
      }
      if (left < ns) { ns = left; why = early ? SPIN_WAIT_EARLY : SPIN_PV_WAIT }
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
    const why = this.spinWhy[g]
    if (why === SPIN_PV_WAIT || why === SPIN_WAIT_EARLY) {
      if (why === SPIN_WAIT_EARLY) this.waitEarlyHalts[this.v.vmOf[g]!]!++
      if (this.lockHead[l] === g) {
        // pv_wait_head_or_lock(): clear_pending(), pv_hash() and _Q_SLOW_VAL once — the owner's unlock kicks it
        this.lockPending[l] = 0
        this.hashed[g] = 1
        this.lockSlow[l] = 1
      }
      // kvm_wait(): halt unless already kicked
      const halt = this.halt
      this.spinSpun[g] = 0
      if (halt.pvUnhalted[g]) { halt.pvUnhalted[g] = 0; work.dispatchNext(g); return }
      halt.pvHalted[g] = 1
      halt.haltStart[g] = now
      this.run.beginExit(g, ExitReason.HLT, this.m.causeIds.pvWait, this.m.cost(CostId.exitHlt), After.HLT)
      // the next node's pv_wait_early() now finds prev->state != vcpu_running
      this.recheckNext(g)
      return
    }
    if (why === SPIN_PLE) { this.ple.pauseExit(g); return }
    work.dispatchNext(g)
  }

  /** Queued waiter p halted or its vCPU was preempted: the waiter behind it, if spinning, looks again at its next
   *  pv_wait_early() check. */
  recheckNext(p: number): void {
    if (this.waitState[p] !== W_QUEUED) return
    const s = this.waitNext[p]!
    const l = s >= 0 && this.spinningNow(s) ? this.work.curArg[s]! : -1
    if (l >= 0 && this.pvLock(s, l) && this.m.vmSpec(s).spinlock.pv.waitEarly) this.restartSpin(s, l, false)
  }

  /** StealTime's hook: the host set p's steal-time preempted flag — pv_wait_early() of 4.10 – 5.3 guests reads it. */
  preemptedSet(p: number): void {
    if (this.m.vmSpec(p).preemptedReaders.pvWaitEarly) this.recheckNext(p)
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
    let kick = -1
    if (this.pvLock(g, l)) {
      // __pv_queued_spin_unlock(): _Q_SLOW_VAL sends it to the slowpath, which releases and kicks the hashed head
      if (this.lockSlow[l]) { kick = this.lockHead[l]!; this.lockSlow[l] = 0 }
      if (pvUnlockHandoff(this.lockPending[l] === 1) === 'head') next = this.lockHead[l]!
      else next = this.pickRunning(this.unfairHead[l]!, this.unfairNext, this.lockHead[l]!)
      if (next >= 0 && next !== this.lockHead[l]) this.steals[this.v.vmOf[g]!]!++
    } else if (handoff(sl.kind, kernel ? false : sl.userSpace) === 'head') next = this.lockHead[l]!
    else next = this.pickRunning(this.lockHead[l]!, this.waitNext, -1)
    if (next >= 0) {
      this.takeLock(l, next)
      // the spinner sees it at once
      if (this.spinningNow(next)) { work.suspendWork(next); work.startWork(next, Work.SPIN, l, 0) }
      else if (kick < 0 && this.halt.pvHalted[next] && !this.pvLock(g, l)) kick = next
    }
    if (kick >= 0) { this.pvKick.kick(g, kick); return }
    work.dispatchNext(g)
  }

  /** A running spinner of a list (the unfair spinners, or every test-and-set waiter) whose cmpxchg comes first, at
   *  random, or `head` if it spins too; −1 when none runs. */
  private pickRunning(first: number, nextOf: Int32Array, head: number): number {
    let n = head >= 0 && this.spinningNow(head) ? 1 : 0
    for (let w = first; w >= 0; w = nextOf[w]!) if (this.spinningNow(w)) n++
    if (n === 0) return -1
    let k = this.m.rng.int(n)
    if (head >= 0 && this.spinningNow(head) && k-- === 0) return head
    for (let w = first; w >= 0; w = nextOf[w]!) if (this.spinningNow(w) && k-- === 0) return w
    return -1
  }

  private spinningNow(w: number): boolean {
    return this.v.state[w] === St.RUN && this.work.curKind[w] === Work.SPIN && !this.v.inIrq[w]
  }
}
