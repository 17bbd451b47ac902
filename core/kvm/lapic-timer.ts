// The guest's LAPIC timer on its KVM path (arch/x86/kvm/lapic.c): the guest's TSC-deadline write arms it
// (kvm_lapic_switch_to_hv_timer() / start_sw_timer()); at the deadline it fires as the vCPU's timer path and state
// decide — the VMX preemption timer (an exit), a sw hrtimer on the vCPU's pCPU (an EXTERNAL_INTERRUPT exit), or a
// posted timer interrupt from a housekeeping CPU (no exit; kvm_can_post_timer_interrupt()). A blocked vCPU's hv timer
// was switched to a sw hrtimer (kvm_lapic_switch_to_sw_timer() in vcpu_block()): the expiry wakes it.
// timer-path.ts decides the path per pCPU; it follows the vCPU when it migrates (kvm_migrate_timers()).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, Irq, After } from '../sim/constants.ts'
import type { ModelCore, Parts, LapicTimer as LapicTimerPart } from '../sim/model-parts.ts'
import type { TimerPath } from './timer-path.ts'
import type { VcpuState } from './vcpu.ts'

export class LapicTimer implements LapicTimerPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private halt!: Parts['halt']
  private irq!: Parts['irq']
  private run!: Parts['run']
  /** The programmed TSC deadline per vCPU (Infinity: none). */
  readonly deadline: Float64Array
  /** The vCPU's LAPIC timer path on the pCPU it runs on now. */
  readonly timerPath: TimerPath[]

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
    this.deadline = new Float64Array(m.nV).fill(Infinity)
    this.timerPath = m.inp.vcpus.map((v) => v.timerPath)
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.irq = p.irq
    this.run = p.run
  }

  /** The guest's TSC-deadline write takes effect: KVM starts the hv timer or the sw hrtimer. */
  programTimer(g: number, t: number): void {
    this.deadline[g] = t
    this.v.timerTok[g]!++
    if (t !== Infinity) this.m.engine.scheduleAt(t, Ev.TIMER_FIRE, g, this.v.timerTok[g]!)
  }

  /** kvm_migrate_timers(): the vCPU now runs on pCPU c; its timer takes that pCPU's path. */
  migrateTimer(g: number, c: number): void {
    const vm = this.m.vmSpec(g)
    this.timerPath[g] = this.m.inp.timerHousekeeping[c] ? vm.timerPathOnHousekeeping : vm.timerPathOnIsolated
  }

  /** Ev.TIMER_FIRE: the programmed deadline passed — delivered as the timer path of the VM and the vCPU's state
   *  decide (a stale token: reprogrammed since). */
  onFire(g: number, tok: number): void {
    const v = this.v
    if (tok !== v.timerTok[g]) return
    this.deadline[g] = Infinity
    const s = v.state[g]!
    const path = this.timerPath[g]!
    if (s === St.BLOCKED || s === St.HOST_POLL || s === St.WAKING) {
      // vcpu_block(): an hv timer was switched to a sw hrtimer; the expiry wakes the vCPU (no exit: root mode)
      v.pendIrq[g]! |= Irq.TIMER
      this.halt.wakeVcpu(g)
      return
    }
    if (s === St.EXIT || s === St.PREEMPTED) {
      // root mode: KVM_REQ_PENDING_TIMER is handled before the next entry
      v.pendIrq[g]! |= Irq.TIMER
      if (path === 'sw-hrtimer-local' || path === 'sw-hrtimer-posted-local') {
        if (s === St.EXIT) this.run.extendExit(g, this.m.cost(CostId.hostTimerHandler))
      }
      return
    }
    // in guest mode
    if (path === 'posted-from-housekeeping') {
      this.irq.deliverGuestIrq(g, Irq.TIMER, true)
      return
    }
    v.pendIrq[g]! |= Irq.TIMER
    const hv = path === 'hv-timer'
    const ns = hv ? this.m.cost(CostId.exitPreemptionTimer) : this.m.cost(CostId.exitExternalInterrupt) + this.m.cost(CostId.hostTimerHandler)
    this.run.beginExit(g, hv ? ExitReason.PREEMPTION_TIMER : ExitReason.EXTERNAL_INTERRUPT, hv ? this.m.causeIds.hvTimer : this.m.causeIds.swTimer, ns, After.ENTRY)
  }
}
