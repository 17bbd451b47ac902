// Directed yield on a PAUSE exit (kernel-logic.md §3.6; virt/kvm/kvm_main.c kvm_vcpu_on_spin(), current code).
// Allocation-free: per-vCPU flags of the VM come in as Uint8Array (1 = true), indexed by vcpu_idx.

export interface OnSpinInputs {
  /** The spinning vCPU (me->vcpu_idx). */
  me: number
  /** kvm->last_boosted_vcpu; the scan starts at the next index. */
  lastBoostedVcpu: number
  /** The spinning vCPU was in kernel mode (VMX: always, PLE is CPL-0 only; SVM: CPL == 0). */
  yieldToKernelMode: boolean
  /** vcpu->ready: set by kvm_sched_out() on a preemption and by kvm_vcpu_wake_up(); cleared by kvm_sched_in(). */
  ready: Uint8Array
  /** vcpu->preempted (kvm_sched_out() COND). */
  preempted: Uint8Array
  /** kvm_vcpu_is_blocking(): in kvm_vcpu_block(). */
  blocking: Uint8Array
  /** vcpu_dy_runnable(): a blocking vCPU with a pending event/kick that makes it worth boosting. */
  dyRunnable: Uint8Array
  /** kvm_arch_vcpu_preempted_in_kernel(): vcpu->arch.preempted_in_kernel. */
  preemptedInKernel: Uint8Array
  /** kvm_arch_dy_has_pending_interrupt(): e.g. a posted interrupt pending (APICv). */
  pendingInterrupt: Uint8Array
  /** Optional spin-loop state (CONFIG_HAVE_KVM_CPU_RELAX_INTERCEPT): in_spin_loop and dy_eligible; dyEligible is toggled. */
  inSpinLoop?: Uint8Array
  dyEligible?: Uint8Array
}

/** kvm_vcpu_eligible_for_directed_yield(): a vCPU that is itself spinning is eligible every other time. */
function eligible(v: number, i: OnSpinInputs): boolean {
  if (!i.inSpinLoop || !i.dyEligible) return true
  const ok = i.inSpinLoop[v] === 0 || i.dyEligible[v] === 1
  if (i.inSpinLoop[v] === 1) i.dyEligible[v] = i.dyEligible[v] === 1 ? 0 : 1
  return ok
}

/** kvm_vcpu_on_spin(me, yield_to_kernel_mode): scan from last_boosted_vcpu + 1 (wrapping), skip me, skip !ready, skip
 *  blocking && !dy_runnable, skip a preempted vCPU in user mode when yielding to kernel mode (unless it has a pending
 *  interrupt), skip ineligible; kvm_vcpu_yield_to() (tryYield) the first candidate; stop on success; give up after
 *  3 failed yields (the kernel counts only yielded < 0, e.g. -ESRCH for a target already running; tryYield false is
 *  treated as such a failure). Returns the vCPU yielded to (the new last_boosted_vcpu) or -1. Fewer than 2 vCPUs: -1.
 *  With 1:1 pinning and no overcommit no vCPU is ever ready/preempted, so PLE exits find nothing. */
export function kvmVcpuOnSpin(i: OnSpinInputs, tryYield: (v: number) => boolean): number {
  const n = i.ready.length
  if (n < 2) return -1
  let tries = 3
  const start = i.lastBoostedVcpu + 1
  for (let k = 0; k < n; k++) {
    const v = (((start + k) % n) + n) % n
    if (v === i.me) continue
    if (i.ready[v] !== 1) continue
    if (i.blocking[v] === 1 && i.dyRunnable[v] !== 1) continue
    if (i.preempted[v] === 1 && i.yieldToKernelMode && i.pendingInterrupt[v] !== 1 && i.preemptedInKernel[v] !== 1) continue
    if (!eligible(v, i)) continue
    if (tryYield(v)) return v
    if (--tries === 0) break
  }
  return -1
}
