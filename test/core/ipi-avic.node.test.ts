// Guest IPI send paths and AMD AVIC in the model (model.md "IPIs and AVIC"): the direction of each effect, on the
// shipped examples (Sapphire Rapids IPIv / PV IPI / xAPIC; Milan AVIC off, inhibited by the PIT, hybrid, xAVIC).
import { readFileSync } from 'node:fs'
import { describe, it, expect, beforeAll } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import type { ConfigResult, Profile } from '../../core/index.ts'

const DURATION = 0.1
const ICR = 'x2APIC ICR write (guest IPI)'
const TLB = 'guest TLB-shootdown IPI (flush_tlb_mm_range)'

function example(name: string, patch?: (j: Record<string, unknown>) => void): Profile {
  const j = JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>
  patch?.(j)
  const r = loadProfile(j)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}
const rows = (r: ConfigResult) => r.vms[0]!.exits
const count = (r: ConfigResult, reason: string): number => rows(r).find((x) => x.reason === reason)?.count ?? 0
const total = (r: ConfigResult): number => rows(r).reduce((a, x) => a + x.count, 0)
const byCause = (r: ConfigResult, cause: string): number => rows(r).reduce((a, x) => a + (x.causes[cause] ?? 0), 0)
const decision = (r: ConfigResult, id: string): string => r.vms[0]!.decisions.find((d) => d.id === id)!.value
const strip = (r: ConfigResult): unknown => JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === 'wallMs' ? undefined : v)))

describe('examples/ipi-virtualization.json (Sapphire Rapids, fork-join, 2,000 guest TLB shootdowns/s)', () => {
  const res: Record<string, ConfigResult> = {}
  beforeAll(() => {
    const p = example('ipi-virtualization')
    for (const c of ['ipiv', 'ipiv-no-pv-ipi', 'no-ipiv', 'no-ipiv-no-pv-ipi', 'no-ipiv-xapic']) res[c] = runConfiguration(p, c, { durationSec: DURATION })
  })

  it('IPIv: no ICR-write exits; without it every reschedule IPI is an MSR_WRITE exit (fastpath on 6.8)', () => {
    expect(byCause(res['ipiv']!, ICR)).toBe(0)
    expect(decision(res['ipiv']!, 'ipi-unicast')).toBe('IPIv')
    expect(byCause(res['no-ipiv']!, ICR)).toBeGreaterThan(500)
    expect(rows(res['no-ipiv']!).find((x) => x.reason === 'MSR_WRITE')!.causes[ICR]).toBe(byCause(res['no-ipiv']!, ICR))
    expect(decision(res['no-ipiv']!, 'ipi-unicast')).toBe('x2APIC ICR write, fastpath')
  })

  it('PV IPI: a TLB shootdown is one VMCALL instead of one exit per target, so fewer exits without IPIv', () => {
    const pv = res['no-ipiv']!
    const noPv = res['no-ipiv-no-pv-ipi']!
    expect(rows(pv).find((x) => x.reason === 'VMCALL')!.causes[TLB]).toBeGreaterThan(50)
    expect(count(noPv, 'VMCALL')).toBe(0)
    expect(byCause(noPv, TLB)).toBeGreaterThan(2 * byCause(pv, TLB))
    expect(total(noPv)).toBeGreaterThan(total(pv))
  })

  it('with IPIv, PV IPI costs exits a per-target ICR write would not', () => {
    expect(byCause(res['ipiv']!, TLB)).toBeGreaterThan(50)
    expect(byCause(res['ipiv-no-pv-ipi']!, TLB)).toBe(0)
  })

  it('xAPIC guest: ICR writes are trap-like APIC_WRITE exits, dearer than the x2APIC fastpath', () => {
    const x = res['no-ipiv-xapic']!
    expect(byCause(x, ICR)).toBe(0)
    const aw = rows(x).find((r) => r.reason === 'APIC_WRITE')!
    expect(aw.causes['xAPIC ICR write (guest IPI)']).toBeGreaterThan(500)
    const msr = rows(res['no-ipiv-no-pv-ipi']!).find((r) => r.reason === 'MSR_WRITE')!
    expect(aw.meanNs).toBeGreaterThan(msr.meanNs)
  })

  it('guest TLB shootdowns default to 0: no such IPI', () => {
    const p = example('ipi-virtualization', (j) => { ((j.vms as Record<string, Record<string, unknown>>[])[0]!.guest!).tlbShootdownsPerSec = 0 })
    const r = runConfiguration(p, 'no-ipiv-no-pv-ipi', { durationSec: 0.03 })
    expect(byCause(r, TLB)).toBe(0)
  })

  it('PV TLB flush: vCPUs the guest sees preempted are skipped (kvm_flush_tlb_multi())', () => {
    // vCPUs pinned on housekeeping CPUs that kworkers preempt (host 6.8 marks a real preemption in steal time); bursts
    // of 100 µs leave enough targets preempted at a flush that the skipped IPIs stand out of the run-to-run spread
    const patch = (pvTlbFlush: boolean) => (j: Record<string, unknown>) => {
      const h = j.host as Record<string, Record<string, unknown>>
      h.kernel!.cmdline = {}
      h.noise = { kworkerPerSec: 5000, kworkerNs: 100000 }
      const vm = (j.vms as Record<string, Record<string, Record<string, unknown>>>[])[0]!
      vm.kvm = { pv: { pvIpi: false, pvTlbFlush } }
    }
    // 0.3 s: in 0.1 s one seed's count of preempted targets can fall within the other run's spread
    const on = runConfiguration(example('ipi-virtualization', patch(true)), 'no-ipiv', { durationSec: 0.3 })
    const off = runConfiguration(example('ipi-virtualization', patch(false)), 'no-ipiv', { durationSec: 0.3 })
    expect(decision(on, 'pv-tlb-flush')).toBe('on')
    expect(decision(off, 'pv-tlb-flush')).toBe('off')
    expect(byCause(off, TLB)).toBeGreaterThan(byCause(on, TLB))
  })
})

describe('examples/amd-avic.json (Milan, fork-join)', () => {
  const res: Record<string, ConfigResult> = {}
  beforeAll(() => {
    const p = example('amd-avic')
    for (const c of ['avic-off', 'avic-pit-reinject', 'avic-hybrid', 'avic-xapic', 'avic-xapic-no-halt-poll']) res[c] = runConfiguration(p, c, { durationSec: DURATION })
  })

  it('prints an SVM table: lower-case SVM names only', () => {
    for (const r of Object.values(res)) for (const x of rows(r)) expect(x.reason).toMatch(/^[a-z_]+$/)
    expect(count(res['avic-off']!, 'msr')).toBeGreaterThan(0)
    expect(count(res['avic-off']!, 'hlt')).toBeGreaterThan(0)
  })

  it('AVIC on: fewer `interrupt` exits than AVIC off (no kick to deliver to a running vCPU)', () => {
    const off = res['avic-off']!.vms[0]!.exits.find((x) => x.reason === 'interrupt')!
    expect(off.causes['kick IPI (interrupt injection)']).toBeGreaterThan(500)
    for (const c of ['avic-hybrid', 'avic-xapic']) {
      expect(count(res[c]!, 'interrupt')).toBeLessThan(count(res['avic-off']!, 'interrupt'))
      expect(byCause(res[c]!, 'kick IPI (interrupt injection)')).toBe(0)
    }
  })

  it('the AVIC decision says where kvm_amd.avic comes from: host.kvm.enableApicv, true unless the profile sets it (the kernel\'s own default is off before 6.18)', () => {
    const reason = res['avic-hybrid']!.vms[0]!.decisions.find((d) => d.id === 'avic')!.reason
    expect(reason).toMatch(/kvm_amd\.avic=1 from host\.kvm\.enableApicv \(true unless the profile sets it false\)/)
    expect(reason).not.toMatch(/as the profile sets it/)
    expect(res['avic-off']!.vms[0]!.decisions.find((d) => d.id === 'avic')!.reason).toMatch(/kvm_amd\.avic=0 from host\.kvm\.enableApicv/)
  })

  it('AVIC inhibited by the PIT in re-inject mode behaves exactly like AVIC off', () => {
    expect(decision(res['avic-pit-reinject']!, 'avic')).toBe('inhibited')
    expect(decision(res['avic-pit-reinject']!, 'avic-inhibits')).toBe('PIT_REINJ')
    expect(res['avic-pit-reinject']!.vms[0]!.exits).toEqual(res['avic-off']!.vms[0]!.exits)
  })

  it('hybrid AVIC (x2APIC guest, no x2AVIC on Milan): ICR writes still exit; xAPIC guest: virtualized', () => {
    expect(decision(res['avic-hybrid']!, 'avic')).toMatch(/hybrid/)
    expect(byCause(res['avic-hybrid']!, ICR)).toBeGreaterThan(500)
    expect(byCause(res['avic-xapic']!, ICR)).toBe(0)
    expect(count(res['avic-xapic']!, 'msr')).toBeLessThan(count(res['avic-hybrid']!, 'msr'))
  })

  it('avic_incomplete_ipi when the target is blocked (IsRunning = 0): many without halt polling', () => {
    expect(count(res['avic-off']!, 'avic_incomplete_ipi')).toBe(0)
    expect(count(res['avic-xapic-no-halt-poll']!, 'avic_incomplete_ipi')).toBeGreaterThan(500)
    expect(count(res['avic-xapic-no-halt-poll']!, 'avic_incomplete_ipi')).toBeGreaterThan(5 * count(res['avic-xapic']!, 'avic_incomplete_ipi'))
  })

  it('halt polling before 5.17 clears IsRunning (kvm_vcpu_block() → avic_vcpu_blocking() before the poll): IPIs to polling vCPUs exit as avic_incomplete_ipi; from 5.17 they are delivered without an exit', () => {
    // kvm.halt_poll_ns=1000000: idle vCPUs poll through the barrier waits, so most wake-up IPIs find their target polling
    const at = (v: string): ConfigResult => runConfiguration(example('amd-avic', (j) => {
      const h = j.host as Record<string, Record<string, unknown>>
      h.kernel!.version = v
      h.kvm = { haltPoll: { haltPollNs: 1_000_000 } }
    }), 'avic-xapic', { durationSec: DURATION })
    const before = at('5.16')
    const after = at('5.17')
    expect(decision(before, 'avic-halt-poll')).toBe('IsRunning cleared while polling')
    expect(decision(after, 'avic-halt-poll')).toBe('IsRunning kept while polling')
    expect(count(before, 'avic_incomplete_ipi')).toBeGreaterThan(500)
    expect(count(before, 'avic_incomplete_ipi')).toBeGreaterThan(10 * count(after, 'avic_incomplete_ipi'))
    // without halt polling the vCPU blocks at once on both: the rework changes nothing there
    expect(decision(res['avic-xapic-no-halt-poll']!, 'avic-halt-poll')).toBe('no halt polling')
  })

  it('Genoa (x2AVIC): an x2APIC guest gets its IPIs virtualized, no ICR msr exit', () => {
    const r = runConfiguration(example('amd-avic', (j) => { (j.host as Record<string, unknown>).cpu = 'genoa' }), 'avic-hybrid', { durationSec: 0.05 })
    expect(decision(r, 'avic')).toBe('active (x2AVIC)')
    expect(decision(r, 'ipi-unicast')).toMatch(/IsRunning/)
    expect(byCause(r, ICR)).toBe(0)
  })

  it('is deterministic', () => {
    const again = runConfiguration(example('amd-avic'), 'avic-xapic-no-halt-poll', { durationSec: DURATION })
    expect(strip(again)).toEqual(strip(res['avic-xapic-no-halt-poll']!))
  })
})
