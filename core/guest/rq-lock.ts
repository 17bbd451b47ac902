// The guest's run-queue lock (kernel/sched/core.c): rq->lock is a raw spinlock — the guest's qspinlock, pvqspinlock or
// virt_spin_lock() test-and-set, the kind kvm_spinlock_init() chose — taken by
//  - a waker: try_to_wake_up() → ttwu_queue() locks cpu_rq(cpu) for ttwu_do_activate() (enqueue_task() +
//    check_preempt_curr()/wakeup_preempt()) unless ttwu_queue_wakelist() hands the wake-up to that CPU's wake list,
//    which activates the task in sched_ttwu_pending() under its own lock (the waker IPIs it only when the list was
//    empty: wakelistAddIpis(); from 5.8 the list is the call_single_queue the call-function csds use);
//  - the CPU itself: __schedule() → rq_lock() from the dequeue of the blocking task through pick_next_task() and
//    context_switch() until finish_task_switch() releases it (p->on_cpu stays set until then).
// A vCPU preempted by the host while it holds one makes every waker of that CPU, and the CPU's own __schedule(), spin
// on it: PAUSE loops that exit on PLE / the pause filter and ask for a directed yield, or with pvqspinlock halt in
// pv_wait() until the holder's unlock kicks them (GuestSpinlocks, spinlocks.ts: the lock ids from rqLockBase on).
// Simplifications: a wake-up from interrupt context (an hrtimer's, a device softirq's) activates the task at once at
// the waker's cost — the work stack takes a lock only at task level; scheduler_tick()'s rq_lock() is not taken (a few
// hundred ns per tick with interrupts off, next to one section per wake-up and per schedule); sched_ttwu_pending()'s
// section is held together with the target's next __schedule() section (they run back to back: the wake list's IPI,
// then schedule_idle()); the waker does not wait on p->on_cpu (smp_cond_load_acquire()) separately — a descheduling
// wakee's CPU holds its rq->lock for exactly that time. Interrupts are off for every section and spin (try_to_wake_up()'s
// raw_spin_lock_irqsave(&p->pi_lock), __schedule()'s local_irq_disable() before rq_lock(): irqsDisabledIn(),
// core/kvm/irq-delivery.ts), so the holder and its waiters take a pending interrupt only after the unlock.
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { CostId } from '../costs/cost-tables.ts'
import { St, Work } from '../sim/constants.ts'
import { IntRings } from '../sim/int-rings.ts'
import type { ModelCore, Parts, RqLocks as RqLocksPart } from '../sim/model-parts.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import type { SchedTopology } from './select-idle.ts'
import { hostHasFix as kernelHasFix } from '../kvm/backports.ts'
import { llistAddWasEmpty } from './csd-lock-wait.ts'

export interface TtwuQueueInputs {
  guestVersion: string
  /** cpus_share_cache(smp_processor_id(), cpu): waker and wakee CPU in one LLC domain. */
  sameLlc: boolean
  /** The wakee CPU is the waker's own. */
  sameCpu: boolean
  /** cpu_rq(cpu)->nr_running (the wakee has already been dequeued). */
  nrRunning: number
  /** WF_ON_CPU / p->on_cpu: the wakee is still descheduling on that CPU. */
  wakeeOnCpu: boolean
}

/** ttwu_queue_cond() under sched_feat(TTWU_QUEUE): whether the wake-up goes through the wake list (true) or the waker
 *  locks the remote rq (false). 3.3+ (518cd6234178 "sched: Only queue remote wakeups when crossing cache
 *  boundaries", buggy-since v3.3-rc1 per the analysis of its fix 42dc938a590c): only when the CPUs share no cache.
 *  5.8+ (2ebb17717550 "sched/core: Offload wakee task activation if it the wakee is descheduling", in "[GIT PULL]
 *  scheduler changes for v5.8", 2020-06-02): also when the wakee is still on that CPU (WF_ON_CPU) and
 *  `nr_running <= 1`. 6.0 ("[GIT PULL] Scheduler updates for v6.0", 2022-08-01): 28156108fecb "sched: Fix the check of
 *  nr_running at queue wakelist" makes that `!nr_running` (the wakee is already dequeued; stable 5.10.137, 5.15.61)
 *  and f3dd3f674555 "sched: Remove the limitation of WF_ON_CPU on wakelist if wakee cpu is idle" drops WF_ON_CPU from
 *  it (stable 5.15.61): any idle wakee CPU (core/kvm/backports.ts holds both with their stable releases). */
export function ttwuQueueWakelist(i: TtwuQueueInputs): boolean {
  return ttwuQueueCond(ttwuQueueEra(i.guestVersion), i.sameLlc, i.sameCpu, i.nrRunning, i.wakeeOnCpu)
}

/** The guest's ttwu_queue_cond(), by version and stable backports: TtwuEra (resolved once per VM at setup).
 *  ON_CPU: 5.8's rule; ON_CPU_IDLE: with 28156108fecb only (5.10.137+); IDLE_CPU: with f3dd3f674555 (6.0, 5.15.61+). */
export const TtwuEra = { CROSS_LLC: 0, ON_CPU: 1, ON_CPU_IDLE: 2, IDLE_CPU: 3 } as const
export function ttwuQueueEra(guestVersion: string): number {
  if (kernelHasFix(guestVersion, 'ttwuWakelistIdleWakeeCpu')) return TtwuEra.IDLE_CPU
  if (!versionAtLeast(guestVersion, '5.8')) return TtwuEra.CROSS_LLC
  return kernelHasFix(guestVersion, 'ttwuWakelistIdleOnly') ? TtwuEra.ON_CPU_IDLE : TtwuEra.ON_CPU
}

/** ttwuQueueWakelist() for the hot path (no version parsing, no object). */
export function ttwuQueueCond(era: number, sameLlc: boolean, sameCpu: boolean, nrRunning: number, wakeeOnCpu: boolean): boolean {
  if (!sameLlc) return true
  if (sameCpu) return false
  if (era === TtwuEra.IDLE_CPU) return nrRunning === 0
  if (era === TtwuEra.ON_CPU_IDLE) return wakeeOnCpu && nrRunning === 0
  if (era === TtwuEra.ON_CPU) return wakeeOnCpu && nrRunning <= 1
  return false
}

/** ttwu_queue_wakelist()'s test for CPU c from the waker, in the VM's scheduling topology (cpus_share_cache(): one
 *  LLC domain). */
export function wakelistTo(t: SchedTopology, c: number, waker: number, era: number, nrRunning: number, wakeeOnCpu: boolean): boolean {
  const sameLlc = Math.floor((c - t.first) / t.llcSize) === Math.floor((waker - t.first) / t.llcSize)
  return ttwuQueueCond(era, sameLlc, c === waker, nrRunning, wakeeOnCpu)
}

/** Whether the wake list is the CPU's call_single_queue: from guest 5.8 a148866489fb "sched: Replace rq::wake_list"
 *  (Peter Zijlstra, in the v5.8 scheduler pull with 2ebb17717550) has __ttwu_queue_wakelist() add p->wake_entry to
 *  call_single_queue through __smp_call_single_queue(), beside the call-function csds; before, ttwu_queue_remote() adds
 *  it to rq->wake_list, an llist of its own. */
export function wakelistOnCallSingleQueue(guestVersion: string): boolean {
  return versionAtLeast(guestVersion, '5.8')
}

/** The wake list's IPI rule, the same before and after 5.8: the waker IPIs the target only when its llist_add() found
 *  the list empty — __smp_call_single_queue() → send_call_function_single_ipi() (5.8+), ttwu_queue_remote() →
 *  smp_send_reschedule() (before) — and a later entry rides on the IPI already coming (the handler takes the whole
 *  list). `listed`: wake-ups already on the target's wake list; `csds`: call-function csds queued on its
 *  call_single_queue and not yet taken by a handler — the same list when `shared` (wakelistOnCallSingleQueue()).
 *  Either way a polling idle target gets no IPI (set_nr_if_polling()). */
export function wakelistAddIpis(shared: boolean, listed: number, csds: number): boolean {
  return llistAddWasEmpty(listed + (shared ? csds : 0), 0)
}

/** The lock operations a vCPU runs (one at a time, at task level). */
export const RqOp = { NONE: 0, TTWU: 1, SCHEDULE: 2 } as const
/** RqLocks.schedule(): a lock operation started — the vCPU spins or holds the lock, and dispatches again after it. */
export const SCHEDULE_LOCKING = -2
const NO_PICK = -3

export class GuestRqLocks implements RqLocksPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private csd!: Parts['csd']
  private gsched!: Parts['gsched']
  private locks!: Parts['locks']
  private work!: Parts['work']
  /** Per vCPU: the lock operation in progress (RqOp), the CPU whose rq it locks, when it began, and for a wake-up
   *  the thread it activates. */
  readonly op: Int8Array
  readonly opRq: Int32Array
  private readonly opStart: Float64Array
  private readonly opTid: Int32Array
  /** Per vCPU: the section's length once it owns the lock (−1: not yet). */
  private readonly holdNs: Float64Array
  /** Per vCPU: wake-ups whose ttwu_queue() locks another rq, waiting for the waker's current work to end (threads). */
  private readonly wakes: IntRings
  /** Per thread, for its pending wake-up: WF_SYNC and the waking thread (select_task_rq_fair()'s inputs). */
  private readonly wakeSync: Uint8Array
  private readonly wakeBy: Int32Array
  /** Per vCPU: the thread __schedule() picked under the lock, for the dispatch after the unlock (NO_PICK: none). */
  private readonly picked: Int32Array
  /** Per vCPU: the thread that blocked and is being switched out (p->on_cpu until the unlock), −1: none. */
  readonly descheduling: Int32Array
  /** Per vCPU: wake-ups queued on its wake list since its last __schedule() (sched_ttwu_pending()'s activations). */
  readonly ttwuPending: Int32Array
  /** Per vCPU: wake-ups on its wake list's llist, not yet taken by an IPI handler or the idle loop
   *  (llist_del_all()). */
  readonly wakeListed: Int32Array
  /** Per VM: the wake list is the call_single_queue (wakelistOnCallSingleQueue()). */
  private readonly sharedQueue: Uint8Array
  /** Per VM, after warm-up: lock operations, those that found the lock held, their wait (spin, PAUSE exits, pv_wait
   *  halts, preemption) until they owned it, and wake-ups that went through the wake list. */
  readonly acquisitions: Float64Array
  readonly contended: Float64Array
  readonly waitNs: Float64Array
  readonly wakelist: Float64Array

  constructor(m: ModelCore, nThreads: number) {
    this.m = m
    this.v = m.vcpu
    const nV = m.nV
    const nVm = m.inp.vms.length
    this.op = new Int8Array(nV); this.opRq = new Int32Array(nV); this.opStart = new Float64Array(nV); this.opTid = new Int32Array(nV)
    this.holdNs = new Float64Array(nV).fill(-1)
    this.wakes = new IntRings(nV, 8)
    this.wakeSync = new Uint8Array(Math.max(1, nThreads)); this.wakeBy = new Int32Array(Math.max(1, nThreads))
    this.picked = new Int32Array(nV).fill(NO_PICK)
    this.descheduling = new Int32Array(nV).fill(-1)
    this.ttwuPending = new Int32Array(nV)
    this.wakeListed = new Int32Array(nV)
    this.sharedQueue = Uint8Array.from(m.inp.vms, (vm) => vm.wakelistOnCallSingleQueue ? 1 : 0)
    this.acquisitions = new Float64Array(nVm); this.contended = new Float64Array(nVm); this.waitNs = new Float64Array(nVm); this.wakelist = new Float64Array(nVm)
  }

  link(p: Parts): void {
    this.csd = p.csd
    this.gsched = p.gsched
    this.locks = p.locks
    this.work = p.work
  }

  private counting(): boolean {
    return this.m.engine.now >= this.m.warmupEnd
  }

  /** Whether a wake-up from vCPU g can lock a rq once its work item ends: g is finishing a task-level work item (its
   *  completion callback: no frame running), outside interrupt handlers and lock operations. */
  canLock(g: number): boolean {
    return this.v.state[g] === St.RUN && !this.v.inIrq[g] && !this.work.inLockOp(g) && this.work.curKind[g] === Work.NONE
  }

  /** try_to_wake_up() from task context on vCPU g: the rest of it runs once g's current work item ends. */
  queueWake(tid: number, g: number, sync: boolean, wakerTid: number): void {
    this.wakeSync[tid] = sync ? 1 : 0
    this.wakeBy[tid] = wakerTid
    this.wakes.push(g, tid)
  }

  /** A wake-up went through c's wake list (__ttwu_queue_wakelist()): sched_ttwu_pending() activates it under c's lock.
   *  Returns whether its llist_add() found the list empty, so that the waker IPIs c (wakelistAddIpis()). */
  queuedOnWakelist(c: number): boolean {
    const vi = this.v.vmOf[c]!
    const first = wakelistAddIpis(this.sharedQueue[vi] === 1, this.wakeListed[c]!, this.csd.queuedCsds(c))
    this.wakeListed[c]!++
    this.ttwuPending[c]!++
    if (this.counting()) this.wakelist[vi]!++
    return first
  }

  /** cpu_rq(c)->nr_running as ttwu_queue_cond() reads it: the wake-ups still on c's wake list are not enqueued yet
   *  (the model enqueues them at the wake; select_task_rq_fair()'s idle_cpu() counts them, as its rq->ttwu_pending /
   *  wake_list test does). */
  nrRunningSeen(c: number): number {
    return Math.max(0, this.m.rq.nrRunning[c]! - this.wakeListed[c]!)
  }

  /** c's wake list is taken (llist_del_all()): by its IPI handler — flush_smp_call_function_queue() (5.8+),
   *  scheduler_ipi() → sched_ttwu_pending() (before) — or, on a polling idle CPU that got no IPI, by the idle loop
   *  before schedule_idle() (flush_smp_call_function_from_idle(), do_idle()'s sched_ttwu_pending() before 5.8); the
   *  model takes it at the latest when c picks from its queue (pickNextThread()), which it can only do once its wakees
   *  are activated. */
  flushWakelist(c: number): void {
    this.wakeListed[c] = 0
  }

  /** The wake-ups a call-function csd's llist_add() finds on c's call_single_queue: the wake list's, from 5.8. */
  wakelistOnCsdQueue(c: number): number {
    return this.sharedQueue[this.v.vmOf[c]!] === 1 ? this.wakeListed[c]! : 0
  }

  /** From dispatchNext(): vCPU g's pending wake-ups, in order — each placed (its LLC scan charged to g) and queued on a
   *  wake list, until one needs a rq->lock: that lock operation starts (true). False when none is left, g cannot lock,
   *  or a wake list's enqueue queued an IPI on g: ttwu_queue_wakelist() → __smp_call_single_queue() sends it before
   *  try_to_wake_up() returns, so the dispatch sends it (Act.SEND_IPI) before the next wake-up. */
  startPendingWake(g: number): boolean {
    if (!this.work.lockable(g)) return false
    const gs = this.gsched
    while (this.wakes.len[g]! > 0) {
      const tid = this.wakes.shift(g)
      const c = gs.ttwuPlace(tid, g, this.wakeSync[tid] === 1, this.wakeBy[tid]!)
      this.v.debt[g] = this.v.debt[g]! + gs.placeNs
      if (c < 0) {
        if (this.v.actions[g]) return false
        continue
      }
      this.opTid[g] = tid
      this.begin(g, RqOp.TTWU, c)
      return true
    }
    return false
  }

  /** __schedule() from dispatchNext(): the thread to run (−1: idle), or SCHEDULE_LOCKING when g first takes its own
   *  rq->lock (the pick happens once it owns it; the dispatch after the unlock gets the thread). No lock when nothing
   *  calls schedule(): the current thread goes on, or the idle task stays. */
  schedule(g: number): number {
    const gs = this.gsched
    const t = this.picked[g]!
    if (t !== NO_PICK) {
      this.picked[g] = NO_PICK
      // a wake-up since the pick made the idle task's pick stale: schedule again
      if (t >= 0 || !gs.scheduleTakesRqLock(g)) return t
    }
    if (!gs.scheduleTakesRqLock(g) || !this.work.lockable(g)) return gs.pickNextThread(g)
    this.descheduling[g] = gs.sleptTid[g]!
    this.begin(g, RqOp.SCHEDULE, g)
    return SCHEDULE_LOCKING
  }

  /** raw_spin_lock(&cpu_rq(c)->lock) as a lock operation on the guest work stack (spinlocks.ts spins and hands over). */
  private begin(g: number, op: number, c: number): void {
    const work = this.work
    this.op[g] = op
    this.opRq[g] = c
    this.opStart[g] = this.m.engine.now
    const l = this.locks.rqLockBase + c
    if (this.counting()) {
      const vi = this.v.vmOf[g]!
      this.acquisitions[vi]!++
      const o = this.locks.lockOwner[l]!
      if (o >= 0 && o !== g) this.contended[vi]!++
    }
    work.pushLockFrame(g)
    this.locks.acquire(g, l)
  }

  /** g owns the rq lock of its operation: what it does under it, and for how long. ttwu_do_activate() runs at the unlock;
   *  __schedule() picks now (pick_next_task() under the lock) and holds it through the context switch — that switch's
   *  cost moves from the thread's start into the section — plus the wake list's activations (sched_ttwu_pending()). */
  acquired(g: number): number {
    if (this.holdNs[g]! >= 0) return this.holdNs[g]!
    const ns = this.section(g)
    this.holdNs[g] = ns
    return ns
  }

  private section(g: number): number {
    const m = this.m
    if (this.counting()) { const vi = this.v.vmOf[g]!; this.waitNs[vi] = this.waitNs[vi]! + m.engine.now - this.opStart[g]! }
    if (this.op[g] === RqOp.TTWU) return m.cost(CostId.guestTtwuActivate)
    const v = this.v
    const d0 = v.debt[g]!
    this.picked[g] = this.gsched.pickNextThread(g)
    const sw = v.debt[g]! - d0
    v.debt[g] = d0
    const n = this.ttwuPending[g]!
    this.ttwuPending[g] = 0
    let ns = sw > 0 ? sw : m.cost(CostId.guestSchedulePick)
    for (let k = 0; k < n; k++) ns += m.cost(CostId.guestTtwuActivate)
    return ns
  }

  /** raw_spin_unlock(): a wake-up's task is activated on the locked rq (its resched_curr() may queue an IPI on g);
   *  __schedule()'s switched-out task is off the CPU (p->on_cpu = 0). */
  released(g: number): void {
    const op = this.op[g]!
    this.op[g] = RqOp.NONE
    this.holdNs[g] = -1
    if (op === RqOp.TTWU) this.gsched.ttwuDoActivate(this.opTid[g]!, this.opRq[g]!, g)
    else this.descheduling[g] = -1
  }

  /** Whether vCPU g has wake-ups waiting to lock a rq. */
  pendingWakes(g: number): boolean {
    return this.wakes.len[g]! > 0
  }
}
