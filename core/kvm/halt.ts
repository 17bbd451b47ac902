// Halt: the vCPU's HLT exit (kvm_emulate_halt() → kvm_vcpu_halt() in virt/kvm/kvm_main.c): halt-poll for
// vcpu->halt_poll_ns while kvm_vcpu_can_poll(), then kvm_vcpu_block() schedules the thread out until
// kvm_vcpu_wake_up() (an interrupt, a timer, a pvqspinlock kick); the poll window then adapts (grow/shrink_halt_poll_ns
// in halt-poll.ts). The arch hooks are gated per version in setup (the steal-time flag on block: sched-hooks.ts).
// Also the RFC's KVM_EXIT_HLT to the VMM (experimental, the 2023 Woodhouse RFC: userspace-exits.ts decides the VMM's step).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, After } from '../sim/constants.ts'
import type { ModelCore, Parts, Halt } from '../sim/model-parts.ts'
import { updateHaltPoll } from './halt-poll.ts'
import { HaltExit, VmmStep, vmmAfterHltExit } from './userspace-exits.ts'
import type { VcpuState } from './vcpu.ts'
import { irqsDisabledIn } from './irq-delivery.ts'

export class KvmHalt implements Halt {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private cpuidle!: Parts['cpuidle']
  private hooks!: Parts['hooks']
  private idle!: Parts['idle']
  private work!: Parts['work']
  private locks!: Parts['locks']
  private run!: Parts['run']
  private sched!: Parts['sched']
  private timer!: Parts['timer']
  /** When the current halt began (kvm_vcpu_halt()'s start, for the poll-window update). */
  readonly haltStart: Float64Array
  /** vcpu->halt_poll_ns. */
  readonly haltPollNs: Float64Array
  /** In pv_wait() (halted by pvqspinlock), and kicked (KVM_HC_KICK_CPU → vcpu->arch.pv.pv_unhalted). */
  readonly pvHalted: Uint8Array
  readonly pvUnhalted: Uint8Array
  /** Experimental (the 2023 Woodhouse RFC): the vCPU thread sleeps in the VMM's poll() after a KVM_EXIT_HLT (not loaded: KVM_RUN
   *  loads it again). */
  readonly vmmSleep: Uint8Array
  /** Per VM, after warm-up: blocked pv_wait() waiters with interrupts off woken by an interrupt (kvm_vcpu_wake_up())
   *  that went back to sleep. */
  readonly irqsOffWakes: Float64Array
  /** VMX posted interrupts: the descriptor's ON bit, set by a posted interrupt to a waiter halted with IF = 0 and set
   *  until it enters the guest again (irqToIrqsOffWaiter()). */
  private readonly piOn: Uint8Array
  private readonly piOnCoalesces: boolean
  /** apic->lapic_timer.pending of a vCPU in kvm_vcpu_halt(): its LAPIC timer expired there (apic_timer_expired() →
   *  atomic_inc(&pending), kvm_vcpu_kick()) and vcpu_run() has not yet injected it (kvm_inject_pending_timer_irqs()). */
  readonly timerPending: Uint8Array

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
    const nV = m.nV
    this.haltStart = new Float64Array(nV)
    this.haltPollNs = new Float64Array(nV)
    this.pvHalted = new Uint8Array(nV)
    this.pvUnhalted = new Uint8Array(nV)
    this.vmmSleep = new Uint8Array(nV)
    this.irqsOffWakes = new Float64Array(m.inp.vms.length)
    this.piOn = new Uint8Array(nV)
    this.timerPending = new Uint8Array(nV)
    this.piOnCoalesces = m.inp.vendor === 'vmx'
  }

  link(p: Parts): void {
    this.hooks = p.hooks
    this.cpuidle = p.cpuidle
    this.idle = p.idle
    this.work = p.work
    this.locks = p.locks
    this.run = p.run
    this.sched = p.sched
    this.timer = p.timer
    p.run.setHandler(After.HLT, (g) => this.afterHltExit(g))
  }

  /** The vCPU is in an HLT exit that has not entered the guest again (halted, polling, blocked or being woken). */
  inHltExit(g: number): boolean {
    return this.v.exitReason[g] === ExitReason.HLT && this.v.exitHandler[g] === After.HLT
  }

  /** kvm_vcpu_halt(): poll for vcpu->halt_poll_ns, then block. */
  private afterHltExit(g: number): void {
    const vm = this.m.vmSpec(g)
    const v = this.v
    if (vm.hltExit === HaltExit.USERSPACE) {
      // experimental (the 2023 Woodhouse RFC): the VMM did its work on KVM_EXIT_HLT; the vCPU's mp_state is still HALTED
      const step = vmmAfterHltExit(vm.hltWait, v.pendIrq[g] !== 0)
      if (step === VmmStep.ENTER) { v.exitHandler[g] = After.ENTRY; this.run.extendExit(g, this.m.cost(CostId.userspaceEntry)); return }
      if (step === VmmStep.SLEEP) { this.vmmSleep[g] = 1; this.block(g); return }
      // KVM_RUN again: vcpu_block() → kvm_vcpu_halt() starts now
      this.haltStart[g] = this.m.engine.now
    }
    v.needResched[g] = 0
    // kvm_vcpu_has_events(): a pending interrupt the guest would take (kvm_arch_interrupt_allowed(): not a waiter
    // halted in pv_wait() with IF = 0), or a pvqspinlock kick (pv_unhalted)
    if ((v.pendIrq[g] && !this.irqsOffInPvWait(g)) || this.pvUnhalted[g]) { this.hltWakeup(g); return }
    // kvm_lapic_switch_to_sw_timer() before halt-polling (lapic-timer.ts): its time extends the exit, then this runs again
    const sw = this.timer.switchToSwTimer(g)
    if (sw > 0) { this.run.extendExit(g, sw); return }
    this.pollOrBlock(g)
  }

  /** kvm_vcpu_halt()'s start: kvm_vcpu_can_poll() — poll only while single_task_running() and !need_resched() — else
   *  kvm_vcpu_block(). Before 5.17 kvm_vcpu_block() had already called kvm_arch_vcpu_blocking() here (AVIC IsRunning
   *  cleared while polling: avic.ts). */
  private pollOrBlock(g: number): void {
    const v = this.v
    if (this.m.vmSpec(g).hostHaltPoll && this.haltPollNs[g]! > 0 && this.m.hrq.nrQueued[v.pcpuOf[g]!] === 0) {
      v.setState(g, St.HOST_POLL)
      this.m.engine.schedule(this.haltPollNs[g]!, Ev.HOST_POLL_END, g, ++v.idleTok[g]!)
      return
    }
    this.block(g)
  }

  /** Halted in pv_wait() waiting for an rq->lock or an irqsave lock: kvm_wait() halt()s with interrupts off
   *  (irqsDisabledIn()). */
  irqsOffInPvWait(g: number): boolean {
    return this.pvHalted[g] === 1 && irqsDisabledIn(this.work.curKind[g]!, this.work.curArg[g]!, this.locks.rqLockBase)
  }

  /** kvm_vcpu_kick() for an interrupt sent to a waiter halted in pv_wait() with IF = 0: an injected one kicks every time
   *  (__apic_accept_irq()); a posted one on VMX only when pi_test_and_set_on() finds ON clear
   *  (vmx_deliver_posted_interrupt()), and nothing clears it while the vCPU stays halted — kvm_vcpu_has_events() tests
   *  kvm_arch_interrupt_allowed() before kvm_cpu_has_interrupt() would sync the PIR — so the first posted interrupt of
   *  the halt wakes it and the later ones do not; AVIC's svm_complete_interrupt_delivery() / avic_kick_target_vcpus()
   *  call kvm_vcpu_wake_up() every time. */
  irqToIrqsOffWaiter(g: number, posted: boolean, waker = -1): void {
    if (posted && this.piOnCoalesces) {
      if (this.piOn[g]) return
      this.piOn[g] = 1
    }
    this.wakeVcpu(g, false, waker)
  }

  /** apic_timer_expired() for a vCPU in kvm_vcpu_halt() (lapic-timer.ts: the sw hrtimer's pending counter, not a
   *  posted interrupt). kvm_vcpu_check_block() is true on kvm_cpu_has_pending_timer() even where the vCPU may not take
   *  the interrupt, so a waiter halted in pv_wait() with interrupts off ends this halt too: haltAgain(). Any other
   *  halted vCPU is woken as by any event (kvm_vcpu_kick() → kvm_vcpu_wake_up()). */
  timerExpired(g: number, local: boolean): void {
    if (this.vmmSleep[g]) { this.wakeVcpu(g, local); return }
    this.timerPending[g] = 1
    if (!this.irqsOffInPvWait(g) || this.pvUnhalted[g]) { this.wakeVcpu(g, local); return }
    const s = this.v.state[g]!
    // polling: the poll loop's kvm_vcpu_check_block() sees it (a successful poll)
    if (s === St.HOST_POLL) { this.v.idleTok[g]!++; this.haltAgain(g); return }
    // blocked: kvm_vcpu_kick() wakes the thread; its loop's kvm_vcpu_check_block() ends the block (threadRunsInBlock());
    // one already woken (by an interrupt it may not take) sees the timer there too
    if (s === St.BLOCKED) this.sched.wakeVcpuThread(g, local)
  }

  /** kvm_vcpu_halt() ended on the pending timer of a waiter halted with interrupts off (x86.c vcpu_block(): not
   *  runnable, so it returns 1 without leaving KVM_MP_STATE_HALTED; before 6.2 KVM_REQ_UNHALT was not set): the
   *  window adapts to this halt (a valid wake-up), vcpu_run() injects the timer (kvm_inject_pending_timer_irqs()),
   *  and the next vcpu_block() finds the vCPU still not runnable (kvm_arch_interrupt_allowed() is false) — a new
   *  kvm_vcpu_halt() polls for the vCPU's window from now, then blocks. The same in every modelled version: the
   *  kvm_cpu_has_pending_timer() test of kvm_vcpu_check_block() predates halt polling. The loop's own time (a few
   *  hundred ns: the injection, the two vcpu_block() calls) is not charged (estimate: small beside the exit). The
   *  hv-timer switch back and forth around it finds the expired timer and does nothing (lapic-timer.ts). */
  private haltAgain(g: number): void {
    this.timerPending[g] = 0
    this.adaptHaltPoll(g)
    this.haltStart[g] = this.m.engine.now
    this.pollOrBlock(g)
  }

  /** Ev.HOST_POLL_END: the poll window is over without an event. */
  onPollEnd(g: number, tok: number): void {
    if (tok === this.v.idleTok[g] && this.v.state[g] === St.HOST_POLL) this.block(g)
  }

  /** kvm_vcpu_block(): the vCPU thread sleeps (schedule()); its pCPU runs the next waiting thread, if any. */
  block(g: number): void {
    const v = this.v
    v.setState(g, St.BLOCKED)
    v.idleTok[g]!++
    v.needResched[g] = 0
    // kvm_sched_out() → kvm_arch_vcpu_put(): before 5.19 the steal-time preempted flag is set on this deschedule too
    this.hooks.schedOutBlocked(g)
    const c = v.pcpuOf[g]!
    v.wakeLatency[g] = this.cpuidle.cstateLatency(c)
    if (this.m.hrq.cur[c] === g) {
      this.m.hrq.sleepCurr(c, this.m.engine.now)
      this.sched.pickNext(c)
    }
  }

  /** kvm_vcpu_wake_up(): something made the idle vCPU runnable — in the guest's idle loop, halt-polling, or blocked.
   *  `waker`: the vCPU thread whose exit wakes it, when known (host-sched.ts wakeVcpuThread()). */
  wakeVcpu(g: number, local = false, waker = -1): void {
    const s = this.v.state[g]!
    if (this.irqsOffInPvWait(g) && !this.pvUnhalted[g]) {
      // an interrupt for a waiter halted in pv_wait() with interrupts off: kvm_vcpu_kick() → kvm_vcpu_wake_up() wakes
      // its blocked thread all the same (rcuwait_wake_up(): the host's wake-up, vcpu->ready from 5.3, halt_wakeup), and
      // kvm_vcpu_block()'s loop sends it back to sleep (threadRunsInBlock()); a polling one polls on
      if (s === St.BLOCKED) {
        if (this.m.engine.now >= this.m.warmupEnd) this.irqsOffWakes[this.v.vmOf[g]!]!++
        this.sched.wakeVcpuThread(g, local, waker)
      }
      return
    }
    if (s === St.GUEST_POLL || s === St.GUEST_HLT) { this.idle.wakeInGuest(g); return }
    if (s === St.HOST_POLL) { this.v.idleTok[g]!++; this.hltWakeup(g); return }
    if (s === St.BLOCKED) this.sched.wakeVcpuThread(g, local, waker)
  }

  /** Ev.WAKE_DONE: the woken vCPU runs again (after the wake-up IPI, its C-state's exit latency, the schedule-in). */
  onWakeDone(g: number, tok: number): void {
    if (tok !== this.v.idleTok[g]) return
    if (this.v.needResched[g]) { this.sched.descheduleVcpu(g); return }
    if (this.inHltExit(g) && !this.m.vmSpec(g).hltInGuest) { this.threadRunsInBlock(g); return }
    this.idle.leaveIdle(g)
  }

  /** The vCPU thread woken from kvm_vcpu_block() has its pCPU: its loop's kvm_vcpu_check_block() (kvm_main.c) ends the
   *  halt when the vCPU has an event it may take; a waiter halted in pv_wait() with interrupts off and not kicked has
   *  none (kvm_arch_vcpu_runnable() → kvm_vcpu_has_events() wants kvm_arch_interrupt_allowed()), so it schedule()s
   *  again — unless its LAPIC timer expired (kvm_cpu_has_pending_timer()): that ends kvm_vcpu_halt(), which starts
   *  over with a poll (haltAgain()). */
  threadRunsInBlock(g: number): void {
    if (this.irqsOffInPvWait(g) && !this.pvUnhalted[g]) {
      if (this.timerPending[g]) this.haltAgain(g)
      else this.block(g)
      return
    }
    this.hltWakeup(g)
  }

  /** The end of kvm_vcpu_halt(): grow_halt_poll_ns() / shrink_halt_poll_ns() after a halt of now − haltStart. */
  private adaptHaltPoll(g: number): void {
    if (!this.m.vmSpec(g).hostHaltPoll) return
    const haltNs = this.m.engine.now - this.haltStart[g]!
    this.haltPollNs[g] = updateHaltPoll(this.haltPollNs[g]!, haltNs, true, this.m.inp.haltPoll)
  }

  /** End of an HLT exit: adapt the halt-polling window (grow/shrink_halt_poll_ns()), enter the guest, leave idle. */
  hltWakeup(g: number): void {
    // __kvm_wait_lapic_expire() at the entry (lapic-timer.ts): a timer that expired early waits for its deadline
    const wait = this.timer.entryWaitNs(g)
    if (wait > 0) { this.m.engine.schedule(wait, Ev.WAKE_DONE, g, ++this.v.idleTok[g]!); return }
    this.pvHalted[g] = 0
    this.pvUnhalted[g] = 0
    // vcpu_run() injected a timer that expired during the halt (kvm_inject_pending_timer_irqs())
    this.timerPending[g] = 0
    // vcpu_enter_guest() syncs the PIR (sync_pir_to_irr()): ON is clear again
    this.piOn[g] = 0
    // a thread that slept in the VMM's poll() never ran kvm_vcpu_halt(): its window stays as it was
    if (!this.vmmSleep[g]) this.adaptHaltPoll(g)
    this.vmmSleep[g] = 0
    this.v.exitHandler[g] = After.ENTRY
    // kvm_lapic_switch_to_hv_timer() before the entry: taken from the guest's next work (the entry is not delayed)
    this.v.debt[g]! += this.timer.switchToHvTimer(g)
    this.run.vmEntry(g)
    this.idle.leaveIdle(g)
  }
}
