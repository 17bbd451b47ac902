import { describe, it, expect } from 'vitest'
import { guestConsultsPreempted, availableIdleCpu } from '../../core/guest/vcpu-is-preempted.ts'
import type { PreemptedCheckInputs } from '../../core/guest/vcpu-is-preempted.ts'

const inp = (o: Partial<PreemptedCheckInputs> = {}): PreemptedCheckInputs => ({ guestVersion: '6.8', stealTime: true, pvUnhalt: true, realtimeHint: false, nopvspin: false, vcpus: 8, ...o })

describe('vcpu_is_preempted installation (arch/x86/kernel/kvm.c)', () => {
  it('< 5.18 kvm_spinlock_init(): only with PV spinlocks enabled and STEAL_TIME', () => {
    expect(guestConsultsPreempted(inp({ guestVersion: '5.15' })).consults).toBe(true)
    expect(guestConsultsPreempted(inp({ guestVersion: '5.17', realtimeHint: true })).consults).toBe(false)
    expect(guestConsultsPreempted(inp({ guestVersion: '5.10', pvUnhalt: false })).consults).toBe(false)
    expect(guestConsultsPreempted(inp({ guestVersion: '5.10', nopvspin: true })).consults).toBe(false)
    expect(guestConsultsPreempted(inp({ guestVersion: '5.10', vcpus: 1 })).consults).toBe(false)
  })
  it('≥ 5.18 kvm_guest_init() (4ab22f38c204): whenever STEAL_TIME, with the REALTIME hint, nopvspin or HLT passthrough', () => {
    expect(guestConsultsPreempted(inp({ guestVersion: '5.18', realtimeHint: true })).consults).toBe(true)
    expect(guestConsultsPreempted(inp({ guestVersion: '6.1', pvUnhalt: false, nopvspin: true })).consults).toBe(true)
  })
  it('all versions: no KVM_FEATURE_STEAL_TIME ⇒ native vcpu_is_preempted (false)', () => {
    expect(guestConsultsPreempted(inp({ guestVersion: '5.10', stealTime: false })).consults).toBe(false)
    expect(guestConsultsPreempted(inp({ guestVersion: '6.8', stealTime: false })).consults).toBe(false)
  })
})

describe('available_idle_cpu (kernel/sched/core.c, v4.18+)', () => {
  it('idle_cpu && !vcpu_is_preempted', () => {
    expect(availableIdleCpu(true, false)).toBe(true)
    expect(availableIdleCpu(true, true)).toBe(false)
    expect(availableIdleCpu(false, false)).toBe(false)
  })
})
