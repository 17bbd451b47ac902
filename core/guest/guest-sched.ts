// The guest scheduler (kernel/sched/core.c, fair.c) over the VM's vCPUs: guest threads on per-vCPU runqueues,
// try_to_wake_up() with select_task_rq_fair()'s placement (select-idle.ts, which reads the steal-time `preempted`
// flag through vcpu_is_preempted()), the reschedule IPI to an idle target unless it polls (set_nr_if_polling()),
// __schedule()'s pick with its context switch, nohz idle balancing inside an LLC, and idle gaps (a thread's short
// sleep on an hrtimer). Runqueues grow with the threads: nothing queued is ever dropped.
import { CostId } from '../costs/cost-tables.ts'
import { Ev, St, Work, Irq, Thr } from '../sim/constants.ts'
import type { ModelCore, Parts, GuestSched as GuestSchedPart } from '../sim/model-parts.ts'
import { IntRings } from '../sim/int-rings.ts'
import { selectTaskRqFair, lastScanCount } from './select-idle.ts'
import type { SchedTopology, RqView } from './select-idle.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

export class GuestScheduler implements GuestSchedPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private gtimers!: Parts['gtimers']
  private halt!: Parts['halt']
  private irq!: Parts['irq']
  private work!: Parts['work']
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
  /** The burst the thread runs next when picked (−1: none pending). */
  readonly thrBurst: Float64Array
  /** Per vCPU: its queued (runnable, not running) threads in order, and its current thread (−1: none). */
  private readonly runq: IntRings
  readonly rqCurr: Int32Array
  readonly rq: RqView
  readonly schedTopo: SchedTopology[]
  /** Per VM: wake-ups placed on a vCPU other than prev, wake-ups queued behind a running thread, all wake-ups. */
  readonly migrations: Float64Array
  readonly stackedWakeups: Float64Array
  readonly wakeups: Float64Array

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
    this.runq = new IntRings(nV, 16)
    this.rqCurr = new Int32Array(nV).fill(-1)
    this.rq = m.rq
    this.schedTopo = m.inp.vms.map((vm) => ({ first: vm.firstVcpu, nrCpus: vm.vcpus, llcSize: vm.llcSize }))
    this.migrations = new Float64Array(nVm); this.stackedWakeups = new Float64Array(nVm); this.wakeups = new Float64Array(nVm)
  }

  link(p: Parts): void {
    this.gtimers = p.gtimers
    this.halt = p.halt
    this.irq = p.irq
    this.work = p.work
  }

  private enqueueThread(tid: number, c: number): void {
    this.runq.push(c, tid)
    this.rq.nrRunning[c]!++
    this.thrCpu[tid] = c
    this.thrState[tid] = Thr.RUNNABLE
  }

  /** __schedule() on vCPU g: its current thread if it has a burst to run, else pick_next_task() from the runqueue (a
   *  context switch). Returns the thread, or −1 (the idle task). */
  pickNextThread(g: number): number {
    let cur = this.rqCurr[g]!
    if (cur >= 0 && this.thrBurst[cur]! < 0) cur = -1
    if (cur < 0 && this.runq.len[g]! > 0) {
      cur = this.runq.shift(g)
      this.rqCurr[g] = cur
      this.thrState[cur] = Thr.RUNNING
      this.v.debt[g]! += this.m.cost(CostId.guestContextSwitch)
    }
    return cur
  }

  /** The thread's pending burst, taken to run now. */
  takeBurst(tid: number): number {
    const ns = this.thrBurst[tid]!
    this.thrBurst[tid] = -1
    return ns
  }

  /** A guest thread of a workload starts at time 0 on vCPU c with a first burst (the runtime's fork). */
  startThread(tid: number, c: number, burstNs: number): void {
    this.thrBurst[tid] = burstNs
    this.enqueueThread(tid, c)
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

  /** The running thread blocks (futex_wait, …): its vCPU picks the next queued thread or goes idle. */
  threadSleep(tid: number): void {
    const c = this.thrCpu[tid]!
    if (this.rqCurr[c] === tid) {
      this.rqCurr[c] = -1
      this.rq.nrRunning[c]!--
    }
    this.thrState[tid] = Thr.SLEEPING
    this.thrBurst[tid] = -1
  }

  threadSleeping(tid: number): boolean {
    return this.thrState[tid] === Thr.SLEEPING
  }

  /** try_to_wake_up(p) from vCPU `waker` (thread `wakerTid`, −1 from an interrupt): select_task_rq_fair() places it,
   *  it is enqueued there with its next burst, and an idle target gets a reschedule IPI — none when it polls in the
   *  guest idle loop (set_nr_if_polling()). Returns the waker's guest CPU time for it (ttwu + the LLC scan). */
  wakeThread(tid: number, waker: number, sync: boolean, wakerTid: number, burstNs: number): number {
    if (this.thrState[tid] !== Thr.SLEEPING) return 0
    const m = this.m
    const vi = this.thrVm[tid]!
    const prev = this.thrCpu[tid]!
    const pinned = this.thrPinned[tid] === 1
    const c = pinned ? prev : selectTaskRqFair(tid, prev, waker, sync, wakerTid, this.schedTopo[vi]!, this.rq, this.thrRecent)
    const ns = m.cost(CostId.guestTtwu) + (pinned ? 0 : lastScanCount() * m.cost(CostId.guestSisScanPerCpu))
    if (m.engine.now >= m.warmupEnd) {
      this.wakeups[vi]!++
      if (c !== prev) this.migrations[vi]!++
      if (this.rq.nrRunning[c]! > 0) this.stackedWakeups[vi]!++
    }
    this.thrBurst[tid] = burstNs
    this.enqueueThread(tid, c)
    if (this.rq.nrRunning[c] === 1 && c !== waker) {
      if (this.v.state[c] === St.GUEST_POLL) this.halt.wakeVcpu(c)
      else this.irq.queueIpi(waker, c)
    }
    return ns
  }

  /** The MC domain's balance interval for idle CPUs: sd->min_interval = sd_weight ms (sd_init()). */
  balanceIntervalNs(vi: number): number {
    return this.m.inp.vms[vi]!.llcSize * 1e6
  }

  /** Ev.IDLE_BALANCE — nohz idle balancing, reduced to its effect inside one LLC: each idle vCPU pulls one queued
   *  (runnable, not running) thread from a vCPU of its LLC that runs more than one, and is kicked by an IPI to run it.
   *  Simplification: the DIE/NUMA levels, load weights and the kick's sender exit are not modelled. */
  onIdleBalance(vi: number): void {
    const t = this.schedTopo[vi]!
    const runq = this.runq
    for (let c = t.first; c < t.first + t.nrCpus; c++) {
      if (this.rq.nrRunning[c] !== 0) continue
      const base = c - ((c - t.first) % t.llcSize)
      const end = Math.min(base + t.llcSize, t.first + t.nrCpus)
      for (let src = base; src < end; src++) {
        // detach_tasks(): an idle CPU never takes the only task of a runqueue (nr_running <= 1: a wakee about to run)
        if (runq.len[src]! === 0 || this.rq.nrRunning[src]! <= 1) continue
        // detach the most recently queued thread (the tail) that may run here (can_migrate_task())
        let j = runq.len[src]! - 1
        while (j >= 0 && this.thrPinned[runq.at(src, j)]) j--
        if (j < 0) continue
        const tid = runq.removeAt(src, j)
        this.rq.nrRunning[src]!--
        this.enqueueThread(tid, c)
        if (this.v.state[c] === St.GUEST_POLL) this.halt.wakeVcpu(c)
        else this.irq.deliverGuestIrq(c, Irq.IPI, this.m.inp.vms[vi]!.postedInterrupts)
        break
      }
    }
    this.m.engine.schedule(this.balanceIntervalNs(vi), Ev.IDLE_BALANCE, vi)
  }

  /** Ends the thread's current burst now (a spinner that sees the barrier released). */
  cutBurst(tid: number): void {
    const g = this.thrCpu[tid]!
    if (this.rqCurr[g] !== tid) { if (this.thrBurst[tid]! > 0) this.thrBurst[tid] = 0; return }
    if (this.work.cutThread(g, tid)) return
    if (this.thrBurst[tid]! > 0) this.thrBurst[tid] = 0
  }

  /** Ev.IDLE_GAP: the running guest thread sleeps briefly (an hrtimer wakes it with the rest of its burst). */
  onIdleGap(g: number): void {
    const m = this.m
    const v = this.v
    const vm = m.vmSpec(g)
    const work = this.work
    m.engine.schedule(m.rng.exponential(1e9 / vm.idleGaps.perSec), Ev.IDLE_GAP, g)
    if (v.state[g] !== St.RUN || v.inIrq[g] || work.curKind[g] !== Work.THREAD || work.inLockOp(g)) return
    const tid = work.curArg[g]!
    work.suspendWork(g)
    const rem = work.curRem[g]!
    work.curKind[g] = Work.NONE
    work.curRem[g] = 0
    this.threadSleep(tid)
    this.gtimers.armHrtimer(g, m.engine.now + m.rng.exponential(vm.idleGaps.meanNs), tid, rem)
    work.dispatchNext(g)
  }
}
