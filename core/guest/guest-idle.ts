// The guest's idle task on one vCPU (kernel/sched/idle.c do_idle() → cpuidle_idle_call()), per cpuidle driver
// (core/guest/cpuidle-driver.ts):
// - none: default_idle_call() after tick_nohz_idle_stop_tick() on every pass — the tick stops unless a timer is due
//   before the next tick (core/guest/tick-stop.ts);
// - cpuidle-haltpoll: haltpoll_select() polls (poll_idle(), TIF_POLLING_NRFLAG set) up to the per-CPU limit with the
//   tick kept, then halts with the tick stopped; haltpoll_reflect() adjusts the limit after a halt (haltpoll.ts);
// - intel_idle: menu_select() or teo_select() picks the poll state or a C-state (an MWAIT hint) and whether the tick
//   stops (cpuidle-menu.ts, cpuidle-teo.ts); before 4.17 the tick is stopped on every pass before the governor runs.
// The idle instruction is HLT (an exit into kvm_vcpu_halt(), or passed through with KVM_X86_DISABLE_EXITS_HLT) or
// MWAIT (passed through in the chosen C-state, or emulated as a NOP). An interrupt that wakes nothing returns to the
// idle loop with the tick as it was; leaving the loop to run a task restarts the tick (tick_nohz_idle_exit():
// idleLoopExit(), a TSC-deadline write when the deadline moves).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, Act, After, Irq } from '../sim/constants.ts'
import type { ModelCore, Parts, GuestIdle as GuestIdlePart } from '../sim/model-parts.ts'
import { adjustGuestPollLimit, haltpollSelect, haltpollResidencyNs } from './haltpoll.ts'
import { CpuidleDriver, CpuidleGovernor } from './cpuidle-driver.ts'
import { pollTimeNs } from './cpuidle-states.ts'
import { MenuGovernor } from './cpuidle-menu.ts'
import { TeoGovernor } from './cpuidle-teo.ts'
import { tickNohzCanStopIdle, idlePollStopsTick } from './tick-stop.ts'
import { tifPollingNrflag } from './guest-fair.ts'
import { HaltExit, MwaitExit } from '../kvm/userspace-exits.ts'
import type { VmmExit } from '../kvm/vmm-exit.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

/** What a GUEST_POLL vCPU is doing: a cpuidle poll state (poll_idle()), or one pass of the idle loop between two
 *  emulated MWAITs. */
const POLL_STATE = 1
const MWAIT_NOP_PASS = 2

export class GuestIdleLoop implements GuestIdlePart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly vmm: VmmExit
  private gtimers!: Parts['gtimers']
  private halt!: Parts['halt']
  private run!: Parts['run']
  private timer!: Parts['timer']
  private work!: Parts['work']
  private gsched!: Parts['gsched']
  /** In do_idle() (from its entry until tick_nohz_idle_exit()), across interrupts that wake nothing. */
  readonly inIdleLoop: Uint8Array
  /** Per vCPU: how often the idle loop has handed the CPU to a task (idleLoopExit()) — each ends a lazy-TLB period
   *  (lazy-tlb.ts): the task's switch_mm() puts the vCPU back in its process's mm_cpumask(). */
  readonly loopExits: Uint32Array
  /** When the current idle state (poll, HLT, MWAIT) was entered, and when its governor selected it. */
  private readonly stateStart: Float64Array
  private readonly selectTime: Float64Array
  /** The state the governor selected for this pass (0 = poll; for none, 1 = the idle instruction). */
  private readonly selIdx: Int8Array
  private readonly pollKind: Uint8Array
  /** When the current poll window ends (poll_idle()'s time limit), and whether an interrupt interrupted it. */
  private readonly pollEnd: Float64Array
  private readonly pollResume: Uint8Array
  /** TIF_POLLING_NRFLAG: the idle task polls its thread flags (a reschedule needs no IPI). */
  private readonly polling: Uint8Array
  /** haltpoll governor: dev->poll_limit_ns, dev->last_state_idx, dev->poll_time_limit. */
  readonly guestPollNs: Float64Array
  private readonly lastIdx: Int8Array
  private readonly pollTimeLimit: Uint8Array
  private readonly menu: MenuGovernor
  private readonly teo: TeoGovernor

  constructor(m: ModelCore, vmm: VmmExit) {
    this.m = m
    this.v = m.vcpu
    this.vmm = vmm
    const nV = m.nV
    this.inIdleLoop = new Uint8Array(nV)
    this.loopExits = new Uint32Array(nV)
    this.stateStart = new Float64Array(nV)
    this.selectTime = new Float64Array(nV)
    this.selIdx = new Int8Array(nV)
    this.pollKind = new Uint8Array(nV)
    this.pollEnd = new Float64Array(nV)
    this.pollResume = new Uint8Array(nV)
    this.polling = new Uint8Array(nV)
    this.guestPollNs = new Float64Array(nV)
    this.lastIdx = new Int8Array(nV).fill(1)
    this.pollTimeLimit = new Uint8Array(nV)
    this.menu = new MenuGovernor(nV)
    this.teo = new TeoGovernor(nV)
  }

  link(p: Parts): void {
    this.gtimers = p.gtimers
    this.halt = p.halt
    this.run = p.run
    this.timer = p.timer
    this.work = p.work
    this.gsched = p.gsched
  }

  /** TIF_POLLING_NRFLAG: the vCPU's idle task polls (cpuidle poll state, haltpoll's window, idle=poll), so a
   *  reschedule only sets need_resched (set_nr_and_not_polling()) — no IPI. For the guest scheduler. The flag stays
   *  set while an interrupt is handled inside poll_idle() (pollResume): the idle loop sees need_resched after it. */
  pollingNrflag(g: number): boolean {
    return this.polling[g] === 1 || this.pollResume[g] === 1
  }

  /** do_idle(): nothing to run (first pass, or back after an interrupt that woke nothing). */
  enterIdle(g: number): void {
    this.v.idle[g] = 1
    this.v.debt[g] = 0
    this.v.pollution[g] = 0
    this.inIdleLoop[g] = 1
    this.cpuidleIdleCall(g)
  }

  /** cpuidle_idle_call(): the governor's select (its stop_tick), then tick_nohz_idle_stop_tick() or
   *  tick_nohz_idle_retain_tick(); the tick stop may write the TSC deadline (an exit) before the state is entered. */
  private cpuidleIdleCall(g: number): void {
    const vm = this.m.vmSpec(g)
    if (vm.guestIdlePoll) {
      // idle=poll (cpu_idle_poll()): before 4.17 do_idle()'s tick_nohz_idle_enter() had stopped the tick already, as
      // for any idle state; from 4.17 do_idle() calls tick_nohz_idle_restart_tick() before cpu_idle_poll()
      if (idlePollStopsTick(vm.guestSelectBeforeTickStop) && this.tickNohzIdleStopTick(g)) return
      this.idleAfterTickStop(g)
      return
    }
    if (this.pollResume[g]) {
      // back in poll_idle() after an interrupt that woke nothing: the same window, the same tick
      this.pollResume[g] = 0
      if (this.m.engine.now < this.pollEnd[g]!) { this.resumePollWindow(g); return }
      this.reflect(g, true)
    }
    const gt = this.gtimers
    let stop = true
    this.selIdx[g] = 1
    if (vm.guestCpuidleDriver === CpuidleDriver.HALTPOLL) {
      const r = haltpollSelect(this.guestPollNs[g]!, this.lastIdx[g]!, this.pollTimeLimit[g] === 1)
      this.selIdx[g] = r.state
      stop = r.stopTick
    } else if (vm.guestCpuidleDriver >= CpuidleDriver.INTEL_IDLE) {
      // intel_idle or acpi_idle: before 4.17 the tick is stopped first and the governor knows nothing of it
      const before = !vm.guestSelectBeforeTickStop
      this.selIdx[g] = this.governorSelect(g, before ? false : !gt.tickRunning[g] && vm.guestTickMode !== 'periodic')
      stop = before || (vm.guestCpuidleGovernor === CpuidleGovernor.TEO ? this.teo.stopTick : this.menu.stopTick)
    }
    if ((stop || !gt.tickRunning[g]) && this.tickNohzIdleStopTick(g)) return
    this.idleAfterTickStop(g)
  }

  /** menu_select() / teo_select() with the next timer event (tick_nohz_get_sleep_length()). */
  private governorSelect(g: number, tickStopped: boolean): number {
    const vm = this.m.vmSpec(g)
    const gt = this.gtimers
    const now = this.m.engine.now
    const sleep = gt.nextTimerEvent(g) - now
    const deltaNext = gt.tickRunning[g] && gt.tickNext[g]! - now < sleep ? gt.tickNext[g]! - now : sleep
    this.selectTime[g] = now
    const tickNs = 1e9 / vm.guestHz
    if (vm.guestCpuidleGovernor === CpuidleGovernor.TEO) return this.teo.select(g, vm.guestCstates, sleep, deltaNext, tickStopped, tickNs)
    return this.menu.select(g, vm.guestCstates, sleep, deltaNext, tickStopped, tickNs / 1000)
  }

  /** tick_nohz_idle_stop_tick() → __tick_nohz_idle_stop_tick(): stop the tick unless a timer is due before the next
   *  one (tick_nohz_next_event()), never with nohz=off; with the tick stopped, program the next timer event
   *  (tick_nohz_stop_tick(): only when it moved). Returns true when that began a TSC-deadline write exit. */
  private tickNohzIdleStopTick(g: number): boolean {
    const vm = this.m.vmSpec(g)
    const gt = this.gtimers
    if (gt.tickRunning[g]) {
      if (!tickNohzCanStopIdle(vm.guestTickMode, gt.nextTimerEvent(g), gt.tickNext[g]!)) return false
      gt.tickRunning[g] = 0
    }
    const want = gt.nextGuestTimer(g)
    if (want === this.timer.deadline[g]) return false
    this.timer.programTimer(g, want)
    this.run.beginExit(g, ExitReason.MSR_WRITE, this.m.causeIds.tscWrite, this.timer.msrWriteNs(g), After.IDLE)
    return true
  }

  /** call_cpuidle() after the tick decision: enter the selected state — poll (haltpoll, the poll state, idle=poll)
   *  or the idle instruction. */
  idleAfterTickStop(g: number): void {
    const v = this.v
    this.stateStart[g] = this.m.engine.now
    // an interrupt already pending ends the state at once (residency 0: the sti;hlt returns)
    if (v.pendIrq[g]) { this.leaveIdle(g); return }
    const vm = this.m.vmSpec(g)
    if (vm.guestIdlePoll) { this.startPoll(g); v.idleTok[g]!++; return }
    const drv = vm.guestCpuidleDriver
    if (drv !== CpuidleDriver.NONE && this.selIdx[g] === 0) {
      const limit = drv === CpuidleDriver.HALTPOLL ? this.guestPollNs[g]! : pollTimeNs(vm.guestCstates, 1e9 / vm.guestHz)
      this.startPoll(g)
      this.pollEnd[g] = this.m.engine.now + limit
      this.m.engine.schedule(limit, Ev.GUEST_POLL_END, g, ++v.idleTok[g]!)
      return
    }
    this.guestHalt(g)
  }

  /** poll_idle() continues after an interrupt (its time_start unchanged) until need_resched or its time limit. */
  private resumePollWindow(g: number): void {
    const v = this.v
    if (v.pendIrq[g]) { this.leaveIdle(g); return }
    this.startPoll(g)
    this.m.engine.schedule(this.pollEnd[g]! - this.m.engine.now, Ev.GUEST_POLL_END, g, ++v.idleTok[g]!)
  }

  private startPoll(g: number): void {
    this.pollKind[g] = POLL_STATE
    this.polling[g] = 1
    this.v.setState(g, St.GUEST_POLL)
  }

  /** Ev.GUEST_POLL_END: the poll window ran out (poll_idle()'s time limit: reflect, then the idle loop's next pass),
   *  or one pass of the emulated-MWAIT loop is over (MWAIT again). */
  onPollEnd(g: number, tok: number): void {
    if (tok !== this.v.idleTok[g] || this.v.state[g] !== St.GUEST_POLL) return
    if (this.pollKind[g] === MWAIT_NOP_PASS) { this.guestHalt(g); return }
    this.pollTimedOut(g)
  }

  /** poll_idle() returned at its time limit (dev->poll_time_limit): reflect, then the idle loop's next pass. */
  private pollTimedOut(g: number): void {
    this.polling[g] = 0
    this.reflect(g, true)
    this.cpuidleIdleCall(g)
  }

  /** The guest executes its idle instruction: HLT or MWAIT, passed through (it stays in guest mode) or exiting. */
  guestHalt(g: number): void {
    const m = this.m
    const v = this.v
    const vm = m.vmSpec(g)
    // the idle loop halts only with need_resched() clear (tested with interrupts off before sti;hlt / mwait)
    if (this.gsched.needResched[g]) { this.leaveIdle(g); return }
    v.idleTok[g]!++
    this.pollKind[g] = 0
    if (vm.guestIdleMwait) {
      if (vm.mwaitInGuest) { this.haltInGuest(g, this.mwaitExitLatencyNs(g)); return }
      // kvm_emulate_mwait(): MWAIT exits and is emulated as a NOP, so the guest's idle loop spins (the 2023 Woodhouse RFC); the RFC
      // (experimental) then exits to the VMM, or calls yield(). The idle loop has run off the previous exit's indirect
      // cost: only the last exit's is left for the work that ends the idle (as enterIdle() starts idle without debt)
      v.debt[g] = 0
      v.pollution[g] = 0
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

  /** The exit latency of the MWAIT hint: intel_idle's selected C-state; without a driver, mwait_idle()'s C1 — of
   *  the hardware's list: the host's idle= and intel_idle.max_cstate= do not limit a guest halted in guest mode. */
  private mwaitExitLatencyNs(g: number): number {
    const vm = this.m.vmSpec(g)
    if (vm.guestCpuidleDriver === CpuidleDriver.INTEL_IDLE && this.selIdx[g]! > 0) return vm.guestCstates.exitLatencyUs[this.selIdx[g]!]! * 1000
    const cs = this.m.inp.guestCstates
    return cs.length ? cs[0]!.exitLatencyNs : 0
  }

  /** Back in guest idle after an exit that interrupted it with nothing to do. */
  resumeIdle(g: number): void {
    const v = this.v
    // poll_idle() and the idle loop test need_resched() on every pass: a wake-up that skipped its IPI because the
    // vCPU was polling (set_nr_if_polling()) while it was out on an exit is seen here
    if (v.pendIrq[g] || this.gsched.needResched[g]) { this.leaveIdle(g); return }
    const vm = this.m.vmSpec(g)
    if (this.pollKind[g] === POLL_STATE && !vm.guestIdlePoll && this.m.engine.now >= this.pollEnd[g]!) {
      // the window ran out during the exit (its end event found the vCPU out of the poll)
      this.pollTimedOut(g)
      return
    }
    if (vm.guestIdlePoll || this.pollKind[g] === POLL_STATE) { v.setState(g, St.GUEST_POLL); return }
    if (vm.guestIdleMwait && !vm.mwaitInGuest) {
      // the emulated MWAIT returned at once: one pass of the idle loop, then MWAIT again
      this.pollKind[g] = MWAIT_NOP_PASS
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

  /** TIF_POLLING_NRFLAG of the idle task: the poll state (cpuidle-haltpoll's or poll_idle()), or MWAIT passed
   *  through (guest-fair.ts tifPollingNrflag()): a reschedule needs no IPI then (set_nr_if_polling()). */
  pollingInIdle(g: number): boolean {
    const vm = this.m.vmSpec(g)
    return this.pollingNrflag(g) || tifPollingNrflag(this.v.state[g]!, this.v.idle[g] === 1, vm.guestIdleMwait && vm.mwaitInGuest)
  }

  /** The idle state ends (an interrupt or a reschedule): the governor reflects on it (haltpoll_reflect(),
   *  menu_reflect(), teo_reflect()) and the vCPU runs what woke it. The tick stays as it was: an interrupt that wakes
   *  nothing goes back to the idle loop (irq_exit() keeps the tick stopped); idleLoopExit() restarts it. */
  leaveIdle(g: number): void {
    const v = this.v
    if (v.idle[g]) {
      v.idle[g] = 0
      // an interrupt taken inside poll_idle() does not end the poll: its window goes on unless a task wakes
      if (!this.m.vmSpec(g).guestIdlePoll) {
        if (this.pollKind[g] === POLL_STATE) this.pollResume[g] = 1
        else this.reflect(g, false)
      }
    }
    this.polling[g] = 0
    this.pollKind[g] = 0
    if (v.state[g] !== St.RUN) v.setState(g, St.RUN)
    this.work.dispatchNext(g)
  }

  /** cpuidle_reflect() on the state just left; `timedOut`: the poll state ran out its window (poll_time_limit). */
  private reflect(g: number, timedOut: boolean): void {
    const vm = this.m.vmSpec(g)
    const now = this.m.engine.now
    const idx = this.selIdx[g]!
    const residency = now - this.stateStart[g]!
    const drv = vm.guestCpuidleDriver
    if (drv === CpuidleDriver.HALTPOLL) {
      this.lastIdx[g] = idx
      this.pollTimeLimit[g] = timedOut ? 1 : 0
      if (idx !== 0) this.guestPollNs[g] = adjustGuestPollLimit(this.guestPollNs[g]!, haltpollResidencyNs(residency, vm.guestHaltpollNsUnits), vm.guestPoll)
    } else if (drv >= CpuidleDriver.INTEL_IDLE) {
      const gt = this.gtimers
      const tickNs = 1e9 / vm.guestHz
      // tick_nohz_idle_got_tick(): the tick's interrupt ended the idle
      const gotTick = (this.v.pendIrq[g]! & Irq.TIMER) !== 0 && gt.tickRunning[g] === 1 && gt.tickNext[g]! <= now + 1
      if (vm.guestCpuidleGovernor === CpuidleGovernor.TEO) this.teo.reflect(g, idx, residency, now - this.selectTime[g]!, gotTick, timedOut, tickNs)
      else this.menu.reflect(g, idx, residency, gotTick, timedOut)
    }
  }

  /** Leaving the idle loop to run a task (tick_nohz_idle_exit()): a stopped tick restarts (tick_nohz_restart(): the
   *  next tick boundary), a TSC-deadline write when that moves the deadline. Returns true when that write is pending
   *  (Act.REPROGRAM) — the caller runs it before the task. */
  idleLoopExit(g: number): boolean {
    if (!this.inIdleLoop[g]) return false
    this.inIdleLoop[g] = 0
    this.loopExits[g]!++
    if (this.pollResume[g]) {
      // the interrupt woke a task: poll_idle() returns on need_resched, and the governor reflects on the poll
      this.pollResume[g] = 0
      this.reflect(g, false)
    }
    const vm = this.m.vmSpec(g)
    const gt = this.gtimers
    if (gt.tickRunning[g] || vm.guestTickMode !== 'nohz-idle') return false
    const now = this.m.engine.now
    const period = 1e9 / vm.guestHz
    gt.tickRunning[g] = 1
    gt.tickNext[g] = (Math.floor(now / period) + 1) * period
    if (gt.nextGuestTimer(g) === this.timer.deadline[g]) return false
    this.v.actions[g]! |= Act.REPROGRAM
    return true
  }
}
