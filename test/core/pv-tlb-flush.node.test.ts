import { describe, it, expect } from 'vitest'
import { pvTlbFlushSupported, pvIpiSupported } from '../../core/guest/pv-tlb-flush.ts'
import type { PvTlbFlushInputs } from '../../core/guest/pv-tlb-flush.ts'

const inp = (o: Partial<PvTlbFlushInputs> = {}): PvTlbFlushInputs => ({ pvTlbFlush: true, stealTime: true, realtimeHint: false, guestMwait: false, vcpus: 4, guestVersion: '6.8', ...o })

describe('pv_tlb_flush_supported() (arch/x86/kernel/kvm.c)', () => {
  it('on with PV_TLB_FLUSH and steal time, guest ≥ 4.16', () => {
    expect(pvTlbFlushSupported(inp()).supported).toBe(true)
    expect(pvTlbFlushSupported(inp({ guestVersion: '4.15' })).supported).toBe(false)
    expect(pvTlbFlushSupported(inp({ guestVersion: '4.16' })).supported).toBe(true)
  })
  it('off with KVM_HINTS_REALTIME, without steal time, with MWAIT in CPUID, on one CPU, or without the feature', () => {
    expect(pvTlbFlushSupported(inp({ realtimeHint: true })).reason).toMatch(/REALTIME/)
    expect(pvTlbFlushSupported(inp({ stealTime: false })).supported).toBe(false)
    expect(pvTlbFlushSupported(inp({ guestMwait: true })).supported).toBe(false)
    expect(pvTlbFlushSupported(inp({ vcpus: 1 })).supported).toBe(false)
    expect(pvTlbFlushSupported(inp({ pvTlbFlush: false })).supported).toBe(false)
  })
})

describe('pv_ipi_supported() (kvm_apic_init → kvm_setup_pv_ipi)', () => {
  it('needs PV_SEND_IPI, more than one CPU and guest ≥ 4.19; not gated by REALTIME', () => {
    expect(pvIpiSupported({ pvIpi: true, vcpus: 4, guestVersion: '4.19' })).toBe(true)
    expect(pvIpiSupported({ pvIpi: true, vcpus: 4, guestVersion: '4.18' })).toBe(false)
    expect(pvIpiSupported({ pvIpi: true, vcpus: 1, guestVersion: '6.8' })).toBe(false)
    expect(pvIpiSupported({ pvIpi: false, vcpus: 4, guestVersion: '6.8' })).toBe(false)
  })
})
