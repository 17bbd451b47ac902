import { describe, it, expect } from 'vitest'
import { ipiSendPath, ipiDelivery, icrFastpath, usesPvIpi } from '../../core/kvm/ipi.ts'
import type { IpiSendInputs } from '../../core/kvm/ipi.ts'

const inp = (o: Partial<IpiSendInputs> = {}): IpiSendInputs => ({ vendor: 'vmx', apicMode: 'x2apic', hostVersion: '6.8', apicvActive: true, ipiv: false, avicActive: false, pvIpi: false, guestVersion: '6.8', multicast: false, ...o })

describe('handle_fastpath_set_msr_irqoff (arch/x86/kvm/x86.c): x2APIC ICR fastpath from 5.6 (1e9e2622a149)', () => {
  it('5.5 no, 5.6 yes; physical destination only', () => {
    expect(icrFastpath('5.5', 'x2apic', 'physical')).toBe(false)
    expect(icrFastpath('5.6', 'x2apic', 'physical')).toBe(true)
    expect(icrFastpath('6.8', 'x2apic', 'logical')).toBe(false)
    expect(icrFastpath('6.8', 'xapic', 'physical')).toBe(false)
    expect(ipiSendPath(inp({ hostVersion: '5.4' }))).toMatchObject({ exit: 'MSR_WRITE', fastpath: false })
    expect(ipiSendPath(inp({ hostVersion: '5.10' }))).toMatchObject({ exit: 'MSR_WRITE', fastpath: true })
    expect(ipiSendPath(inp({ vendor: 'svm', hostVersion: '5.10' }))).toMatchObject({ exit: 'msr', fastpath: true })
  })
})

describe('IPIv (vmx, d588bb9be1da, 5.19+)', () => {
  it('physical unicast: no exit from 5.19; before 5.19 an ordinary ICR exit', () => {
    expect(ipiSendPath(inp({ ipiv: true, hostVersion: '5.19' })).exit).toBe('none')
    expect(ipiSendPath(inp({ ipiv: true, hostVersion: '5.19', apicMode: 'xapic' })).exit).toBe('none')
    expect(ipiSendPath(inp({ ipiv: true, hostVersion: '5.18' })).exit).toBe('MSR_WRITE')
    expect(ipiSendPath(inp({ ipiv: true, apicvActive: false })).exit).toBe('MSR_WRITE')
  })
  it('logical ICR: APIC_WRITE exit', () => {
    expect(ipiSendPath(inp({ ipiv: true, destMode: 'logical', multicast: true })).exit).toBe('APIC_WRITE')
  })
})

describe('xAPIC without IPI virtualization', () => {
  it('VMX: APIC_WRITE with APICv, APIC_ACCESS without; SVM without AVIC: npf', () => {
    expect(ipiSendPath(inp({ apicMode: 'xapic' })).exit).toBe('APIC_WRITE')
    expect(ipiSendPath(inp({ apicMode: 'xapic', apicvActive: false })).exit).toBe('APIC_ACCESS')
    expect(ipiSendPath(inp({ vendor: 'svm', apicMode: 'xapic', apicvActive: false })).exit).toBe('npf')
  })
})

describe('AVIC (svm/avic.c avic_incomplete_ipi_interception)', () => {
  it('target running: no exit; not running: avic_incomplete_ipi; IPI virtualization off: always avic_incomplete_ipi', () => {
    const a = { vendor: 'svm' as const, apicMode: 'xapic' as const, avicActive: true, ipiv: true }
    expect(ipiSendPath(inp({ ...a, targetRunning: true })).exit).toBe('none')
    expect(ipiSendPath(inp({ ...a, targetRunning: false })).exit).toBe('avic_incomplete_ipi')
    expect(ipiSendPath(inp({ ...a, ipiv: false, targetRunning: true })).exit).toBe('avic_incomplete_ipi')
  })
  it('x2APIC guest: x2AVIC virtualizes the ICR; hybrid AVIC (avic_activate_vmcb(), no x2AVIC) intercepts it as an msr exit, fastpath from 5.6', () => {
    const a = { vendor: 'svm' as const, apicMode: 'x2apic' as const, avicActive: true, ipiv: true, apicvActive: false }
    expect(ipiSendPath(inp({ ...a, x2avic: true, targetRunning: true })).exit).toBe('none')
    expect(ipiSendPath(inp({ ...a, x2avic: true, targetRunning: false })).exit).toBe('avic_incomplete_ipi')
    expect(ipiSendPath(inp({ ...a, x2avic: false, targetRunning: false }))).toMatchObject({ exit: 'msr', fastpath: true })
    expect(ipiSendPath(inp({ ...a, x2avic: false, multicast: true }))).toMatchObject({ exit: 'msr', perTarget: true })
  })
})

describe('PV IPI (kvm_setup_pv_ipi, guest ≥ 4.19)', () => {
  it('a multicast is one VMCALL / hypercall; unicast stays an ICR write; older guests and physical multicast pay per target', () => {
    expect(usesPvIpi({ pvIpi: true, guestVersion: '4.19', multicast: true })).toBe(true)
    expect(usesPvIpi({ pvIpi: true, guestVersion: '4.18', multicast: true })).toBe(false)
    expect(ipiSendPath(inp({ pvIpi: true, multicast: true }))).toMatchObject({ exit: 'VMCALL', perTarget: false })
    expect(ipiSendPath(inp({ vendor: 'svm', pvIpi: true, multicast: true })).exit).toBe('hypercall')
    expect(ipiSendPath(inp({ pvIpi: true, multicast: false })).exit).toBe('MSR_WRITE')
    expect(ipiSendPath(inp({ pvIpi: true, multicast: true, guestVersion: '4.14' }))).toMatchObject({ exit: 'MSR_WRITE', perTarget: true })
  })
})

describe('delivery to the target (__apic_accept_irq → deliver_interrupt / kvm_vcpu_kick)', () => {
  it('posted, posted-wakeup, kick-wakeup, kick-exit', () => {
    expect(ipiDelivery({ targetState: 'running', postedInterrupts: true })).toBe('posted')
    expect(ipiDelivery({ targetState: 'halted-in-guest', postedInterrupts: true })).toBe('posted-wakeup')
    expect(ipiDelivery({ targetState: 'blocked', postedInterrupts: true })).toBe('kick-wakeup')
    expect(ipiDelivery({ targetState: 'blocked', postedInterrupts: false })).toBe('kick-wakeup')
    expect(ipiDelivery({ targetState: 'running', postedInterrupts: false })).toBe('kick-exit')
    expect(ipiDelivery({ targetState: 'halted-in-guest', postedInterrupts: false })).toBe('kick-exit')
  })
})
