// The host model (model.md §2): vCPU threads on pCPUs, guest work and idle, VM exits with causes and
// sampled handling times, the guest LAPIC timer on its KVM path, host halt polling and blocking, posted
// interrupts, host noise, guest threads with the guest scheduler's wake-up placement and the steal-time
// `preempted` flag; workloads plug in from ./workloads/ (redis, ping-pong, timer, hackbench, fork-join).
// State lives in typed arrays indexed by vCPU / VM / guest thread; events carry integers only.
import { Engine } from '../engine/engine.ts'
import { Rng } from '../engine/rng.ts'
import { COST_NAMES, CostId } from '../costs/cost-tables.ts'
import { ExitReason, EXIT_REASON_COUNT } from '../output/exit-names.ts'
import { ExitStatsTable } from '../metrics/welford.ts'
import { LogHistogram } from '../metrics/log-histogram.ts'
import { updateHaltPoll } from '../kvm/halt-poll.ts'
import { adjustGuestPollLimit } from '../guest/haltpoll.ts'
import { selectTaskRqFair, lastScanCount } from '../guest/select-idle.ts'
import type { SchedTopology, RqView } from '../guest/select-idle.ts'
import { Ev, St, STATE_COUNT, Work, Irq, Act, After, Thr, inGuestMode, PCPU_TIME_COUNT, PCPU_TIME_OF_STATE, PcpuTime } from './constants.ts'
import type { ModelInputs, VmSpec } from './model-inputs.ts'
import { CauseTable } from './causes.ts'
import { createWorkload } from './workloads/index.ts'
import type { GuestWorkload } from './workloads/workload.ts'
import type { GuestOps } from './workloads/guest-ops.ts'
import { HostRunqueues } from './host-runqueues.ts'
import { fairParams } from '../host/fair-sched.ts'
import type { TimerPath } from '../kvm/timer-path.ts'
import { growPleWindow, shrinkPleWindow } from '../kvm/ple.ts'
import { kvmVcpuOnSpin } from '../kvm/directed-yield.ts'
import type { OnSpinInputs } from '../kvm/directed-yield.ts'
import { spinBeforeWaitNs, handoff } from '../guest/qspinlock.ts'
import { HaltExit, MwaitExit, VmmStep, vmmAfterHltExit } from '../kvm/userspace-exits.ts'
import { skipsVcpuLoad } from '../kvm/scheduled-out.ts'
import { yieldKind } from '../host/sched-yield.ts'

const R = EXIT_REASON_COUNT
const HRT_MAX = 64
const QCAP = 4096
/** Capacity of a vCPU's guest runqueue and of its pending-IPI list. */
const RQCAP = 256
const IPICAP = 256
const SERIES_POINTS = 200
/** A queued IPI entry is the target vCPU, plus: sent for a guest TLB shootdown (cause), and one send of a multicast
 *  (the VM's multicast exit and cost rather than the unicast ones). */
const IPI_TLB = 1 << 24
const IPI_MULTI = 1 << 25
const IPI_TARGET = (1 << 24) - 1
/** Lognormal shape of the VMM's work per userspace exit (experimental, seed 004). */
const VMM_WORK_SIGMA = 0.5

/** AVIC's IsRunning for a vCPU state: set while the vCPU is loaded (in guest mode, handling an exit, halt-polling),
 *  clear while it is blocked, being woken or scheduled out (avic_vcpu_blocking() / avic_vcpu_put()). */
function avicIsRunning(s: number): boolean {
  return s !== St.BLOCKED && s !== St.WAKING && s !== St.PREEMPTED
}

/** Increments a counter slot and returns the new value (a token for lazy event cancellation). */
function bump(a: Int32Array, i: number): number {
  return (a[i] = a[i]! + 1)
}

export class HostModel implements GuestOps {
  readonly engine = new Engine()
  readonly rng: Rng
  readonly inp: ModelInputs
  readonly causes = new CauseTable()
  /** Ids of the fixed exit causes, registered once so the hot path never looks a name up. */
  readonly causeIds: {
    tscWrite: number
    txNotify: number
    hvTimer: number
    swTimer: number
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
  }
  readonly nV: number
  readonly nVm: number
  /** The cost table flattened: [minNs, meanNs − minNs, sigma] per CostId. */
  readonly costs: Float64Array
  readonly warmupEnd: number
  readonly endNs: number

  // vCPU state
  readonly vmOf: Int32Array
  readonly pcpuOf: Int32Array
  readonly state: Int8Array
  readonly stateSince: Float64Array
  readonly acc: Float64Array
  readonly workTok: Int32Array
  readonly exitTok: Int32Array
  readonly idleTok: Int32Array
  readonly timerTok: Int32Array
  readonly curKind: Int8Array
  readonly curArg: Int32Array
  readonly curRem: Float64Array
  readonly curStart: Float64Array
  readonly savedKind: Int8Array
  readonly savedArg: Int32Array
  readonly savedRem: Float64Array
  readonly inIrq: Uint8Array
  readonly pendIrq: Uint8Array
  readonly actions: Uint8Array
  readonly debt: Float64Array
  readonly exitStart: Float64Array
  readonly exitEnd: Float64Array
  readonly exitReason: Int8Array
  readonly exitCause: Int16Array
  readonly exitAfter: Int8Array
  readonly idle: Uint8Array
  readonly idleStart: Float64Array
  readonly idleEma: Float64Array
  readonly haltStart: Float64Array
  readonly tickRunning: Uint8Array
  readonly tickNext: Float64Array
  readonly deadline: Float64Array
  readonly hrt: Float64Array
  readonly hrtCount: Int32Array
  /** Per armed hrtimer: the guest thread its expiry wakes (hrtimer_wakeup()), or −1; and that thread's next burst. */
  readonly hrtThr: Int32Array
  readonly hrtBurst: Float64Array
  /** Next guest-kernel housekeeping timer per vCPU (Infinity when none). */
  readonly bgNext: Float64Array
  readonly haltPollNs: Float64Array
  readonly guestPollNs: Float64Array
  readonly wakeLatency: Float64Array
  readonly qBuf: Int32Array
  readonly qHead: Int32Array
  readonly qLen: Int32Array
  readonly exitsAfterWarmup: Float64Array
  /** Guest IPIs the vCPU is about to send (each an ICR write), as a ring per vCPU. */
  readonly ipiQ: Int32Array
  readonly ipiHead: Int32Array
  readonly ipiLen: Int32Array
  /** The targets of a pending PV IPI hypercall (Act.SEND_MULTI), per vCPU. */
  readonly mcastQ: Int32Array
  readonly mcastLen: Int32Array
  /** Per VM: exit-cause ids of a unicast guest IPI send and of a guest TLB-shootdown IPI. */
  readonly ipiCause: Int32Array
  readonly guestTlbCause: Int32Array

  // guest scheduler: threads, per-vCPU runqueues, the steal-time preempted flag as the guest reads it
  readonly workloads: GuestWorkload[]
  readonly firstThread: Int32Array
  readonly nT: number
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
  readonly rqBuf: Int32Array
  readonly rqHead: Int32Array
  readonly rqLen: Int32Array
  /** The vCPU's current guest thread, or −1 (the idle task or a non-thread workload). */
  readonly rqCurr: Int32Array
  readonly rq: RqView
  readonly schedTopo: SchedTopology[]
  /** Per VM: wake-ups placed on a vCPU other than prev, and wake-ups queued behind a running thread. */
  readonly migrations: Float64Array
  readonly stackedWakeups: Float64Array
  readonly wakeups: Float64Array
  /** Event kind − Ev.WORKLOAD_BASE → its workload. */
  private readonly evOwner: GuestWorkload[] = []

  // pCPU state
  /** The vCPU first placed on each pCPU (its "home" vCPU, for the pCPU's roles), or −1. */
  readonly pcpuVcpu: Int32Array
  readonly pcpuBusy: Float64Array
  readonly pcpuIdleEma: Float64Array
  /** Per pCPU × PcpuTime: where its time went (vCPU states while on it, other tasks). */
  readonly pcpuAcc: Float64Array

  // the host scheduler: vCPU threads (ids 0..nV−1) and host tasks (nV…) on per-pCPU run queues
  readonly hrq: HostRunqueues
  readonly nTasks: number
  /** Per host thread: the CPUs it may run on (a mask over pCPUs), or null when pinned to one pCPU. */
  readonly allowedMask: (Uint8Array | null)[]
  readonly allowedList: (Int32Array | null)[]
  /** Per pCPU: more than one host thread may run there (the tick then runs on nohz_full CPUs when needed). */
  readonly mayShare: Uint8Array
  /** The host scheduler asked the vCPU thread to give its pCPU up at its next return to the guest. */
  readonly needResched: Uint8Array
  /** Why it must: the cause of the EXTERNAL_INTERRUPT exit the reschedule IPI or tick makes. */
  readonly reschedCause: Int16Array
  /** The vCPU's LAPIC timer path on the pCPU it runs on now. */
  readonly timerPath: TimerPath[]
  readonly sliceTok: Int32Array
  readonly taskTok: Int32Array
  /** A host task's remaining burst while it waits or runs, and when the running burst ends. */
  readonly taskRem: Float64Array
  readonly taskEnd: Float64Array
  /** A driven task's (vhost worker's) completion event (kind, target) for its current work; kind −1: none. */
  readonly taskCbKind: Int32Array
  readonly taskCbTarget: Int32Array
  /** A task pinned to a pCPU no other host thread may use (no scheduling against anything), or −1. */
  readonly taskAloneOn: Int32Array
  /** When the running task's time on its pCPU was last accounted. */
  readonly taskSince: Float64Array
  /** Per VM: vCPU thread migrations between pCPUs after warm-up. */
  readonly hostMigrations: Float64Array

  // guest spinlocks, PAUSE loops and PLE
  /** Per lock: the vCPU holding it (−1: free), and its waiters as a singly linked FIFO over vCPUs. */
  readonly lockOwner: Int32Array
  readonly lockHead: Int32Array
  readonly lockTail: Int32Array
  readonly waitNext: Int32Array
  /** The work a lock operation interrupted (it resumes after the critical section). */
  readonly lockSavedKind: Int8Array
  readonly lockSavedArg: Int32Array
  readonly lockSavedRem: Float64Array
  /** Spin time since the waiter's pv_wait loop started (SPIN_THRESHOLD counts across exits). */
  readonly spinSpun: Float64Array
  /** What ends the current spin budget: 0 nothing, 1 the PLE window, 2 pv_wait(). */
  readonly spinWhy: Int8Array
  /** Per vCPU: the PLE window (VMX: TSC cycles) or pause-filter count (SVM). */
  readonly pleWindow: Float64Array
  /** In pv_wait() (halted by pvqspinlock), and kicked (KVM_HC_KICK_CPU → vcpu->arch.pv.pv_unhalted). */
  readonly pvHalted: Uint8Array
  readonly pvUnhalted: Uint8Array
  /** Per VM: kvm->last_boosted_vcpu and the reusable inputs of kvm_vcpu_on_spin(). */
  readonly lastBoosted: Int32Array
  private readonly onSpin: OnSpinInputs[]
  private readonly tryYieldFn: (v: number) => boolean
  private yieldFrom = 0
  private yieldResult = 0
  /** Mean time of one PAUSE. */
  readonly pauseNs: number
  // experimental (the seed RFCs): the VMM's own wait on an HLT exit (seed 004), guest state kept loaded (seed 002)
  /** The vCPU thread sleeps in the VMM's poll() after a KVM_EXIT_HLT (not loaded: KVM_RUN loads it again). */
  readonly vmmSleep: Uint8Array
  /** The pCPU the vCPU was last loaded on, and the vCPU last loaded on each pCPU (−1: none). */
  readonly loadedOn: Int32Array
  readonly lastLoaded: Int32Array
  /** The vCPU's last schedule-in kept its guest state loaded: the next entry pays indirectKeptLoaded. */
  readonly keptLoaded: Uint8Array
  /** yield_task_fair() of the host version (core/host/sched-yield.ts). */
  readonly yieldKind: number

  // statistics
  readonly exitStats: ExitStatsTable
  readonly exitHist: LogHistogram[]
  causeCounts: Float64Array
  readonly latency: LogHistogram[]
  readonly completed: Float64Array
  readonly series: Float64Array
  readonly seriesIntervalNs: number
  readonly irqCause: Int32Array
  readonly tlbCause: Int32Array

  constructor(inp: ModelInputs) {
    this.inp = inp
    this.rng = new Rng(inp.seed)
    const nV = (this.nV = inp.vcpus.length)
    const nVm = (this.nVm = inp.vms.length)
    this.warmupEnd = inp.warmupNs
    this.endNs = inp.warmupNs + inp.durationNs
    const f64 = (n: number) => new Float64Array(n)
    const i32 = (n: number) => new Int32Array(n)
    this.vmOf = i32(nV); this.pcpuOf = i32(nV)
    this.state = new Int8Array(nV); this.stateSince = f64(nV); this.acc = f64(nV * STATE_COUNT)
    this.workTok = i32(nV); this.exitTok = i32(nV); this.idleTok = i32(nV); this.timerTok = i32(nV)
    this.curKind = new Int8Array(nV); this.curArg = i32(nV); this.curRem = f64(nV); this.curStart = f64(nV)
    this.savedKind = new Int8Array(nV); this.savedArg = i32(nV); this.savedRem = f64(nV)
    this.inIrq = new Uint8Array(nV); this.pendIrq = new Uint8Array(nV); this.actions = new Uint8Array(nV)
    this.debt = f64(nV)
    this.exitStart = f64(nV); this.exitEnd = f64(nV); this.exitReason = new Int8Array(nV); this.exitCause = new Int16Array(nV); this.exitAfter = new Int8Array(nV)
    this.idle = new Uint8Array(nV); this.idleStart = f64(nV); this.idleEma = f64(nV); this.haltStart = f64(nV)
    this.tickRunning = new Uint8Array(nV); this.tickNext = f64(nV); this.deadline = f64(nV).fill(Infinity)
    this.hrt = f64(nV * HRT_MAX); this.hrtCount = i32(nV); this.bgNext = f64(nV).fill(Infinity)
    this.hrtThr = i32(nV * HRT_MAX); this.hrtBurst = f64(nV * HRT_MAX)
    this.haltPollNs = f64(nV); this.guestPollNs = f64(nV); this.wakeLatency = f64(nV)
    this.qBuf = i32(nV * QCAP); this.qHead = i32(nV); this.qLen = i32(nV)
    this.exitsAfterWarmup = f64(nV)
    this.ipiQ = i32(nV * IPICAP); this.ipiHead = i32(nV); this.ipiLen = i32(nV)
    this.mcastQ = i32(nV * IPICAP); this.mcastLen = i32(nV)
    this.ipiCause = i32(nVm); this.guestTlbCause = i32(nVm)

    this.pcpuVcpu = i32(inp.nrCpus).fill(-1); this.pcpuBusy = f64(inp.nrCpus); this.pcpuIdleEma = f64(inp.nrCpus)
    this.pcpuAcc = f64(inp.nrCpus * PCPU_TIME_COUNT)
    const nTasks = (this.nTasks = inp.tasks.length)
    this.hrq = new HostRunqueues(nV + nTasks, inp.nrCpus, fairParams(inp.hostVersion, inp.nrCpus), 1e9 / inp.hostHz)
    this.allowedMask = []
    this.allowedList = []
    const allow = (cpus: number[] | null): void => {
      if (!cpus) { this.allowedMask.push(null); this.allowedList.push(null); return }
      const mask = new Uint8Array(inp.nrCpus)
      for (const c of cpus) mask[c] = 1
      this.allowedMask.push(mask)
      this.allowedList.push(Int32Array.from(cpus))
    }
    inp.vcpus.forEach((v) => allow(v.allowed))
    inp.tasks.forEach((t) => allow(t.cpus.length === 1 ? null : t.cpus))
    this.mayShare = new Uint8Array(inp.nrCpus)
    for (let c = 0; c < inp.nrCpus; c++) this.mayShare[c] = inp.threadsMayRun[c]! > 1 ? 1 : 0
    this.needResched = new Uint8Array(nV)
    this.reschedCause = new Int16Array(nV)
    this.timerPath = inp.vcpus.map((v) => v.timerPath)
    this.sliceTok = i32(inp.nrCpus)
    this.taskTok = i32(nTasks)
    this.taskRem = f64(nTasks)
    this.taskEnd = f64(nTasks)
    this.taskCbKind = i32(nTasks).fill(-1)
    this.taskCbTarget = i32(nTasks)
    this.taskAloneOn = i32(nTasks).fill(-1)
    inp.tasks.forEach((t, k) => { if (t.cpus.length === 1 && !this.mayShare[t.cpus[0]!]) this.taskAloneOn[k] = t.cpus[0]! })
    this.taskSince = f64(nTasks)
    this.hostMigrations = f64(nVm)
    const nLocks = inp.vms.reduce((n, vm) => Math.max(n, vm.spinlock.lockBase + vm.spinlock.locks), 0)
    this.lockOwner = i32(nLocks).fill(-1); this.lockHead = i32(nLocks).fill(-1); this.lockTail = i32(nLocks).fill(-1)
    this.waitNext = i32(nV).fill(-1)
    this.lockSavedKind = new Int8Array(nV); this.lockSavedArg = i32(nV); this.lockSavedRem = f64(nV)
    this.spinSpun = f64(nV); this.spinWhy = new Int8Array(nV)
    this.pleWindow = f64(nV).fill(inp.ple.window)
    this.pvHalted = new Uint8Array(nV); this.pvUnhalted = new Uint8Array(nV)
    this.lastBoosted = i32(nVm).fill(-1)
    this.onSpin = inp.vms.map((vm) => {
      const u8 = () => new Uint8Array(vm.vcpus)
      return { me: 0, lastBoostedVcpu: -1, yieldToKernelMode: true, ready: u8(), preempted: u8(), blocking: u8(), dyRunnable: u8(), preemptedInKernel: u8(), pendingInterrupt: u8(), inSpinLoop: u8(), dyEligible: u8() }
    })
    this.tryYieldFn = (v: number) => this.tryYield(v)
    this.vmmSleep = new Uint8Array(nV)
    this.loadedOn = i32(nV).fill(-1)
    this.lastLoaded = i32(inp.nrCpus).fill(-1)
    this.keptLoaded = new Uint8Array(nV)
    this.yieldKind = yieldKind(inp.hostVersion)

    this.exitStats = new ExitStatsTable(nVm * R)
    this.exitHist = []
    for (let i = 0; i < nVm * R; i++) this.exitHist.push(new LogHistogram())
    this.causeCounts = f64(nVm * R * 64)
    this.latency = inp.vms.map(() => new LogHistogram())
    this.completed = f64(nVm)
    this.seriesIntervalNs = Math.max(1_000_000, Math.ceil(inp.durationNs / SERIES_POINTS / 1_000_000) * 1_000_000)
    this.series = f64(nVm * (Math.ceil(inp.durationNs / this.seriesIntervalNs) + 1))
    this.irqCause = i32(inp.irqs.length)
    this.tlbCause = i32(nVm)

    inp.vcpus.forEach((v, g) => {
      this.vmOf[g] = v.vm
      this.pcpuOf[g] = v.pcpu
      if (v.pcpu >= 0 && this.pcpuVcpu[v.pcpu] === -1) this.pcpuVcpu[v.pcpu] = g
      this.haltPollNs[g] = 0
      this.guestPollNs[g] = 0
    })
    this.causeIds = {
      tscWrite: this.cause('TSC-deadline write (guest timer programming)'),
      txNotify: this.cause('virtio-net TX notify (ioeventfd → vhost)'),
      hvTimer: this.cause('guest LAPIC timer (VMX preemption timer)'),
      swTimer: this.cause('guest LAPIC timer (sw hrtimer on this pCPU)'),
      kick: this.cause('kick IPI (interrupt injection)'),
      hlt: this.cause('guest idle (HLT)'),
      mwaitNop: this.cause('guest idle (MWAIT emulated as NOP)'),
      hostTick: this.cause('host scheduler tick'),
      kworker: this.cause('reschedule IPI (kworker on this pCPU)'),
      resched: this.cause('reschedule IPI (host thread woken on this pCPU)'),
      slice: this.cause('host scheduler tick (time slice over)'),
      pauseLoop: this.cause('spinlock PAUSE loop (PLE window exceeded)'),
      pvWait: this.cause('pvqspinlock pv_wait() (waiter halts)'),
      pvKick: this.cause('pvqspinlock pv_kick() (KVM_HC_KICK_CPU)'),
      hltToVmm: this.cause('guest idle (HLT → KVM_EXIT_HLT to the VMM, RFC)'),
      mwaitToVmm: this.cause('guest idle (MWAIT → KVM_EXIT_MWAIT to the VMM, RFC)'),
      mwaitYield: this.cause('guest idle (MWAIT emulated as NOP + yield(), RFC)'),
    }
    inp.vms.forEach((vm, v) => {
      this.ipiCause[v] = this.cause(vm.ipiUnicastCause)
      this.guestTlbCause[v] = this.cause('guest TLB-shootdown IPI (flush_tlb_mm_range)')
    })
    this.costs = new Float64Array(COST_NAMES.length * 3)
    COST_NAMES.forEach((n, i) => {
      const c = inp.costs[n]
      this.costs[i * 3] = c.minNs
      this.costs[i * 3 + 1] = c.meanNs - c.minNs
      this.costs[i * 3 + 2] = c.sigma
    })
    this.pauseNs = inp.costs.pauseInstruction.meanNs

    // workloads, their event kinds and their guest threads
    this.workloads = inp.vms.map((vm, v) => createWorkload(this, v, vm.workload))
    this.firstThread = i32(nVm)
    let nT = 0
    this.workloads.forEach((w, v) => {
      w.evBase = Ev.WORKLOAD_BASE + this.evOwner.length
      for (let k = 0; k < w.eventKinds(); k++) this.evOwner.push(w)
      this.firstThread[v] = nT
      nT += w.threadCount()
    })
    this.nT = nT
    this.thrVm = i32(nT); this.thrCpu = i32(nT); this.thrRecent = i32(nT).fill(-1); this.thrPinned = new Uint8Array(nT); this.thrState = new Int8Array(nT); this.thrBurst = f64(nT).fill(-1)
    this.workloads.forEach((w, v) => { for (let k = 0; k < w.threadCount(); k++) this.thrVm[this.firstThread[v]! + k] = v })
    this.rqBuf = i32(nV * RQCAP); this.rqHead = i32(nV); this.rqLen = i32(nV); this.rqCurr = i32(nV).fill(-1)
    this.rq = { nrRunning: i32(nV), preempted: new Uint8Array(nV) }
    this.schedTopo = inp.vms.map((vm) => ({ first: vm.firstVcpu, nrCpus: vm.vcpus, llcSize: vm.llcSize }))
    this.migrations = f64(nVm); this.stackedWakeups = f64(nVm); this.wakeups = f64(nVm)
    this.engine.setDispatch((k, t, tok) => this.dispatch(k, t, tok))
  }

  // ---------------------------------------------------------------- helpers

  /** Samples a cost of the table: its floor plus a lognormal excess. */
  cost(id: number): number {
    const i = id * 3
    return this.costs[i]! + this.rng.lognormal(this.costs[i + 1]!, this.costs[i + 2]!)
  }

  private setState(g: number, s: number): void {
    const now = this.engine.now
    const prev = this.state[g]!
    const i = g * STATE_COUNT + prev
    const dt = now - this.stateSince[g]!
    this.acc[i] = this.acc[i]! + dt
    const bucket = PCPU_TIME_OF_STATE[prev]!
    if (bucket >= 0 && !(prev === St.PREEMPTED && this.hrq.cur[this.pcpuOf[g]!] !== g)) {
      const j = this.pcpuOf[g]! * PCPU_TIME_COUNT + bucket
      this.pcpuAcc[j] = this.pcpuAcc[j]! + dt
    }
    this.state[g] = s
    this.stateSince[g] = now
  }

  private vmSpec(g: number): VmSpec {
    return this.inp.vms[this.vmOf[g]!]!
  }

  cause(name: string): number {
    const id = this.causes.id(name)
    if (id >= 64) throw new Error('too many exit causes')
    return id
  }

  // ---------------------------------------------------------------- start

  start(): void {
    const e = this.engine
    const now = 0
    for (let g = 0; g < this.nV; g++) {
      const vm = this.vmSpec(g)
      this.state[g] = St.RUN
      this.stateSince[g] = now
      this.idleEma[g] = 1e9
      // the guest tick runs while the vCPU is busy (and always with a periodic tick)
      this.tickRunning[g] = 1
      const period = 1e9 / vm.guestHz
      this.tickNext[g] = Math.floor(this.rng.uniform() * period) + 1
      if (vm.guestBackgroundTimersPerSec > 0) this.bgNext[g] = this.rng.exponential(1e9 / vm.guestBackgroundTimersPerSec)
      this.programTimer(g, this.tickNext[g]!)
      const c = this.pcpuOf[g]!
      if (this.hrq.cur[c]! < 0) {
        this.hrq.setCurr(g, c, now)
        this.dispatchNext(g)
      } else {
        // its pCPU is taken by an earlier vCPU thread: it waits on the run queue
        this.state[g] = St.PREEMPTED
        this.hrq.enqueueWaking(g, c, now, false)
        this.armSlice(c)
      }
    }
    this.inp.irqs.forEach((src, i) => {
      this.irqCause[i] = this.cause(`device IRQ ${src.name}`)
      if (src.ratePerSec > 0 && src.cpus.length) e.schedule(this.rng.exponential(1e9 / src.ratePerSec), Ev.HOST_IRQ, i)
    })
    this.inp.vms.forEach((vm, v) => {
      this.tlbCause[v] = this.cause(`TLB-shootdown IPI from the ${vm.name} VMM`)
      if (vm.tlbShootdownsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.tlbShootdownsPerSec), Ev.TLB_SHOOTDOWN, v)
      if (vm.guestTlbShootdownsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.guestTlbShootdownsPerSec), Ev.GUEST_TLB, v)
      this.workloads[v]!.start(this.firstThread[v]!)
      if (this.workloads[v]!.threadCount() > 0 && vm.llcSize > 1) e.schedule(this.balanceIntervalNs(v), Ev.IDLE_BALANCE, v)
    })
    for (let c = 0; c < this.inp.nrCpus; c++) {
      const g = this.pcpuVcpu[c]!
      if (g < 0 && !this.inp.vcpuMayRun[c]) continue
      if (!this.inp.nohzFull[c] || this.mayShare[c]) e.schedule(this.rng.uniform() * 1e9 / this.inp.hostHz, Ev.HOST_TICK, c)
      else if (this.inp.residualTickLocal) e.schedule(this.rng.uniform() * 1e9, Ev.HOST_TICK, c)
      if (this.inp.kworkerCpu[c] && this.inp.kworkerPerSec > 0) e.schedule(this.rng.exponential(1e9 / this.inp.kworkerPerSec), Ev.KWORKER, c)
    }
    for (let g = 0; g < this.nV; g++) {
      const vm = this.vmSpec(g)
      if (vm.spinlock.acquisitionsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.spinlock.acquisitionsPerSec), Ev.LOCK_ACQUIRE, g)
      if (vm.idleGaps.perSec > 0) e.schedule(this.rng.exponential(1e9 / vm.idleGaps.perSec), Ev.IDLE_GAP, g)
    }
    for (let k = 0; k < this.nTasks; k++) {
      const t = this.inp.tasks[k]!
      if (!t.driven) e.schedule(t.sleepNs > 0 ? this.rng.exponential(t.sleepNs) : 0, Ev.TASK_WAKE, this.nV + k)
    }
    e.scheduleAt(this.warmupEnd, Ev.SAMPLE, 0, 0, 0)
  }

  // ---------------------------------------------------------------- dispatch

  private dispatch(kind: number, t: number, tok: number): void {
    switch (kind) {
      case Ev.WORK_DONE: if (tok === this.workTok[t]) this.workDone(t); break
      case Ev.EXIT_DONE: if (tok === this.exitTok[t]) this.exitDone(t); break
      case Ev.TIMER_FIRE: if (tok === this.timerTok[t]) this.timerFire(t); break
      case Ev.HOST_IRQ: this.hostIrq(t); break
      case Ev.TLB_SHOOTDOWN: this.tlbShootdown(t); break
      case Ev.HOST_POLL_END: if (tok === this.idleTok[t] && this.state[t] === St.HOST_POLL) this.block(t); break
      case Ev.GUEST_POLL_END: if (tok === this.idleTok[t] && this.state[t] === St.GUEST_POLL) this.guestHalt(t); break
      case Ev.WAKE_DONE: if (tok === this.idleTok[t]) this.wakeDone(t); break
      case Ev.KWORKER: this.kworker(t); break
      case Ev.PREEMPT_DONE: if (tok === this.exitTok[t]) this.preemptDone(t); break
      case Ev.SAMPLE: this.sample(); break
      case Ev.HOST_TICK: this.hostTick(t); break
      case Ev.IDLE_BALANCE: this.idleBalance(t); break
      case Ev.HOST_SLICE: if (tok === this.sliceTok[t]) this.hostSlice(t); break
      case Ev.TASK_DONE: if (tok === this.taskTok[t - this.nV]) this.taskDone(t); break
      case Ev.TASK_WAKE: this.taskWake(t); break
      case Ev.RESCHED_KICK: this.reschedKick(t); break
      case Ev.GUEST_TLB: this.guestTlbShootdown(t); break
      case Ev.LOCK_ACQUIRE: this.lockAcquire(t); break
      case Ev.IDLE_GAP: this.idleGap(t); break
      default: {
        const w = this.evOwner[kind - Ev.WORKLOAD_BASE]!
        w.onEvent(kind - w.evBase, t, tok)
      }
    }
  }

  // ---------------------------------------------------------------- guest work

  /** Picks what the vCPU runs next in guest mode: a pending interrupt, the interrupted task, queued work, or idle. */
  private dispatchNext(g: number): void {
    if (this.actions[g]) { this.runAction(g); return }
    const pend = this.pendIrq[g]!
    if (pend && !this.inIrq[g]) {
      if (this.curKind[g] !== Work.NONE) {
        this.savedKind[g] = this.curKind[g]!
        this.savedArg[g] = this.curArg[g]!
        this.savedRem[g] = this.curRem[g]!
      }
      const bit = pend & Irq.TIMER ? Irq.TIMER : pend & Irq.RX ? Irq.RX : Irq.IPI
      this.pendIrq[g] = pend & ~bit
      this.inIrq[g] = 1
      if (bit === Irq.TIMER) this.startWork(g, Work.TIMER_IRQ, 0, this.timerIrqWork(g))
      else if (bit === Irq.RX) this.startWork(g, Work.DEVICE_IRQ, 0, this.workloads[this.vmOf[g]!]!.deviceIrqNs(g))
      else this.startWork(g, Work.IPI, 0, this.cost(CostId.guestIpiHandler))
      return
    }
    if (this.curKind[g] !== Work.NONE) {
      this.startWork(g, this.curKind[g]!, this.curArg[g]!, this.curRem[g]!)
      return
    }
    if (this.savedKind[g] !== Work.NONE) {
      const k = this.savedKind[g]!
      this.savedKind[g] = Work.NONE
      this.startWork(g, k, this.savedArg[g]!, this.savedRem[g]!)
      return
    }
    if (this.qLen[g]! > 0) {
      const id = this.qBuf[g * QCAP + this.qHead[g]!]!
      this.qHead[g] = (this.qHead[g]! + 1) % QCAP
      this.qLen[g]!--
      this.startWork(g, Work.ITEM, id, this.workloads[this.vmOf[g]!]!.itemNs(g, id))
      return
    }
    // the guest scheduler: the current thread's next burst, else pick_next_task() from the runqueue
    let cur = this.rqCurr[g]!
    if (cur >= 0 && this.thrBurst[cur]! < 0) cur = -1
    if (cur < 0 && this.rqLen[g]! > 0) {
      cur = this.rqBuf[g * RQCAP + this.rqHead[g]!]!
      this.rqHead[g] = (this.rqHead[g]! + 1) % RQCAP
      this.rqLen[g]!--
      this.rqCurr[g] = cur
      this.thrState[cur] = Thr.RUNNING
      this.debt[g]! += this.cost(CostId.guestContextSwitch)
    }
    if (cur >= 0) {
      const ns = this.thrBurst[cur]!
      this.thrBurst[cur] = -1
      this.startWork(g, Work.THREAD, cur, ns)
      return
    }
    this.enterIdle(g)
  }

  private startWork(g: number, kind: number, arg: number, ns: number): void {
    if (kind === Work.SPIN) {
      // a waiter (re)starts spinning: it may own the lock by now (handed over while it was away), find it free
      // (test-and-set), or spin until its budget ends
      const o = this.lockOwner[arg]!
      if (o < 0) this.takeLock(arg, g)
      if (this.lockOwner[arg] === g) { kind = Work.LOCK_CS; ns = this.rng.lognormal(this.vmSpec(g).spinlock.holdNs, 0.5) }
      else ns = this.spinBudget(g)
    }
    // the indirect cost of past exits slows real work; a spin's length is set by its budget, so it keeps the debt
    const d = kind === Work.SPIN ? 0 : this.debt[g]!
    this.debt[g] = this.debt[g]! - d
    this.curKind[g] = kind
    this.curArg[g] = arg
    this.curRem[g] = ns + d
    this.curStart[g] = this.engine.now
    if (this.state[g] !== St.RUN) this.setState(g, St.RUN)
    this.engine.schedule(ns + d, Ev.WORK_DONE, g, bump(this.workTok, g))
  }

  /** Stops the current work item (an exit or an interrupt): keeps what remains. */
  private suspendWork(g: number): void {
    if (this.curKind[g] === Work.NONE) return
    const done = this.engine.now - this.curStart[g]!
    this.curRem[g] = Math.max(0, this.curRem[g]! - done)
    if (this.curKind[g] === Work.SPIN) this.spinSpun[g] = this.spinSpun[g]! + done
    this.workTok[g]!++
  }

  private workDone(g: number): void {
    const kind = this.curKind[g]!
    const arg = this.curArg[g]!
    this.curKind[g] = Work.NONE
    this.curRem[g] = 0
    switch (kind) {
      case Work.TIMER_IRQ:
        this.inIrq[g] = 0
        this.requestReprogram(g)
        break
      case Work.DEVICE_IRQ:
        this.inIrq[g] = 0
        this.workloads[this.vmOf[g]!]!.deviceIrqDone(g)
        break
      case Work.IPI:
        this.inIrq[g] = 0
        break
      case Work.ITEM:
        this.workloads[this.vmOf[g]!]!.itemDone(g, arg)
        break
      case Work.THREAD:
        this.workloads[this.thrVm[arg]!]!.threadBurstDone(g, arg)
        break
      case Work.SPIN:
        this.spinBudgetOver(g, arg)
        return
      case Work.LOCK_CS:
        this.lockRelease(g, arg)
        return
    }
    this.dispatchNext(g)
  }

  // ---------------------------------------------------------------- exits

  /** A VM exit: suspends guest work and handles it in root mode for `ns`, then `after`. */
  private beginExit(g: number, reason: number, cause: number, ns: number, after: number): void {
    this.suspendWork(g)
    this.exitStart[g] = this.engine.now
    this.exitReason[g] = reason
    this.exitCause[g] = cause
    this.exitAfter[g] = after
    this.setState(g, St.EXIT)
    this.exitEnd[g] = this.engine.now + ns
    this.engine.schedule(ns, Ev.EXIT_DONE, g, bump(this.exitTok, g))
  }

  /** Host work in root mode while an exit is handled (an IRQ arriving then) delays the entry. */
  private extendExit(g: number, ns: number): void {
    this.exitEnd[g]! += ns
    this.engine.scheduleAt(this.exitEnd[g]!, Ev.EXIT_DONE, g, bump(this.exitTok, g))
  }

  private exitDone(g: number): void {
    const after = this.exitAfter[g]!
    if (after === After.HLT) { this.afterHltExit(g); return }
    if (after === After.YIELD) { this.mwaitYield(g); return }
    if (after === After.PREEMPT) { this.preemptStart(g); return }
    if (after === After.RESCHED || this.needResched[g]) {
      this.exitAfter[g] = after === After.IDLE ? After.IDLE : After.ENTRY
      this.descheduleVcpu(g)
      return
    }
    this.vmEntry(g)
    if (after === After.IDLE) { this.idleAfterTickStop(g); return }
    if (this.idle[g]) { this.resumeIdle(g); return }
    this.dispatchNext(g)
  }

  /** VM entry: the exit is recorded as perf records kvm_exit → kvm_entry, and the guest pays the indirect cost. */
  private vmEntry(g: number): void {
    const now = this.engine.now
    const start = this.exitStart[g]!
    if (start >= this.warmupEnd) {
      const vm = this.vmOf[g]!
      const r = this.exitReason[g]!
      const s = vm * R + r
      const d = now - start
      this.exitStats.add(s, d)
      this.exitHist[s]!.record(d)
      this.causeCounts[s * 64 + this.exitCause[g]!]!++
      this.exitsAfterWarmup[g]!++
    }
    this.debt[g]! += this.cost(this.keptLoaded[g] ? CostId.indirectKeptLoaded : CostId.indirect)
    this.keptLoaded[g] = 0
    // record_steal_time() at entry clears KVM_VCPU_PREEMPTED
    this.rq.preempted[g] = 0
    this.setState(g, St.RUN)
  }

  // ---------------------------------------------------------------- trapping guest actions

  private runAction(g: number): void {
    const a = this.actions[g]!
    if (a & Act.REPROGRAM) {
      this.actions[g] = a & ~Act.REPROGRAM
      const want = this.nextGuestTimer(g)
      if (want === this.deadline[g]) { this.dispatchNext(g); return }
      this.programTimer(g, want)
      this.beginExit(g, ExitReason.MSR_WRITE, this.causeIds.tscWrite, this.cost(CostId.exitMsrWriteTscDeadline), After.ENTRY)
      return
    }
    if (a & Act.TX_KICK) {
      this.actions[g] = a & ~Act.TX_KICK
      this.beginExit(g, ExitReason.EPT_MISCONFIG, this.causeIds.txNotify, this.cost(CostId.exitEptMisconfig), After.ENTRY)
      return
    }
    if (a & Act.SEND_IPI) {
      const entry = this.ipiQ[g * IPICAP + this.ipiHead[g]!]!
      this.ipiHead[g] = (this.ipiHead[g]! + 1) % IPICAP
      if (--this.ipiLen[g]! === 0) this.actions[g] = a & ~Act.SEND_IPI
      const vm = this.vmSpec(g)
      const target = entry & IPI_TARGET
      const multi = (entry & IPI_MULTI) !== 0
      let reason = multi ? vm.ipiMulticastExit : vm.ipiUnicastExit
      // AVIC: the ICR write exits (AVIC_INCOMPLETE_IPI) only if the target's IsRunning is 0 — avic_vcpu_put() clears it
      // when the vCPU thread blocks or is scheduled out (blocked, being woken, preempted)
      if (reason >= 0 && vm.ipiExitsIfTargetNotRunning && avicIsRunning(this.state[target]!)) reason = -1
      this.deliverGuestIrq(target, Irq.IPI, vm.postedInterrupts)
      if (reason < 0) { this.dispatchNext(g); return }
      const cause = entry & IPI_TLB ? this.guestTlbCause[this.vmOf[g]!]! : this.ipiCause[this.vmOf[g]!]!
      this.beginExit(g, reason, cause, this.cost(multi ? vm.ipiMulticastCost : vm.ipiUnicastCost), After.ENTRY)
      return
    }
    if (a & Act.SEND_MULTI) {
      // PV IPI (kvm_send_ipi_mask → KVM_HC_SEND_IPI): one hypercall delivers to every target (kvm_pv_send_ipi())
      this.actions[g] = a & ~Act.SEND_MULTI
      const vm = this.vmSpec(g)
      const n = this.mcastLen[g]!
      this.mcastLen[g] = 0
      for (let i = 0; i < n; i++) this.deliverGuestIrq(this.mcastQ[g * IPICAP + i]!, Irq.IPI, vm.postedInterrupts)
      this.beginExit(g, vm.ipiMulticastExit, this.guestTlbCause[this.vmOf[g]!]!, this.cost(vm.ipiMulticastCost) + n * this.cost(CostId.pvIpiPerTarget), After.ENTRY)
      return
    }
    this.actions[g] = 0
    this.dispatchNext(g)
  }

  // ---------------------------------------------------------------- guest timer

  private timerIrqWork(g: number): number {
    const now = this.engine.now
    let ns = this.cost(CostId.guestTimerIrq)
    const vm = this.vmSpec(g)
    if (this.tickRunning[g] && this.tickNext[g]! <= now + 1) {
      const period = 1e9 / vm.guestHz
      while (this.tickNext[g]! <= now + 1) this.tickNext[g]! += period
      ns += this.cost(CostId.guestTickHandler)
    }
    if (this.bgNext[g]! <= now + 1) this.bgNext[g] = now + this.rng.exponential(1e9 / vm.guestBackgroundTimersPerSec)
    // expire due hrtimers; a sleeper's hrtimer_wakeup() wakes its thread from this interrupt
    const base = g * HRT_MAX
    let n = this.hrtCount[g]!
    for (let i = 0; i < n; ) {
      const k = base + i
      if (this.hrt[k]! <= now + 1) {
        const tid = this.hrtThr[k]!
        const burst = this.hrtBurst[k]!
        const last = base + n - 1
        this.hrt[k] = this.hrt[last]!
        this.hrtThr[k] = this.hrtThr[last]!
        this.hrtBurst[k] = this.hrtBurst[last]!
        n--
        this.hrtCount[g] = n
        if (tid >= 0) ns += this.wakeThread(tid, g, false, -1, burst)
      } else i++
    }
    return ns
  }

  private nextGuestTimer(g: number): number {
    let t = this.tickRunning[g] ? this.tickNext[g]! : Infinity
    if (this.bgNext[g]! < t) t = this.bgNext[g]!
    const base = g * HRT_MAX
    for (let i = 0, n = this.hrtCount[g]!; i < n; i++) if (this.hrt[base + i]! < t) t = this.hrt[base + i]!
    return t
  }

  private requestReprogram(g: number): void {
    this.actions[g]! |= Act.REPROGRAM
  }

  /** The guest's TSC-deadline write takes effect: KVM starts the hv timer or the sw hrtimer. */
  private programTimer(g: number, t: number): void {
    this.deadline[g] = t
    this.timerTok[g]!++
    if (t !== Infinity) this.engine.scheduleAt(t, Ev.TIMER_FIRE, g, this.timerTok[g]!)
  }

  /** The programmed deadline passed: deliver as the timer path of the VM and the vCPU's state decide. */
  private timerFire(g: number): void {
    this.deadline[g] = Infinity
    const vm = this.vmSpec(g)
    const s = this.state[g]!
    const path = this.timerPath[g]!
    if (s === St.BLOCKED || s === St.HOST_POLL || s === St.WAKING) {
      // vcpu_block(): an hv timer was switched to a sw hrtimer; the expiry wakes the vCPU (no exit: root mode)
      this.pendIrq[g]! |= Irq.TIMER
      this.wakeVcpu(g)
      return
    }
    if (s === St.EXIT || s === St.PREEMPTED) {
      // root mode: KVM_REQ_PENDING_TIMER is handled before the next entry
      this.pendIrq[g]! |= Irq.TIMER
      if (path === 'sw-hrtimer-local' || path === 'sw-hrtimer-posted-local') {
        if (s === St.EXIT) this.extendExit(g, this.cost(CostId.hostTimerHandler))
      }
      return
    }
    // in guest mode
    if (path === 'posted-from-housekeeping') {
      this.deliverGuestIrq(g, Irq.TIMER, true)
      return
    }
    this.pendIrq[g]! |= Irq.TIMER
    if (path === 'hv-timer') {
      this.beginExit(g, ExitReason.PREEMPTION_TIMER, this.causeIds.hvTimer, this.cost(CostId.exitPreemptionTimer), After.ENTRY)
    } else {
      this.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, this.causeIds.swTimer, this.cost(CostId.exitExternalInterrupt) + this.cost(CostId.hostTimerHandler), After.ENTRY)
    }
  }

  // ---------------------------------------------------------------- interrupts into the guest

  /** An interrupt for the guest: posted (no exit) or injected at the next entry after a kick. */
  deliverGuestIrq(g: number, bit: number, posted: boolean): void {
    this.pendIrq[g]! |= bit
    const s = this.state[g]!
    if (s === St.RUN) {
      if (posted) {
        if (!this.inIrq[g]) { this.suspendWork(g); this.dispatchNext(g) }
      } else {
        // kvm_vcpu_kick(): an IPI forces an exit; the interrupt is injected at entry
        this.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, this.causeIds.kick, this.cost(CostId.exitExternalInterrupt) + this.cost(CostId.hostIpiHandler), After.ENTRY)
      }
      return
    }
    if (s === St.GUEST_HLT || s === St.GUEST_POLL) {
      if (!posted && s === St.GUEST_HLT) {
        this.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, this.causeIds.kick, this.cost(CostId.exitExternalInterrupt) + this.cost(CostId.hostIpiHandler), After.ENTRY)
        return
      }
      this.wakeVcpu(g)
      return
    }
    if (s === St.BLOCKED || s === St.HOST_POLL) this.wakeVcpu(g)
    // EXIT, WAKING, PREEMPTED: delivered at entry
  }

  // ---------------------------------------------------------------- idle

  private enterIdle(g: number): void {
    const vm = this.vmSpec(g)
    const now = this.engine.now
    this.idle[g] = 1
    this.idleStart[g] = now
    this.debt[g] = 0
    // tick_nohz_idle_stop_tick(): stop the tick when the governor predicts an idle longer than a tick
    if (vm.guestTickMode !== 'periodic' && this.tickRunning[g] && this.idleEma[g]! > 1e9 / vm.guestHz) {
      this.tickRunning[g] = 0
      const want = this.nextGuestTimer(g)
      if (want !== this.deadline[g]) {
        this.programTimer(g, want)
        this.beginExit(g, ExitReason.MSR_WRITE, this.causeIds.tscWrite, this.cost(CostId.exitMsrWriteTscDeadline), After.IDLE)
        return
      }
    }
    this.idleAfterTickStop(g)
  }

  private idleAfterTickStop(g: number): void {
    if (this.pendIrq[g]) { this.leaveIdle(g); return }
    const vm = this.vmSpec(g)
    if (vm.guestIdlePoll) { this.setState(g, St.GUEST_POLL); this.idleTok[g]!++; return }
    if (vm.guestHaltPoll && this.guestPollNs[g]! > 0) {
      this.setState(g, St.GUEST_POLL)
      this.engine.schedule(this.guestPollNs[g]!, Ev.GUEST_POLL_END, g, bump(this.idleTok, g))
      return
    }
    this.guestHalt(g)
  }

  /** The guest executes its idle instruction: HLT or MWAIT, passed through (it stays in guest mode) or exiting. */
  private guestHalt(g: number): void {
    const vm = this.vmSpec(g)
    this.idleTok[g]!++
    if (vm.guestIdleMwait) {
      if (vm.mwaitInGuest) { this.haltInGuest(g, this.guestCstateLatency(g)); return }
      // kvm_emulate_mwait(): MWAIT exits and is emulated as a NOP, so the guest's idle loop spins (seed 004); the RFC
      // (experimental) then exits to the VMM, or calls yield(). The idle loop has run off the previous exit's indirect
      // cost: only the last exit's is left for the work that ends the idle (as enterIdle() starts idle without debt)
      this.debt[g] = 0
      if (vm.mwaitExit === MwaitExit.USERSPACE) { this.exitToVmm(g, ExitReason.MWAIT_INSTRUCTION, this.causeIds.mwaitToVmm, this.cost(CostId.exitMwait), true, After.ENTRY); return }
      if (vm.mwaitExit === MwaitExit.YIELD) { this.beginExit(g, ExitReason.MWAIT_INSTRUCTION, this.causeIds.mwaitYield, this.cost(CostId.exitMwait) + this.cost(CostId.schedYield), After.YIELD); return }
      this.beginExit(g, ExitReason.MWAIT_INSTRUCTION, this.causeIds.mwaitNop, this.cost(CostId.exitMwait), After.ENTRY)
      return
    }
    if (vm.hltInGuest) { this.haltInGuest(g, this.inp.cstates.length ? this.inp.cstates[0]!.exitLatencyNs : 0); return }
    this.haltStart[g] = this.engine.now
    // the RFC (experimental): KVM_EXIT_HLT to the VMM; it re-enters within the exit unless it sleeps in its own poll()
    if (vm.hltExit === HaltExit.USERSPACE) { this.exitToVmm(g, ExitReason.HLT, this.causeIds.hltToVmm, this.cost(CostId.exitHlt), vm.hltWait === 'kvm-run', After.HLT); return }
    this.beginExit(g, ExitReason.HLT, this.causeIds.hlt, this.cost(CostId.exitHlt), After.HLT)
  }

  /** Experimental (seed 004 RFC): the exit returns to the VMM (KVM_EXIT_HLT / KVM_EXIT_MWAIT), which runs its work in the
   *  vCPU thread and, with `reenter`, calls KVM_RUN again within the exit. Before 5.19 kvm_arch_vcpu_put() on the way
   *  out sets st->preempted (cleared at the next entry). */
  private exitToVmm(g: number, reason: number, cause: number, handlerNs: number, reenter: boolean, after: number): void {
    const vm = this.vmSpec(g)
    let ns = handlerNs + this.cost(CostId.userspaceExit) + this.rng.lognormal(vm.vmmWorkNs, VMM_WORK_SIGMA)
    if (reenter) ns += this.cost(CostId.userspaceEntry)
    if (vm.preemptedOnUserspaceExit) this.rq.preempted[g] = 1
    this.beginExit(g, reason, cause, ns, after)
  }

  /** Experimental (seed 004 RFC): yield() at the end of an emulated MWAIT. If the host scheduler picks another thread
   *  waiting on the pCPU, it runs and the vCPU thread waits behind it; otherwise back into the guest, as with the NOP. */
  private mwaitYield(g: number): void {
    this.exitAfter[g] = After.ENTRY
    const c = this.pcpuOf[g]!
    if (this.hrq.cur[c] === g && this.hrq.yieldCurr(c, this.engine.now, this.yieldKind)) { this.descheduleVcpu(g); return }
    this.exitDone(g)
  }

  /** Halted in guest mode (HLT in C1, or MWAIT in the C-state the guest asked for); waking pays its exit latency. */
  private haltInGuest(g: number, wakeLatencyNs: number): void {
    this.wakeLatency[g] = wakeLatencyNs
    this.setState(g, St.GUEST_HLT)
  }

  /** The guest's idle governor asks MWAIT for the deepest C-state whose target residency fits its predicted idle. */
  private guestCstateLatency(g: number): number {
    let lat = this.inp.cstates.length ? this.inp.cstates[0]!.exitLatencyNs : 0
    for (const cs of this.inp.cstates) if (this.idleEma[g]! >= cs.targetResidencyNs) lat = cs.exitLatencyNs
    return lat
  }

  /** Back in guest idle after an exit that interrupted it with nothing to do. */
  private resumeIdle(g: number): void {
    if (this.pendIrq[g]) { this.leaveIdle(g); return }
    const vm = this.vmSpec(g)
    if (vm.guestIdlePoll || (vm.guestHaltPoll && this.guestPollNs[g]! > 0)) { this.setState(g, St.GUEST_POLL); return }
    if (vm.guestIdleMwait && !vm.mwaitInGuest) {
      // the emulated MWAIT returned at once: one pass of the idle loop, then MWAIT again
      this.setState(g, St.GUEST_POLL)
      this.engine.schedule(this.cost(CostId.guestIdleLoop), Ev.GUEST_POLL_END, g, bump(this.idleTok, g))
      return
    }
    this.guestHalt(g)
  }

  /** kvm_vcpu_halt(): poll for vcpu->halt_poll_ns, then block. */
  private afterHltExit(g: number): void {
    const vm = this.vmSpec(g)
    if (vm.hltExit === HaltExit.USERSPACE) {
      // experimental (seed 004 RFC): the VMM did its work on KVM_EXIT_HLT; the vCPU's mp_state is still HALTED
      const step = vmmAfterHltExit(vm.hltWait, this.pendIrq[g] !== 0)
      if (step === VmmStep.ENTER) { this.exitAfter[g] = After.ENTRY; this.extendExit(g, this.cost(CostId.userspaceEntry)); return }
      if (step === VmmStep.SLEEP) { this.vmmSleep[g] = 1; this.block(g); return }
      // KVM_RUN again: vcpu_block() → kvm_vcpu_halt() starts now
      this.haltStart[g] = this.engine.now
    }
    this.needResched[g] = 0
    // kvm_vcpu_has_events(): a pending interrupt, or a pvqspinlock kick (pv_unhalted)
    if (this.pendIrq[g] || this.pvUnhalted[g]) { this.hltWakeup(g); return }
    // kvm_vcpu_can_poll(): poll only while single_task_running() and !need_resched()
    if (vm.hostHaltPoll && this.haltPollNs[g]! > 0 && this.hrq.nrQueued[this.pcpuOf[g]!] === 0) {
      this.setState(g, St.HOST_POLL)
      this.engine.schedule(this.haltPollNs[g]!, Ev.HOST_POLL_END, g, bump(this.idleTok, g))
      return
    }
    this.block(g)
  }

  private block(g: number): void {
    this.setState(g, St.BLOCKED)
    this.idleTok[g]!++
    this.needResched[g] = 0
    // kvm_sched_out() → kvm_arch_vcpu_put(): before 5.19 the steal-time preempted flag is set on this deschedule too
    if (this.vmSpec(g).preemptedOnHltBlock) this.rq.preempted[g] = 1
    const c = this.pcpuOf[g]!
    this.wakeLatency[g] = this.pcpuCstateLatency(c)
    // schedule(): the vCPU thread sleeps; the pCPU runs the next waiting thread, if any
    if (this.hrq.cur[c] === g) {
      this.hrq.sleepCurr(c, this.engine.now)
      this.pickNext(c)
    }
  }

  /** The idle pCPU picks a C-state as a menu-like governor would: the deepest whose residency fits the prediction. */
  private pcpuCstateLatency(c: number): number {
    let lat = 0
    for (const cs of this.inp.cstates) if (this.pcpuIdleEma[c]! >= cs.targetResidencyNs) lat = cs.exitLatencyNs
    if (this.inp.cstates.length && lat === 0) lat = this.inp.cstates[0]!.exitLatencyNs
    return lat
  }

  /** Something made the idle vCPU runnable. */
  private wakeVcpu(g: number): void {
    const s = this.state[g]!
    const now = this.engine.now
    if (s === St.GUEST_POLL) {
      this.idleTok[g]!++
      this.leaveIdle(g)
      return
    }
    if (s === St.GUEST_HLT) {
      // a posted interrupt wakes HLT/MWAIT in non-root mode after the physical C-state's exit latency
      this.setState(g, St.WAKING)
      this.engine.schedule(this.wakeLatency[g]!, Ev.WAKE_DONE, g, bump(this.idleTok, g))
      return
    }
    if (s === St.HOST_POLL) { this.idleTok[g]!++; this.hltWakeup(g); return }
    if (s === St.BLOCKED) {
      // try_to_wake_up() of the vCPU thread: select_task_rq_fair() on the host picks its pCPU
      const prev = this.pcpuOf[g]!
      const c = this.selectCpu(g, prev)
      const migrated = c !== prev
      if (this.hrq.cur[c]! >= 0) {
        // the pCPU runs another thread: the vCPU waits on its run queue (steal time), or preempts it
        if (migrated) this.migrateVcpu(g, c)
        this.setState(g, St.PREEMPTED)
        const preempt = this.hrq.enqueueWaking(g, c, now, migrated)
        if (preempt) this.reschedCurr(c, this.causeIds.resched)
        else this.queuedBehind(c)
        return
      }
      if (migrated) {
        this.migrateVcpu(g, c)
        this.wakeLatency[g] = this.pcpuCstateLatency(c)
      }
      const idleNs = now - this.stateSince[g]!
      this.pcpuIdleEma[c] = this.pcpuIdleEma[c]! * 0.75 + idleNs * 0.25
      this.setState(g, St.WAKING)
      this.shrinkPle(g)
      this.hrq.enqueueWaking(g, c, now, migrated)
      this.hrq.setCurr(g, c, now)
      this.engine.schedule(this.cost(CostId.wakeupIpi) + this.wakeLatency[g]! + this.scheduleInNs(g, c), Ev.WAKE_DONE, g, bump(this.idleTok, g))
    }
  }

  private wakeDone(g: number): void {
    if (this.needResched[g]) { this.descheduleVcpu(g); return }
    if (this.exitReason[g] === ExitReason.HLT && this.exitAfter[g] === After.HLT && !this.vmSpec(g).hltInGuest) { this.hltWakeup(g); return }
    this.leaveIdle(g)
  }

  /** End of an HLT exit: adapt the halt-polling window, enter the guest and leave idle. */
  private hltWakeup(g: number): void {
    const vm = this.vmSpec(g)
    this.pvHalted[g] = 0
    this.pvUnhalted[g] = 0
    // a thread that slept in the VMM's poll() never ran kvm_vcpu_halt(): its window stays as it was
    if (vm.hostHaltPoll && !this.vmmSleep[g]) {
      const haltNs = this.engine.now - this.haltStart[g]!
      this.haltPollNs[g] = updateHaltPoll(this.haltPollNs[g]!, haltNs, true, this.inp.haltPoll)
    }
    this.vmmSleep[g] = 0
    this.exitAfter[g] = After.ENTRY
    this.vmEntry(g)
    this.leaveIdle(g)
  }

  /** The schedule-in of vCPU thread g on pCPU c: the context switch and kvm_sched_in()'s vcpu_load(). Under the seed-002
   *  what-if (experimental) the load is skipped when g's guest state is still loaded there; a thread that slept in the
   *  VMM is not loaded at all — its KVM_RUN re-entry loads it (userspaceEntry). */
  private scheduleInNs(g: number, c: number): number {
    const sameCpu = this.loadedOn[g] === c
    const otherLoaded = this.lastLoaded[c] !== g
    this.loadedOn[g] = c
    this.lastLoaded[c] = g
    if (this.vmmSleep[g]) return this.cost(CostId.scheduleInNoLoad) + this.cost(CostId.userspaceEntry)
    const kept = skipsVcpuLoad(this.vmSpec(g).keepStateLoaded, true, sameCpu, otherLoaded)
    this.keptLoaded[g] = kept ? 1 : 0
    return this.cost(kept ? CostId.scheduleInNoLoad : CostId.scheduleIn)
  }

  private leaveIdle(g: number): void {
    const vm = this.vmSpec(g)
    const now = this.engine.now
    if (this.idle[g]) {
      this.idle[g] = 0
      const idleNs = now - this.idleStart[g]!
      this.idleEma[g] = this.idleEma[g]! * 0.75 + idleNs * 0.25
      if (vm.guestHaltPoll) this.guestPollNs[g] = adjustGuestPollLimit(this.guestPollNs[g]!, idleNs, vm.guestPoll)
    }
    if (this.state[g] !== St.RUN) this.setState(g, St.RUN)
    // tick_nohz_idle_exit(): restart the tick (a reprogram if the deadline moves)
    if (!this.tickRunning[g] && vm.guestTickMode === 'nohz-idle') {
      const period = 1e9 / vm.guestHz
      this.tickRunning[g] = 1
      this.tickNext[g] = (Math.floor(now / period) + 1) * period
      if (this.nextGuestTimer(g) !== this.deadline[g]) this.actions[g]! |= Act.REPROGRAM
    }
    this.dispatchNext(g)
  }

  // ---------------------------------------------------------------- host noise

  /** A host interrupt or IPI on pCPU c: an EXTERNAL_INTERRUPT exit if a vCPU is in guest mode there. */
  private hostInterrupt(c: number, cause: number, handlerNs: number): void {
    const g = this.hrq.cur[c]!
    if (g < 0 || g >= this.nV) { this.pcpuBusy[c]! += handlerNs; return }
    const s = this.state[g]!
    if (inGuestMode(s)) {
      this.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, cause, this.cost(CostId.exitExternalInterrupt) + handlerNs, After.ENTRY)
    } else if (s === St.EXIT) {
      this.extendExit(g, handlerNs)
    } else {
      this.pcpuBusy[c]! += handlerNs
    }
  }

  private hostIrq(i: number): void {
    const src = this.inp.irqs[i]!
    const c = src.cpus[this.rng.int(src.cpus.length)]!
    this.hostInterrupt(c, this.irqCause[i]!, src.durationNs)
    this.engine.schedule(this.rng.exponential(1e9 / src.ratePerSec), Ev.HOST_IRQ, i)
  }

  /** flush_tlb_mm_range() from the VMM reaches every CPU currently running one of its threads (not the lazy ones). */
  private tlbShootdown(v: number): void {
    const vm = this.inp.vms[v]!
    for (let g = vm.firstVcpu; g < vm.firstVcpu + vm.vcpus; g++) {
      const s = this.state[g]!
      if (s === St.BLOCKED || this.hrq.queued[g]) continue
      this.hostInterrupt(this.pcpuOf[g]!, this.tlbCause[v]!, this.cost(CostId.hostIpiHandler))
    }
    this.engine.schedule(this.rng.exponential(1e9 / vm.tlbShootdownsPerSec), Ev.TLB_SHOOTDOWN, v)
  }

  /** The host tick on a pCPU that is not nohz_full (or the residual 1 Hz tick before v4.17). */
  private hostTick(c: number): void {
    // an idle pCPU stops its tick (NO_HZ idle); a nohz_full pCPU has one only while it runs more than one thread
    const idle = this.hrq.cur[c]! < 0
    const tickless = this.inp.nohzFull[c] === 1 && this.mayShare[c] === 1 && this.hrq.nrRunning(c) <= 1
    if (!idle && !tickless) this.hostInterrupt(c, this.causeIds.hostTick, this.cost(CostId.hostTimerHandler))
    const period = this.inp.nohzFull[c] && !this.mayShare[c] ? 1e9 : 1e9 / this.inp.hostHz
    this.engine.schedule(period, Ev.HOST_TICK, c)
  }

  /** A kworker woken on a housekeeping pCPU preempts the vCPU thread pinned there. */
  private kworker(c: number): void {
    const g = this.hrq.cur[c]!
    if (g >= 0 && g < this.nV && inGuestMode(this.state[g]!)) {
      this.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, this.causeIds.kworker, this.cost(CostId.exitExternalInterrupt) + this.cost(CostId.hostIpiHandler), After.PREEMPT)
    } else {
      this.pcpuBusy[c]! += this.inp.kworkerNs
    }
    this.engine.schedule(this.rng.exponential(1e9 / this.inp.kworkerPerSec), Ev.KWORKER, c)
  }

  private preemptStart(g: number): void {
    this.setState(g, St.PREEMPTED)
    if (this.vmSpec(g).preemptedOnPreempt) this.rq.preempted[g] = 1
    this.engine.schedule(this.rng.lognormal(this.inp.kworkerNs, 0.5) + this.scheduleInNs(g, this.pcpuOf[g]!), Ev.PREEMPT_DONE, g, bump(this.exitTok, g))
  }

  private preemptDone(g: number): void {
    if (this.needResched[g]) { this.descheduleVcpu(g); return }
    // woken from an HLT block onto a busy pCPU: the HLT exit ends now
    if (this.exitReason[g] === ExitReason.HLT && this.exitAfter[g] === After.HLT) { this.hltWakeup(g); return }
    const idleEntry = this.exitAfter[g] === After.IDLE
    this.exitAfter[g] = After.ENTRY
    this.vmEntry(g)
    if (idleEntry) { this.idleAfterTickStop(g); return }
    if (this.idle[g]) { this.resumeIdle(g); return }
    this.dispatchNext(g)
  }

  // ---------------------------------------------------------------- host scheduler (pCPU sharing)

  /** The host scheduler takes pCPU c from its running thread (a woken thread preempts it, or its slice is over).
   *  A vCPU thread in guest mode is kicked out by an IPI (an EXTERNAL_INTERRUPT exit); one in root mode gives the pCPU
   *  up at its next return to the guest; one halt-polling stops polling and blocks (kvm_vcpu_can_poll()). */
  private reschedCurr(c: number, cause: number): void {
    const h = this.hrq.cur[c]!
    if (h < 0) { this.pickNext(c); return }
    if (h >= this.nV) {
      this.taskPreempted(h, c)
      this.pickNext(c)
      return
    }
    const s = this.state[h]!
    if (inGuestMode(s)) {
      // set_tsk_need_resched() now; the IPI kicks the vCPU out of guest mode as a separate event, so a wake-up made in
      // the middle of this vCPU's own work (its ICR write woke a sibling) cannot tear that work apart
      this.needResched[h] = 1
      this.reschedCause[h] = cause
      this.engine.schedule(0, Ev.RESCHED_KICK, h)
    } else if (s === St.HOST_POLL) {
      this.idleTok[h]!++
      this.block(h)
    } else {
      this.needResched[h] = 1
    }
  }

  /** The reschedule IPI (or the tick) reaches a vCPU that must give its pCPU up: an exit unless it already left guest
   *  mode (then it gives the pCPU up at the end of that exit). */
  private reschedKick(g: number): void {
    if (!this.needResched[g] || !inGuestMode(this.state[g]!) || this.hrq.cur[this.pcpuOf[g]!] !== g) return
    const cause = this.reschedCause[g]!
    const handler = cause === this.causeIds.slice ? this.cost(CostId.hostTimerHandler) : this.cost(CostId.hostIpiHandler)
    this.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, cause, this.cost(CostId.exitExternalInterrupt) + handler, After.RESCHED)
  }

  /** The vCPU thread leaves its pCPU while runnable (kvm_sched_out() with current->on_rq: a real preemption). */
  private descheduleVcpu(g: number): void {
    this.needResched[g] = 0
    this.setState(g, St.PREEMPTED)
    if (this.vmSpec(g).preemptedOnPreempt) this.rq.preempted[g] = 1
    const c = this.pcpuOf[g]!
    this.hrq.requeueCurr(c, this.engine.now)
    this.pickNext(c)
  }

  /** __schedule() on pCPU c: the next waiting thread runs (or one pulled from a busy pCPU by idle balancing). */
  private pickNext(c: number): void {
    const now = this.engine.now
    let h = this.hrq.pick(c)
    if (h < 0) h = this.pullFor(c)
    if (h < 0) return
    // close the vCPU's wait (steal) before it holds the pCPU: its schedule-in then counts on the pCPU
    if (h < this.nV) this.setState(h, St.PREEMPTED)
    this.hrq.setCurr(h, c, now)
    if (h < this.nV) {
      this.shrinkPle(h)
      let ns = this.scheduleInNs(h, c)
      if (this.pcpuOf[h] !== c) { this.migrateVcpu(h, c); ns += this.cost(CostId.vcpuMigration) }
      this.engine.schedule(ns, Ev.PREEMPT_DONE, h, bump(this.exitTok, h))
    } else {
      this.taskSince[h - this.nV] = now
      this.taskEnd[h - this.nV] = now + this.taskRem[h - this.nV]!
      this.engine.schedule(this.taskRem[h - this.nV]!, Ev.TASK_DONE, h, bump(this.taskTok, h - this.nV))
    }
    this.armSlice(c)
  }

  /** A thread now waits on pCPU c without preempting the running one. A halt-polling vCPU thread stops polling and
   *  blocks at once (kvm_vcpu_can_poll(): single_task_running() is false); otherwise the slice timer runs. */
  private queuedBehind(c: number): void {
    const h = this.hrq.cur[c]!
    if (h >= 0 && h < this.nV && this.state[h] === St.HOST_POLL) {
      this.idleTok[h]!++
      this.block(h)
      return
    }
    this.armSlice(c)
  }

  /** Starts the slice timer of pCPU c when threads wait there (the tick's check_preempt_tick() / update_deadline()). */
  private armSlice(c: number): void {
    const h = this.hrq.cur[c]!
    if (h < 0 || this.hrq.nrQueued[c] === 0) return
    this.engine.schedule(this.hrq.sliceLeft(c, this.engine.now), Ev.HOST_SLICE, c, bump(this.sliceTok, c))
  }

  private hostSlice(c: number): void {
    if (this.hrq.sliceExpired(c, this.engine.now)) this.reschedCurr(c, this.causeIds.slice)
    else this.armSlice(c)
  }

  /** select_task_rq_fair() for a waking host thread, reduced to select_idle_sibling(): its previous pCPU if idle, else
   *  an idle allowed pCPU in the same LLC, else any idle allowed pCPU, else the previous one. */
  private selectCpu(h: number, prev: number): number {
    const list = this.allowedList[h]
    if (!list) return prev
    const mask = this.allowedMask[h]!
    if (mask[prev] === 1 && this.pcpuIdle(prev)) return prev
    const llc = this.inp.llcOf[prev]!
    let other = -1
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!
      if (!this.pcpuIdle(c)) continue
      if (this.inp.llcOf[c] === llc) return c
      if (other < 0) other = c
    }
    if (other >= 0) return other
    return mask[prev] === 1 ? prev : list[0]!
  }

  private pcpuIdle(c: number): boolean {
    return this.hrq.cur[c]! < 0 && this.hrq.nrQueued[c] === 0
  }

  /** newidle_balance(): a pCPU going idle pulls a waiting thread that may run there from another pCPU. */
  private pullFor(c: number): number {
    if (this.hrq.nrBusyQueues === 0) return -1
    for (let src = 0; src < this.inp.nrCpus; src++) {
      if (src === c || this.hrq.nrQueued[src] === 0) continue
      for (let h = this.hrq.firstQueued(src); h >= 0; h = this.hrq.nextQueued(h)) {
        const m = this.allowedMask[h]
        if (!m || m[c] !== 1) continue
        this.hrq.detachQueued(h, c)
        return h
      }
    }
    return -1
  }

  /** The vCPU thread now runs on pCPU c: its LAPIC timer follows it (kvm_arch_vcpu_load() → kvm_migrate_timers()) on
   *  that pCPU's timer path, and its caches start cold. */
  private migrateVcpu(g: number, c: number): void {
    this.pcpuOf[g] = c
    const vm = this.vmSpec(g)
    this.timerPath[g] = this.inp.timerHousekeeping[c] ? vm.timerPathOnHousekeeping : vm.timerPathOnIsolated
    if (this.engine.now >= this.warmupEnd) this.hostMigrations[this.vmOf[g]!]!++
  }

  // ---------------------------------------------------------------- guest spinlocks, PAUSE loops, PLE

  /** A busy vCPU takes one of its VM's contended locks in the middle of its current work (model.md §3: spinlock
   *  contention in any workload). Acquisitions arrive as a Poisson process thinned to busy, task-level time. */
  private lockAcquire(g: number): void {
    const sl = this.vmSpec(g).spinlock
    this.engine.schedule(this.rng.exponential(1e9 / sl.acquisitionsPerSec), Ev.LOCK_ACQUIRE, g)
    if (this.state[g] !== St.RUN || this.inIrq[g] || this.lockSavedKind[g] !== Work.NONE) return
    const k = this.curKind[g]!
    if (k !== Work.ITEM && k !== Work.THREAD) return
    this.suspendWork(g)
    this.lockSavedKind[g] = k
    this.lockSavedArg[g] = this.curArg[g]!
    this.lockSavedRem[g] = this.curRem[g]!
    const l = sl.lockBase + this.rng.int(sl.locks)
    if (this.lockOwner[l]! >= 0) {
      // contended: queue behind the holder (the MCS queue, or the crowd of test-and-set spinners)
      this.waitNext[g] = -1
      if (this.lockTail[l]! >= 0) this.waitNext[this.lockTail[l]!] = g
      else this.lockHead[l] = g
      this.lockTail[l] = g
      this.spinSpun[g] = 0
    }
    this.startWork(g, Work.SPIN, l, 0)
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

  /** How long the waiter spins on PAUSE unless the lock is handed over first: until the PLE window ends (VMX: the loop
   *  ran ple_window TSC cycles; SVM: pause_filter_count PAUSEs) or SPIN_THRESHOLD loops before pv_wait() — whichever
   *  comes first, recorded in spinWhy. */
  private spinBudget(g: number): number {
    const sl = this.vmSpec(g).spinlock
    let ns = 1e15
    let why = 0
    if (sl.pauseExits) {
      const w = this.inp.vendor === 'vmx' ? this.pleWindow[g]! / this.inp.tscGhz : this.pleWindow[g]! * this.pauseNs
      if (w < ns) { ns = w; why = 1 }
    }
    if (sl.halts) {
      const left = Math.max(0, spinBeforeWaitNs(this.pauseNs) - this.spinSpun[g]!)
      if (left < ns) { ns = left; why = 2 }
    }
    this.spinWhy[g] = why
    return ns
  }

  /** The spin budget ran out: a PAUSE exit (handle_pause()) or pv_wait()'s HLT. */
  private spinBudgetOver(g: number, l: number): void {
    const now = this.engine.now
    this.spinSpun[g] = this.spinSpun[g]! + now - this.curStart[g]!
    this.curKind[g] = Work.SPIN
    this.curArg[g] = l
    this.curRem[g] = 0
    this.curStart[g] = now
    if (this.spinWhy[g] === 2) {
      // kvm_wait(): halt unless already kicked
      this.spinSpun[g] = 0
      if (this.pvUnhalted[g]) { this.pvUnhalted[g] = 0; this.dispatchNext(g); return }
      this.pvHalted[g] = 1
      this.haltStart[g] = now
      this.beginExit(g, ExitReason.HLT, this.causeIds.pvWait, this.cost(CostId.exitHlt), After.HLT)
      return
    }
    if (this.spinWhy[g] === 1) {
      // handle_pause(): grow the window, then kvm_vcpu_on_spin() looks for a vCPU to yield to
      this.pleWindow[g] = growPleWindow(this.pleWindow[g]!, this.inp.ple)
      const r = this.directedYield(g)
      this.beginExit(g, ExitReason.PAUSE_INSTRUCTION, this.causeIds.pauseLoop, this.cost(CostId.exitPause), r === 2 ? After.RESCHED : After.ENTRY)
      return
    }
    this.dispatchNext(g)
  }

  /** The holder leaves its critical section: the lock goes to the next owner as the lock kind hands over, the
   *  interrupted work resumes, and a halted pvqspinlock head is kicked by hypercall (a VMCALL exit on the unlocker). */
  private lockRelease(g: number, l: number): void {
    this.curKind[g] = this.lockSavedKind[g]!
    this.curArg[g] = this.lockSavedArg[g]!
    this.curRem[g] = this.lockSavedRem[g]!
    this.curStart[g] = this.engine.now
    this.lockSavedKind[g] = Work.NONE
    this.lockOwner[l] = -1
    const sl = this.vmSpec(g).spinlock
    let next = -1
    if (handoff(sl.kind, sl.userSpace) === 'head') next = this.lockHead[l]!
    else {
      let n = 0
      for (let w = this.lockHead[l]!; w >= 0; w = this.waitNext[w]!) if (this.spinningNow(w)) n++
      if (n > 0) {
        let k = this.rng.int(n)
        for (let w = this.lockHead[l]!; w >= 0; w = this.waitNext[w]!) if (this.spinningNow(w) && k-- === 0) { next = w; break }
      }
    }
    if (next >= 0) {
      this.takeLock(l, next)
      if (this.spinningNow(next)) {
        // the spinner sees it at once
        this.suspendWork(next)
        this.startWork(next, Work.SPIN, l, 0)
      } else if (this.pvHalted[next]) {
        this.pvUnhalted[next] = 1
        const s = this.state[next]!
        if (s === St.HOST_POLL || s === St.BLOCKED) this.wakeVcpu(next)
        this.beginExit(g, ExitReason.VMCALL, this.causeIds.pvKick, this.cost(CostId.exitVmcall), After.ENTRY)
        return
      }
    }
    this.dispatchNext(g)
  }

  private spinningNow(w: number): boolean {
    return this.state[w] === St.RUN && this.curKind[w] === Work.SPIN && !this.inIrq[w]
  }

  /** kvm_vcpu_on_spin() for a PAUSE exit of vCPU g, over its VM's vCPUs. Returns 0 (no candidate), 1 (yielded to a
   *  vCPU waiting on another pCPU) or 2 (yielded to one waiting on g's own pCPU: g gives it the pCPU). */
  private directedYield(g: number): number {
    const v = this.vmOf[g]!
    const vm = this.inp.vms[v]!
    const i = this.onSpin[v]!
    for (let k = 0; k < vm.vcpus; k++) {
      const x = vm.firstVcpu + k
      const s = this.state[x]!
      const queued = this.hrq.queued[x] === 1
      i.ready[k] = queued ? 1 : 0
      i.preempted[k] = queued && this.exitAfter[x] !== After.HLT ? 1 : 0
      i.blocking[k] = s === St.BLOCKED || s === St.HOST_POLL ? 1 : 0
      i.dyRunnable[k] = i.blocking[k] && (this.pendIrq[x] || this.pvUnhalted[x]) ? 1 : 0
      // preempted in kernel mode: inside a lock operation or an interrupt handler (guest user code is not)
      i.preemptedInKernel[k] = this.lockSavedKind[x] !== Work.NONE || this.inIrq[x] ? 1 : 0
      i.pendingInterrupt[k] = this.pendIrq[x] ? 1 : 0
      i.inSpinLoop![k] = this.curKind[x] === Work.SPIN ? 1 : 0
    }
    i.me = g - vm.firstVcpu
    i.lastBoostedVcpu = this.lastBoosted[v]!
    i.yieldToKernelMode = !vm.spinlock.userSpace
    this.yieldFrom = g
    this.yieldResult = 0
    const t = kvmVcpuOnSpin(i, this.tryYieldFn)
    if (t >= 0) this.lastBoosted[v] = t
    return this.yieldResult
  }

  /** kvm_vcpu_yield_to() → yield_to(): only a waiting (runnable, not running) vCPU thread can be yielded to. */
  private tryYield(k: number): boolean {
    const g = this.yieldFrom
    const x = this.vmSpec(g).firstVcpu + k
    if (this.hrq.queued[x] !== 1) return false
    const c = this.pcpuOf[g]!
    const tc = this.hrq.cpu[x]!
    this.hrq.yieldTo(x, c, this.yieldKind)
    if (tc === c) this.yieldResult = 2
    else { this.yieldResult = 1; this.reschedCurr(tc, this.causeIds.resched) }
    return true
  }

  /** The PLE window shrinks when the vCPU is loaded again after a schedule-out (shrink_ple_window() from
   *  vmx_vcpu_load() with scheduled_out, or kvm_arch_sched_in() before 6.11). */
  private shrinkPle(g: number): void {
    if (this.vmSpec(g).spinlock.pauseExits) this.pleWindow[g] = shrinkPleWindow(this.pleWindow[g]!, this.inp.ple)
  }

  /** An idle gap: the running guest thread sleeps (an hrtimer wakes it with the rest of its burst). */
  private idleGap(g: number): void {
    const vm = this.vmSpec(g)
    this.engine.schedule(this.rng.exponential(1e9 / vm.idleGaps.perSec), Ev.IDLE_GAP, g)
    if (this.state[g] !== St.RUN || this.inIrq[g] || this.curKind[g] !== Work.THREAD || this.lockSavedKind[g] !== Work.NONE) return
    const tid = this.curArg[g]!
    this.suspendWork(g)
    const rem = this.curRem[g]!
    this.curKind[g] = Work.NONE
    this.curRem[g] = 0
    this.threadSleep(tid)
    this.armHrtimer(g, this.engine.now + this.rng.exponential(vm.idleGaps.meanNs), tid, rem)
    this.dispatchNext(g)
  }

  // ---------------------------------------------------------------- host tasks

  /** A task's sleep is over: a new burst. */
  private taskWake(h: number): void {
    const k = h - this.nV
    this.taskRem[k] = this.rng.lognormal(this.inp.tasks[k]!.runNs, 0.5)
    this.wakeTask(h)
  }

  /** try_to_wake_up() of host task h: on the pCPU selectCpu() gives, it runs at once if that is idle, preempts the
   *  running thread, or waits. */
  private wakeTask(h: number): void {
    const t = this.inp.tasks[h - this.nV]!
    const prev = this.hrq.cpu[h]!
    const c = this.selectCpu(h, this.allowedList[h] ? prev : t.cpus[0]!)
    const preempt = this.hrq.enqueueWaking(h, c, this.engine.now, c !== prev)
    if (this.hrq.cur[c]! < 0) this.pickNext(c)
    else if (preempt) this.reschedCurr(c, this.causeIds.resched)
    else this.queuedBehind(c)
  }

  /** A driven task (a vCPU's vhost worker) is given `ns` of CPU work; once it has run it, event (kind, target) is
   *  handled and the task sleeps unless that gave it more. Called while it sleeps, or from that event while it still
   *  holds its pCPU (it goes straight on, as vhost_worker() loops while work is queued). */
  runHostTask(k: number, ns: number, kind: number, target: number): void {
    const h = this.nV + k
    this.taskRem[k] = ns
    this.taskCbKind[k] = kind
    this.taskCbTarget[k] = target
    const alone = this.taskAloneOn[k]!
    if (alone >= 0 && this.hrq.cur[alone] !== h) {
      // nothing else may run on its CPU: it runs at once
      this.hrq.runAlone(h, alone)
      this.taskSince[k] = this.engine.now
    }
    if (this.hrq.cur[this.hrq.cpu[h]!] === h) {
      this.taskEnd[k] = this.engine.now + ns
      this.engine.schedule(ns, Ev.TASK_DONE, h, bump(this.taskTok, k))
    } else if (!this.hrq.queued[h]) {
      this.wakeTask(h)
    }
    // queued (preempted while it finished its last work): it runs this when picked
  }

  private taskDone(h: number): void {
    const k = h - this.nV
    const t = this.inp.tasks[k]!
    const c = this.hrq.cpu[h]!
    this.accountTask(h, c)
    if (t.driven) {
      const kind = this.taskCbKind[k]!
      this.taskCbKind[k] = -1
      this.taskRem[k] = 0
      if (kind >= 0) {
        const tok = this.taskTok[k]!
        this.dispatch(kind, this.taskCbTarget[k]!, 0)
        // given more work, or preempted by a thread that event woke: it stays runnable
        if (this.taskTok[k] !== tok) return
      }
      if (this.taskAloneOn[k]! >= 0) { this.hrq.leaveAlone(c); return }
    } else if (t.sleepNs === 0) {
      // a CPU hog goes on with another burst
      this.taskRem[k] = this.rng.lognormal(t.runNs, 0.5)
      this.taskEnd[k] = this.engine.now + this.taskRem[k]!
      this.engine.schedule(this.taskRem[k]!, Ev.TASK_DONE, h, bump(this.taskTok, k))
      return
    }
    this.hrq.sleepCurr(c, this.engine.now)
    if (!t.driven) this.engine.schedule(this.rng.exponential(t.sleepNs), Ev.TASK_WAKE, h)
    this.pickNext(c)
  }

  /** A running task is preempted: it keeps the rest of its burst and waits on its pCPU. */
  private taskPreempted(h: number, c: number): void {
    const k = h - this.nV
    this.accountTask(h, c)
    this.taskRem[k] = Math.max(0, this.taskEnd[k]! - this.engine.now)
    this.taskTok[k]!++
    this.hrq.requeueCurr(c, this.engine.now)
  }

  private accountTask(h: number, c: number): void {
    const k = h - this.nV
    const j = c * PCPU_TIME_COUNT + PcpuTime.OTHER_TASKS
    this.pcpuAcc[j] = this.pcpuAcc[j]! + this.engine.now - this.taskSince[k]!
    this.taskSince[k] = this.engine.now
  }

  // ---------------------------------------------------------------- services to workloads

  /** A guest hrtimer armed on vCPU g at absolute time t (a reprogram when it becomes the earliest). With `wakeTid`
   *  ≥ 0 it is a sleeper's timer (hrtimer_nanosleep(): hrtimer_wakeup() on expiry): the timer interrupt that expires it
   *  wakes that thread (try_to_wake_up() from the interrupt, placed as wakeThread() places it) with `wakeBurstNs` as
   *  its next burst. */
  armHrtimer(g: number, t: number, wakeTid = -1, wakeBurstNs = 0): void {
    const n = this.hrtCount[g]!
    if (n >= HRT_MAX) return
    const k = g * HRT_MAX + n
    this.hrt[k] = t
    this.hrtThr[k] = wakeTid
    this.hrtBurst[k] = wakeBurstNs
    this.hrtCount[g] = n + 1
    if (t < this.deadline[g]!) this.actions[g]! |= Act.REPROGRAM
  }


  /** One completion of the VM's workload (an op, an iteration, …) with its latency; counted after warm-up. */
  complete(v: number, latencyNs: number): void {
    const now = this.engine.now
    if (now < this.warmupEnd) return
    this.latency[v]!.record(latencyNs)
    this.completed[v]!++
    const bin = Math.floor((now - this.warmupEnd) / this.seriesIntervalNs)
    const per = this.series.length / this.nVm
    if (bin < per) this.series[v * per + bin]!++
  }

  /** vCPU g has no queued work item and is idle or blocked. */
  vcpuAsleep(g: number): boolean {
    return this.qLen[g] === 0 && (this.idle[g] === 1 || this.state[g] === St.BLOCKED)
  }

  threadSleeping(tid: number): boolean {
    return this.thrState[tid] === Thr.SLEEPING
  }

  kickTx(g: number): void {
    this.actions[g]! |= Act.TX_KICK
  }

  raiseDeviceIrq(g: number): void {
    this.deliverGuestIrq(g, Irq.RX, this.vmSpec(g).postedInterrupts)
  }

  pendDeviceIrq(g: number): void {
    this.pendIrq[g]! |= Irq.RX
  }

  /** Queues a work item of the VM's workload on vCPU g (run in order by dispatchNext). */
  queueItem(g: number, id: number): void {
    if (this.qLen[g]! >= QCAP) return
    this.qBuf[g * QCAP + ((this.qHead[g]! + this.qLen[g]!) % QCAP)] = id
    this.qLen[g]!++
  }

  /** vCPU g will send a guest IPI to `target` (an ICR write: an exit on the VM's unicast path, none with IPIv or AVIC
   *  to a running target) before going on. */
  queueIpi(g: number, target: number): void {
    this.queueIpiEntry(g, target)
  }

  private queueIpiEntry(g: number, entry: number): void {
    if (this.ipiLen[g]! >= IPICAP) return
    this.ipiQ[g * IPICAP + ((this.ipiHead[g]! + this.ipiLen[g]!) % IPICAP)] = entry
    this.ipiLen[g]!++
    this.actions[g]! |= Act.SEND_IPI
  }

  /** A guest TLB shootdown (munmap/mprotect in the VM's multithreaded process): a vCPU running the process calls
   *  flush_tlb_mm_range(), which IPIs the other vCPUs running it — not the idle ones, which are in lazy TLB mode.
   *  With PV TLB flush, kvm_flush_tlb_multi() drops the vCPUs the guest sees preempted (KVM_VCPU_FLUSH_TLB instead).
   *  smp_call_function_many_cond() sends one target a single IPI (apic->send_IPI, the unicast path) and several a
   *  mask (send_IPI_mask: one PV IPI hypercall, or one ICR write per target).
   *  Simplifications: the initiator is a random busy vCPU; it does not wait for the flushes to complete (the real
   *  smp_call_function_many() does); the local flush and the targets' flush handlers cost the IPI handler time. */
  private guestTlbShootdown(v: number): void {
    const vm = this.inp.vms[v]!
    this.engine.schedule(this.rng.exponential(1e9 / vm.guestTlbShootdownsPerSec), Ev.GUEST_TLB, v)
    const first = vm.firstVcpu
    const end = first + vm.vcpus
    let busy = 0
    for (let g = first; g < end; g++) if (this.state[g] === St.RUN && !this.idle[g]) busy++
    if (busy === 0) return
    let k = this.rng.int(busy)
    let src = first
    for (let g = first; g < end; g++) if (this.state[g] === St.RUN && !this.idle[g] && k-- === 0) { src = g; break }
    if (this.actions[src]! & Act.SEND_MULTI) return // its previous shootdown's hypercall is still to be sent
    let n = 0
    for (let g = first; g < end; g++) {
      if (g === src || this.idle[g]) continue
      if (vm.pvTlbFlush && this.rq.preempted[g]) continue
      this.mcastQ[src * IPICAP + n++] = g
    }
    if (n === 0) return
    if (n === 1) this.queueIpiEntry(src, this.mcastQ[src * IPICAP]! | IPI_TLB)
    else if (vm.ipiMulticastBatched) { this.mcastLen[src] = n; this.actions[src]! |= Act.SEND_MULTI }
    else for (let i = 0; i < n; i++) this.queueIpiEntry(src, this.mcastQ[src * IPICAP + i]! | IPI_TLB | IPI_MULTI)
    // the sender leaves what it was doing to send them (its work resumes after)
    if (!this.inIrq[src]) { this.suspendWork(src); this.dispatchNext(src) }
  }

  private enqueueThread(tid: number, c: number): void {
    this.rqBuf[c * RQCAP + ((this.rqHead[c]! + this.rqLen[c]!) % RQCAP)] = tid
    this.rqLen[c]!++
    this.rq.nrRunning[c]!++
    this.thrCpu[tid] = c
    this.thrState[tid] = Thr.RUNNABLE
  }

  /** A guest thread of a workload starts at time 0 on vCPU c with a first burst (the runtime's fork). */
  startThread(tid: number, c: number, burstNs: number): void {
    this.thrBurst[tid] = burstNs
    this.enqueueThread(tid, c)
    if (this.rq.nrRunning[c] === 1) this.deliverGuestIrq(c, Irq.IPI, true)
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

  /** try_to_wake_up(p) from vCPU `waker` (thread `wakerTid`, −1 from an interrupt): select_task_rq_fair() places it,
   *  it is enqueued there with its next burst, and an idle target gets a reschedule IPI — none when it polls in the
   *  guest idle loop (set_nr_if_polling()). Returns the waker's guest CPU time for it (ttwu + the LLC scan). */
  wakeThread(tid: number, waker: number, sync: boolean, wakerTid: number, burstNs: number): number {
    if (this.thrState[tid] !== Thr.SLEEPING) return 0
    const v = this.thrVm[tid]!
    const prev = this.thrCpu[tid]!
    const pinned = this.thrPinned[tid] === 1
    const c = pinned ? prev : selectTaskRqFair(tid, prev, waker, sync, wakerTid, this.schedTopo[v]!, this.rq, this.thrRecent)
    const ns = this.cost(CostId.guestTtwu) + (pinned ? 0 : lastScanCount() * this.cost(CostId.guestSisScanPerCpu))
    if (this.engine.now >= this.warmupEnd) {
      this.wakeups[v]!++
      if (c !== prev) this.migrations[v]!++
      if (this.rq.nrRunning[c]! > 0) this.stackedWakeups[v]!++
    }
    this.thrBurst[tid] = burstNs
    this.enqueueThread(tid, c)
    if (this.rq.nrRunning[c] === 1 && c !== waker) {
      if (this.state[c] === St.GUEST_POLL) this.wakeVcpu(c)
      else this.queueIpi(waker, c)
    }
    return ns
  }

  /** Index in rqBuf of the j-th thread queued on vCPU c. */
  private rqSlot(c: number, j: number): number {
    return c * RQCAP + ((this.rqHead[c]! + j) % RQCAP)
  }

  /** The MC domain's balance interval for idle CPUs: sd->min_interval = sd_weight ms (sd_init()). */
  private balanceIntervalNs(v: number): number {
    return this.inp.vms[v]!.llcSize * 1e6
  }

  /** nohz idle balancing, reduced to its effect inside one LLC: each idle vCPU pulls one queued (runnable, not
   *  running) thread from a vCPU of its LLC that runs more than one, and is kicked by an IPI to run it.
   *  Simplification: the DIE/NUMA levels, load weights and the kick's sender exit are not modelled. */
  private idleBalance(v: number): void {
    const t = this.schedTopo[v]!
    for (let c = t.first; c < t.first + t.nrCpus; c++) {
      if (this.rq.nrRunning[c] !== 0) continue
      const base = c - ((c - t.first) % t.llcSize)
      const end = Math.min(base + t.llcSize, t.first + t.nrCpus)
      for (let src = base; src < end; src++) {
        // detach_tasks(): an idle CPU never takes the only task of a runqueue (nr_running <= 1: a wakee about to run)
        if (this.rqLen[src]! === 0 || this.rq.nrRunning[src]! <= 1) continue
        // detach the most recently queued thread (the tail) that may run here (can_migrate_task())
        let j = this.rqLen[src]! - 1
        while (j >= 0 && this.thrPinned[this.rqBuf[this.rqSlot(src, j)]!]) j--
        if (j < 0) continue
        const tid = this.rqBuf[this.rqSlot(src, j)]!
        for (; j < this.rqLen[src]! - 1; j++) this.rqBuf[this.rqSlot(src, j)] = this.rqBuf[this.rqSlot(src, j + 1)]!
        this.rqLen[src]!--
        this.rq.nrRunning[src]!--
        this.enqueueThread(tid, c)
        if (this.state[c] === St.GUEST_POLL) this.wakeVcpu(c)
        else this.deliverGuestIrq(c, Irq.IPI, this.inp.vms[v]!.postedInterrupts)
        break
      }
    }
    this.engine.schedule(this.balanceIntervalNs(v), Ev.IDLE_BALANCE, v)
  }

  /** Ends the thread's current burst now (a spinner that sees the barrier released). */
  cutBurst(tid: number): void {
    const g = this.thrCpu[tid]!
    if (this.rqCurr[g] !== tid) { if (this.thrBurst[tid]! > 0) this.thrBurst[tid] = 0; return }
    if (this.curKind[g] === Work.THREAD && this.curArg[g] === tid) {
      if (this.state[g] === St.RUN) {
        this.suspendWork(g)
        this.curRem[g] = 0
        this.curStart[g] = this.engine.now
        this.engine.schedule(0, Ev.WORK_DONE, g, bump(this.workTok, g))
      } else {
        this.curRem[g] = 0
      }
      return
    }
    if (this.savedKind[g] === Work.THREAD && this.savedArg[g] === tid) { this.savedRem[g] = 0; return }
    if (this.thrBurst[tid]! > 0) this.thrBurst[tid] = 0
  }
  // ---------------------------------------------------------------- statistics

  private sample(): void {
    // warm-up end: statistics restart here
    const now = this.engine.now
    for (let g = 0; g < this.nV; g++) {
      this.stateSince[g] = now
      for (let s = 0; s < STATE_COUNT; s++) this.acc[g * STATE_COUNT + s] = 0
      this.exitsAfterWarmup[g] = 0
    }
    this.pcpuBusy.fill(0)
    this.pcpuAcc.fill(0)
    this.taskSince.fill(now)
  }

  /** Closes the time accounting at the end of the run. */
  finish(): void {
    for (let g = 0; g < this.nV; g++) this.setState(g, this.state[g]!)
    for (let c = 0; c < this.inp.nrCpus; c++) {
      const h = this.hrq.cur[c]!
      if (h >= this.nV) this.accountTask(h, c)
    }
  }
}
