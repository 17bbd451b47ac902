// Stable backports of the fixes the model gates on (core/kvm/backports.ts): a host with a patch level follows its
// stable branch, a mainline release its version, a distro version its upstream base.
import { describe, it, expect } from 'vitest'
import { KERNEL_FIXES, hostHasFix, backportNote } from '../../core/kvm/backports.ts'
import { kvmCanPostTimerInterrupt } from '../../core/kvm/timer-path.ts'
import { kvmArchVcpuPutReportsPreempted, preemptedOnHltBlock } from '../../core/kvm/steal-time-preempted.ts'
import { parseKernelVersion } from '../../core/kernel-version.ts'

describe('the backport table', () => {
  it('names each fix by a 12-digit commit with its subject, a mainline release and, per branch, how the version was found', () => {
    for (const f of Object.values(KERNEL_FIXES)) {
      expect(f.commit).toMatch(/^[0-9a-f]{12}$/)
      expect(f.subject.length).toBeGreaterThan(10)
      expect(parseKernelVersion(f.mainline).ok).toBe(true)
      for (const b of f.backports) {
        expect(b.how.length).toBeGreaterThan(10)
        if (b.version) expect(b.version.startsWith(`${b.branch}.`)).toBe(true)
      }
    }
  })
})

describe('kvm_can_post_timer_interrupt() with 1714a4eb6fb0 backported (5.4.193, 5.10.115, 5.15.39)', () => {
  const inputs = (hostVersion: string) => ({ hostVersion, vendor: 'vmx' as const, hvTimerHardware: true, preemptionTimerParam: true, apicvActive: true, piInjectTimer: true, mwaitInGuest: false, hltInGuest: false })
  it('posts without HLT/MWAIT passthrough before the backport, not from it', () => {
    expect(kvmCanPostTimerInterrupt(inputs('5.10.114'))).toBe(true)
    expect(kvmCanPostTimerInterrupt(inputs('5.10.115'))).toBe(false)
    expect(kvmCanPostTimerInterrupt(inputs('5.10.200'))).toBe(false)
    expect(kvmCanPostTimerInterrupt(inputs('5.15.38'))).toBe(true)
    expect(kvmCanPostTimerInterrupt(inputs('5.15.39'))).toBe(false)
  })
  it('5.4.193 carries it too; a branch without a backport (5.16.y) and a distro base version follow mainline', () => {
    expect(hostHasFix('5.4.192', 'postedTimerNeedsHltOrMwait')).toBe(false)
    expect(hostHasFix('5.4.193', 'postedTimerNeedsHltOrMwait')).toBe(true)
    expect(hostHasFix('5.16.20', 'postedTimerNeedsHltOrMwait')).toBe(false)
    expect(hostHasFix('5.14.0-362.el9.x86_64', 'postedTimerNeedsHltOrMwait')).toBe(false)
    expect(hostHasFix('5.18', 'postedTimerNeedsHltOrMwait')).toBe(true)
  })
})

describe('kvm_arch_vcpu_put() with 54aa83c90198 / 6cd88243c7e0 backported (5.10.180, 5.18.17)', () => {
  it('5.10.179 reports every deschedule as preempted, 5.10.180 only a real preemption', () => {
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.10.179', vcpuPreempted: false })).toBe(true)
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.10.180', vcpuPreempted: false })).toBe(false)
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.10.180', vcpuPreempted: true })).toBe(true)
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.10.180', vcpuPreempted: true, atInstructionBoundary: false })).toBe(false)
  })
  it('5.18.16 vs 5.18.17, and the decision text names the stable release', () => {
    expect(preemptedOnHltBlock('5.18.16').preempted).toBe(true)
    expect(preemptedOnHltBlock('5.18.17').preempted).toBe(false)
    expect(preemptedOnHltBlock('5.18.17').reason).toContain('5.18.17')
    expect(backportNote('5.10.100', 'preemptedOnlyIfPreempted')).toContain('only in 5.10.180')
  })
  it('5.15.y: no backport version was determined, so it follows mainline (< 5.19)', () => {
    expect(hostHasFix('5.15.150', 'preemptedOnlyIfPreempted')).toBe(false)
  })
})

describe('830f01b089b1 on the 5.7.y branch', () => {
  it('SVM honours KVM_X86_DISABLE_EXITS_PAUSE from 5.7.13 ([PATCH 5.7 119/120] of the 5.7.13 review)', () => {
    expect(hostHasFix('5.7.12', 'svmDisableExitsPause')).toBe(false)
    expect(hostHasFix('5.7.13', 'svmDisableExitsPause')).toBe(true)
    expect(backportNote('5.7.13', 'svmDisableExitsPause')).toContain('5.7.13')
  })
})
