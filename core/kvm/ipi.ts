// How a guest IPI is sent and delivered, and what it costs in exits (arch/x86/kvm/lapic.c, x86.c
// handle_fastpath_set_msr_irqoff(), vmx/vmx.c IPIv, svm/avic.c; guest arch/x86/kernel/kvm.c PV IPI).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { x2apicIcrFastpath } from './exit-fastpath.ts'

export type IpiExit =
  | 'none'
  | 'MSR_WRITE' // VMX x2APIC ICR write
  | 'APIC_WRITE' // VMX trap-like APIC write (APICv register virtualization, or an ICR value IPIv does not virtualize)
  | 'APIC_ACCESS' // VMX xAPIC without APICv (fault-like, emulated)
  | 'VMCALL' // VMX PV IPI hypercall
  | 'msr' // SVM x2APIC ICR write
  | 'npf' // SVM xAPIC MMIO without AVIC
  | 'hypercall' // SVM PV IPI (VMMCALL)
  | 'avic_incomplete_ipi' // AVIC: a target is not running (IsRunning = 0)

export interface IpiSendInputs {
  vendor: 'vmx' | 'svm'
  apicMode: 'xapic' | 'x2apic'
  hostVersion: string
  /** kvm_vcpu_apicv_active() on VMX (APIC-register virtualization + posted interrupts). */
  apicvActive: boolean
  /** VMX: the CPU has IPI virtualization (Sapphire Rapids+) and kvm_intel.enable_ipiv. SVM: AVIC IPI virtualization
   *  is in effect (IsRunning is set; off on Family 17h from 6.17, see avic.ts). */
  ipiv: boolean
  /** SVM: AVIC active for the VM (no inhibit; see avic.ts). */
  avicActive: boolean
  /** SVM: the CPU virtualizes x2APIC accesses (x2AVIC, Zen 4, host ≥ 6.0). Without it an x2APIC guest runs AVIC in
   *  hybrid mode: its x2APIC MSRs are intercepted and emulated, only delivery uses the AVIC doorbell. Default false. */
  x2avic?: boolean
  /** The guest uses KVM_FEATURE_PV_SEND_IPI. */
  pvIpi: boolean
  guestVersion: string
  /** A send to a mask of CPUs (smp_call_function_many, TLB shootdown) rather than one CPU (reschedule IPI). */
  multicast: boolean
  /** ICR destination mode the guest uses (x2apic_phys: physical; x2apic_cluster: logical). Default physical: a KVM
   *  guest without a vIOMMU has no interrupt remapping, and try_to_enable_x2apic() then sets x2apic_phys = 1. */
  destMode?: 'physical' | 'logical'
  /** AVIC only: every target vCPU is running (IsRunning = 1). Default true. */
  targetRunning?: boolean
}

export interface IpiSendPath {
  exit: IpiExit
  /** Handled in the exit fastpath (handle_fastpath_set_msr_irqoff), without the full exit handler. */
  fastpath: boolean
  /** A multicast costs one such exit per target (physical destination mode, no PV IPI) rather than one for the set. */
  perTarget: boolean
  reason: string
}

/** Guest PV IPI (kvm_setup_pv_ipi, v4.19, "KVM: X86: Implement PV IPIs in linux guest"): send_IPI_mask and the
 *  allbutself/all variants become one KVM_HC_SEND_IPI hypercall per up-to-128-CPU bitmap; the single-target
 *  apic->send_IPI (reschedule IPI) stays a native ICR write. */
export function usesPvIpi(i: Pick<IpiSendInputs, 'pvIpi' | 'guestVersion' | 'multicast'>): boolean {
  return i.pvIpi && i.multicast && versionAtLeast(i.guestVersion, '4.19')
}

/** The x2APIC ICR write fastpath: handle_fastpath_set_msr_irqoff() for a FIXED, PHYSICAL, non-broadcast ICR write,
 *  from the host versions core/kvm/exit-fastpath.ts gives per vendor (5.6; on SVM not in 5.9). */
export function icrFastpath(hostVersion: string, apicMode: 'xapic' | 'x2apic', destMode: 'physical' | 'logical', vendor: 'vmx' | 'svm' = 'vmx'): boolean {
  return apicMode === 'x2apic' && destMode === 'physical' && x2apicIcrFastpath(hostVersion, vendor)
}

/** The exit (if any) on the sending vCPU for one guest IPI send. */
export function ipiSendPath(i: IpiSendInputs): IpiSendPath {
  const destMode = i.destMode ?? 'physical'
  const perTarget = i.multicast && destMode === 'physical'
  if (usesPvIpi(i)) {
    return { exit: i.vendor === 'vmx' ? 'VMCALL' : 'hypercall', fastpath: false, perTarget: false, reason: 'PV IPI: the whole multicast is one KVM_HC_SEND_IPI hypercall (guest ≥ 4.19, KVM_FEATURE_PV_SEND_IPI)' }
  }
  if (i.vendor === 'vmx') {
    // IPIv: d588bb9be1da "KVM: VMX: enable IPI virtualization", v5.19 (Sapphire Rapids). Only a physical, fixed,
    // no-shorthand ICR value is virtualized; anything else is a trap-like APIC-write exit.
    if (i.ipiv && i.apicvActive && versionAtLeast(i.hostVersion, '5.19')) {
      if (destMode === 'physical') return { exit: 'none', fastpath: false, perTarget, reason: 'IPIv: the ICR write is virtualized, posted to the target without an exit' }
      return { exit: 'APIC_WRITE', fastpath: false, perTarget, reason: 'IPIv does not virtualize a logical-mode ICR write: trap-like APIC_WRITE exit' }
    }
    if (i.apicMode === 'x2apic') {
      const fp = icrFastpath(i.hostVersion, i.apicMode, destMode, i.vendor)
      return { exit: 'MSR_WRITE', fastpath: fp, perTarget, reason: `x2APIC ICR write exits (WRMSR 0x830)${fp ? ', handled in the fastpath (host ≥ 5.6)' : destMode === 'logical' ? ', logical mode: no fastpath' : ', host < 5.6: no fastpath'}` }
    }
    if (i.apicvActive) return { exit: 'APIC_WRITE', fastpath: false, perTarget, reason: 'xAPIC ICR write with APIC-register virtualization: trap-like APIC_WRITE exit' }
    return { exit: 'APIC_ACCESS', fastpath: false, perTarget, reason: 'xAPIC ICR write without APICv: APIC_ACCESS exit and instruction emulation' }
  }
  if (i.avicActive && i.apicMode === 'x2apic' && !i.x2avic) {
    // 0e311d33bfbe "KVM: SVM: Introduce hybrid-AVIC mode" (6.0), avic_activate_vmcb(): without x2AVIC KVM keeps
    // intercepting the x2APIC MSRs, so the ICR write is an ordinary msr exit; the target still gets the doorbell
    const fp = icrFastpath(i.hostVersion, i.apicMode, destMode, i.vendor)
    return { exit: 'msr', fastpath: fp, perTarget, reason: `hybrid AVIC (x2APIC guest without x2AVIC): the ICR write is an msr exit${fp ? ' handled in the fastpath' : ''}, delivered through the AVIC doorbell` }
  }
  if (i.avicActive) {
    if (!i.ipiv) return { exit: 'avic_incomplete_ipi', fastpath: false, perTarget, reason: 'AVIC without IPI virtualization (IsRunning never set): every non-self IPI exits' }
    if (i.targetRunning ?? true) return { exit: 'none', fastpath: false, perTarget, reason: 'AVIC: the target is running (IsRunning = 1), the doorbell delivers the IPI without an exit' }
    return { exit: 'avic_incomplete_ipi', fastpath: false, perTarget, reason: 'AVIC: a target is not running (IsRunning = 0): AVIC_INCOMPLETE_IPI exit, KVM wakes or kicks it' }
  }
  if (i.apicMode === 'x2apic') {
    const fp = icrFastpath(i.hostVersion, i.apicMode, destMode, i.vendor)
    return { exit: 'msr', fastpath: fp, perTarget, reason: `x2APIC ICR write exits (MSR intercept)${fp ? ', handled in the fastpath (host ≥ 5.6, not 5.9)' : destMode === 'logical' ? ', logical mode: no fastpath' : ', no SVM fastpath on this host (< 5.6, or 5.9)'}` }
  }
  return { exit: 'npf', fastpath: false, perTarget, reason: 'xAPIC ICR write without AVIC: MMIO to the APIC page, nested page fault and emulation' }
}

export type IpiTargetState = 'running' | 'halted-in-guest' | 'blocked'
export type IpiDelivery = 'posted' | 'posted-wakeup' | 'kick-wakeup' | 'kick-exit'

/** How the interrupt reaches the target vCPU (kvm_apic_send_ipi → __apic_accept_irq → deliver_interrupt:
 *  vmx_deliver_posted_interrupt / avic_deliver_interrupt, else kvm_make_request + kvm_vcpu_kick):
 *  running + posted interrupts: 'posted' (notification vector in non-root mode, no exit);
 *  halted in the guest (HLT passed through) + posted: 'posted-wakeup' (the PIR wakes HLT without an exit);
 *  blocked in kvm_vcpu_block(): 'kick-wakeup' (KVM — or the PI wakeup vector / GA log — wakes the vCPU thread,
 *  the interrupt is injected or synced at the next entry);
 *  no posted interrupts and in guest mode: 'kick-exit' (kvm_vcpu_kick() IPIs the pCPU, an external-interrupt exit,
 *  then injection on re-entry). */
export function ipiDelivery(i: { targetState: IpiTargetState; postedInterrupts: boolean }): IpiDelivery {
  if (i.targetState === 'blocked') return 'kick-wakeup'
  if (!i.postedInterrupts) return 'kick-exit'
  return i.targetState === 'running' ? 'posted' : 'posted-wakeup'
}
