// The indirect cost of an exit (core/kvm/indirect-cost.ts): the cache/TLB refill after vcpu_enter_guest()'s VM entry
// slows the guest work that follows, once — a burst of back-to-back exits with no guest work between them leaves one
// refill to pay, not one per exit. Unit tests of the two decisions, then the real core on a burst of ICR writes.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { metricValue } from '../../core/validation/index.ts'
import { pollutionAfterEntry, unpaidPollution } from '../../core/kvm/indirect-cost.ts'
import { workloadProfile, runAll, exits } from '../helpers/workload-runs.ts'

describe('vcpu_enter_guest() VM entry: pollutionAfterEntry()', () => {
  it('an entry leaves its refill pending; a second entry before any guest work keeps the larger one, never the sum', () => {
    expect(pollutionAfterEntry(0, 1_800)).toBe(1_800)
    expect(pollutionAfterEntry(1_800, 1_200)).toBe(1_800)
    expect(pollutionAfterEntry(900, 1_800)).toBe(1_800)
    let pending = 0
    for (let i = 0; i < 7; i++) pending = pollutionAfterEntry(pending, 1_800)
    expect(pending).toBe(1_800)
  })
})

describe('an exit suspends guest work (vmx_vcpu_run() leaving guest mode): unpaidPollution()', () => {
  it('the refill is paid first: work suspended before it ran the refill off owes the rest, after it owes nothing', () => {
    expect(unpaidPollution(1_800, 500)).toBe(1_300)
    expect(unpaidPollution(1_800, 1_800)).toBe(0)
    expect(unpaidPollution(1_800, 5_000)).toBe(0)
    expect(unpaidPollution(0, 100)).toBe(0)
  })
})

describe('a burst of back-to-back exits pays one refill (ipi-broadcast without PV IPI: one ICR-write exit per target)', () => {
  // 8 vCPUs: each call's 7 ICR writes exit back to back, with no guest work between them (the sends are queued
  // actions, run before any work). HLT passed through and posted interrupts: the targets wake without an exit or an
  // entry, so no refill of theirs is on the call's path; PLE off: the sender's csd_lock_wait() spin does not exit.
  const vcpus = 8
  const INDIRECT_NS = 10_000
  const base = { host: { kvm: { pleGap: 0 } }, vm: { kvm: { pv: { pvIpi: false }, disableExits: { hlt: true } } } }
  const profile = workloadProfile({ kind: 'ipi-broadcast' }, {
    'no-indirect': { ...base, host: { ...base.host, costs: { indirect: { minNs: 0, meanNs: 0, sigma: 0 } } } },
    indirect: { ...base, host: { ...base.host, costs: { indirect: { minNs: INDIRECT_NS, meanNs: INDIRECT_NS, sigma: 0 } } } },
  }, { vcpus, pinning: { vcpupin: ['4', '5', '6', '7', '8', '9', '10', '11'], emulatorpin: '0', iothreadpin: '1' } })
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, 0.05) })

  it('each call makes vcpus − 1 ICR-write exits in a row', () => {
    const calls = res.indirect!.vms[0]!.workload.throughputPerSec * 0.05
    expect(exits(res.indirect!, 'MSR_WRITE')).toBeGreaterThan(0.95 * (vcpus - 1) * calls)
  })

  it('the call is longer by about one refill, not by one per exit of the burst', () => {
    const perCall = (c: string): number => metricValue(res[c]!, { kind: 'figure', figure: 'ns per call' })
    const added = perCall('indirect') - perCall('no-indirect')
    expect(added).toBeGreaterThan(0.8 * INDIRECT_NS)
    expect(added).toBeLessThan(2 * INDIRECT_NS)
  })
})
