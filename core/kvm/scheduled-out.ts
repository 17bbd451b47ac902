// Keeping guest state loaded across a schedule-out (the scheduled_out series, 2024). EXPERIMENTAL — not in any kernel. What is in the kernel
// (v6.11, Sean Christopherson's "KVM: Add a flag to track if a loaded vCPU is scheduled out"): kvm_sched_out() sets
// vcpu->scheduled_out before kvm_arch_vcpu_put(), kvm_sched_in() clears it after kvm_arch_vcpu_load(). The commit
// message names the what-if modelled here: the flag "allows KVM to keep guest state (that is managed via
// kvm_arch_vcpu_{load,put}()) loaded across kvm_sched_{out,in}(), if KVM knows the state isn't accessed by the host
// kernel". On VMX that state is the current VMCS, the guest/host segment and MSR state of vmx_prepare_switch_to_*(),
// the posted-interrupt descriptor's notification fields; it stays valid only while no other vCPU is loaded on the CPU.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

/** kvm_vcpu.scheduled_out is in mainline from v6.11 (the series that dropped kvm_arch_sched_in()). */
export const SCHEDULED_OUT_SINCE = '6.11'

export function scheduledOutFlagExists(hostVersion: string): boolean {
  return versionAtLeast(hostVersion, SCHEDULED_OUT_SINCE)
}

/** kvm_sched_in() → kvm_arch_vcpu_load() under the what-if: with vcpu->scheduled_out set (the vCPU was put by
 *  kvm_sched_out(), not by a return to userspace), the put/load pair is skipped when the vCPU comes back on the pCPU
 *  it was loaded on and no other vCPU was loaded there in between (host tasks and kworkers do not touch that state).
 *  A migration or another vCPU's vcpu_load() on the pCPU makes the full put/load necessary. */
export function skipsVcpuLoad(enabled: boolean, scheduledOut: boolean, samePcpu: boolean, otherVcpuLoadedSince: boolean): boolean {
  return enabled && scheduledOut && samePcpu && !otherVcpuLoadedSince
}
