// The model's parts and what each offers the others — the role include/linux/kvm_host.h and kvm_x86_ops play in the
// kernel. Each part is one class in core/kvm/, core/host/ or core/guest/ that mirrors one kernel mechanism, owns its
// state and handles its event kinds; it reaches the other parts only through these interfaces (HostModel builds the
// parts and links them), so no part imports another and core/ has no import circle.
import type { Engine } from '../engine/engine.ts'
import type { Rng } from '../engine/rng.ts'
import type { ModelInputs, VmSpec } from './model-inputs.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import type { HostRunqueues } from '../host/runqueues.ts'
import type { GuestWorkload } from './workloads/workload.ts'
import type { RqView } from '../guest/select-idle.ts'

/** Ids of the fixed exit causes, registered once so the hot path never looks a name up. */
export interface CauseIds {
  tscWrite: number
  txNotify: number
  hvTimer: number
  swTimer: number
  /** kvm_vcpu_kick() from apic_timer_fn() on a housekeeping CPU (unpinned sw hrtimer, v5.3+). */
  timerKick: number
  /** Another vCPU's unpinned sw hrtimer expiring on this (housekeeping) pCPU. */
  swTimerOther: number
  kick: number
  hlt: number
  mwaitNop: number
  hostTick: number
  kworker: number
  resched: number
  slice: number
  pauseLoop: number
  pvWait: number
  pvKick: number
  hltToVmm: number
  mwaitToVmm: number
  mwaitYield: number
  pvSchedYield: number
  pvIpi: number
}

/** What every part shares: the clock and events, the random stream, the inputs, the cost table, the vCPUs. */
export interface ModelCore {
  readonly engine: Engine
  readonly rng: Rng
  readonly inp: ModelInputs
  readonly nV: number
  readonly vcpu: VcpuState
  readonly hrq: HostRunqueues
  readonly causeIds: CauseIds
  readonly workloads: GuestWorkload[]
  /** The guest scheduler's per-vCPU view: nr_running and the steal-time preempted flag as the guest reads it. */
  readonly rq: RqView
  readonly warmupEnd: number
  cost(id: number): number
  vmSpec(g: number): VmSpec
  /** A workload's event (or a driven host task's completion event) of kind `kind`. */
  dispatch(kind: number, target: number, tok: number): void
}

/** core/kvm/vcpu-run.ts — vcpu_run() / vcpu_enter_guest(). */
export interface RunLoop {
  beginExit(g: number, reason: number, cause: number, ns: number, handler: number): void
  extendExit(g: number, ns: number): void
  exitDone(g: number): void
  vmEntry(g: number): void
  /** vcpu_enter_guest(): a pending reschedule first when `reschedFirst`, else VM entry, then the guest goes on (the
   *  interrupted idle entry, its idle loop, or its work). */
  enterGuest(g: number, idleEntry: boolean, reschedFirst: boolean): void
  /** Registers the handler that runs at the end of exits naming `after` (an After code). */
  setHandler(after: number, fn: (g: number) => void): void
}

/** core/kvm/halt.ts — kvm_vcpu_halt(), kvm_vcpu_block(), kvm_vcpu_wake_up(). */
export interface Halt {
  readonly haltStart: Float64Array
  readonly pvHalted: Uint8Array
  readonly pvUnhalted: Uint8Array
  readonly vmmSleep: Uint8Array
  /** apic->lapic_timer.pending of a vCPU in kvm_vcpu_halt(): expired there, not yet injected. */
  readonly timerPending: Uint8Array
  block(g: number): void
  /** `local`: woken by an interrupt on the vCPU's own pCPU (its pinned/local LAPIC hrtimer): no wake-up IPI. */
  wakeVcpu(g: number, local?: boolean, waker?: number): void
  /** apic_timer_expired() for a vCPU in kvm_vcpu_halt() (halt-polling or blocked): kvm_cpu_has_pending_timer(). */
  timerExpired(g: number, local: boolean): void
  hltWakeup(g: number): void
  /** The thread woken from its HLT block has its pCPU: kvm_vcpu_block()'s loop ends the halt, or blocks again. */
  threadRunsInBlock(g: number): void
  /** The vCPU is halted in an HLT exit (kvm_vcpu_halt() from an HLT, not yet entered again). */
  inHltExit(g: number): boolean
  /** Halted in pv_wait() for an rq->lock or irqsave lock, interrupts off: a pending interrupt does not end the halt,
   *  only the kick. */
  irqsOffInPvWait(g: number): boolean
  /** kvm_vcpu_kick() for an interrupt to such a waiter (`posted`: on the posted-interrupt path). */
  irqToIrqsOffWaiter(g: number, posted: boolean, waker?: number): void
}

/** core/kvm/lapic-timer.ts — the guest's LAPIC timer on its KVM path. */
export interface LapicTimer {
  readonly deadline: Float64Array
  programTimer(g: number, t: number): void
  /** The guest's WRMSR IA32_TSC_DEADLINE as this vCPU's timer path takes it (ns): fastpath or full exit, plus
   *  hrtimer_cancel()/hrtimer_start() on the sw path. */
  msrWriteNs(g: number): number
  /** kvm_migrate_timers(): the vCPU now runs on pCPU c. */
  migrateTimer(g: number, c: number): void
  /** kvm_lapic_switch_to_sw_timer() before halt-polling/blocking: its cost (0 when the hv timer is not in use). */
  switchToSwTimer(g: number): number
  /** kvm_wait_lapic_expire() at an entry after a halt: the busy wait for a timer that expired early (0: none). */
  entryWaitNs(g: number): number
  /** kvm_lapic_switch_to_hv_timer() after the halt: its cost (0 when nothing was switched). */
  switchToHvTimer(g: number): number
}

/** core/host/host-noise.ts — host interrupts on the pCPUs. */
export interface HostNoise {
  /** A host interrupt on pCPU c: an EXTERNAL_INTERRUPT exit of a vCPU in guest mode there, else host work. */
  hostInterrupt(c: number, cause: number, handlerNs: number): void
}

/** core/kvm/irq-delivery.ts — interrupts into the guest and the guest's IPI sends. */
export interface IrqDelivery {
  deliverGuestIrq(g: number, bit: number, posted: boolean, waker?: number): void
  queueIpi(g: number, entry: number): void
  queueMulticast(src: number, n: number, flag: number): void
  sendIpi(g: number): void
  sendPvIpi(g: number): void
  readonly mcastQ: Int32Array
  readonly mcastLen: Int32Array
  readonly mcastTlb: Uint8Array
  readonly ipiCap: number
}

/** core/kvm/pause-loop.ts — PAUSE-loop exiting / pause filter and kvm_vcpu_on_spin(). */
export interface PauseLoop {
  windowNs(g: number): number
  pauseExit(g: number): void
  shrinkPle(g: number): void
}

/** core/kvm/sched-hooks.ts — kvm_sched_in() / kvm_sched_out(). */
export interface SchedHooks {
  schedIn(g: number, c: number): number
  vcpuLoad(g: number, c: number): number
  migrated(g: number, c: number): void
  schedOutPreempted(g: number): void
  schedOutBlocked(g: number): void
}

/** core/host/host-sched.ts — the host scheduler (try_to_wake_up(), __schedule()) for vCPU threads and host tasks. */
export interface HostSched {
  readonly mayShare: Uint8Array
  readonly allowedList: (Int32Array | null)[]
  reschedCurr(c: number, cause: number): void
  descheduleVcpu(g: number): void
  pickNext(c: number): void
  queuedBehind(c: number): void
  /** trigger_load_balance() at the tick of busy pCPU c: the time its SCHED_SOFTIRQ takes there (core/host/load-balance.ts). */
  balanceTick(c: number): number
  armSlice(c: number): void
  selectCpu(h: number, prev: number, wakerCpu?: number, waker?: number): number
  selectNewTaskCpu(h: number, prev: number): number
  migrateVcpu(g: number, c: number): void
  /** try_to_wake_up() of a blocked vCPU thread. */
  wakeVcpuThread(g: number, local?: boolean, waker?: number): void
  /** KVM's vcpu->ready for vCPU thread g: runnable and not yet switched in (kvm_sched_out() / kvm_vcpu_wake_up()). */
  vcpuReady(g: number): boolean
  vcpuOnWakelist(g: number): boolean
}

/** core/host/host-tasks.ts — host tasks (neighbours, vhost workers). */
export interface HostTasks {
  taskPreempted(h: number, c: number): void
  readonly taskRem: Float64Array
  readonly taskSince: Float64Array
  readonly taskEnd: Float64Array
  readonly taskTok: Int32Array
}

/** core/host/cpuidle.ts — the pCPU's idle governor. */
export interface Cpuidle {
  readonly pcpuIdleEma: Float64Array
  cstateLatency(c: number): number
}

/** core/guest/vcpu-work.ts — the vCPU's guest work as a stack of frames. */
export interface GuestWork {
  readonly curKind: Int8Array
  readonly curArg: Int32Array
  readonly curRem: Float64Array
  readonly curStart: Float64Array
  readonly qLen: Int32Array
  dispatchNext(g: number): void
  startWork(g: number, kind: number, arg: number, ns: number): void
  suspendWork(g: number): void
  /** Pushes the current frame under a lock operation (its work resumes after the critical section). */
  pushLockFrame(g: number): void
  /** Pops the lock operation's interrupted frame into the current one. */
  popLockFrame(g: number): void
  /** The vCPU is inside a lock operation (its interrupted work waits under it). */
  inLockOp(g: number): boolean
  /** A lock operation can begin now: no frame running or interrupted, outside interrupt handlers. */
  lockable(g: number): boolean
  /** The running frame is in a spin loop. */
  spinning(g: number): boolean
  /** Ends the burst of thread `tid` now if the vCPU runs it (or an interrupt interrupted it); false if it does not. */
  cutThread(g: number, tid: number): boolean
}

/** core/guest/guest-idle.ts — the guest's idle loop and cpuidle driver. */
export interface GuestIdle {
  /** In the idle task (from do_idle() until a task runs), interrupts included. */
  readonly inIdleLoop: Uint8Array
  /** Times the idle loop handed the CPU to a task (each ends a lazy-TLB period). */
  readonly loopExits: Uint32Array
  enterIdle(g: number): void
  /** TIF_POLLING_NRFLAG: the idle task polls (a reschedule needs no IPI). */
  pollingNrflag(g: number): boolean
  /** tick_nohz_idle_exit() before running a task; true when a TSC-deadline write (Act.REPROGRAM) is pending. */
  idleLoopExit(g: number): boolean
  idleAfterTickStop(g: number): void
  guestHalt(g: number): void
  resumeIdle(g: number): void
  leaveIdle(g: number): void
  wakeInGuest(g: number): void
  /** The idle task polls with TIF_POLLING_NRFLAG set (resched_curr() sends it no IPI: set_nr_and_not_polling()). */
  pollingInIdle(g: number): boolean
}

/** core/guest/guest-timers.ts — the guest's tick and hrtimers. */
export interface GuestTimers {
  readonly tickRunning: Uint8Array
  readonly tickNext: Float64Array
  timerIrqWork(g: number): number
  nextGuestTimer(g: number): number
  /** The earliest expiry but the tick's. */
  nextTimerEvent(g: number): number
  /** Act.REPROGRAM: the TSC-deadline write when the earliest expiry moved. */
  reprogram(g: number): void
  armHrtimer(g: number, t: number, wakeTid: number, wakeBurstNs: number): void
  armTimerFnAtWrite(g: number, deltaNs: number, arg: number): void
}

/** core/guest/guest-sched.ts — the guest scheduler. */
export interface GuestSched {
  readonly thrVm: Int32Array
  /** __schedule(): the vCPU's current thread if it has a burst to run, else the next queued one (a context switch);
   *  −1 when none is runnable. */
  pickNextThread(g: number): number
  takeBurst(tid: number): number
  /** TIF_NEED_RESCHED of the vCPU's current task. */
  readonly needResched: Uint8Array
  /** The current thread is preempted at a preemption point with `remNs` of its burst left. */
  preemptBurst(tid: number, remNs: number): void
  /** scheduler_tick() → task_tick_fair(): the tick's preemption check. */
  schedulerTick(g: number): void
  threadSleep(tid: number): void
  wakeThread(tid: number, waker: number, sync: boolean, wakerTid: number, burstNs: number): number
  /** ttwu_do_activate() of a waking thread on vCPU c from vCPU waker: enqueue and check_preempt_curr(). */
  ttwuDoActivate(tid: number, c: number, waker: number): void
  /** try_to_wake_up()'s placement and ttwu_queue(): the CPU whose rq->lock the waker takes, or −1 (wake list). */
  ttwuPlace(tid: number, waker: number, sync: boolean, wakerTid: number): number
  /** The LLC scan time of the last ttwuPlace(). */
  readonly placeNs: number
  /** Per vCPU: the thread that blocked on it whose __schedule() is still owed (−1: none). */
  readonly sleptTid: Int32Array
  /** __schedule() runs (and takes rq->lock) at this dispatch: a thread blocked, TIF_NEED_RESCHED, or the idle task
   *  has a thread to pick. */
  scheduleTakesRqLock(g: number): boolean
}

/** core/guest/spinlocks.ts — guest spinlocks (qspinlock, pvqspinlock, test-and-set). */
export interface Spinlocks {
  /** A waiter (re)starts spinning on lock l: returns the work kind it runs and sets `startNs` to its length. */
  startSpin(g: number, l: number): number
  readonly startNs: number
  readonly spinSpun: Float64Array
  spinBudgetOver(g: number, l: number): void
  lockRelease(g: number, l: number): void
  /** g, its lock frame pushed, takes lock l: it queues behind a holder, then spins or owns it. */
  acquire(g: number, l: number): void
  /** The first lock id of the guests' rq->lock (one per vCPU), and each lock's owner (−1: free). */
  readonly rqLockBase: number
  /** The first lock id of the workloads' kernel spinlocks (GuestOps.spinLock(): spin_lock_irqsave()). */
  readonly wlLockBase: number
  readonly lockOwner: Int32Array
}

/** core/guest/rq-lock.ts — the guest's rq->lock in ttwu_queue() and __schedule(). */
export interface RqLocks {
  canLock(g: number): boolean
  queueWake(tid: number, g: number, sync: boolean, wakerTid: number): void
  queuedOnWakelist(c: number): boolean
  nrRunningSeen(c: number): number
  flushWakelist(c: number): void
  wakelistOnCsdQueue(c: number): number
  readonly descheduling: Int32Array
  pendingWakes(g: number): boolean
  startPendingWake(g: number): boolean
  schedule(g: number): number
  acquired(g: number): number
  released(g: number): void
}

/** core/guest/csd-lock-wait.ts — smp_call_function_many() and the sender's csd_lock_wait() spin. */
export interface CsdLockWait {
  canCall(g: number): boolean
  callFunctionMany(src: number, n: number, wait: boolean, tlb: boolean, dispatch: boolean): void
  smpCallFunctionMany(src: number, mask: Int32Array | null, n: number, wait: boolean, dispatch: boolean): number
  queuedCsds(t: number): number
  ipiHandlerStart(t: number): void
  ipiHandlerDone(t: number): void
  startSpin(g: number): number
  readonly startNs: number
  spinBudgetOver(g: number): void
  waitOver(g: number): void
}

/** core/guest/mutex-spin.ts — sleeping locks with optimistic spinning (mutex_optimistic_spin()). */
export interface GuestMutex {
  lock(g: number, id: number, holdNs: number): void
  startSpin(g: number, l: number): number
  readonly startNs: number
  spinBudgetOver(g: number, l: number): void
  release(g: number, l: number): void
}

/** All the parts, linked once after construction. */
export interface Parts {
  run: RunLoop
  halt: Halt
  timer: LapicTimer
  noise: HostNoise
  irq: IrqDelivery
  ple: PauseLoop
  sched: HostSched
  hooks: SchedHooks
  tasks: HostTasks
  cpuidle: Cpuidle
  work: GuestWork
  idle: GuestIdle
  gtimers: GuestTimers
  gsched: GuestSched
  locks: Spinlocks
  csd: CsdLockWait
  mutex: GuestMutex
  rqlock: RqLocks
}
