import { describe, it, expect } from 'vitest'
import { kvmSpinlockInit } from '../../core/guest/pvspinlock.ts'
import type { SpinlockInputs } from '../../core/guest/pvspinlock.ts'

const inp = (o: Partial<SpinlockInputs> = {}): SpinlockInputs => ({ pvUnhalt: true, realtimeHint: false, nopvspin: false, vcpus: 4, guestVersion: '6.8', ...o })

describe('kvm_spinlock_init (arch/x86/kernel/kvm.c), checks in kernel order', () => {
  it('1. no KVM_FEATURE_PV_UNHALT ⇒ "no host support", return before `out:` ⇒ virt_spin_lock test-and-set, even with the REALTIME hint', () => {
    expect(kvmSpinlockInit(inp({ pvUnhalt: false })).kind).toBe('test-and-set')
    expect(kvmSpinlockInit(inp({ pvUnhalt: false, realtimeHint: true, nopvspin: true, vcpus: 1 })).kind).toBe('test-and-set')
    expect(kvmSpinlockInit(inp({ pvUnhalt: false })).reason).toContain('no host support')
  })
  it('2. (v4.17+, "Choose qspinlock when dedicated physical CPUs are available") KVM_HINTS_REALTIME ⇒ native qspinlock', () => {
    const r = kvmSpinlockInit(inp({ realtimeHint: true }))
    expect(r.kind).toBe('native qspinlock')
    expect(r.reason).toContain('KVM_HINTS_REALTIME')
  })
  it('3. one possible CPU ⇒ native qspinlock', () => {
    expect(kvmSpinlockInit(inp({ vcpus: 1 })).kind).toBe('native qspinlock')
  })
  it('4. (v5.5+) nopvspin ⇒ native qspinlock; older guests ignore the parameter', () => {
    expect(kvmSpinlockInit(inp({ nopvspin: true, guestVersion: '5.5' })).kind).toBe('native qspinlock')
    expect(kvmSpinlockInit(inp({ nopvspin: true, guestVersion: '6.8' })).reason).toContain('nopvspin')
    expect(kvmSpinlockInit(inp({ nopvspin: true, guestVersion: '5.4' })).kind).toBe('pvqspinlock')
  })
  it('otherwise pvqspinlock (pv_wait = HLT, pv_kick = KVM_HC_KICK_CPU)', () => {
    expect(kvmSpinlockInit(inp()).kind).toBe('pvqspinlock')
  })
})
