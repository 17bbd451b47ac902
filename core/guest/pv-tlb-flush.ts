// The guest's PV remote TLB flush and PV IPIs (arch/x86/kernel/kvm.c kvm_guest_init(), kvm_apic_init()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export interface PvTlbFlushInputs {
  pvTlbFlush: boolean
  stealTime: boolean
  realtimeHint: boolean
  /** X86_FEATURE_MWAIT in the guest CPUID. */
  guestMwait: boolean
  vcpus: number
  guestVersion: string
}

/** pv_tlb_flush_supported() (current kvm.c): KVM_FEATURE_PV_TLB_FLUSH && !KVM_HINTS_REALTIME && KVM_FEATURE_STEAL_TIME
 *  && !X86_FEATURE_MWAIT && num_possible_cpus() != 1; then kvm_guest_init() installs kvm_flush_tlb_multi(), which
 *  drops every vCPU whose steal-time `preempted` is set from the flush mask and sets KVM_VCPU_FLUSH_TLB for it instead
 *  (the host flushes it at its next entry, record_steal_time()). Guest side since v4.16 ("KVM: X86: Add Paravirt TLB
 *  Shootdown"); the MWAIT and one-CPU conditions are later and applied at every version here. */
export function pvTlbFlushSupported(i: PvTlbFlushInputs): { supported: boolean; reason: string } {
  if (!versionAtLeast(i.guestVersion, '4.16')) return { supported: false, reason: `guest ${i.guestVersion} predates PV TLB flush (4.16)` }
  if (!i.pvTlbFlush) return { supported: false, reason: 'KVM_FEATURE_PV_TLB_FLUSH not exposed' }
  if (i.realtimeHint) return { supported: false, reason: 'KVM_HINTS_REALTIME: dedicated vCPUs are never preempted, so pv_tlb_flush_supported() is false' }
  if (!i.stealTime) return { supported: false, reason: 'no KVM_FEATURE_STEAL_TIME: the preempted flag it relies on is not there' }
  if (i.guestMwait) return { supported: false, reason: 'MWAIT in the guest CPUID: pv_tlb_flush_supported() is false' }
  if (i.vcpus === 1) return { supported: false, reason: 'one possible CPU' }
  return { supported: true, reason: 'kvm_flush_tlb_multi(): vCPUs marked preempted in steal time are skipped (KVM_VCPU_FLUSH_TLB, flushed by the host at their next entry), the rest get the flush IPI' }
}

/** pv_ipi_supported() (kvm_apic_init() → kvm_setup_pv_ipi(), guest ≥ 4.19): KVM_FEATURE_PV_SEND_IPI &&
 *  num_possible_cpus() != 1; only apic->send_IPI_mask(_allbutself) become KVM_HC_SEND_IPI hypercalls. */
export function pvIpiSupported(i: { pvIpi: boolean; vcpus: number; guestVersion: string }): boolean {
  return i.pvIpi && i.vcpus > 1 && versionAtLeast(i.guestVersion, '4.19')
}
