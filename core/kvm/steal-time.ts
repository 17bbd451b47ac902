// Steal time's `preempted` flag: KVM sets KVM_VCPU_PREEMPTED when the vCPU thread is scheduled out
// (kvm_steal_time_set_preempted() from kvm_arch_vcpu_put()) and record_steal_time() clears it at the next entry.
// Which schedule-outs set it depends on the host version (steal-time-preempted.ts). `preempted` is the flag as the
// host wrote it; each guest path decides by its own version whether it reads it (PreemptedReaders in
// core/guest/vcpu-is-preempted.ts) — the wake-up scan reads it through `seenByIdleScan`.
import type { VmSpec } from '../sim/model-inputs.ts'

export class StealTime {
  /** Per vCPU: KVM_VCPU_PREEMPTED as the host set it in the guest's steal-time area. */
  readonly preempted: Uint8Array
  /** Per vCPU: the flag as available_idle_cpu() sees it (0 when the guest's wake-up scan does not read it). */
  readonly seenByIdleScan: Uint8Array
  /** Called when the flag is set (the guest's pvqspinlock pv_wait_early() of 4.10 – 5.3 reads it: spinlocks.ts). */
  onSet: ((g: number) => void) | null = null

  constructor(nV: number) {
    this.preempted = new Uint8Array(nV)
    this.seenByIdleScan = new Uint8Array(nV)
  }

  /** record_steal_time() at VM entry. */
  recordSteal(g: number): void {
    this.preempted[g] = 0
    this.seenByIdleScan[g] = 0
  }

  private set(g: number, vm: VmSpec): void {
    this.preempted[g] = 1
    if (vm.preemptedReaders.idleScan) this.seenByIdleScan[g] = 1
    if (this.onSet !== null) this.onSet(g)
  }

  /** kvm_arch_vcpu_put() on a preemption (current->on_rq). */
  onPreempt(g: number, vm: VmSpec): void {
    if (vm.preemptedOnPreempt) this.set(g, vm)
  }

  /** kvm_arch_vcpu_put() when the thread blocks in kvm_vcpu_block() (before 5.19 it set the flag too). */
  onBlock(g: number, vm: VmSpec): void {
    if (vm.preemptedOnHltBlock) this.set(g, vm)
  }

  /** kvm_arch_vcpu_put() on the way out to the VMM (KVM_RUN returns; experimental RFC exits). */
  onUserspaceExit(g: number, vm: VmSpec): void {
    if (vm.preemptedOnUserspaceExit) this.set(g, vm)
  }
}
