// Steal time's `preempted` flag as the guest reads it (vcpu_is_preempted()): KVM sets KVM_VCPU_PREEMPTED when the
// vCPU thread is scheduled out (kvm_steal_time_set_preempted() from kvm_arch_vcpu_put()) and record_steal_time()
// clears it at the next entry. Which schedule-outs set it depends on the host version (steal-time-preempted.ts).
import type { VmSpec } from '../sim/model-inputs.ts'

export class StealTime {
  /** Per vCPU: the flag (shared with the guest scheduler's RqView). */
  readonly preempted: Uint8Array

  constructor(nV: number) {
    this.preempted = new Uint8Array(nV)
  }

  /** record_steal_time() at VM entry. */
  recordSteal(g: number): void {
    this.preempted[g] = 0
  }

  /** kvm_arch_vcpu_put() on a preemption (current->on_rq). */
  onPreempt(g: number, vm: VmSpec): void {
    if (vm.preemptedOnPreempt) this.preempted[g] = 1
  }

  /** kvm_arch_vcpu_put() when the thread blocks in kvm_vcpu_block() (before 5.19 it set the flag too). */
  onBlock(g: number, vm: VmSpec): void {
    if (vm.preemptedOnHltBlock) this.preempted[g] = 1
  }

  /** kvm_arch_vcpu_put() on the way out to the VMM (KVM_RUN returns; experimental RFC exits). */
  onUserspaceExit(g: number, vm: VmSpec): void {
    if (vm.preemptedOnUserspaceExit) this.preempted[g] = 1
  }
}
