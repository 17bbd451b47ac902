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
import { Ev, St, STATE_COUNT, Work, Irq, Act, After, Thr, inGuestMode } from './constants.ts'
import type { ModelInputs, VmSpec } from './model-inputs.ts'
import { CauseTable } from './causes.ts'
import { createWorkload } from './workloads/index.ts'
import type { GuestWorkload } from './workloads/workload.ts'

const R = EXIT_REASON_COUNT
const HRT_MAX = 64
const QCAP = 4096
/** Capacity of a vCPU's guest runqueue and of its pending-IPI list. */
const RQCAP = 256
const IPICAP = 256
const SERIES_POINTS = 200

/** Increments a counter slot and returns the new value (a token for lazy event cancellation). */
function bump(a: Int32Array, i: number): number {
  return (a[i] = a[i]! + 1)
}

export class HostModel {
  readonly engine = new Engine()
  readonly rng: Rng
  readonly inp: ModelInputs
  readonly causes = new CauseTable()
  /** Ids of the fixed exit causes, registered once so the hot path never looks a name up. */
  readonly causeIds: {
    tscWrite: number
    txNotify: number
    icrWrite: number
    hvTimer: number
    swTimer: number
    kick: number
    hlt: number
    mwaitNop: number
    hostTick: number
    kworker: number
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
  readonly pcpuVcpu: Int32Array
  readonly pcpuBusy: Float64Array
  readonly pcpuIdleEma: Float64Array

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

    this.pcpuVcpu = i32(inp.nrCpus).fill(-1); this.pcpuBusy = f64(inp.nrCpus); this.pcpuIdleEma = f64(inp.nrCpus)

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
      icrWrite: this.cause('x2APIC ICR write (guest IPI)'),
      hvTimer: this.cause('guest LAPIC timer (VMX preemption timer)'),
      swTimer: this.cause('guest LAPIC timer (sw hrtimer on this pCPU)'),
      kick: this.cause('kick IPI (interrupt injection)'),
      hlt: this.cause('guest idle (HLT)'),
      mwaitNop: this.cause('guest idle (MWAIT emulated as NOP)'),
      hostTick: this.cause('host scheduler tick'),
      kworker: this.cause('reschedule IPI (kworker on this pCPU)'),
    }
    this.costs = new Float64Array(COST_NAMES.length * 3)
    COST_NAMES.forEach((n, i) => {
      const c = inp.costs[n]
      this.costs[i * 3] = c.minNs
      this.costs[i * 3 + 1] = c.meanNs - c.minNs
      this.costs[i * 3 + 2] = c.sigma
    })

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
    const i = g * STATE_COUNT + this.state[g]!
    this.acc[i] = this.acc[i]! + now - this.stateSince[g]!
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
      this.dispatchNext(g)
    }
    this.inp.irqs.forEach((src, i) => {
      this.irqCause[i] = this.cause(`device IRQ ${src.name}`)
      if (src.ratePerSec > 0 && src.cpus.length) e.schedule(this.rng.exponential(1e9 / src.ratePerSec), Ev.HOST_IRQ, i)
    })
    this.inp.vms.forEach((vm, v) => {
      this.tlbCause[v] = this.cause(`TLB-shootdown IPI from the ${vm.name} VMM`)
      if (vm.tlbShootdownsPerSec > 0) e.schedule(this.rng.exponential(1e9 / vm.tlbShootdownsPerSec), Ev.TLB_SHOOTDOWN, v)
      this.workloads[v]!.start(this.firstThread[v]!)
      if (this.workloads[v]!.threadCount() > 0 && vm.llcSize > 1) e.schedule(this.balanceIntervalNs(v), Ev.IDLE_BALANCE, v)
    })
    for (let c = 0; c < this.inp.nrCpus; c++) {
      const g = this.pcpuVcpu[c]!
      if (g < 0) continue
      if (!this.inp.nohzFull[c]) e.schedule(this.rng.uniform() * 1e9 / this.inp.hostHz, Ev.HOST_TICK, c)
      else if (this.inp.residualTickLocal) e.schedule(this.rng.uniform() * 1e9, Ev.HOST_TICK, c)
      if (this.inp.kworkerCpu[c] && this.inp.kworkerPerSec > 0) e.schedule(this.rng.exponential(1e9 / this.inp.kworkerPerSec), Ev.KWORKER, c)
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
    const d = this.debt[g]!
    this.debt[g] = 0
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
    if (after === After.PREEMPT) { this.preemptStart(g); return }
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
    this.debt[g]! += this.cost(CostId.indirect)
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
      const target = this.ipiQ[g * IPICAP + this.ipiHead[g]!]!
      this.ipiHead[g] = (this.ipiHead[g]! + 1) % IPICAP
      if (--this.ipiLen[g]! === 0) this.actions[g] = a & ~Act.SEND_IPI
      const vm = this.vmSpec(g)
      this.deliverGuestIrq(target, Irq.IPI, vm.postedInterrupts)
      if (vm.ipiVirtualization && vm.postedInterrupts) { this.dispatchNext(g); return }
      this.beginExit(g, ExitReason.MSR_WRITE, this.causeIds.icrWrite, this.cost(CostId.exitMsrWriteIcr), After.ENTRY)
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
    const path = this.inp.vcpus[g]!.timerPath
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
      // kvm_emulate_mwait(): MWAIT exits and is emulated as a NOP, so the guest's idle loop spins (seed 004)
      this.beginExit(g, ExitReason.MWAIT_INSTRUCTION, this.causeIds.mwaitNop, this.cost(CostId.exitMwait), After.ENTRY)
      return
    }
    if (vm.hltInGuest) { this.haltInGuest(g, this.inp.cstates.length ? this.inp.cstates[0]!.exitLatencyNs : 0); return }
    this.haltStart[g] = this.engine.now
    this.beginExit(g, ExitReason.HLT, this.causeIds.hlt, this.cost(CostId.exitHlt), After.HLT)
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
    if (this.pendIrq[g]) { this.hltWakeup(g); return }
    if (vm.hostHaltPoll && this.haltPollNs[g]! > 0) {
      this.setState(g, St.HOST_POLL)
      this.engine.schedule(this.haltPollNs[g]!, Ev.HOST_POLL_END, g, bump(this.idleTok, g))
      return
    }
    this.block(g)
  }

  private block(g: number): void {
    this.setState(g, St.BLOCKED)
    this.idleTok[g]!++
    // kvm_sched_out() → kvm_arch_vcpu_put(): before 5.19 the steal-time preempted flag is set on this deschedule too
    if (this.vmSpec(g).preemptedOnHltBlock) this.rq.preempted[g] = 1
    // the idle pCPU picks a C-state as a menu-like governor would: deepest whose residency fits the prediction
    const c = this.pcpuOf[g]!
    let lat = 0
    for (const cs of this.inp.cstates) if (this.pcpuIdleEma[c]! >= cs.targetResidencyNs) lat = cs.exitLatencyNs
    if (this.inp.cstates.length && lat === 0) lat = this.inp.cstates[0]!.exitLatencyNs
    this.wakeLatency[g] = lat
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
      const c = this.pcpuOf[g]!
      const idleNs = now - this.stateSince[g]!
      this.pcpuIdleEma[c] = this.pcpuIdleEma[c]! * 0.75 + idleNs * 0.25
      this.setState(g, St.WAKING)
      this.engine.schedule(this.cost(CostId.wakeupIpi) + this.wakeLatency[g]! + this.cost(CostId.scheduleIn), Ev.WAKE_DONE, g, bump(this.idleTok, g))
    }
  }

  private wakeDone(g: number): void {
    if (this.exitReason[g] === ExitReason.HLT && this.exitAfter[g] === After.HLT && !this.vmSpec(g).hltInGuest) { this.hltWakeup(g); return }
    this.leaveIdle(g)
  }

  /** End of an HLT exit: adapt the halt-polling window, enter the guest and leave idle. */
  private hltWakeup(g: number): void {
    const vm = this.vmSpec(g)
    if (vm.hostHaltPoll) {
      const haltNs = this.engine.now - this.haltStart[g]!
      this.haltPollNs[g] = updateHaltPoll(this.haltPollNs[g]!, haltNs, true, this.inp.haltPoll)
    }
    this.exitAfter[g] = After.ENTRY
    this.vmEntry(g)
    this.leaveIdle(g)
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
    const g = this.pcpuVcpu[c]!
    if (g < 0) { this.pcpuBusy[c]! += handlerNs; return }
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
      if (s === St.BLOCKED) continue
      this.hostInterrupt(this.pcpuOf[g]!, this.tlbCause[v]!, this.cost(CostId.hostIpiHandler))
    }
    this.engine.schedule(this.rng.exponential(1e9 / vm.tlbShootdownsPerSec), Ev.TLB_SHOOTDOWN, v)
  }

  /** The host tick on a pCPU that is not nohz_full (or the residual 1 Hz tick before v4.17). */
  private hostTick(c: number): void {
    const g = this.pcpuVcpu[c]!
    const blocked = g >= 0 && this.state[g] === St.BLOCKED
    if (!blocked) this.hostInterrupt(c, this.causeIds.hostTick, this.cost(CostId.hostTimerHandler))
    const period = this.inp.nohzFull[c] ? 1e9 : 1e9 / this.inp.hostHz
    this.engine.schedule(period, Ev.HOST_TICK, c)
  }

  /** A kworker woken on a housekeeping pCPU preempts the vCPU thread pinned there. */
  private kworker(c: number): void {
    const g = this.pcpuVcpu[c]!
    const s = this.state[g]!
    if (inGuestMode(s)) {
      this.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, this.causeIds.kworker, this.cost(CostId.exitExternalInterrupt) + this.cost(CostId.hostIpiHandler), After.PREEMPT)
    } else {
      this.pcpuBusy[c]! += this.inp.kworkerNs
    }
    this.engine.schedule(this.rng.exponential(1e9 / this.inp.kworkerPerSec), Ev.KWORKER, c)
  }

  private preemptStart(g: number): void {
    this.setState(g, St.PREEMPTED)
    if (this.vmSpec(g).preemptedOnPreempt) this.rq.preempted[g] = 1
    this.engine.schedule(this.rng.lognormal(this.inp.kworkerNs, 0.5) + this.cost(CostId.scheduleIn), Ev.PREEMPT_DONE, g, bump(this.exitTok, g))
  }

  private preemptDone(g: number): void {
    this.exitAfter[g] = After.ENTRY
    this.vmEntry(g)
    if (this.idle[g]) { this.resumeIdle(g); return }
    this.dispatchNext(g)
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

  /** Queues a work item of the VM's workload on vCPU g (run in order by dispatchNext). */
  queueItem(g: number, id: number): void {
    if (this.qLen[g]! >= QCAP) return
    this.qBuf[g * QCAP + ((this.qHead[g]! + this.qLen[g]!) % QCAP)] = id
    this.qLen[g]!++
  }

  /** vCPU g will send a guest IPI to `target` (an ICR write, an MSR_WRITE exit unless IPIv) before going on. */
  queueIpi(g: number, target: number): void {
    if (this.ipiLen[g]! >= IPICAP) return
    this.ipiQ[g * IPICAP + ((this.ipiHead[g]! + this.ipiLen[g]!) % IPICAP)] = target
    this.ipiLen[g]!++
    this.actions[g]! |= Act.SEND_IPI
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
  }

  /** Closes the time accounting at the end of the run. */
  finish(): void {
    for (let g = 0; g < this.nV; g++) this.setState(g, this.state[g]!)
  }
}
