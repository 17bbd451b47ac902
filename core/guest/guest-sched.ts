// The guest scheduler (kernel/sched/core.c, fair.c) over the VM's vCPUs: guest threads on per-vCPU fair runqueues
// (the guest's cfs_rq: vruntime, lag and virtual deadline kept by HostRunqueues — the same fair.c arithmetic as the
// host's, with the guest's version and vCPU count, guest-fair.ts), try_to_wake_up() with select_task_rq_fair()'s
// placement (select-idle.ts, which reads the steal-time `preempted` flag through vcpu_is_preempted()), wake-up
// preemption (check_preempt_wakeup() under CFS, check_preempt_wakeup_fair() → pick_eevdf() under EEVDF), the tick's
// check (check_preempt_tick() / update_deadline()), resched_curr() — the vCPU's own TIF_NEED_RESCHED, nothing for a
// target polling with TIF_POLLING_NRFLAG, else a reschedule IPI on the guest's IPI send path — and __schedule()'s pick
// at the next preemption point (the end of a burst, the return from an interrupt: vcpu-work.ts). Runqueues grow with
// the threads. The rq clock (rq_clock_task(), steal time left out) is rq-clock.ts; nohz idle balancing inside an LLC is
// idle-balance.ts (its `balance`, which reads these run queues); idle gaps (a thread's short sleep on an hrtimer) are
// idle-gaps.ts, a part of their own.
// Simplifications: a preemption point is any return from an interrupt or the end of a burst (as with a thread in user
// mode, or PREEMPT_FULL); all threads are nice 0.
import { CostId } from '../costs/cost-tables.ts'
import { Irq, Thr } from '../sim/constants.ts'
import type { ModelCore, Parts, GuestSched as GuestSchedPart } from '../sim/model-parts.ts'
import { HostRunqueues } from '../host/runqueues.ts'
import { selectTaskRqFair, lastScanCount } from './select-idle.ts'
import type { SchedTopology, RqView } from './select-idle.ts'
import { Resched, reschedCurr, tickPreempts } from './guest-fair.ts'
import { wakelistTo } from './rq-lock.ts'
import { GuestRqClock } from './rq-clock.ts'
import { GuestIdleBalance } from './idle-balance.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

export class GuestScheduler implements GuestSchedPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private halt!: Parts['halt']
  private idle!: Parts['idle']
  private irq!: Parts['irq']
  private work!: Parts['work']
  private rqlock!: Parts['rqlock']
  readonly nT: number
  readonly firstThread: Int32Array
  readonly thrVm: Int32Array
  /** task_cpu(p): the vCPU the thread runs on, is queued on, or last ran on (prev_cpu at its next wake-up). */
  readonly thrCpu: Int32Array
  /** p->recent_used_cpu. */
  readonly thrRecent: Int32Array
  /** The thread is pinned to its vCPU (p->nr_cpus_allowed == 1): no placement, no idle-balance pull. */
  readonly thrPinned: Uint8Array
  readonly thrState: Int8Array
  /** The burst the thread runs next when picked (−1: none pending); a preempted thread keeps the rest of its burst. */
  readonly thrBurst: Float64Array
  /** Per VM: its vCPUs' cfs_rq (indexed by global vCPU and thread; cur[g] is the vCPU's current thread, −1: idle). */
  readonly cfs: HostRunqueues[]
  /** TIF_NEED_RESCHED of each vCPU's current task (the idle task's included). */
  readonly needResched: Uint8Array
  /** Per vCPU: the thread that blocked on it, until __schedule() switches it out (−1: none). */
  readonly sleptTid: Int32Array
  readonly rq: RqView
  readonly schedTopo: SchedTopology[]
  /** Per VM: wake-ups placed on a vCPU other than prev, wake-ups queued behind a running thread, all wake-ups. */
  readonly migrations: Float64Array
  readonly stackedWakeups: Float64Array
  readonly wakeups: Float64Array
  /** Per VM: wake-ups that preempted the running thread, tick reschedules, involuntary context switches (a preempted
   *  thread put back), reschedule IPIs sent, and reschedules of a polling idle vCPU that needed none. */
  readonly wakeupPreemptions: Float64Array
  readonly tickPreemptions: Float64Array
  readonly involuntarySwitches: Float64Array
  readonly reschedIpis: Float64Array
  readonly preemptIpis: Float64Array
  readonly pollingNoIpi: Float64Array
  /** Per VM: schedstat run_delay of picks after warm-up — their count, sum and maximum (what `perf sched latency`
   *  reports as the wait of a runnable thread for its vCPU). Per thread: when it last became runnable. */
  readonly runDelayCount: Float64Array
  readonly runDelaySum: Float64Array
  readonly runDelayMax: Float64Array
  private readonly thrQueuedAt: Float64Array
  private readonly rqClock: GuestRqClock
  /** nohz idle balancing over these run queues (idle-balance.ts): Ev.IDLE_BALANCE goes to it. */
  readonly balance: GuestIdleBalance

  constructor(m: ModelCore, threadsPerVm: number[]) {
    this.m = m
    this.v = m.vcpu
    const nV = m.nV
    const nVm = m.inp.vms.length
    this.firstThread = new Int32Array(nVm)
    let nT = 0
    threadsPerVm.forEach((n, vi) => { this.firstThread[vi] = nT; nT += n })
    this.nT = nT
    this.thrVm = new Int32Array(nT); this.thrCpu = new Int32Array(nT); this.thrRecent = new Int32Array(nT).fill(-1)
    this.thrPinned = new Uint8Array(nT); this.thrState = new Int8Array(nT); this.thrBurst = new Float64Array(nT).fill(-1)
    threadsPerVm.forEach((n, vi) => { for (let k = 0; k < n; k++) this.thrVm[this.firstThread[vi]! + k] = vi })
    this.cfs = m.inp.vms.map((vm) => new HostRunqueues(nT, nV, vm.guestFair, 1e9 / vm.guestHz))
    this.needResched = new Uint8Array(nV)
    this.sleptTid = new Int32Array(nV).fill(-1)
    this.rq = m.rq
    this.schedTopo = m.inp.vms.map((vm) => ({ first: vm.firstVcpu, nrCpus: vm.vcpus, llcSize: vm.llcSize }))
    this.migrations = new Float64Array(nVm); this.stackedWakeups = new Float64Array(nVm); this.wakeups = new Float64Array(nVm)
    this.wakeupPreemptions = new Float64Array(nVm); this.tickPreemptions = new Float64Array(nVm); this.involuntarySwitches = new Float64Array(nVm)
    this.reschedIpis = new Float64Array(nVm); this.preemptIpis = new Float64Array(nVm); this.pollingNoIpi = new Float64Array(nVm)
    this.runDelayCount = new Float64Array(nVm); this.runDelaySum = new Float64Array(nVm); this.runDelayMax = new Float64Array(nVm)
    this.thrQueuedAt = new Float64Array(nT)
    this.rqClock = new GuestRqClock(m)
    this.balance = new GuestIdleBalance(m, this)
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.idle = p.idle
    this.irq = p.irq
    this.work = p.work
    this.rqlock = p.rqlock
    this.balance.link(p)
  }

  private counting(): boolean {
    return this.m.engine.now >= this.m.warmupEnd
  }

  /** rq_clock_task() of vCPU g (rq-clock.ts: steal time left out). */
  clockTask(g: number): number {
    return this.rqClock.clockTask(g)
  }

  /** The cfs_rq of vCPU g's VM. */
  private cfsOf(g: number): HostRunqueues {
    return this.cfs[this.v.vmOf[g]!]!
  }

  /** enqueue_task_fair() of a runnable thread on vCPU c (place_entity()); returns whether it preempts c's current
   *  thread (check_preempt_wakeup() / check_preempt_wakeup_fair()). `migrated`: it last ran on another vCPU;
   *  `thisCpu`: the vCPU doing the enqueue (update_deadline()'s resched_curr() comes from there). */
  enqueueThread(tid: number, c: number, migrated: boolean, thisCpu: number): boolean {
    const q = this.cfs[this.thrVm[tid]!]!
    this.updateCurr(c, thisCpu)
    const preempts = q.enqueueWaking(tid, c, this.clockTask(c), migrated)
    this.rq.nrRunning[c]!++
    this.thrCpu[tid] = c
    this.thrState[tid] = Thr.RUNNABLE
    this.thrQueuedAt[tid] = this.m.engine.now
    return preempts
  }

  /** update_curr() on vCPU c's runqueue from vCPU thisCpu; under EEVDF update_deadline(): a current thread that
   *  reached its deadline gets a new one and, with others queued, resched_curr(). */
  private updateCurr(c: number, thisCpu: number): boolean {
    const q = this.cfsOf(c)
    const cur = q.cur[c]!
    if (cur < 0) return false
    const dl = q.deadline[cur]!
    q.updateCurr(c, this.clockTask(c))
    const reached = q.p.era === 'eevdf' && q.deadline[cur] !== dl
    if (reached && q.nrRunning(c) > 1) this.reschedCpu(c, thisCpu)
    return reached
  }

  /** resched_curr(cpu_rq(c)) from vCPU thisCpu (guest-fair.ts reschedCurr()). */
  private reschedCpu(c: number, thisCpu: number): void {
    const r = reschedCurr(c, thisCpu, this.needResched[c] === 1, this.idle.pollingInIdle(c))
    if (r === Resched.ALREADY) return
    this.needResched[c] = 1
    if (r !== Resched.LOCAL) this.kickCpu(c, thisCpu, r === Resched.POLLING)
  }

  /** The IPI to vCPU c from thisCpu — resched_curr()'s smp_send_reschedule() or the wake list's — or, for a polling
   *  idle target, none: its idle loop sees TIF_NEED_RESCHED itself (set_nr_and_not_polling() / set_nr_if_polling()), a
   *  poller at once, MWAIT when the monitored line is written. */
  private kickCpu(c: number, thisCpu: number, polling: boolean): void {
    const vi = this.v.vmOf[c]!
    if (polling) {
      this.needResched[c] = 1
      if (this.counting()) this.pollingNoIpi[vi]!++
      this.halt.wakeVcpu(c)
      return
    }
    if (this.counting()) {
      this.reschedIpis[vi]!++
      if (this.rq.nrRunning[c]! > 1) this.preemptIpis[vi]!++
    }
    this.irq.queueIpi(thisCpu, c)
  }

  /** scheduler_tick() → task_tick_fair() → entity_tick() on vCPU g (from the guest's tick, guest-timers.ts):
   *  update_curr(), then check_preempt_tick() (CFS) or update_deadline()'s resched (EEVDF). */
  schedulerTick(g: number): void {
    const q = this.cfsOf(g)
    const cur = q.cur[g]!
    if (cur < 0) return
    const had = this.needResched[g]!
    const reached = this.updateCurr(g, g)
    let left = Infinity
    for (let h = q.firstQueued(g); h >= 0; h = q.nextQueued(h)) if (q.vruntime[h]! < left) left = q.vruntime[h]!
    if (q.p.era === 'cfs' && tickPreempts(q.p, q.nrRunning(g), q.ranSincePick[cur]!, q.vruntime[cur]!, left, reached)) this.reschedCpu(g, g)
    if (!had && this.needResched[g] && this.counting()) this.tickPreemptions[this.v.vmOf[g]!]!++
  }

  /** __schedule() on vCPU g: its current thread goes on with its burst unless TIF_NEED_RESCHED is set and another
   *  thread waits — then put_prev_task_fair() queues it with the rest of its burst and pick_next_task_fair() (CFS
   *  leftmost vruntime, EEVDF pick_eevdf()) chooses; a switch costs a context switch. Returns the thread, or −1
   *  (the idle task). */
  pickNextThread(g: number): number {
    const q = this.cfsOf(g)
    const now = this.m.engine.now
    const clock = this.clockTask(g)
    this.sleptTid[g] = -1
    let cur = q.cur[g]!
    if (cur >= 0 && this.thrBurst[cur]! < 0) {
      // a workload that neither continued nor slept its thread: an error in checking mode, else the thread blocks
      if (this.v.checking) throw new Error(`guest thread ${cur} on vCPU ${g} has no burst to run: its workload neither continued nor slept it`)
      this.threadSleep(cur)
      cur = -1
    }
    if (cur >= 0) {
      if (!this.needResched[g] || q.nrQueued[g] === 0) { this.needResched[g] = 0; return cur }
      q.requeueCurr(g, clock)
      this.thrState[cur] = Thr.RUNNABLE
      this.thrQueuedAt[cur] = now
    }
    this.needResched[g] = 0
    if (q.nrQueued[g] === 0) return -1
    this.rqlock.flushWakelist(g)
    const next = q.pick(g)
    q.setCurr(next, g, clock)
    this.thrState[next] = Thr.RUNNING
    if (this.counting()) {
      const vi = this.v.vmOf[g]!
      const d = now - this.thrQueuedAt[next]!
      this.runDelayCount[vi]!++
      this.runDelaySum[vi]! += d
      if (d > this.runDelayMax[vi]!) this.runDelayMax[vi] = d
    }
    if (next !== cur) {
      // schedule_idle() from the idle loop, or schedule() from a thread that blocked or was preempted
      this.v.debt[g]! += this.m.cost(this.idle.inIdleLoop[g] ? CostId.guestSwitchFromIdle : CostId.guestContextSwitch)
      if (cur >= 0 && this.counting()) this.involuntarySwitches[this.v.vmOf[g]!]!++
    }
    return next
  }

  /** The thread's pending burst, taken to run now. */
  takeBurst(tid: number): number {
    const ns = this.thrBurst[tid]!
    this.thrBurst[tid] = -1
    return ns
  }

  /** The current thread of vCPU g is preempted at a preemption point with `remNs` of its burst left (vcpu-work.ts:
   *  the return from an interrupt with TIF_NEED_RESCHED set); pickNextThread() then queues it. */
  preemptBurst(tid: number, remNs: number): void {
    this.thrBurst[tid] = remNs
  }

  /** A guest thread of a workload starts at time 0 on vCPU c with a first burst (the runtime's fork). */
  startThread(tid: number, c: number, burstNs: number): void {
    this.thrBurst[tid] = burstNs
    this.enqueueThread(tid, c, false, c)
    if (this.rq.nrRunning[c] === 1) this.irq.deliverGuestIrq(c, Irq.IPI, true)
  }

  /** sched_setaffinity() of the thread to the one vCPU it is on (cyclictest -a): wake-ups keep it there
   *  (select_task_rq() skips select_task_rq_fair() when p->nr_cpus_allowed == 1) and idle balancing leaves it. */
  pinThread(tid: number): void {
    this.thrPinned[tid] = 1
  }

  /** The running thread goes on with another burst (called from threadBurstDone()). */
  threadContinue(tid: number, burstNs: number): void {
    this.thrBurst[tid] = burstNs
  }

  /** The running thread blocks (futex_wait, …): dequeue_entity() with its lag kept (EEVDF); its vCPU picks the next
   *  queued thread or goes idle. */
  threadSleep(tid: number): void {
    const c = this.thrCpu[tid]!
    const q = this.cfs[this.thrVm[tid]!]!
    if (q.cur[c] === tid) {
      q.sleepCurr(c, this.clockTask(c))
      this.rq.nrRunning[c]!--
      this.sleptTid[c] = tid
    }
    this.thrState[tid] = Thr.SLEEPING
    this.thrBurst[tid] = -1
  }

  threadSleeping(tid: number): boolean {
    return this.thrState[tid] === Thr.SLEEPING
  }

  /** try_to_wake_up(p) from vCPU `waker` (thread `wakerTid`, −1 from an interrupt). From task context the rest of it
   *  runs once the waker's current work item ends (the thread is TASK_WAKING until then; rq-lock.ts
   *  startPendingWake() → ttwuPlace(), in the order of the calls), from an interrupt at once. Returns the waker's guest
   *  CPU time for it known now: the part outside the rq lock (without the LLC scan of a deferred placement, paid when
   *  it runs) — and the activation too when it cannot be a lock operation. */
  wakeThread(tid: number, waker: number, sync: boolean, wakerTid: number, burstNs: number): number {
    if (this.thrState[tid] !== Thr.SLEEPING) return 0
    const m = this.m
    this.thrBurst[tid] = burstNs
    const rl = this.rqlock
    if (rl.canLock(waker)) {
      this.thrState[tid] = Thr.WAKING
      rl.queueWake(tid, waker, sync, wakerTid)
      return m.cost(CostId.guestTtwu)
    }
    const c = this.ttwuPlace(tid, waker, sync, wakerTid)
    // ttwu_queue() onto the waker's own rq (cache-hot: one row), or another CPU's
    let ns = (c === waker ? m.cost(CostId.guestTtwuLocal) : m.cost(CostId.guestTtwu)) + this.placeNs
    if (c >= 0) {
      if (c !== waker) ns += m.cost(CostId.guestTtwuActivate)
      this.ttwuDoActivate(tid, c, waker)
    }
    return ns
  }

  /** The LLC scan time of the last ttwuPlace(). */
  placeNs = 0

  /** try_to_wake_up() after the state change: a wakee still descheduling on its CPU (p->on_cpu) may go to that CPU's
   *  wake list at once (WF_ON_CPU, 5.8–5.19); else select_task_rq_fair() places it (select-idle.ts) and ttwu_queue()
   *  queues it on the chosen CPU's wake list (ttwu_queue_cond(), rq-lock.ts) — that CPU activates it in
   *  sched_ttwu_pending() — or returns the CPU whose rq->lock the waker takes for ttwu_do_activate() (−1: queued).
   *  WF_SYNC matters only to the placement (wake_affine_idle()/_weight()). */
  ttwuPlace(tid: number, waker: number, sync: boolean, wakerTid: number): number {
    const m = this.m
    const vi = this.thrVm[tid]!
    const prev = this.thrCpu[tid]!
    const pinned = this.thrPinned[tid] === 1
    const rl = this.rqlock
    const era = m.inp.vms[vi]!.ttwuQueueEra
    const onCpu = this.sleptTid[prev] === tid || rl.descheduling[prev] === tid
    const topo = this.schedTopo[vi]!
    const viaOnCpu = onCpu && wakelistTo(topo, prev, waker, era, rl.nrRunningSeen(prev), true)
    const c = pinned || viaOnCpu ? prev : selectTaskRqFair(tid, prev, waker, sync, wakerTid, topo, this.rq, this.thrRecent)
    this.placeNs = pinned || viaOnCpu ? 0 : lastScanCount() * m.cost(CostId.guestSisScanPerCpu)
    if (this.counting()) {
      this.wakeups[vi]!++
      if (c !== prev) this.migrations[vi]!++
      if (this.rq.nrRunning[c]! > 0) this.stackedWakeups[vi]!++
    }
    if (viaOnCpu || wakelistTo(topo, c, waker, era, rl.nrRunningSeen(c), false)) {
      // __ttwu_queue_wakelist(): c activates it itself (its resched_curr() is local), and the waker IPIs c only when
      // its llist_add() found the list empty (rq-lock.ts wakelistAddIpis())
      const first = rl.queuedOnWakelist(c)
      this.ttwuDoActivate(tid, c, c)
      if (first) this.kickCpu(c, waker, this.idle.pollingInIdle(c))
      return -1
    }
    return c
  }

  /** ttwu_do_activate() on vCPU c from vCPU waker (c itself from its wake list), under c's rq->lock: enqueue it, and
   *  check_preempt_curr() asks resched_curr() of the target — always for an idle one (the idle class), when it preempts
   *  the running thread for a busy one. */
  ttwuDoActivate(tid: number, c: number, waker: number): void {
    const vi = this.thrVm[tid]!
    const preempts = this.enqueueThread(tid, c, c !== this.thrCpu[tid], waker)
    if (this.rq.nrRunning[c] === 1) this.reschedCpu(c, waker)
    else if (preempts) {
      if (this.counting() && this.needResched[c] === 0) this.wakeupPreemptions[vi]!++
      this.reschedCpu(c, waker)
    }
  }

  /** __schedule() runs at this dispatch of vCPU g — a thread blocked, TIF_NEED_RESCHED is set, or the idle task has a
   *  thread to pick (schedule_idle()) — and takes g's rq->lock; else the current thread goes on (or idle stays). */
  scheduleTakesRqLock(g: number): boolean {
    if (this.sleptTid[g]! >= 0 || this.needResched[g]) return true
    const q = this.cfsOf(g)
    return q.cur[g]! < 0 && q.nrQueued[g]! > 0
  }

  /** Ends the thread's current burst now (a spinner that sees the barrier released). */
  cutBurst(tid: number): void {
    const g = this.thrCpu[tid]!
    if (this.cfs[this.thrVm[tid]!]!.cur[g] !== tid) { if (this.thrBurst[tid]! > 0) this.thrBurst[tid] = 0; return }
    if (this.work.cutThread(g, tid)) return
    if (this.thrBurst[tid]! > 0) this.thrBurst[tid] = 0
  }
}
