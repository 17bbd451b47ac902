import { describe, it, expect } from 'vitest'
import { guestConsultsPreempted, availableIdleCpu, preemptedReaders, pvSchedYieldSupported } from '../../core/guest/vcpu-is-preempted.ts'
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

describe('the readers of the steal-time preempted flag, each by guest version (issue 13 item 4)', () => {
  it('kvm_flush_tlb_multi() reads steal time itself: it follows pv_tlb_flush_supported(), not vcpu_is_preempted()', () => {
    // a 5.10 guest without PV spinlocks (HLT passthrough hides PV_UNHALT): vcpu_is_preempted() is native, the PV TLB
    // flush still reads the flag
    const consults = guestConsultsPreempted(inp({ guestVersion: '5.10', pvUnhalt: false })).consults
    expect(consults).toBe(false)
    const r = preemptedReaders('5.10', consults, true, true)
    expect(r.tlbFlush).toBe(true)
    expect(r.idleScan).toBe(false)
    expect(r.mutexSpin).toBe(false)
    expect(preemptedReaders('5.10', true, false, false).tlbFlush).toBe(false)
  })
  it('available_idle_cpu() in select_idle_sibling() consults vcpu_is_preempted() only from 4.18 (943d355d7fee)', () => {
    expect(preemptedReaders('4.17', true, true, false).idleScan).toBe(false)
    expect(preemptedReaders('4.18', true, true, false).idleScan).toBe(true)
    expect(preemptedReaders('4.18', false, true, false).idleScan).toBe(false)
  })
  it('mutex_spin_on_owner() / rwsem_spin_on_owner() consult it from 4.10', () => {
    expect(preemptedReaders('4.9', true, false, false).mutexSpin).toBe(false)
    expect(preemptedReaders('4.10', true, false, false).mutexSpin).toBe(true)
    expect(preemptedReaders('4.16', true, false, false).idleScan).toBe(false)
    expect(preemptedReaders('4.16', true, false, false).mutexSpin).toBe(true)
  })
  it('kvm_smp_send_call_func_ipi() (PV sched yield): guest ≥ 5.3, feature exposed, no REALTIME hint, > 1 CPU', () => {
    expect(pvSchedYieldSupported({ pvSchedYield: true, realtimeHint: false, vcpus: 8, guestVersion: '5.3' })).toBe(true)
    expect(pvSchedYieldSupported({ pvSchedYield: true, realtimeHint: false, vcpus: 8, guestVersion: '5.2' })).toBe(false)
    expect(pvSchedYieldSupported({ pvSchedYield: true, realtimeHint: true, vcpus: 8, guestVersion: '6.1' })).toBe(false)
    expect(pvSchedYieldSupported({ pvSchedYield: false, realtimeHint: false, vcpus: 8, guestVersion: '6.1' })).toBe(false)
    expect(preemptedReaders('5.4', true, false, true).callFuncYield).toBe(true)
    expect(preemptedReaders('5.4', false, false, true).callFuncYield).toBe(false)
  })
})
