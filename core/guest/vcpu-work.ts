// The vCPU's guest work, as a stack of frames: the running frame (the current work item: an interrupt handler, a
// queued item, a thread's burst, a spin or a critical section) and beneath it the frames it interrupted — the work a
// lock operation interrupted (it resumes after the critical section), and the frame an interrupt handler interrupted
// (it resumes after the handler: irq_exit() returns to it). dispatchNext() is what the guest runs next: trapping
// actions first (each an exit), then a pending interrupt (the guest's IDT entry), the interrupted frame, queued
// work items, the guest scheduler's next thread (__schedule()), else the idle task.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, Work, Irq, Act, After } from '../sim/constants.ts'
import type { ModelCore, Parts, GuestWork as GuestWorkPart } from '../sim/model-parts.ts'
import { IntRings } from '../sim/int-rings.ts'
import { SCHEDULE_LOCKING } from './rq-lock.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import type { Engine } from '../engine/engine.ts'
import { pollutionAfterSuspend, unpaidPollution, refillPaidBy } from '../kvm/indirect-cost.ts'
import { irqsDisabledIn } from '../kvm/irq-delivery.ts'

/** Frames beneath the running one: a lock operation's interrupted work, and the frame an interrupt interrupted
 *  (interrupts do not nest, and a lock is taken only outside interrupt handlers, so two suffice). */
const STACK_DEPTH = 2

export class VcpuWork implements GuestWorkPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly engine: Engine
  private csd!: Parts['csd']
  private gsched!: Parts['gsched']
  private gtimers!: Parts['gtimers']
  private idle!: Parts['idle']
  private irq!: Parts['irq']
  private locks!: Parts['locks']
  private run!: Parts['run']
  private rqlock!: Parts['rqlock']
  /** The running frame: kind (Work), argument, remaining time, and when it (re)started. */
  readonly curKind: Int8Array
  readonly curArg: Int32Array
  readonly curRem: Float64Array
  readonly curStart: Float64Array
  /** The indirect cost (cache/TLB refill after an entry) the running frame took into its length, paid first. */
  private readonly curPoll: Float64Array
  /** The interrupted frames, STACK_DEPTH per vCPU, and their count. */
  private readonly stkKind: Int8Array
  private readonly stkArg: Int32Array
  private readonly stkRem: Float64Array
  private readonly sp: Int8Array
  /** The bottom frame is the work a lock operation interrupted. */
  private readonly inLock: Uint8Array
  /** The workload's work items queued per vCPU (a redis request), in order. */
  private readonly items: IntRings
  readonly qLen: Int32Array

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
    this.engine = m.engine
    const nV = m.nV
    this.curKind = new Int8Array(nV); this.curArg = new Int32Array(nV); this.curRem = new Float64Array(nV); this.curStart = new Float64Array(nV)
    this.curPoll = new Float64Array(nV)
    this.stkKind = new Int8Array(nV * STACK_DEPTH); this.stkArg = new Int32Array(nV * STACK_DEPTH); this.stkRem = new Float64Array(nV * STACK_DEPTH)
    this.sp = new Int8Array(nV)
    this.inLock = new Uint8Array(nV)
    this.items = new IntRings(nV, 64)
    this.qLen = this.items.len
  }

  link(p: Parts): void {
    this.csd = p.csd
    this.gsched = p.gsched
    this.gtimers = p.gtimers
    this.idle = p.idle
    this.irq = p.irq
    this.locks = p.locks
    this.run = p.run
    this.rqlock = p.rqlock
  }

  /** Pushes the running frame beneath the next one. */
  private push(g: number): void {
    const d = this.sp[g]!
    if (d >= STACK_DEPTH) throw stackOverflow(g, d)
    const i = g * STACK_DEPTH + d
    this.stkKind[i] = this.curKind[g]!
    this.stkArg[i] = this.curArg[g]!
    this.stkRem[i] = this.curRem[g]!
    this.curPoll[g] = 0
    this.sp[g] = d + 1
  }

  /** Pops the top interrupted frame into the running one (not started: the caller starts it). */
  private pop(g: number): void {
    const d = this.sp[g]! - 1
    const i = g * STACK_DEPTH + d
    this.curKind[g] = this.stkKind[i]!
    this.curArg[g] = this.stkArg[i]!
    this.curRem[g] = this.stkRem[i]!
    this.curPoll[g] = 0
    this.sp[g] = d
  }

  /** Queues work item `id` of the VM's workload on vCPU g. */
  queueItem(g: number, id: number): void {
    this.items.push(g, id)
  }

  /** Picks what the vCPU runs next in guest mode: a trapping action, a pending interrupt, the interrupted frame,
   *  queued work, the next thread, or idle. */
  dispatchNext(g: number): void {
    const v = this.v
    if (v.actions[g]) { this.runAction(g); return }
    // the rest of try_to_wake_up(): ttwu_queue() locks the wakee CPU's rq (interrupts off: before any pending one)
    if (this.rqlock.pendingWakes(g)) {
      if (this.rqlock.startPendingWake(g)) return
      // a wake list's reschedule IPI (__smp_call_single_queue()) leaves before the waker goes on
      if (v.actions[g]) { this.runAction(g); return }
    }
    let kind: number = this.curKind[g]!
    let arg = 0
    let ns = 0
    const pend = v.pendIrq[g]!
    // an rq->lock or irqsave section, or a spin for one (irqsDisabledIn()), takes a pending interrupt only after the unlock
    if (pend && !v.inIrq[g] && !irqsDisabledIn(kind, this.curArg[g]!, this.locks.rqLockBase)) {
      if (kind !== Work.NONE) this.push(g)
      const bit = pend & Irq.TIMER ? Irq.TIMER : pend & Irq.RX ? Irq.RX : Irq.IPI
      v.pendIrq[g] = pend & ~bit
      v.inIrq[g] = 1
      if (bit === Irq.TIMER) { kind = Work.TIMER_IRQ; ns = this.gtimers.timerIrqWork(g) }
      else if (bit === Irq.RX) { kind = Work.DEVICE_IRQ; ns = this.m.workloads[v.vmOf[g]!]!.deviceIrqNs(g) }
      else {
        // the handler takes the call_single_queue's csds and the wake list (llist_del_all())
        kind = Work.IPI
        ns = this.m.cost(CostId.guestIpiHandler)
        this.csd.ipiHandlerStart(g)
        this.rqlock.flushWakelist(g)
      }
    } else if (kind !== Work.NONE || (this.sp[g]! > this.inLock[g]! && !this.preemptOnIrqReturn(g))) {
      // the running frame, or the frame an interrupt interrupted (not the lock operation's: that one resumes at the
      // unlock)
      if (kind === Work.NONE) this.pop(g)
      kind = this.curKind[g]!
      arg = this.curArg[g]!
      ns = this.curRem[g]!
    } else if (this.items.len[g]! > 0) {
      kind = Work.ITEM
      arg = this.items.shift(g)
      ns = this.m.workloads[v.vmOf[g]!]!.itemNs(g, arg)
    } else {
      // __schedule() under the vCPU's own rq->lock (rq-lock.ts): a lock operation first, the pick's thread after it
      arg = this.rqlock.schedule(g)
      if (arg === SCHEDULE_LOCKING) return
      if (arg < 0) { this.idle.enterIdle(g); return }
      kind = Work.THREAD
      ns = this.gsched.takeBurst(arg)
    }
    if ((kind === Work.ITEM || kind === Work.THREAD) && this.idle.inIdleLoop[g] && this.idle.idleLoopExit(g)) {
      // leaving the idle loop: tick_nohz_idle_exit()'s TSC-deadline write comes before the task, which then resumes
      this.curKind[g] = kind; this.curArg[g] = arg; this.curRem[g] = ns; this.curStart[g] = this.engine.now
      this.runAction(g)
      return
    }
    this.startWork(g, kind, arg, ns)
  }

  /** The return from an interrupt to a thread (irqentry_exit() / exit_to_user_mode_loop()) is a preemption point: with
   *  TIF_NEED_RESCHED set (a wake-up's or the tick's resched_curr(), guest-sched.ts) the interrupted thread's frame goes
   *  back to the guest scheduler with what remains of its burst, and __schedule() picks. Not inside a lock operation
   *  (preemption is off under a spinlock). */
  private preemptOnIrqReturn(g: number): boolean {
    if (this.curKind[g] !== Work.NONE || this.inLock[g] || !this.gsched.needResched[g]) return false
    const i = g * STACK_DEPTH + this.sp[g]! - 1
    if (this.stkKind[i] !== Work.THREAD) return false
    this.pop(g)
    this.gsched.preemptBurst(this.curArg[g]!, this.curRem[g]!)
    this.curKind[g] = Work.NONE
    this.curRem[g] = 0
    return true
  }

  /** The guest's pending trapping actions, one at a time, each an exit: the TSC-deadline write, the virtio-net TX
   *  notify, the ICR writes of its IPIs, a PV IPI hypercall. */
  private runAction(g: number): void {
    const v = this.v
    const a = v.actions[g]!
    if (a & Act.REPROGRAM) {
      v.actions[g] = a & ~Act.REPROGRAM
      this.gtimers.reprogram(g)
      return
    }
    if (a & Act.TX_KICK) {
      v.actions[g] = a & ~Act.TX_KICK
      this.run.beginExit(g, ExitReason.EPT_MISCONFIG, this.m.causeIds.txNotify, this.m.cost(CostId.exitEptMisconfig), After.ENTRY)
      return
    }
    if (a & Act.SEND_IPI) { this.irq.sendIpi(g); return }
    if (a & Act.SEND_MULTI) { this.irq.sendPvIpi(g); return }
    v.actions[g] = 0
    this.dispatchNext(g)
  }

  /** Starts (or resumes) a frame: the guest work charged to it and the pending indirect cost (the cache/TLB refill
   *  after the last entry, at most the work's own length: refillPaidBy()) slow real work; a spin's length is its budget. */
  startWork(g: number, kind: number, arg: number, ns: number): void {
    if (kind === Work.SPIN) {
      const locks = this.locks
      kind = locks.startSpin(g, arg)
      ns = locks.startNs
    }
    const v = this.v
    let d = 0
    let p = 0
    if (kind !== Work.SPIN) {
      d = v.debt[g]!
      // the refill slows the work at most to half speed: it pays at most its own length, the rest stays pending
      const pending = v.pollution[g]!
      if (pending !== 0) p = refillPaidBy(pending, ns + d)
      if (d !== 0) v.debt[g] = 0
      if (p !== 0) v.pollution[g] = pending - p
    }
    this.curKind[g] = kind
    this.curArg[g] = arg
    this.curRem[g] = ns + d + p
    this.curPoll[g] = p
    this.curStart[g] = this.engine.now
    if (v.state[g] !== St.RUN) v.setState(g, St.RUN)
    this.engine.schedule(ns + d + p, Ev.WORK_DONE, g, ++v.workTok[g]!)
  }

  /** Stops the running frame (an exit or an interrupt): keeps what remains, less the refill it had not run off yet,
   *  which goes back to the vCPU's pending one (unpaidPollution(): owed once, by whatever guest work runs next). */
  suspendWork(g: number): void {
    if (this.curKind[g] === Work.NONE) return
    const done = this.engine.now - this.curStart[g]!
    const unpaid = unpaidPollution(this.curPoll[g]!, done, this.curRem[g]!)
    this.curPoll[g] = 0
    if (unpaid > 0) this.v.pollution[g] = pollutionAfterSuspend(this.v.pollution[g]!, unpaid)
    this.curRem[g] = Math.max(0, this.curRem[g]! - done - unpaid)
    if (this.curKind[g] === Work.SPIN) this.locks.spinSpun[g] = this.locks.spinSpun[g]! + done
    this.v.workTok[g]!++
  }

  /** Ev.WORK_DONE: the running frame finished (a stale token: it was suspended or replaced). */
  onWorkDone(g: number, tok: number): void {
    if (tok !== this.v.workTok[g]) return
    const kind = this.curKind[g]!
    const arg = this.curArg[g]!
    this.curKind[g] = Work.NONE
    this.curRem[g] = 0
    this.curPoll[g] = 0
    if (kind === Work.ITEM) this.m.workloads[this.v.vmOf[g]!]!.itemDone(g, arg)
    else if (kind === Work.THREAD) this.m.workloads[this.gsched.thrVm[arg]!]!.threadBurstDone(g, arg)
    else if (kind === Work.SPIN) { this.locks.spinBudgetOver(g, arg); return }
    else if (kind === Work.LOCK_CS) { this.locks.lockRelease(g, arg); return }
    else if (kind !== Work.NONE) this.irqDone(g, kind)
    this.dispatchNext(g)
  }

  /** irq_exit(): the handler finished; the timer's interrupt reprograms the deadline next, the device's finishes its
   *  softirq, an IPI's call functions have run (the workload's csd waiters see it). */
  private irqDone(g: number, kind: number): void {
    const v = this.v
    v.inIrq[g] = 0
    if (kind === Work.TIMER_IRQ) v.actions[g]! |= Act.REPROGRAM
    else if (kind === Work.DEVICE_IRQ) this.m.workloads[v.vmOf[g]!]!.deviceIrqDone(g)
    else if (kind === Work.IPI) {
      this.csd.ipiHandlerDone(g)
      this.m.workloads[v.vmOf[g]!]!.ipiHandled(g)
    }
  }

  /** A lock operation begins: the running frame goes beneath it (it resumes after the critical section). */
  pushLockFrame(g: number): void {
    if (this.sp[g] !== 0) throw new Error(`vCPU ${g}: a lock taken above an interrupted frame`)
    this.push(g)
    this.inLock[g] = 1
  }

  /** The critical section is over: the frame beneath resumes. */
  popLockFrame(g: number): void {
    if (this.sp[g] !== 1 || !this.inLock[g]) throw new Error(`vCPU ${g}: an unlock without its lock frame on top`)
    this.pop(g)
    this.curStart[g] = this.engine.now
    this.inLock[g] = 0
  }

  inLockOp(g: number): boolean {
    return this.inLock[g] === 1
  }

  lockable(g: number): boolean {
    return this.sp[g] === 0 && this.curKind[g] === Work.NONE && !this.v.inIrq[g]
  }

  spinning(g: number): boolean {
    return this.curKind[g] === Work.SPIN
  }

  /** Ends the burst of thread `tid` now if vCPU g runs it (or an interrupt interrupted it); false when it does not. */
  cutThread(g: number, tid: number): boolean {
    if (this.curKind[g] === Work.THREAD && this.curArg[g] === tid) {
      if (this.v.state[g] === St.RUN) {
        this.suspendWork(g)
        this.curRem[g] = 0
        this.curStart[g] = this.engine.now
        this.engine.schedule(0, Ev.WORK_DONE, g, ++this.v.workTok[g]!)
      } else {
        this.curRem[g] = 0
      }
      return true
    }
    const top = this.sp[g]! - 1
    if (top >= this.inLock[g]!) {
      const i = g * STACK_DEPTH + top
      if (this.stkKind[i] === Work.THREAD && this.stkArg[i] === tid) { this.stkRem[i] = 0; return true }
    }
    return false
  }
}

/** Built out of line: push() is inlined into the hot paths, where the message template would only add code. */
function stackOverflow(g: number, d: number): Error {
  return new Error(`vCPU ${g}: guest work stack overflow (a frame interrupted with ${d} beneath it)`)
}
