// Seed 002: kvm_vcpu.scheduled_out (v6.11) and the what-if it enables (experimental, not in any kernel): keep the
// guest state loaded across kvm_sched_out()/kvm_sched_in().
import { describe, it, expect } from 'vitest'
import { scheduledOutFlagExists, skipsVcpuLoad } from '../../core/kvm/scheduled-out.ts'

describe('kvm_vcpu.scheduled_out', () => {
  it('exists from v6.11', () => {
    expect(scheduledOutFlagExists('6.10')).toBe(false)
    expect(scheduledOutFlagExists('6.11')).toBe(true)
    expect(scheduledOutFlagExists('6.12.3')).toBe(true)
  })
})

describe('kvm_sched_in() keeping the guest state loaded (what-if)', () => {
  it('skips vcpu_put()/vcpu_load() back on the same pCPU with no other vCPU loaded there in between', () => {
    expect(skipsVcpuLoad(true, true, true, false)).toBe(true)
  })
  it('does the full put/load after a migration or when another vCPU was loaded on the pCPU', () => {
    expect(skipsVcpuLoad(true, true, false, false)).toBe(false)
    expect(skipsVcpuLoad(true, true, true, true)).toBe(false)
  })
  it('needs scheduled_out: a vCPU put by a return to userspace is not loaded', () => {
    expect(skipsVcpuLoad(true, false, true, false)).toBe(false)
  })
  it('never skips with the knob off (today\'s kernels)', () => {
    expect(skipsVcpuLoad(false, true, true, false)).toBe(false)
  })
})
