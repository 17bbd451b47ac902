// KVM_CAP_X86_DISABLE_EXITS (arch/x86/kvm/x86.c kvm_vm_ioctl_enable_cap(), cpuid.c).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { hostHasFix } from './backports.ts'

export interface DisableExitsRequest { mwait: boolean; hlt: boolean; pause: boolean; cstate: boolean }

/** kvm_vm_ioctl_enable_cap(KVM_CAP_X86_DISABLE_EXITS): the bits in effect. MWAIT, HLT and PAUSE since v4.17 (one
 *  series of 2018-03-12: 4d5422cea3b6, caa057a2cad6, b31c114b82b2), CSTATE since v5.3; MWAIT only if
 *  kvm_can_mwait_in_guest(). On SVM, PAUSE is accepted but has no effect before 830f01b089b1 (v5.8): 8566ac8b8e7c
 *  ("Implement pause loop exit logic in SVM") dropped the kvm_pause_in_guest() check from init_vmcb(), so the pause
 *  filter stays on (core/kvm/backports.ts). */
export function grantDisableExits(hostVersion: string, req: DisableExitsRequest, canMwaitInGuest: boolean, vendor: 'vmx' | 'svm' = 'vmx'): DisableExitsRequest {
  return {
    mwait: req.mwait && canMwaitInGuest && versionAtLeast(hostVersion, '4.17'),
    hlt: req.hlt && versionAtLeast(hostVersion, '4.17'),
    pause: req.pause && versionAtLeast(hostVersion, '4.17') && (vendor === 'vmx' || svmHonoursPauseInGuest(hostVersion)),
    cstate: req.cstate && versionAtLeast(hostVersion, '5.3'),
  }
}

/** init_vmcb() checks kvm_pause_in_guest() before setting INTERCEPT_PAUSE only from 830f01b089b1 (v5.8). */
export function svmHonoursPauseInGuest(hostVersion: string): boolean {
  return hostHasFix(hostVersion, 'svmDisableExitsPause')
}

/** The exits row of the decisions: the bits in effect and, for a PAUSE request an SVM host ignores, why. */
export function disableExitsDecision(hostVersion: string, req: DisableExitsRequest, granted: DisableExitsRequest, vendor: 'vmx' | 'svm'): { value: string; reason: string } {
  const bits = (['mwait', 'hlt', 'pause', 'cstate'] as const).filter((k) => granted[k])
  const value = bits.length ? bits.join(', ').toUpperCase() : 'none'
  const parts: string[] = []
  if (bits.length) parts.push(`in effect for ${bits.join('/')}: the guest executes them without exiting`)
  else parts.push('the guest\'s HLT, MWAIT and PAUSE exit to KVM')
  if (req.pause && !granted.pause && vendor === 'svm' && versionAtLeast(hostVersion, '4.17')) {
    parts.push(`PAUSE was requested, but SVM host ${hostVersion} keeps the pause filter on (init_vmcb() ignores kvm_pause_in_guest() until 830f01b089b1, v5.8): PAUSE still exits`)
  }
  if (!versionAtLeast(hostVersion, '4.17') && (req.hlt || req.mwait || req.pause)) parts.push(`host ${hostVersion} < 4.17 has no KVM_CAP_X86_DISABLE_EXITS`)
  return { value, reason: parts.join('; ') }
}

/** kvm_update_cpuid / __kvm_update_cpuid_runtime(): PV_UNHALT is hidden from the guest when HLT is passed
 *  through ("HLT passthrough disables pvspinlock", the disable-exits series). */
export function pvUnhaltVisible(pvUnhaltRequested: boolean, hltInGuest: boolean): boolean {
  return pvUnhaltRequested && !hltInGuest
}
