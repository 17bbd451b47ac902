// The guest's idle task on one vCPU (kernel/sched/idle.c do_idle() with the cpuidle driver): stop the tick when the
// governor predicts a long idle (tick_nohz_idle_stop_tick(): a TSC-deadline reprogram), poll (cpuidle-haltpoll's
// adaptive window, haltpoll.ts, or idle=poll), then the idle instruction — HLT (an exit into kvm_vcpu_halt(), or
// passed through with KVM_X86_DISABLE_EXITS_HLT) or MWAIT (passed through in the C-state the governor picks, or
// emulated as a NOP). Leaving idle restarts the tick (tick_nohz_idle_exit()) and adapts the poll window.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, Act, After } from '../sim/constants.ts'
import type { ModelCore, Parts, GuestIdle as GuestIdlePart } from '../sim/model-parts.ts'
import { adjustGuestPollLimit } from './haltpoll.ts'
import { HaltExit, MwaitExit } from '../kvm/userspace-exits.ts'
import type { VmmExit } from '../kvm/vmm-exit.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

export class GuestIdleLoop implements GuestIdlePart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly vmm: VmmExit
  private gtimers!: Parts['gtimers']
  private halt!: Parts['halt']
  private run!: Parts['run']
  private timer!: Parts['timer']
  private work!: Parts['work']
  readonly idleStart: Float64Array
  /** The governor's predicted idle time (an exponential average of recent idles). */
  readonly idleEma: Float64Array
  /** cpuidle-haltpoll's poll window per vCPU. */
  readonly guestPollNs: Float64Array

  constructor(m: ModelCore, vmm: VmmExit) {
    this.m = m
    this.v = m.vcpu
    this.vmm = vmm
    this.idleStart = new Float64Array(m.nV)
    this.idleEma = new Float64Array(m.nV)
    this.guestPollNs = new Float64Array(m.nV)
  }

  link(p: Parts): void {
    this.gtimers = p.gtimers
    this.halt = p.halt
    this.run = p.run
    this.timer = p.timer
    this.work = p.work
  }

  /** do_idle(): nothing to run. */
  enterIdle(g: number): void {
    const v = this.v
    const vm = this.m.vmSpec(g)
    const gt = this.gtimers
    v.idle[g] = 1
    this.idleStart[g] = this.m.engine.now
    v.debt[g] = 0
    // tick_nohz_idle_stop_tick(): stop the tick when the governor predicts an idle longer than a tick
    if (vm.guestTickMode !== 'periodic' && gt.tickRunning[g] && this.idleEma[g]! > 1e9 / vm.guestHz) {
      gt.tickRunning[g] = 0
      const want = gt.nextGuestTimer(g)
      if (want !== this.timer.deadline[g]) {
        this.timer.programTimer(g, want)
        this.run.beginExit(g, ExitReason.MSR_WRITE, this.m.causeIds.tscWrite, this.timer.msrWriteNs(g), After.IDLE)
        return
      }
    }
    this.idleAfterTickStop(g)
  }

  /** cpuidle_idle_call() after the tick decision: poll (haltpoll / idle=poll) or halt. */
  idleAfterTickStop(g: number): void {
    const v = this.v
    if (v.pendIrq[g]) { this.leaveIdle(g); return }
    const vm = this.m.vmSpec(g)
    if (vm.guestIdlePoll) { v.setState(g, St.GUEST_POLL); v.idleTok[g]!++; return }
    if (vm.guestHaltPoll && this.guestPollNs[g]! > 0) {
      v.setState(g, St.GUEST_POLL)
      this.m.engine.schedule(this.guestPollNs[g]!, Ev.GUEST_POLL_END, g, ++v.idleTok[g]!)
      return
    }
    this.guestHalt(g)
  }

  /** Ev.GUEST_POLL_END: the poll window (or one pass of the emulated-MWAIT loop) is over. */
  onPollEnd(g: number, tok: number): void {
    if (tok === this.v.idleTok[g] && this.v.state[g] === St.GUEST_POLL) this.guestHalt(g)
  }

  /** The guest executes its idle instruction: HLT or MWAIT, passed through (it stays in guest mode) or exiting. */
  guestHalt(g: number): void {
    const m = this.m
    const v = this.v
    const vm = m.vmSpec(g)
    v.idleTok[g]!++
    if (vm.guestIdleMwait) {
      if (vm.mwaitInGuest) { this.haltInGuest(g, this.guestCstateLatency(g)); return }
      // kvm_emulate_mwait(): MWAIT exits and is emulated as a NOP, so the guest's idle loop spins (seed 004); the RFC
      // (experimental) then exits to the VMM, or calls yield(). The idle loop has run off the previous exit's indirect
      // cost: only the last exit's is left for the work that ends the idle (as enterIdle() starts idle without debt)
      v.debt[g] = 0
      if (vm.mwaitExit === MwaitExit.USERSPACE) { this.vmm.exitToVmm(g, ExitReason.MWAIT_INSTRUCTION, m.causeIds.mwaitToVmm, m.cost(CostId.exitMwait), true, After.ENTRY); return }
      if (vm.mwaitExit === MwaitExit.YIELD) { this.run.beginExit(g, ExitReason.MWAIT_INSTRUCTION, m.causeIds.mwaitYield, m.cost(CostId.exitMwait) + m.cost(CostId.schedYield), After.YIELD); return }
      this.run.beginExit(g, ExitReason.MWAIT_INSTRUCTION, m.causeIds.mwaitNop, m.cost(CostId.exitMwait), After.ENTRY)
      return
    }
    if (vm.hltInGuest) { this.haltInGuest(g, m.inp.guestCstates.length ? m.inp.guestCstates[0]!.exitLatencyNs : 0); return }
    this.halt.haltStart[g] = m.engine.now
    // the RFC (experimental): KVM_EXIT_HLT to the VMM; it re-enters within the exit unless it sleeps in its own poll()
    if (vm.hltExit === HaltExit.USERSPACE) { this.vmm.exitToVmm(g, ExitReason.HLT, m.causeIds.hltToVmm, m.cost(CostId.exitHlt), vm.hltWait === 'kvm-run', After.HLT); return }
    this.run.beginExit(g, ExitReason.HLT, m.causeIds.hlt, m.cost(CostId.exitHlt), After.HLT)
  }

  /** Halted in guest mode (HLT in C1, or MWAIT in the C-state the guest asked for); waking pays its exit latency. */
  private haltInGuest(g: number, wakeLatencyNs: number): void {
    this.v.wakeLatency[g] = wakeLatencyNs
    this.v.setState(g, St.GUEST_HLT)
  }

  /** The guest's idle governor asks MWAIT for the deepest C-state whose target residency fits its predicted idle. */
  private guestCstateLatency(g: number): number {
    const cstates = this.m.inp.guestCstates
    let lat = cstates.length ? cstates[0]!.exitLatencyNs : 0
    for (const cs of cstates) if (this.idleEma[g]! >= cs.targetResidencyNs) lat = cs.exitLatencyNs
    return lat
  }

  /** Back in guest idle after an exit that interrupted it with nothing to do. */
  resumeIdle(g: number): void {
    const v = this.v
    if (v.pendIrq[g]) { this.leaveIdle(g); return }
    const vm = this.m.vmSpec(g)
    if (vm.guestIdlePoll || (vm.guestHaltPoll && this.guestPollNs[g]! > 0)) { v.setState(g, St.GUEST_POLL); return }
    if (vm.guestIdleMwait && !vm.mwaitInGuest) {
      // the emulated MWAIT returned at once: one pass of the idle loop, then MWAIT again
      v.setState(g, St.GUEST_POLL)
      this.m.engine.schedule(this.m.cost(CostId.guestIdleLoop), Ev.GUEST_POLL_END, g, ++v.idleTok[g]!)
      return
    }
    this.guestHalt(g)
  }

  /** A wake-up reaches the vCPU in its idle loop in guest mode: a poller sees it at once; HLT/MWAIT in non-root mode
   *  wakes after the physical C-state's exit latency (the posted interrupt's wake-up). */
  wakeInGuest(g: number): void {
    const v = this.v
    if (v.state[g] === St.GUEST_POLL) {
      v.idleTok[g]!++
      this.leaveIdle(g)
      return
    }
    v.setState(g, St.WAKING)
    this.m.engine.schedule(v.wakeLatency[g]!, Ev.WAKE_DONE, g, ++v.idleTok[g]!)
  }

  /** Leaves the idle loop: the poll window adapts (adjust_poll_limit()), the tick restarts (tick_nohz_idle_exit(): a
   *  reprogram if the deadline moves), and the vCPU runs what woke it. */
  leaveIdle(g: number): void {
    const v = this.v
    const vm = this.m.vmSpec(g)
    const now = this.m.engine.now
    if (v.idle[g]) {
      v.idle[g] = 0
      const idleNs = now - this.idleStart[g]!
      this.idleEma[g] = this.idleEma[g]! * 0.75 + idleNs * 0.25
      if (vm.guestHaltPoll) this.guestPollNs[g] = adjustGuestPollLimit(this.guestPollNs[g]!, idleNs, vm.guestPoll)
    }
    if (v.state[g] !== St.RUN) v.setState(g, St.RUN)
    const gt = this.gtimers
    if (!gt.tickRunning[g] && vm.guestTickMode === 'nohz-idle') {
      const period = 1e9 / vm.guestHz
      gt.tickRunning[g] = 1
      gt.tickNext[g] = (Math.floor(now / period) + 1) * period
      if (gt.nextGuestTimer(g) !== this.timer.deadline[g]) v.actions[g]! |= Act.REPROGRAM
    }
    this.work.dispatchNext(g)
  }
}
