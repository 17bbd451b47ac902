// The indirect cost of an exit (core/kvm/indirect-cost.ts): the cache/TLB refill after vcpu_enter_guest()'s VM entry
// slows the guest work that follows, once — a burst of back-to-back exits with no guest work between them leaves one
// refill to pay, not one per exit — and by at most the work's own length (IPC at worst halved, FlexSC). Unit tests of
// the three decisions, then the real core on a burst of ICR writes and on kvm-unit-tests' tscdeadline_immed.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { metricValue } from '../../core/validation/index.ts'
import { pollutionAfterEntry, pollutionAfterSuspend, unpaidPollution, refillPaidBy } from '../../core/kvm/indirect-cost.ts'
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
  it('the refill is paid as the work runs: work suspended a share of the way through owes the same share of the rest', () => {
    // 3,600 ns long, of which 1,800 are refill (a 1,800 ns work at half speed)
    expect(unpaidPollution(1_800, 900, 3_600)).toBe(1_350)
    expect(unpaidPollution(1_800, 1_800, 3_600)).toBe(900)
    expect(unpaidPollution(1_800, 3_600, 3_600)).toBe(0)
    expect(unpaidPollution(1_800, 5_000, 3_600)).toBe(0)
    expect(unpaidPollution(0, 100, 3_600)).toBe(0)
  })
})

describe('guest work after an entry: refillPaidBy()', () => {
  it('a work pays the pending refill up to its own length (at worst half speed); a long work pays all of it', () => {
    expect(refillPaidBy(1_800, 500)).toBe(500)
    expect(refillPaidBy(1_800, 5_000)).toBe(1_800)
    expect(refillPaidBy(0, 500)).toBe(0)
    expect(refillPaidBy(1_800, 0)).toBe(0)
  })
})

describe('a short work suspended while it pays part of a refill: pollutionAfterSuspend()', () => {
  it('its unpaid part and the rest it left pending are one refill: they add up, nothing is lost without an entry', () => {
    // a 500 ns handler takes 500 of a 1,800 ns refill (1,300 stay pending, 1,000 ns long); an interrupt suspends it
    // after 200 ns, a fifth of the way: 400 of its 500 unpaid
    const pending = 1_800 - refillPaidBy(1_800, 500)
    const unpaid = unpaidPollution(refillPaidBy(1_800, 500), 200, 1_000)
    expect(pollutionAfterSuspend(pending, unpaid)).toBe(1_700)
    // the entry rule would have kept only the larger part
    expect(pollutionAfterEntry(pending, unpaid)).toBe(1_300)
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

  it('the call is longer by far less than one refill, never by one per exit of the burst', () => {
    // the sender's csd_lock_wait() spin pays nothing and the next call's ICR writes exit before any work: the pending
    // refill is paid only by the sender's occasional tick handler, up to its length — next to nothing per call (a few
    // ns, within the runs' own spread), where one refill per call would add 10 µs and one per exit 70 µs
    const perCall = (c: string): number => metricValue(res[c]!, { kind: 'figure', figure: 'ns per call' })
    const added = perCall('indirect') - perCall('no-indirect')
    expect(Math.abs(added)).toBeLessThan(INDIRECT_NS / 10)
  })
})

describe('a short interrupt handler after an entry runs at worst at half speed (vmexit tscdeadline_immed)', () => {
  // each iteration: the TSC-deadline write's MSR_WRITE exit, the entry that injects the timer, the guest's timer
  // interrupt (guestTimerIrq, 500 ns mean) — the only guest work after the entry. A 10 µs refill slows it by at most
  // its own length, not by 10 µs
  const INDIRECT_NS = 10_000
  const ISR = { minNs: 500, meanNs: 500, sigma: 0 }
  const one = { vcpus: 1, pinning: { vcpupin: ['4'], emulatorpin: '0', iothreadpin: '1' } }
  const profile = workloadProfile({ kind: 'vmexit', test: 'tscdeadline_immed' }, {
    'no-indirect': { host: { costs: { guestTimerIrq: ISR, indirect: { minNs: 0, meanNs: 0, sigma: 0 } } } },
    indirect: { host: { costs: { guestTimerIrq: ISR, indirect: { minNs: INDIRECT_NS, meanNs: INDIRECT_NS, sigma: 0 } } } },
  }, one)
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, 0.05) })

  it('the iteration grows by about the handler\'s length, far less than the refill', () => {
    const ns = (c: string): number => metricValue(res[c]!, { kind: 'figure', figure: 'tscdeadline_immed' }) / 2.4
    const added = ns('indirect') - ns('no-indirect')
    expect(added).toBeGreaterThan(0.5 * ISR.meanNs)
    expect(added).toBeLessThan(1.5 * ISR.meanNs)
  })
})
