// the 2023 Woodhouse RFC's decisions (experimental, not in any kernel): which HLT and MWAIT exits go to the VMM, yield() on
// an emulated MWAIT, and how the VMM waits after a KVM_EXIT_HLT.
import { describe, it, expect } from 'vitest'
import {
  KVM_EXIT_HLT, KVM_EXIT_MWAIT, KVM_X86_USERSPACE_EXIT_HLT, KVM_X86_USERSPACE_EXIT_MWAIT, KVM_X86_USERSPACE_VALID_EXITS,
  userspaceExitBits, kvmUserspaceExit, kvmEmulateHalt, HaltExit, kvmEmulateMwait, MwaitExit, vmmAfterHltExit, VmmStep,
} from '../../core/kvm/userspace-exits.ts'

describe('KVM_CAP_X86_USERSPACE_EXITS (RFC uapi)', () => {
  it('defines KVM_EXIT_MWAIT = 38 next to the reused KVM_EXIT_HLT = 5, and the two kvm_run.userspace_exits bits', () => {
    expect(KVM_EXIT_MWAIT).toBe(38)
    expect(KVM_EXIT_HLT).toBe(5)
    expect(KVM_X86_USERSPACE_EXIT_MWAIT).toBe(1)
    expect(KVM_X86_USERSPACE_EXIT_HLT).toBe(2)
    expect(KVM_X86_USERSPACE_VALID_EXITS).toBe(3)
    expect(userspaceExitBits(true, false)).toBe(2)
    expect(userspaceExitBits(false, true)).toBe(1)
    expect(userspaceExitBits(true, true)).toBe(3)
    expect(userspaceExitBits(false, false)).toBe(0)
  })
})

describe('kvm_userspace_exit(vcpu, reason)', () => {
  it('sends a reason to the VMM only when its own bit is set', () => {
    expect(kvmUserspaceExit(KVM_X86_USERSPACE_EXIT_HLT, KVM_EXIT_HLT)).toBe(true)
    expect(kvmUserspaceExit(KVM_X86_USERSPACE_EXIT_HLT, KVM_EXIT_MWAIT)).toBe(false)
    expect(kvmUserspaceExit(KVM_X86_USERSPACE_EXIT_MWAIT, KVM_EXIT_MWAIT)).toBe(true)
    expect(kvmUserspaceExit(KVM_X86_USERSPACE_EXIT_MWAIT, KVM_EXIT_HLT)).toBe(false)
    expect(kvmUserspaceExit(0, KVM_EXIT_HLT)).toBe(false)
  })
  it('ignores other exit reasons whatever the bits', () => {
    expect(kvmUserspaceExit(KVM_X86_USERSPACE_VALID_EXITS, 2 /* KVM_EXIT_IO */)).toBe(false)
  })
})

describe('__kvm_emulate_halt() with the RFC', () => {
  it('LAPIC in the kernel, no HLT bit: halts in the kernel (vcpu_block → kvm_vcpu_halt), as today', () => {
    expect(kvmEmulateHalt(true, 0)).toBe(HaltExit.IN_KERNEL)
    expect(kvmEmulateHalt(true, KVM_X86_USERSPACE_EXIT_MWAIT)).toBe(HaltExit.IN_KERNEL)
  })
  it('LAPIC in the kernel with the HLT bit: KVM_EXIT_HLT to the VMM', () => {
    expect(kvmEmulateHalt(true, KVM_X86_USERSPACE_EXIT_HLT)).toBe(HaltExit.USERSPACE)
  })
  it('LAPIC in userspace: KVM_EXIT_HLT whatever the bits (the path that existed before the RFC)', () => {
    expect(kvmEmulateHalt(false, 0)).toBe(HaltExit.USERSPACE)
  })
})

describe('kvm_emulate_mwait() with the RFC', () => {
  it('MWAIT bit set: KVM_EXIT_MWAIT to the VMM (no yield)', () => {
    expect(kvmEmulateMwait(KVM_X86_USERSPACE_EXIT_MWAIT, true)).toBe(MwaitExit.USERSPACE)
    expect(kvmEmulateMwait(KVM_X86_USERSPACE_VALID_EXITS, false)).toBe(MwaitExit.USERSPACE)
  })
  it('otherwise the NOP is followed by yield() with the RFC applied, and is a bare NOP without it', () => {
    expect(kvmEmulateMwait(KVM_X86_USERSPACE_EXIT_HLT, true)).toBe(MwaitExit.YIELD)
    expect(kvmEmulateMwait(0, true)).toBe(MwaitExit.YIELD)
    expect(kvmEmulateMwait(0, false)).toBe(MwaitExit.NOP)
  })
})

describe('the VMM after its work on KVM_EXIT_HLT', () => {
  it('kvm-run (the RFC): always back into KVM_RUN, where the HALTED mp_state makes vcpu_block() halt-poll and block', () => {
    expect(vmmAfterHltExit('kvm-run', false)).toBe(VmmStep.KVM_HALT)
    expect(vmmAfterHltExit('kvm-run', true)).toBe(VmmStep.KVM_HALT)
  })
  it('vmm-poll: re-enters at once with an interrupt pending, else sleeps in its own poll()', () => {
    expect(vmmAfterHltExit('vmm-poll', true)).toBe(VmmStep.ENTER)
    expect(vmmAfterHltExit('vmm-poll', false)).toBe(VmmStep.SLEEP)
  })
})
