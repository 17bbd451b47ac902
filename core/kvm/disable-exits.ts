// KVM_CAP_X86_DISABLE_EXITS (kernel-logic.md §3.2, arch/x86/kvm/x86.c, cpuid.c).
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export interface DisableExitsRequest { mwait: boolean; hlt: boolean; pause: boolean; cstate: boolean }

/** kvm_vm_ioctl_enable_cap(KVM_CAP_X86_DISABLE_EXITS): the bits the host grants. MWAIT, HLT and PAUSE since
 *  v4.17 (one series of 2018-03-12: 4d5422cea3b6, caa057a2cad6, b31c114b82b2), CSTATE since v5.3; MWAIT only if
 *  kvm_can_mwait_in_guest(). */
export function grantDisableExits(hostVersion: string, req: DisableExitsRequest, canMwaitInGuest: boolean): DisableExitsRequest {
  return {
    mwait: req.mwait && canMwaitInGuest && versionAtLeast(hostVersion, '4.17'),
    hlt: req.hlt && versionAtLeast(hostVersion, '4.17'),
    pause: req.pause && versionAtLeast(hostVersion, '4.17'),
    cstate: req.cstate && versionAtLeast(hostVersion, '5.3'),
  }
}

/** kvm_update_cpuid / __kvm_update_cpuid_runtime(): PV_UNHALT is hidden from the guest when HLT is passed
 *  through ("HLT passthrough disables pvspinlock", seed 003). */
export function pvUnhaltVisible(pvUnhaltRequested: boolean, hltInGuest: boolean): boolean {
  return pvUnhaltRequested && !hltInGuest
}
