// The guest's LAPIC timer on its KVM path (arch/x86/kvm/lapic.c). The guest's TSC-deadline write
// (kvm_set_lapic_tscdeadline_msr() → restart_apic_timer()) arms the VMX preemption timer (start_hv_timer() →
// vmx_set_hv_timer()) or a sw hrtimer (start_sw_tscdeadline() → hrtimer_start()), timer_advance_ns early
// (timer-advance.ts). Where the sw hrtimer expires is decided when it is armed: on the arming CPU before 5.3
// (HRTIMER_MODE_ABS_PINNED), else where switch_hrtimer_base() puts it (core/host/nohz-timer-target.ts). At expiry:
//   hv timer: a PREEMPTION_TIMER exit (handle_fastpath_preemption_timer() from 5.8: core/kvm/exit-fastpath.ts);
//   sw hrtimer on the vCPU's pCPU: the host timer interrupt (an EXTERNAL_INTERRUPT exit if the guest runs there),
//     hrtimer_interrupt() → apic_timer_fn() → apic_timer_expired(): injected at the entry;
//   sw hrtimer on another CPU: that CPU pays the interrupt and apic_timer_fn(); apic_timer_expired() then posts the
//     interrupt (kvm_use_posted_timer_interrupt(): no exit) or kicks the vCPU (kvm_vcpu_kick(): an IPI and an
//     EXTERNAL_INTERRUPT exit in guest mode, a wake-up when blocked).
// Before halt-polling/blocking the hv timer is switched to a sw hrtimer and back after (kvm_lapic_switch_to_sw_timer()
// / kvm_lapic_switch_to_hv_timer(): vmx_pre_block()/vmx_post_block() before 5.17, vcpu_block() in x86.c from 5.17,
// 98c25ead5eda — before the poll in both). The entry that injects an expired deadline busy-waits for it
// (__kvm_wait_lapic_expire()) and, when adaptive, tunes the advance.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, Irq, After, inGuestMode } from '../sim/constants.ts'
import type { ModelCore, Parts, LapicTimer as LapicTimerPart } from '../sim/model-parts.ts'
import { NohzTimerTarget } from '../host/nohz-timer-target.ts'
import { AdvanceMode, adjustLapicTimerAdvance, waitLapicExpireNs, vmentryAdvancedGuestTsc } from './timer-advance.ts'
import type { TimerPath } from './timer-path.ts'
import type { VcpuState } from './vcpu.ts'

export class LapicTimer implements LapicTimerPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private halt!: Parts['halt']
  private irq!: Parts['irq']
  private run!: Parts['run']
  private noise!: Parts['noise']
  /** The programmed TSC deadline per vCPU (Infinity: none). */
  readonly deadline: Float64Array
  /** The vCPU's LAPIC timer path on the pCPU it runs on now. */
  readonly timerPath: TimerPath[]
  /** The CPU whose hrtimer base holds the vCPU's sw hrtimer (−1: none armed, or the hv timer is in use). */
  readonly hrtimerCpu: Int32Array
  /** The hv timer was switched to a sw hrtimer for a halt (kvm_lapic_switch_to_sw_timer()). */
  readonly hvSwitched: Uint8Array
  /** The deadline of a timer that expired while the vCPU was not in guest mode (expired_tscdeadline; 0: none): the
   *  entry after the halt waits for it (entryWaitNs()). */
  readonly expiredDeadline: Float64Array
  /** Per vCPU: apic->lapic_timer.timer_advance_ns. */
  readonly advanceNs: Float64Array
  private readonly pinned: boolean
  private readonly advanceMode: number
  private readonly fastTscWrite: boolean
  /** The write takes the fastpath with the sw hrtimer too (host ≥ 6.18, 0a94b2042419: exit-fastpath.ts). */
  private readonly fastSwTscWrite: boolean
  private readonly nohz: NohzTimerTarget

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
    const lt = m.inp.lapicTimer
    this.deadline = new Float64Array(m.nV).fill(Infinity)
    this.timerPath = m.inp.vcpus.map((v) => v.timerPath)
    this.hrtimerCpu = new Int32Array(m.nV).fill(-1)
    this.hvSwitched = new Uint8Array(m.nV)
    this.advanceNs = new Float64Array(m.nV).fill(lt.advanceInitNs)
    this.expiredDeadline = new Float64Array(m.nV)
    this.pinned = lt.hrtimerPinned
    this.advanceMode = lt.advanceMode
    this.fastTscWrite = lt.tscDeadlineFastpath
    this.fastSwTscWrite = lt.tscDeadlineFastpathSw
    this.nohz = new NohzTimerTarget(m.inp.timerHousekeeping, m.inp.llcOf)
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.irq = p.irq
    this.run = p.run
    this.noise = p.noise
  }

  /** The hv timer is armed (hv_timer_in_use): the vCPU's path is the preemption timer and no halt switched it. */
  private hvInUse(g: number): boolean {
    return this.timerPath[g] === 'hv-timer' && !this.hvSwitched[g]
  }

  /** The guest's TSC-deadline write takes effect (kvm_set_lapic_tscdeadline_msr()): the hv timer, or a sw hrtimer
   *  queued where switch_hrtimer_base() puts it; either fires timer_advance_ns early (start_sw_tscdeadline() /
   *  vmx_set_hv_timer()), or at once when the deadline is nearer than that (apic_timer_expired()). */
  programTimer(g: number, t: number): void {
    this.deadline[g] = t
    this.v.timerTok[g]!++
    this.hrtimerCpu[g] = -1
    if (t === Infinity) return
    const now = this.m.engine.now
    // start_sw_tscdeadline() / vmx_set_hv_timer(): the deadline less the advance, from the guest TSC (read
    // vmentry_advance_ns ahead under the experimental patch)
    const fire = Math.max(now, t - this.advanceNs[g]! - (vmentryAdvancedGuestTsc(now, this.m.vmSpec(g).vmentryAdvanceNs) - now))
    if (!this.hvInUse(g)) this.hrtimerCpu[g] = this.placeHrtimer(g)
    this.m.engine.scheduleAt(fire, Ev.TIMER_FIRE, g, this.v.timerTok[g]!)
  }

  /** hrtimer_start() from the vCPU's pCPU: pinned before 5.3, else switch_hrtimer_base() → get_nohz_timer_target(). */
  private placeHrtimer(g: number): number {
    const c = this.v.pcpuOf[g]!
    if (this.pinned) return c
    return this.nohz.target(c, this.m.hrq.cur)
  }

  /** The exit cost of the guest's WRMSR IA32_TSC_DEADLINE: the hv path takes handle_fastpath_set_tscdeadline() where
   *  the host has it (exit-fastpath.ts), else the full exit; the sw path adds hrtimer_cancel() + hrtimer_start(), from
   *  the fastpath too on a host ≥ 6.18 (0a94b2042419). */
  msrWriteNs(g: number): number {
    if (this.hvInUse(g)) return this.m.cost(this.fastTscWrite ? CostId.exitMsrWriteTscDeadline : CostId.exitMsrWriteTscDeadlineSlow)
    return this.m.cost(this.fastSwTscWrite ? CostId.exitMsrWriteTscDeadline : CostId.exitMsrWriteTscDeadlineSlow) + this.m.cost(CostId.hrtimerRearm)
  }

  /** kvm_migrate_timers() → __kvm_migrate_apic_timer(): the vCPU now runs on pCPU c; a sw hrtimer is cancelled and
   *  started again from there (not a posted one: kvm_can_post_timer_interrupt() returns early). */
  migrateTimer(g: number, c: number): void {
    const vm = this.m.vmSpec(g)
    this.timerPath[g] = this.m.inp.timerHousekeeping[c] ? vm.timerPathOnHousekeeping : vm.timerPathOnIsolated
    const path = this.timerPath[g]
    if (this.hrtimerCpu[g]! >= 0 && path !== 'posted-from-housekeeping' && path !== 'sw-hrtimer-posted-local') {
      this.hrtimerCpu[g] = this.placeHrtimer(g)
    }
  }

  /** kvm_lapic_switch_to_sw_timer() (vmx_pre_block() before 5.17, vcpu_block() from 5.17): an armed hv timer becomes
   *  a sw hrtimer started from this pCPU before halt-polling. Returns its cost. */
  switchToSwTimer(g: number): number {
    if (this.timerPath[g] !== 'hv-timer' || this.hvSwitched[g]) return 0
    this.hvSwitched[g] = 1
    // nothing armed: hv_timer_in_use is false and the switch does nothing
    if (this.deadline[g] === Infinity) return 0
    this.hrtimerCpu[g] = this.placeHrtimer(g)
    return this.m.cost(CostId.hrtimerRearm)
  }

  /** kvm_lapic_switch_to_hv_timer() after the halt: restart_apic_timer() → start_hv_timer() (vmx_set_hv_timer() and
   *  hrtimer_cancel()); nothing to restart when the timer already fired during the halt (lapic_timer.pending). */
  switchToHvTimer(g: number): number {
    if (!this.hvSwitched[g]) return 0
    this.hvSwitched[g] = 0
    this.hrtimerCpu[g] = -1
    return this.deadline[g] === Infinity ? 0 : this.m.cost(CostId.hrtimerRearm)
  }

  /** Ev.TIMER_FIRE: the armed timer expired (tok ≥ 0), or apic_timer_fn() on another CPU is done and delivers
   *  (tok < 0: −1 − the timer token). A stale token: reprogrammed since. */
  onFire(g: number, tok: number): void {
    const v = this.v
    if (tok < 0) { if (-1 - tok === v.timerTok[g]) this.expireRemote(g); return }
    if (tok !== v.timerTok[g]) return
    if (this.hvInUse(g)) { this.expireHv(g); return }
    const h = this.hrtimerCpu[g]!
    if (h >= 0 && h !== v.pcpuOf[g]) {
      // hrtimer_interrupt() → apic_timer_fn() on the housekeeping CPU h: charged there, then the delivery
      const ns = this.m.cost(CostId.hostTimerHandler)
      const wait = this.postsTimer(g) ? this.waitAt(g, this.m.engine.now + ns) : 0
      this.noise.hostInterrupt(h, this.m.causeIds.swTimerOther, ns + wait)
      this.m.engine.schedule(ns + wait, Ev.TIMER_FIRE, g, -1 - v.timerTok[g]!)
      return
    }
    this.expireLocal(g)
  }

  /** kvm_use_posted_timer_interrupt(): posted timer path and the vCPU in guest mode. */
  private postsTimer(g: number): boolean {
    const p = this.timerPath[g]
    return (p === 'posted-from-housekeeping' || p === 'sw-hrtimer-posted-local') && inGuestMode(this.v.state[g]!)
  }

  /** __kvm_wait_lapic_expire() at time `at` for the expired deadline: tunes an adaptive advance and returns the busy
   *  wait (0 when the advance is off: kvm_wait_lapic_expire() needs timer_advance_ns). */
  private waitAt(g: number, at: number, deadline = this.deadline[g]!): number {
    const adv = this.advanceNs[g]!
    if (this.advanceMode === AdvanceMode.OFF || adv <= 0) return 0
    // advance_expire_delta = guest TSC − deadline (the experimental vmentry_advance_ns patch reads the TSC ahead)
    const delta = vmentryAdvancedGuestTsc(at, this.m.vmSpec(g).vmentryAdvanceNs) - deadline
    if (this.advanceMode === AdvanceMode.ADAPTIVE) this.advanceNs[g] = adjustLapicTimerAdvance(adv, delta, this.m.inp.tscGhz)
    return waitLapicExpireNs(adv, delta)
  }

  /** kvm_wait_lapic_expire() at the entry after a halt that a timer ended (vmx_vcpu_run()). Simplification: the
   *  model enters at once after this wait (no vmEntryAfterWait here: the wake-up's schedule-in and C-state exit,
   *  paid before, dwarf it). */
  entryWaitNs(g: number): number {
    const d = this.expiredDeadline[g]!
    if (d === 0) return 0
    this.expiredDeadline[g] = 0
    const wait = this.waitAt(g, this.m.engine.now, d)
    this.v.exitStart[g]! += wait // after trace_kvm_entry(), as in timerExit()
    return wait
  }

  /** The timer expired while the vCPU is not in guest mode: the entry that injects it waits for the deadline. */
  private expiredOutside(g: number): void {
    this.expiredDeadline[g] = this.deadline[g]!
    this.deadline[g] = Infinity
  }

  /** The VMX preemption timer expired. It counts only in guest mode: in root mode it is seen at the next entry
   *  (KVM_REQ_PENDING_TIMER / an immediate exit), handled with the entry. */
  private expireHv(g: number): void {
    const v = this.v
    const s = v.state[g]!
    v.pendIrq[g]! |= Irq.TIMER
    if (s === St.EXIT) { this.extendForWait(g); return }
    if (!inGuestMode(s)) {
      this.expiredOutside(g)
      // a thread blocked without the switch (the VMM's poll(), the 2023 Woodhouse RFC) is woken as by the sw timer
      if (s === St.BLOCKED || s === St.HOST_POLL) this.halt.wakeVcpu(g)
      return
    }
    const ns = this.m.cost(CostId.exitPreemptionTimer)
    this.timerExit(g, ExitReason.PREEMPTION_TIMER, this.m.causeIds.hvTimer, ns)
  }

  /** The sw hrtimer expired on the vCPU's own pCPU: the host timer interrupt there. */
  private expireLocal(g: number): void {
    const v = this.v
    const s = v.state[g]!
    const c = v.pcpuOf[g]!
    v.pendIrq[g]! |= Irq.TIMER
    const handler = this.m.cost(CostId.hostTimerHandler)
    if (inGuestMode(s) && this.m.hrq.cur[c] === g) {
      // hrtimer_interrupt() → apic_timer_fn() in the EXTERNAL_INTERRUPT exit; the entry waits for the deadline
      this.timerExit(g, ExitReason.EXTERNAL_INTERRUPT, this.m.causeIds.swTimer, this.m.cost(CostId.exitExternalInterrupt) + handler)
      return
    }
    if (s === St.EXIT) { this.run.extendExit(g, handler); this.extendForWait(g); return }
    // the pCPU is idle (the vCPU blocked or polling) or runs another thread: the interrupt is host work there
    this.noise.hostInterrupt(c, this.m.causeIds.swTimerOther, handler)
    this.expiredOutside(g)
    // the interrupt itself brings the idle pCPU out of its C-state: a local wake-up, no IPI
    // in kvm_vcpu_halt() (polling, blocked, or woken and not yet running its loop): lapic_timer.pending
    if (s === St.BLOCKED || s === St.HOST_POLL || this.halt.inHltExit(g)) this.halt.timerExpired(g, true)
    else if (s === St.GUEST_HLT || s === St.GUEST_POLL) this.irq.deliverGuestIrq(g, Irq.TIMER, false)
  }

  /** apic_timer_expired() from apic_timer_fn() on a housekeeping CPU: post the interrupt (the wait was paid there),
   *  or kvm_vcpu_kick() — an IPI and an EXTERNAL_INTERRUPT exit in guest mode, a wake-up when blocked. */
  private expireRemote(g: number): void {
    const v = this.v
    const s = v.state[g]!
    if (this.postsTimer(g)) { this.deadline[g] = Infinity; this.irq.deliverGuestIrq(g, Irq.TIMER, true); return }
    v.pendIrq[g]! |= Irq.TIMER
    if (s === St.RUN || s === St.GUEST_HLT) {
      this.timerExit(g, ExitReason.EXTERNAL_INTERRUPT, this.m.causeIds.timerKick, this.m.cost(CostId.exitExternalInterrupt) + this.m.cost(CostId.hostIpiHandler))
      return
    }
    if (s === St.EXIT) { this.extendForWait(g); return }
    this.expiredOutside(g)
    // the wake-up runs on the hrtimer's housekeeping CPU, `current` whatever runs there (its idle task mostly); that
    // CPU is not passed to select_task_rq_fair() (core/host/wake-affine.ts): placed as if woken on the vCPU's pCPU
    if (s === St.BLOCKED || s === St.HOST_POLL || this.halt.inHltExit(g)) this.halt.timerExpired(g, false)
    else if (s === St.GUEST_POLL) this.halt.wakeVcpu(g)
  }

  /** An exit the timer causes, handled for `ns`; its entry busy-waits for the deadline. The wait runs after
   *  trace_kvm_entry() (kvm_wait_lapic_expire() in vmx_vcpu_run()), so perf kvm stat does not count it: the recorded
   *  exit starts that much later, and the pCPU's exit-handling time keeps it. */
  private timerExit(g: number, reason: number, cause: number, ns: number): void {
    // kvm_wait_lapic_expire() runs in vmx_vcpu_run() before the VM-entry: the guest sees the interrupt the rest of the
    // exit (vmEntryAfterWait, part of `ns`) after the wait ends
    const wait = this.waitAt(g, this.m.engine.now + ns - this.entryAfterWaitNs(ns))
    this.deadline[g] = Infinity
    this.run.beginExit(g, reason, cause, ns + wait, After.ENTRY)
    this.v.exitStart[g]! += wait
  }

  /** The time from the end of kvm_wait_lapic_expire() to the guest (the VM-entry), at most what is left of the exit;
   *  only where an advance makes the entry wait (sampled then, so the rest of the model draws as before). */
  private entryAfterWaitNs(leftNs: number): number {
    if (this.advanceMode === AdvanceMode.OFF) return 0
    return Math.min(Math.max(leftNs, 0), this.m.cost(CostId.vmEntryAfterWait))
  }

  /** The timer expired while the vCPU handles another exit: its entry waits for the deadline. */
  private extendForWait(g: number): void {
    const end = this.v.exitEnd[g]!
    const wait = this.waitAt(g, end - this.entryAfterWaitNs(end - this.m.engine.now))
    if (wait > 0) { this.run.extendExit(g, wait); this.v.exitStart[g]! += wait }
    this.deadline[g] = Infinity
  }
}
