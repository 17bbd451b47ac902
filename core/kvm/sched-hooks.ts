// KVM's hooks into the host scheduler (virt/kvm/kvm_main.c kvm_sched_in() / kvm_sched_out(), the preempt notifiers):
// when a vCPU thread gets a pCPU, kvm_arch_vcpu_load() loads its state there (the schedule-in cost; the scheduled_out what-if (Christopherson's 2024 series)
// may skip it), shrinks the PLE window after a schedule-out (shrink_ple_window() from vmx_vcpu_load(), or
// kvm_arch_sched_in() before 6.11) and moves its LAPIC timer when it changed pCPU (kvm_migrate_timers()); when the
// thread leaves it, kvm_arch_vcpu_put() sets the steal-time preempted flag as the host version does.
import { CostId } from '../costs/cost-tables.ts'
import type { ModelCore, Parts, SchedHooks } from '../sim/model-parts.ts'
import { skipsVcpuLoad } from './scheduled-out.ts'
import { exitSetsInstructionBoundary, reportsPreemptionOffBoundary } from './steal-time-preempted.ts'
import type { StealTime } from './steal-time.ts'
import type { VcpuState } from './vcpu.ts'

export class KvmSchedHooks implements SchedHooks {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly steal: StealTime
  private halt!: Parts['halt']
  private ple!: Parts['ple']
  private timer!: Parts['timer']
  /** The pCPU the vCPU was last loaded on, and the vCPU last loaded on each pCPU (−1: none). */
  readonly loadedOn: Int32Array
  readonly lastLoaded: Int32Array
  /** Before 6cd88243c7e0 every preemption is reported, whatever exit it followed. */
  private readonly offBoundaryReported: boolean
  /** Per VM: real preemptions kvm_steal_time_set_preempted() reported (vcpu->stat.preemption_reported) and those it
   *  did not because the exit was not at an instruction boundary (vcpu->stat.preemption_other, 5.19+). */
  readonly preemptionReported: Float64Array
  readonly preemptionOther: Float64Array

  constructor(m: ModelCore, steal: StealTime) {
    this.m = m
    this.v = m.vcpu
    this.steal = steal
    this.loadedOn = new Int32Array(m.nV).fill(-1)
    this.lastLoaded = new Int32Array(m.inp.nrCpus).fill(-1)
    this.offBoundaryReported = reportsPreemptionOffBoundary(m.inp.hostVersion)
    this.preemptionReported = new Float64Array(m.inp.vms.length)
    this.preemptionOther = new Float64Array(m.inp.vms.length)
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.ple = p.ple
    this.timer = p.timer
  }

  /** kvm_sched_in() of vCPU thread g on pCPU c after a schedule-out: the PLE window shrinks, then vcpu_load().
   *  Returns the schedule-in time. */
  schedIn(g: number, c: number): number {
    this.ple.shrinkPle(g)
    return this.vcpuLoad(g, c)
  }

  /** kvm_arch_vcpu_load() with the context switch. Under the scheduled_out what-if (Christopherson's 2024 series) (experimental) the load is skipped when
   *  g's guest state is still loaded there; a thread that slept in the VMM is not loaded at all — its KVM_RUN re-entry
   *  loads it (userspaceEntry). */
  vcpuLoad(g: number, c: number): number {
    const m = this.m
    const sameCpu = this.loadedOn[g] === c
    const otherLoaded = this.lastLoaded[c] !== g
    this.loadedOn[g] = c
    this.lastLoaded[c] = g
    if (this.halt.vmmSleep[g]) return m.cost(CostId.scheduleInNoLoad) + m.cost(CostId.userspaceEntry)
    const kept = skipsVcpuLoad(m.vmSpec(g).keepStateLoaded, true, sameCpu, otherLoaded)
    this.v.keptLoaded[g] = kept ? 1 : 0
    return m.cost(kept ? CostId.scheduleInNoLoad : CostId.scheduleIn)
  }

  /** kvm_arch_vcpu_load() on a new pCPU: kvm_migrate_timers(). */
  migrated(g: number, c: number): void {
    this.timer.migrateTimer(g, c)
  }

  /** kvm_sched_out() of a runnable thread (a preemption): kvm_arch_vcpu_put() → kvm_steal_time_set_preempted() sets the
   *  steal-time flag — from 5.19 only at an instruction boundary, i.e. when the exit it leaves was a host interrupt. */
  schedOutPreempted(g: number): void {
    const vmi = this.v.vmOf[g]!
    if (!this.offBoundaryReported && !exitSetsInstructionBoundary(this.v.exitReason[g]!)) { this.preemptionOther[vmi]!++; return }
    this.preemptionReported[vmi]!++
    this.steal.onPreempt(g, this.m.vmSpec(g))
  }

  /** kvm_sched_out() of a thread blocking in kvm_vcpu_block(): the flag only on hosts before 5.19. */
  schedOutBlocked(g: number): void {
    this.steal.onBlock(g, this.m.vmSpec(g))
  }
}
