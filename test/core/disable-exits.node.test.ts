import { describe, it, expect } from 'vitest'
import { grantDisableExits, pvUnhaltVisible } from '../../core/kvm/disable-exits.ts'

const all = { mwait: true, hlt: true, pause: true, cstate: true }
const none = { mwait: false, hlt: false, pause: false, cstate: false }

describe('kvm_vm_ioctl_enable_cap(KVM_CAP_X86_DISABLE_EXITS)', () => {
  it('(< v4.17): the capability does not exist, nothing is granted', () => {
    expect(grantDisableExits('4.16', all, true)).toEqual(none)
  })
  it('(v4.17, 4d5422cea3b6/caa057a2cad6/b31c114b82b2): MWAIT, HLT and PAUSE; no CSTATE yet', () => {
    expect(grantDisableExits('4.17', all, true)).toEqual({ mwait: true, hlt: true, pause: true, cstate: false })
    expect(grantDisableExits('5.2', all, true)).toEqual({ mwait: true, hlt: true, pause: true, cstate: false })
  })
  it('(v5.3+): KVM_X86_DISABLE_EXITS_CSTATE is granted too', () => {
    expect(grantDisableExits('5.3', all, true)).toEqual(all)
    expect(grantDisableExits('6.8', all, true)).toEqual(all)
  })
  it('(all versions): MWAIT only when kvm_can_mwait_in_guest()', () => {
    expect(grantDisableExits('6.8', all, false)).toEqual({ mwait: false, hlt: true, pause: true, cstate: true })
  })
  it('grants only the bits requested (QEMU cpu-pm=on requests all four; a partial request stays partial)', () => {
    expect(grantDisableExits('6.8', { ...none, hlt: true }, true)).toEqual({ ...none, hlt: true })
    expect(grantDisableExits('6.8', none, true)).toEqual(none)
  })
})

describe('kvm_update_cpuid_runtime: PV_UNHALT hidden with HLT passthrough (v4.17+, caa057a2cad6)', () => {
  it('HLT in guest clears KVM_FEATURE_PV_UNHALT even if userspace set it', () => {
    expect(pvUnhaltVisible(true, true)).toBe(false)
  })
  it('without HLT passthrough the guest sees what userspace advertised', () => {
    expect(pvUnhaltVisible(true, false)).toBe(true)
    expect(pvUnhaltVisible(false, false)).toBe(false)
  })
})
