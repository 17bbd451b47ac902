import { describe, it, expect } from 'vitest'
import { avicState, x2avicAvailable, avicParamDefault, avicRunningWhileHaltPolling, avicIsRunning, avicHaltPollDecision } from '../../core/kvm/avic.ts'
import { KERNEL_FIXES, hostHasFix } from '../../core/kvm/backports.ts'
import { St } from '../../core/sim/constants.ts'
import type { AvicInputs } from '../../core/kvm/avic.ts'

const inp = (o: Partial<AvicInputs> = {}): AvicInputs => ({ hostVersion: '6.8', cpu: 'milan', enableAvic: true, pitReinject: false, guestX2apic: false, ...o })

describe('AVIC inhibits (svm/avic.c, x86.c)', () => {
  it('kvm_amd.avic=0 ⇒ APICV_INHIBIT_REASON_DISABLE', () => {
    expect(avicState(inp({ enableAvic: false }))).toMatchObject({ active: false, inhibits: ['APICV_INHIBIT_REASON_DISABLE'] })
  })
  it('kvm_pit_set_reinject(): PIT re-inject ⇒ APICV_INHIBIT_REASON_PIT_REINJ', () => {
    expect(avicState(inp({ pitReinject: true })).inhibits).toContain('APICV_INHIBIT_REASON_PIT_REINJ')
    expect(avicState(inp({ pitReinject: true })).active).toBe(false)
  })
  it('guest x2APIC: inhibited before 6.0; from 6.0 x2AVIC on Genoa, hybrid AVIC (avic_activate_vmcb(), 0e311d33bfbe) without x2AVIC', () => {
    expect(x2avicAvailable('5.19', 'genoa')).toBe(false)
    expect(x2avicAvailable('6.0', 'genoa')).toBe(true)
    expect(avicState(inp({ guestX2apic: true, cpu: 'genoa', hostVersion: '5.15' })).inhibits).toEqual(['APICV_INHIBIT_REASON_X2APIC'])
    expect(avicState(inp({ guestX2apic: true, cpu: 'milan', hostVersion: '5.19' })).inhibits).toEqual(['APICV_INHIBIT_REASON_X2APIC'])
    expect(avicState(inp({ guestX2apic: true, cpu: 'genoa', hostVersion: '6.1' }))).toMatchObject({ active: true, x2avic: true, hybrid: false })
    expect(avicState(inp({ guestX2apic: true, cpu: 'milan', hostVersion: '6.8' }))).toMatchObject({ active: true, x2avic: false, hybrid: true })
    expect(avicState(inp({ guestX2apic: false, cpu: 'milan', hostVersion: '6.8' }))).toMatchObject({ active: true, hybrid: false })
  })
  it('avic_want_avic_enabled(): kvm_amd.avic defaults off before 6.18, "auto" from 6.18 (ca2967de5a5b) = on for Zen 4+ with x2AVIC', () => {
    expect(avicParamDefault('6.17', 'genoa')).toBe(false)
    expect(avicParamDefault('6.18', 'genoa')).toBe(true)
    expect(avicParamDefault('6.18', 'milan')).toBe(false)
    expect(avicParamDefault('6.18', 'rome')).toBe(false)
  })
  it('avic_init_backing_page(): APIC IDs past the table inhibit (254 without x2AVIC, 511 with)', () => {
    expect(avicState(inp({ vcpus: 255 })).active).toBe(true)
    expect(avicState(inp({ vcpus: 256 })).inhibits).toEqual(['APICV_INHIBIT_REASON_PHYSICAL_ID_TOO_BIG'])
    expect(avicState(inp({ vcpus: 512, cpu: 'genoa', guestX2apic: true })).active).toBe(true)
    expect(avicState(inp({ vcpus: 513, cpu: 'genoa', guestX2apic: true })).active).toBe(false)
  })
  it('kvm_amd.enable_ipiv=0 (d921665e01ba, 6.17) never sets IsRunning; before 6.17 there is no such parameter', () => {
    expect(avicState(inp({ hostVersion: '6.17', enableIpiv: false }))).toMatchObject({ active: true, ipiAccelerated: false })
    expect(avicState(inp({ hostVersion: '6.16', enableIpiv: false }))).toMatchObject({ active: true, ipiAccelerated: true })
  })
  it('the reason names every inhibit', () => {
    const st = avicState(inp({ enableAvic: false, pitReinject: true }))
    expect(st.reason).toMatch(/DISABLE.*PIT_REINJ/)
  })
  it('erratum #1235 (8de4a1c8164e, 6.17): Family 17h (Rome) keeps AVIC but loses IPI virtualization; 6.16 keeps it', () => {
    expect(avicState(inp({ cpu: 'rome', hostVersion: '6.17' }))).toMatchObject({ active: true, ipiAccelerated: false })
    expect(avicState(inp({ cpu: 'rome', hostVersion: '6.16' }))).toMatchObject({ active: true, ipiAccelerated: true })
    expect(avicState(inp({ cpu: 'milan', hostVersion: '6.17' }))).toMatchObject({ active: true, ipiAccelerated: true })
  })
})

describe('AVIC IsRunning during host halt polling (kvm_vcpu_halt() / kvm_arch_vcpu_blocking() → avic_vcpu_blocking())', () => {
  it('before f6c60d081e2c (5.17) kvm_vcpu_block() cleared IsRunning before polling; from 5.17 polling keeps it', () => {
    for (const v of ['4.19', '5.10.200', '5.15.150', '5.16', '5.16.20']) expect(avicRunningWhileHaltPolling(v)).toBe(false)
    for (const v of ['5.17', '5.19', '6.1', '6.8']) expect(avicRunningWhileHaltPolling(v)).toBe(true)
  })
  it('no stable branch carries the rework: 5.15.y and 5.10.y stay with the pre-5.17 behaviour', () => {
    expect(KERNEL_FIXES.haltPollWithoutArchBlocking.backports).toEqual([])
    expect(hostHasFix('5.15.180', 'haltPollWithoutArchBlocking')).toBe(false)
  })
  it('avic_vcpu_load()/avic_vcpu_put(): IsRunning per vCPU state; HOST_POLL follows the host version', () => {
    for (const s of [St.RUN, St.GUEST_HLT, St.GUEST_POLL, St.EXIT]) expect(avicIsRunning(s, false)).toBe(true)
    for (const s of [St.BLOCKED, St.WAKING, St.PREEMPTED]) expect(avicIsRunning(s, true)).toBe(false)
    expect(avicIsRunning(St.HOST_POLL, avicRunningWhileHaltPolling('5.16'))).toBe(false)
    expect(avicIsRunning(St.HOST_POLL, avicRunningWhileHaltPolling('5.17'))).toBe(true)
  })
  it('the decision names the kernel functions and the version', () => {
    expect(avicHaltPollDecision('5.15', true)).toMatchObject({ value: 'IsRunning cleared while polling', reason: expect.stringMatching(/kvm_arch_vcpu_blocking\(\) → avic_vcpu_blocking\(\)/) })
    expect(avicHaltPollDecision('6.1', true)).toMatchObject({ value: 'IsRunning kept while polling', reason: expect.stringMatching(/f6c60d081e2c/) })
    expect(avicHaltPollDecision('6.1', false).value).toBe('no halt polling')
  })
})
