import { describe, it, expect } from 'vitest'
import { kvmSchedOutSetsPreempted, kvmArchVcpuPutReportsPreempted, guestSeesPreemptedAfter } from '../../core/kvm/steal-time-preempted.ts'

describe('kvm_sched_out (virt/kvm/kvm_main.c): vcpu->preempted COND', () => {
  it('≤ 5.13 (TASK_RUNNING) and 5.14–6.10 (on_rq): a runnable task is preempted even outside KVM_RUN', () => {
    for (const v of ['5.10', '5.13', '5.14', '6.10']) {
      expect(kvmSchedOutSetsPreempted({ hostVersion: v, taskRunnable: true, wantsToRun: false })).toBe(true)
    }
  })
  it('6.11 (on_rq && wants_to_run) and 6.12+ (task_is_runnable && wants_to_run): only inside KVM_RUN', () => {
    for (const v of ['6.11', '6.12', '6.14.0-45-generic']) {
      expect(kvmSchedOutSetsPreempted({ hostVersion: v, taskRunnable: true, wantsToRun: false })).toBe(false)
      expect(kvmSchedOutSetsPreempted({ hostVersion: v, taskRunnable: true, wantsToRun: true })).toBe(true)
    }
  })
  it('all versions: an HLT block (kvm_vcpu_block, task not runnable) never sets vcpu->preempted', () => {
    for (const v of ['4.19', '5.13', '5.15', '6.11', '6.12']) {
      expect(kvmSchedOutSetsPreempted({ hostVersion: v, taskRunnable: false, wantsToRun: true })).toBe(false)
      expect(kvmSchedOutSetsPreempted({ hostVersion: v, taskRunnable: true, wantsToRun: true, blockedInHalt: true })).toBe(false)
    }
  })
})

describe('kvm_arch_vcpu_put (arch/x86/kvm/x86.c) → kvm_steal_time_set_preempted', () => {
  it('< 5.19 without the stable backport: unconditional, even with vcpu->preempted false', () => {
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.18', vcpuPreempted: false })).toBe(true)
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.10.179', vcpuPreempted: false })).toBe(true)
  })
  it('5.10.180 carries 54aa83c90198 (stable backport): only if vcpu->preempted', () => {
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.10.180', vcpuPreempted: false })).toBe(false)
  })
  it('≥ 5.19 (54aa83c90198): only if vcpu->preempted, and (6cd88243c7e0) at an instruction boundary', () => {
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.19', vcpuPreempted: false })).toBe(false)
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '5.19', vcpuPreempted: true })).toBe(true)
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '6.8', vcpuPreempted: true, atInstructionBoundary: false })).toBe(false)
  })
  it('< 4.10: no steal-time preempted flag at all', () => {
    expect(kvmArchVcpuPutReportsPreempted({ hostVersion: '4.9', vcpuPreempted: true })).toBe(false)
  })
})

describe('guestSeesPreemptedAfter (kvm_sched_out + kvm_arch_vcpu_put)', () => {
  it('HLT block: preempted before 5.19, not from 5.19', () => {
    expect(guestSeesPreemptedAfter('hlt-block', '5.15')).toBe(true)
    expect(guestSeesPreemptedAfter('hlt-block', '5.18.16')).toBe(true)
    expect(guestSeesPreemptedAfter('hlt-block', '5.18.19')).toBe(false) // 54aa83c90198 in 5.18.17
    expect(guestSeesPreemptedAfter('hlt-block', '5.19')).toBe(false)
    expect(guestSeesPreemptedAfter('hlt-block', '6.12')).toBe(false)
  })
  it('return to userspace: preempted before 5.19, not from 5.19', () => {
    expect(guestSeesPreemptedAfter('userspace-exit', '5.4')).toBe(true)
    expect(guestSeesPreemptedAfter('userspace-exit', '6.1')).toBe(false)
  })
  it('real preemption inside KVM_RUN: preempted on every version with the flag', () => {
    for (const v of ['4.19', '5.14', '5.19', '6.11', '6.12']) expect(guestSeesPreemptedAfter('preempted', v)).toBe(true)
  })
})
