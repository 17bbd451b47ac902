// The host model (model.md §2): builds the parts — one per kernel mechanism, in core/kvm/, core/host/ and
// core/guest/ (the map at the top of docs/model.md) — links them, starts them at time 0 and dispatches the engine's
// events to the part that owns each kind. It is also what a workload sees (GuestOps) and what collect.ts reads.
// State lives in typed arrays indexed by vCPU / VM / guest thread / pCPU; events carry integers only.
import { Engine } from '../engine/engine.ts'
import { Rng } from '../engine/rng.ts'
import { COST_NAMES } from '../costs/cost-tables.ts'
import { Ev, St, Irq, Act, Work, After } from './constants.ts'
import type { ModelInputs, VmSpec } from './model-inputs.ts'
import { CauseTable } from './causes.ts'
import { createWorkload } from './workloads/index.ts'
import type { GuestWorkload } from './workloads/workload.ts'
import type { GuestOps } from './workloads/guest-ops.ts'
import type { CauseIds, ModelCore, Parts } from './model-parts.ts'
import { ModelStats } from './statistics.ts'
import { HostRunqueues } from '../host/runqueues.ts'
import { fairParams } from '../host/fair-sched.ts'
import { HostScheduler } from '../host/host-sched.ts'
import { HostTasks } from '../host/host-tasks.ts'
import { HostNoise } from '../host/host-noise.ts'
import { Cpuidle } from '../host/cpuidle.ts'
import { VcpuState } from '../kvm/vcpu.ts'
import { VcpuRun } from '../kvm/vcpu-run.ts'
import { KvmHalt } from '../kvm/halt.ts'
import { LapicTimer } from '../kvm/lapic-timer.ts'
import { IrqDelivery } from '../kvm/irq-delivery.ts'
import { PauseLoop } from '../kvm/pause-loop.ts'
import { StealTime } from '../kvm/steal-time.ts'
import { VmmExit } from '../kvm/vmm-exit.ts'
import { KvmSchedHooks } from '../kvm/sched-hooks.ts'
import { VcpuWork } from '../guest/vcpu-work.ts'
import { GuestIdleLoop } from '../guest/guest-idle.ts'
import { GuestTimers } from '../guest/guest-timers.ts'
import { GuestScheduler } from '../guest/guest-sched.ts'
import { GuestSpinlocks } from '../guest/spinlocks.ts'
import { GuestTlbFlush } from '../guest/tlb-flush.ts'
import { PV_IPI_CAUSE } from './ipi-setup.ts'
import { CsdLockWait } from '../guest/csd-lock-wait.ts'
import { GuestMutexes } from '../guest/mutex-spin.ts'
import { GuestRqLocks } from '../guest/rq-lock.ts'
import { GuestIdleGaps } from '../guest/idle-gaps.ts'
import type { RqView } from '../guest/select-idle.ts'

export interface ModelOptions {
  /** Assert the vCPU state machine's transitions and the work stack's invariants (tests turn it on; the bench and the
   *  app leave it off). */
  checking?: boolean
}

export class HostModel implements GuestOps, ModelCore {
  readonly engine = new Engine()
  readonly rng: Rng
  readonly inp: ModelInputs
  readonly causes = new CauseTable()
  readonly causeIds: CauseIds
  readonly nV: number
  readonly nVm: number
  /** The cost table flattened: [minNs, meanNs − minNs, sigma] per CostId. */
  private readonly costs: Float64Array
  readonly warmupEnd: number
  readonly endNs: number
  readonly vcpu: VcpuState
  readonly hrq: HostRunqueues
  readonly rq: RqView
  readonly workloads: GuestWorkload[]
  readonly stats: ModelStats
  /** Event kind − Ev.WORKLOAD_BASE → its workload. */
  private readonly evOwner: GuestWorkload[] = []
  /** The vCPU first placed on each pCPU (its "home" vCPU, for the pCPU's roles), or −1. */
  readonly pcpuVcpu: Int32Array

  // the parts
  readonly steal: StealTime
  readonly run: VcpuRun
  readonly halt: KvmHalt
  readonly timer: LapicTimer
  readonly irq: IrqDelivery
  readonly ple: PauseLoop
  readonly vmm: VmmExit
  readonly cpuidle: Cpuidle
  readonly sched: HostScheduler
  readonly hooks: KvmSchedHooks
  readonly tasks: HostTasks
  readonly noise: HostNoise
  readonly work: VcpuWork
  readonly idle: GuestIdleLoop
  readonly gtimers: GuestTimers
  readonly gsched: GuestScheduler
  readonly locks: GuestSpinlocks
  readonly tlb: GuestTlbFlush
  readonly csd: CsdLockWait
  readonly mutex: GuestMutexes
  readonly rqlock: GuestRqLocks
  readonly gaps: GuestIdleGaps

  constructor(inp: ModelInputs, opts: ModelOptions = {}) {
    this.inp = inp
    this.rng = new Rng(inp.seed)
    const nV = (this.nV = inp.vcpus.length)
    const nVm = (this.nVm = inp.vms.length)
    this.warmupEnd = inp.warmupNs
    this.endNs = inp.warmupNs + inp.durationNs
    this.hrq = new HostRunqueues(nV + inp.tasks.length, inp.nrCpus, fairParams(inp.hostVersion, inp.nrCpus), 1e9 / inp.hostHz)
    this.vcpu = new VcpuState(nV, inp.nrCpus, this.engine, this.hrq.cur, opts.checking === true)
    this.pcpuVcpu = new Int32Array(inp.nrCpus).fill(-1)
    inp.vcpus.forEach((v, g) => {
      this.vcpu.vmOf[g] = v.vm
      this.vcpu.pcpuOf[g] = v.pcpu
      if (v.pcpu >= 0 && this.pcpuVcpu[v.pcpu] === -1) this.pcpuVcpu[v.pcpu] = g
    })

    // exit causes: every one registered before the statistics are sized (no limit on their number)
    const c = (name: string): number => this.causes.id(name)
    this.causeIds = {
      tscWrite: c('TSC-deadline write (guest timer programming)'),
      txNotify: c('virtio-net TX notify (ioeventfd → vhost)'),
      hvTimer: c('guest LAPIC timer (VMX preemption timer)'),
      swTimer: c('guest LAPIC timer (sw hrtimer on this pCPU)'),
      timerKick: c('guest LAPIC timer kick (sw hrtimer on a housekeeping CPU)'),
      swTimerOther: c('another vCPU\'s LAPIC timer (sw hrtimer on this CPU)'),
      kick: c('kick IPI (interrupt injection)'),
      hlt: c('guest idle (HLT)'),
      mwaitNop: c('guest idle (MWAIT emulated as NOP)'),
      hostTick: c('host scheduler tick'),
      kworker: c('reschedule IPI (kworker on this pCPU)'),
      resched: c('reschedule IPI (host thread woken on this pCPU)'),
      slice: c('host scheduler tick (time slice over)'),
      pauseLoop: c('spinlock PAUSE loop (PLE window exceeded)'),
      pvWait: c('pvqspinlock pv_wait() (waiter halts)'),
      pvKick: c('pvqspinlock pv_kick() (KVM_HC_KICK_CPU)'),
      hltToVmm: c('guest idle (HLT → KVM_EXIT_HLT to the VMM, RFC)'),
      mwaitToVmm: c('guest idle (MWAIT → KVM_EXIT_MWAIT to the VMM, RFC)'),
      mwaitYield: c('guest idle (MWAIT emulated as NOP + yield(), RFC)'),
      pvSchedYield: c('PV sched yield to a preempted IPI target (KVM_HC_SCHED_YIELD)'),
      pvIpi: c(PV_IPI_CAUSE),
    }
    const ipiCause = new Int32Array(nVm)
    const guestTlbCause = new Int32Array(nVm)
    inp.vms.forEach((vm, v) => {
      ipiCause[v] = c(vm.ipiUnicastCause)
      guestTlbCause[v] = c('guest TLB-shootdown IPI (flush_tlb_mm_range)')
    })
    const irqCause = Int32Array.from(inp.irqs, (src) => c(`device IRQ ${src.name}`))
    const tlbCause = Int32Array.from(inp.vms, (vm) => c(`TLB-shootdown IPI from the ${vm.name} VMM`))
    this.stats = new ModelStats(nV, nVm, this.causes.size, inp.warmupNs, inp.durationNs)

    this.costs = new Float64Array(COST_NAMES.length * 3)
    COST_NAMES.forEach((n, i) => {
      const cost = inp.costs[n]
      this.costs[i * 3] = cost.minNs
      this.costs[i * 3 + 1] = cost.meanNs - cost.minNs
      this.costs[i * 3 + 2] = cost.sigma
    })

    this.steal = new StealTime(nV)
    this.rq = { nrRunning: new Int32Array(nV), preempted: this.steal.seenByIdleScan }
    // workloads, their event kinds and their guest threads
    this.workloads = inp.vms.map((vm, v) => createWorkload(this, v, vm.workload))
    this.workloads.forEach((w) => {
      w.evBase = Ev.WORKLOAD_BASE + this.evOwner.length
      for (let k = 0; k < w.eventKinds(); k++) this.evOwner.push(w)
    })

    this.run = new VcpuRun(this, this.stats, this.steal)
    this.halt = new KvmHalt(this)
    this.timer = new LapicTimer(this)
    this.irq = new IrqDelivery(this, ipiCause, guestTlbCause)
    this.vmm = new VmmExit(this, this.steal)
    this.ple = new PauseLoop(this, this.vmm.yieldKind)
    this.cpuidle = new Cpuidle(this)
    this.sched = new HostScheduler(this, this.cpuidle)
    this.hooks = new KvmSchedHooks(this, this.steal)
    this.tasks = new HostTasks(this, this.sched.mayShare)
    this.noise = new HostNoise(this, irqCause, tlbCause)
    this.work = new VcpuWork(this)
    this.idle = new GuestIdleLoop(this, this.vmm)
    this.gtimers = new GuestTimers(this)
    this.gsched = new GuestScheduler(this, this.workloads.map((w) => w.threadCount()))
    this.locks = new GuestSpinlocks(this, this.steal)
    this.steal.onSet = (g) => this.locks.preemptedSet(g)
    this.tlb = new GuestTlbFlush(this, this.steal)
    this.csd = new CsdLockWait(this, this.steal)
    this.mutex = new GuestMutexes(this, this.steal)
    this.rqlock = new GuestRqLocks(this, this.gsched.nT)
    this.gaps = new GuestIdleGaps(this)
    const parts: Parts = {
      run: this.run, halt: this.halt, timer: this.timer, noise: this.noise, irq: this.irq, ple: this.ple, sched: this.sched, hooks: this.hooks, tasks: this.tasks,
      cpuidle: this.cpuidle, work: this.work, idle: this.idle, gtimers: this.gtimers, gsched: this.gsched, locks: this.locks,
      csd: this.csd, mutex: this.mutex, rqlock: this.rqlock,
    }
    for (const p of [this.run, this.halt, this.timer, this.irq, this.vmm, this.ple, this.sched, this.hooks, this.tasks, this.noise, this.work, this.idle, this.gtimers, this.gsched, this.locks, this.tlb, this.csd, this.mutex, this.rqlock, this.gaps]) p.link(parts)
    this.engine.setHandler(this)
  }

  // ---------------------------------------------------------------- shared services

  /** Samples a cost of the table: its floor plus a lognormal excess. */
  cost(id: number): number {
    const i = id * 3
    return this.costs[i]! + this.rng.lognormal(this.costs[i + 1]!, this.costs[i + 2]!)
  }

  vmSpec(g: number): VmSpec {
    return this.inp.vms[this.vcpu.vmOf[g]!]!
  }

  // ---------------------------------------------------------------- start

  /** Time 0: every vCPU starts in the guest on its pCPU (or waits there behind an earlier one), then the host's and
   *  the guests' sources of events start, in a fixed order (determinism). */
  start(): void {
    const e = this.engine
    const v = this.vcpu
    const inp = this.inp
    for (let g = 0; g < this.nV; g++) {
      v.state[g] = St.RUN
      v.stateSince[g] = 0
      this.gtimers.start(g)
      const c = v.pcpuOf[g]!
      if (this.hrq.cur[c]! < 0) {
        this.hrq.setCurr(g, c, 0)
        this.work.dispatchNext(g)
      } else {
        // its pCPU is taken by an earlier vCPU thread: it waits on the run queue
        v.state[g] = St.PREEMPTED
        this.hrq.enqueueWaking(g, c, 0, false)
        this.sched.armSlice(c)
      }
    }
    inp.irqs.forEach((src, i) => {
      if (src.ratePerSec > 0 && src.cpus.length) e.schedule(this.rng.exponential(1e9 / src.ratePerSec), Ev.HOST_IRQ, i)
    })
    inp.vms.forEach((vm, vi) => {
      if (vm.tlbShootdownsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.tlbShootdownsPerSec), Ev.TLB_SHOOTDOWN, vi)
      if (vm.guestTlbShootdownsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.guestTlbShootdownsPerSec), Ev.GUEST_TLB, vi)
      this.workloads[vi]!.start(this.gsched.firstThread[vi]!)
      if (this.workloads[vi]!.threadCount() > 0 && vm.llcSize > 1) e.schedule(this.gsched.balance.balanceIntervalNs(vi), Ev.IDLE_BALANCE, vi)
    })
    for (let c = 0; c < inp.nrCpus; c++) {
      const g = this.pcpuVcpu[c]!
      // the tick also runs where only host tasks do when load balancing may move threads there (trigger_load_balance())
      const balances = this.sched.lb.active && inp.schedDomain[c] === 1 && inp.threadsMayRun[c]! > 1
      if (g < 0 && !inp.vcpuMayRun[c] && !balances) continue
      if (!inp.nohzFull[c] || this.sched.mayShare[c]) e.schedule(this.rng.uniform() * 1e9 / inp.hostHz, Ev.HOST_TICK, c)
      else if (inp.residualTickLocal) e.schedule(this.rng.uniform() * 1e9, Ev.HOST_TICK, c)
      if (inp.kworkerCpu[c] && inp.kworkerPerSec > 0) e.schedule(this.rng.exponential(1e9 / inp.kworkerPerSec), Ev.KWORKER, c)
    }
    for (let g = 0; g < this.nV; g++) {
      const vm = this.vmSpec(g)
      if (vm.spinlock.acquisitionsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.spinlock.acquisitionsPerSec), Ev.LOCK_ACQUIRE, g)
      if (vm.mutex.acquisitionsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.mutex.acquisitionsPerSec), Ev.MUTEX_ACQUIRE, g)
      if (vm.idleGaps.perSec > 0) e.schedule(this.rng.exponential(1e9 / vm.idleGaps.perSec), Ev.IDLE_GAP, g)
    }
    this.tasks.start()
    e.scheduleAt(this.warmupEnd, Ev.SAMPLE, 0, 0, 0)
  }

  // ---------------------------------------------------------------- dispatch

  /** Each event kind to the part that owns it (constants.ts lists the kinds). The frequent kinds first, in the order
   *  of their frequency — a vCPU's work, the workloads' own events, the host tasks' bursts (vhost), exits, timers —
   *  and the others in dispatchRare(): this function stays small and its compiled code is not thrown away when a rare
   *  kind first comes (each first call of a handler would deoptimize the function that calls it). */
  dispatch(kind: number, t: number, tok: number): void {
    if (kind === Ev.WORK_DONE) this.work.onWorkDone(t, tok)
    else if (kind >= Ev.WORKLOAD_BASE) {
      const w = this.evOwner[kind - Ev.WORKLOAD_BASE]!
      w.onEvent(kind - w.evBase, t, tok)
    } else if (kind === Ev.TASK_DONE) this.tasks.onDone(t, tok)
    // an exit whose handler is not the VM entry goes through dispatchRare(): its table call runs first at a run's
    // start, before V8 keeps feedback for onExitDone(), and the loop that inlines this would deoptimize in the next run
    else if (kind === Ev.EXIT_DONE && this.vcpu.exitHandler[t] === After.ENTRY) this.run.onExitDone(t, tok)
    else if (kind === Ev.TIMER_FIRE) this.timer.onFire(t, tok)
    else this.dispatchRare(kind, t, tok)
  }

  private dispatchRare(kind: number, t: number, tok: number): void {
    switch (kind) {
      case Ev.EXIT_DONE: this.run.onExitDone(t, tok); break
      case Ev.HOST_IRQ: this.noise.onHostIrq(t); break
      case Ev.TLB_SHOOTDOWN: this.noise.onTlbShootdown(t); break
      case Ev.HOST_POLL_END: this.halt.onPollEnd(t, tok); break
      case Ev.GUEST_POLL_END: this.idle.onPollEnd(t, tok); break
      case Ev.WAKE_DONE: this.halt.onWakeDone(t, tok); break
      case Ev.KWORKER: this.noise.onKworker(t); break
      case Ev.PREEMPT_DONE: this.sched.onPreemptDone(t, tok); break
      case Ev.SAMPLE: this.sample(); break
      case Ev.HOST_TICK: this.noise.onHostTick(t); break
      case Ev.IDLE_BALANCE: this.gsched.balance.onIdleBalance(t); break
      case Ev.HOST_SLICE: this.sched.onSlice(t, tok); break
      case Ev.TASK_WAKE: this.tasks.onWake(t); break
      case Ev.RESCHED_KICK: this.sched.onReschedKick(t); break
      case Ev.GUEST_TLB: this.tlb.onShootdown(t); break
      case Ev.LOCK_ACQUIRE: this.locks.onLockAcquire(t); break
      case Ev.MUTEX_ACQUIRE: this.mutex.onAcquire(t); break
      case Ev.IDLE_GAP: this.gaps.onIdleGap(t); break
      default: throw new Error(`event kind ${kind}: no part owns it`)
    }
  }

  // ---------------------------------------------------------------- GuestOps: what a workload may do

  complete(v: number, latencyNs: number): void { this.stats.complete(v, latencyNs, this.engine.now) }
  queueItem(g: number, id: number): void { this.work.queueItem(g, id) }
  armHrtimer(g: number, t: number, wakeTid: number, wakeBurstNs: number): void { this.gtimers.armHrtimer(g, t, wakeTid, wakeBurstNs) }
  armTimerFn(g: number, t: number, arg: number): void { this.gtimers.armHrtimer(g, t, -2 - arg, 0) }
  armTimerFnAtWrite(g: number, deltaNs: number, arg: number): void { this.gtimers.armTimerFnAtWrite(g, deltaNs, arg) }
  vcpuAsleep(g: number): boolean { return this.work.qLen[g] === 0 && (this.vcpu.idle[g] === 1 || this.vcpu.state[g] === St.BLOCKED) }
  startThread(tid: number, c: number, burstNs: number): void { this.gsched.startThread(tid, c, burstNs) }
  pinThread(tid: number): void { this.gsched.pinThread(tid) }
  threadContinue(tid: number, burstNs: number): void { this.gsched.threadContinue(tid, burstNs) }
  threadSleep(tid: number): void { this.gsched.threadSleep(tid) }
  threadSleeping(tid: number): boolean { return this.gsched.threadSleeping(tid) }
  wakeThread(tid: number, waker: number, sync: boolean, wakerTid: number, burstNs: number): number { return this.gsched.wakeThread(tid, waker, sync, wakerTid, burstNs) }
  cutBurst(tid: number): void { this.gsched.cutBurst(tid) }
  queueIpi(g: number, target: number): void { this.irq.queueIpi(g, target) }
  kickTx(g: number): void { this.vcpu.actions[g]! |= Act.TX_KICK }
  raiseDeviceIrq(g: number): void { this.irq.deliverGuestIrq(g, Irq.RX, this.vmSpec(g).postedInterrupts) }
  pendDeviceIrq(g: number): void { this.vcpu.pendIrq[g]! |= Irq.RX }
  runHostTask(k: number, ns: number, kind: number, target: number): void { this.tasks.runHostTask(k, ns, kind, target) }

  // a call from a work completion (no running frame) leaves the dispatch to the completion; one from the workload's own
  // event, in the middle of the vCPU's work, dispatches now
  flushTlbOthers(g: number): number {
    return this.csd.canCall(g) ? this.tlb.flushTlbMm(g, this.work.curKind[g] !== Work.NONE) : 0
  }

  callFunctionMany(g: number, wait: boolean, mask: Int32Array | null = null, n = 0): number {
    return this.csd.canCall(g) ? this.csd.smpCallFunctionMany(g, mask, n, wait, this.work.curKind[g] !== Work.NONE) : 0
  }

  mutexLock(g: number, id: number, holdNs: number): void {
    const mid = this.work.curKind[g] !== Work.NONE
    this.mutex.lock(g, id, holdNs)
    if (mid) this.work.dispatchNext(g)
  }

  rwsemLock(g: number, id: number, write: boolean, holdNs: number, readNs = 0): void {
    const mid = this.work.curKind[g] !== Work.NONE
    this.mutex.rwsem.lock(g, id, write, holdNs, readNs)
    if (mid) this.work.dispatchNext(g)
  }

  spinLock(g: number, id: number, holdNs: number): void {
    const mid = this.work.curKind[g] !== Work.NONE
    this.locks.spinLock(g, id, holdNs)
    if (mid) this.work.dispatchNext(g)
  }

  // ---------------------------------------------------------------- what collect.ts and the tests read

  get state(): Int8Array { return this.vcpu.state }
  get pcpuOf(): Int32Array { return this.vcpu.pcpuOf }
  get acc(): Float64Array { return this.vcpu.acc }
  get pcpuAcc(): Float64Array { return this.vcpu.pcpuAcc }
  get qLen(): Int32Array { return this.work.qLen }
  get pcpuBusy(): Float64Array { return this.noise.pcpuBusy }
  get mayShare(): Uint8Array { return this.sched.mayShare }
  get migrations(): Float64Array { return this.gsched.migrations }
  get stackedWakeups(): Float64Array { return this.gsched.stackedWakeups }
  get wakeups(): Float64Array { return this.gsched.wakeups }
  get hostMigrations(): Float64Array { return this.sched.hostMigrations }

  // ---------------------------------------------------------------- statistics

  /** Ev.SAMPLE at warm-up end: statistics restart here. */
  private sample(): void {
    const now = this.engine.now
    const v = this.vcpu
    v.stateSince.fill(now)
    v.acc.fill(0)
    v.pcpuAcc.fill(0)
    this.stats.resetAtWarmup()
    this.noise.pcpuBusy.fill(0)
    this.tasks.taskSince.fill(now)
  }

  /** Closes the time accounting at the end of the run. */
  finish(): void {
    for (let g = 0; g < this.nV; g++) this.vcpu.setState(g, this.vcpu.state[g]!)
    for (let c = 0; c < this.inp.nrCpus; c++) {
      const h = this.hrq.cur[c]!
      if (h >= this.nV) this.tasks.accountTask(h, c)
    }
  }
}
