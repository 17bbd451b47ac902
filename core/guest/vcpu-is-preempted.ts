// Whether the guest's vcpu_is_preempted() reads steal time (kernel-logic.md §3.3; arch/x86/kernel/kvm.c,
// kernel/sched/core.c available_idle_cpu()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { kvmSpinlockInit } from './pvspinlock.ts'

export interface PreemptedCheckInputs {
  guestVersion: string
  /** KVM_FEATURE_STEAL_TIME in the guest's CPUID. */
  stealTime: boolean
  /** KVM_FEATURE_PV_UNHALT (hidden when HLT is passed through). */
  pvUnhalt: boolean
  /** KVM_HINTS_REALTIME. */
  realtimeHint: boolean
  nopvspin: boolean
  vcpus: number
}

/** pv_ops.lock.vcpu_is_preempted = __kvm_vcpu_is_preempted is installed:
 *  guest < v5.18: at the end of kvm_spinlock_init(), i.e. only when PV spinlocks were enabled (PV_UNHALT, no REALTIME
 *  hint, > 1 CPU, no nopvspin) and KVM_FEATURE_STEAL_TIME;
 *  guest ≥ v5.18: in kvm_guest_init() whenever KVM_FEATURE_STEAL_TIME. Verified: 4ab22f38c204 "KVM: x86: Support the
 *  vCPU preemption check with nopvspin and realtime hint" (Li RongQing), in "Second batch of KVM changes for Linux 5.18".
 *  Before ≈v4.10 there is no KVM vcpu_is_preempted (not re-verified). */
export function guestConsultsPreempted(i: PreemptedCheckInputs): { consults: boolean; reason: string } {
  if (!versionAtLeast(i.guestVersion, '4.10')) return { consults: false, reason: 'guest < 4.10 has no KVM vcpu_is_preempted(): native (always false)' }
  if (!i.stealTime) return { consults: false, reason: 'no KVM_FEATURE_STEAL_TIME: vcpu_is_preempted() stays native (always false)' }
  if (versionAtLeast(i.guestVersion, '5.18')) return { consults: true, reason: 'guest ≥ 5.18 installs __kvm_vcpu_is_preempted in kvm_guest_init() whenever steal time is available' }
  const lock = kvmSpinlockInit(i)
  if (lock.kind === 'pvqspinlock') return { consults: true, reason: 'guest < 5.18: kvm_spinlock_init() enabled PV spinlocks and installed __kvm_vcpu_is_preempted (steal time present)' }
  return { consults: false, reason: `guest < 5.18 installs vcpu_is_preempted only with PV spinlocks, which are off (${lock.reason})` }
}

/** available_idle_cpu() (kernel/sched/core.c, v4.18+): idle_cpu(cpu) && !vcpu_is_preempted(cpu). */
export function availableIdleCpu(idle: boolean, preempted: boolean): boolean {
  return idle && !preempted
}
