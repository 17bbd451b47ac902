import { describe, it, expect } from 'vitest'
import { avicState, x2avicAvailable } from '../../core/kvm/avic.ts'
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
  it('guest x2APIC: inhibited before x2AVIC (6.0, Zen 4 only); fine on Genoa from 6.0', () => {
    expect(x2avicAvailable('5.19', 'genoa')).toBe(false)
    expect(x2avicAvailable('6.0', 'genoa')).toBe(true)
    expect(avicState(inp({ guestX2apic: true, cpu: 'genoa', hostVersion: '5.15' })).inhibits).toEqual(['APICV_INHIBIT_REASON_X2APIC'])
    expect(avicState(inp({ guestX2apic: true, cpu: 'genoa', hostVersion: '6.1' })).active).toBe(true)
    expect(avicState(inp({ guestX2apic: true, cpu: 'milan', hostVersion: '6.8' })).active).toBe(false)
  })
  it('erratum #1235 (8de4a1c8164e, 6.17): Family 17h (Rome) keeps AVIC but loses IPI virtualization; 6.16 keeps it', () => {
    expect(avicState(inp({ cpu: 'rome', hostVersion: '6.17' }))).toMatchObject({ active: true, ipiAccelerated: false })
    expect(avicState(inp({ cpu: 'rome', hostVersion: '6.16' }))).toMatchObject({ active: true, ipiAccelerated: true })
    expect(avicState(inp({ cpu: 'milan', hostVersion: '6.17' }))).toMatchObject({ active: true, ipiAccelerated: true })
  })
})
