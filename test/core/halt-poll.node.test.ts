import { describe, it, expect } from 'vitest'
import { defaultShrink, growHaltPoll, shrinkHaltPoll, updateHaltPoll } from '../../core/kvm/halt-poll.ts'
import type { HaltPollParams } from '../../core/kvm/halt-poll.ts'

const params = (hostVersion: string, o: Partial<HaltPollParams> = {}): HaltPollParams => ({
  maxNs: 200_000, grow: 2, growStart: 10_000, shrink: defaultShrink(hostVersion), hostVersion, ...o,
})

describe('halt_poll_ns_shrink default (virt/kvm/kvm_main.c)', () => {
  it('(< v6.11): 0 — a long halt resets the window', () => {
    expect(defaultShrink('5.10')).toBe(0)
    expect(defaultShrink('6.10')).toBe(0)
  })
  it('(v6.11+, aeb1b22a3ac8): 2 — a long halt halves the window', () => {
    expect(defaultShrink('6.11')).toBe(2)
    expect(defaultShrink('6.12')).toBe(2)
  })
})

describe('grow_halt_poll_ns', () => {
  it('(v5.1+): val·grow, starting at halt_poll_ns_grow_start, capped by the max', () => {
    const p = params('6.8')
    expect(growHaltPoll(0, p)).toBe(10_000)
    expect(growHaltPoll(10_000, p)).toBe(20_000)
    expect(growHaltPoll(3_000, p)).toBe(10_000)
    expect(growHaltPoll(150_000, p)).toBe(200_000)
    expect(growHaltPoll(0, params('6.8', { growStart: 50_000 }))).toBe(50_000)
  })
  it('(v5.1+): grow=0 leaves the window as it is ("should never shrink")', () => {
    expect(growHaltPoll(40_000, params('6.8', { grow: 0 }))).toBe(40_000)
  })
  it('(< v5.1): 0 grows to a fixed 10000 ns, otherwise val·grow; grow=0 resets to 0', () => {
    const p = params('5.0', { growStart: 50_000 })
    expect(growHaltPoll(0, p)).toBe(10_000)
    expect(growHaltPoll(3_000, p)).toBe(6_000)
    expect(growHaltPoll(40_000, params('4.19', { grow: 0 }))).toBe(0)
  })
})

describe('shrink_halt_poll_ns', () => {
  it('(all versions): shrink=0 resets to 0', () => {
    expect(shrinkHaltPoll(160_000, params('5.10', { shrink: 0 }))).toBe(0)
  })
  it('(v5.15+, Senozhatsky "do not shrink halt_poll_ns below grow_start"): below grow_start ⇒ 0', () => {
    expect(shrinkHaltPoll(160_000, params('6.11'))).toBe(80_000)
    expect(shrinkHaltPoll(16_000, params('6.11'))).toBe(0)
    expect(shrinkHaltPoll(20_000, params('6.11'))).toBe(10_000)
  })
  it('(< v5.15): plain division, may stay below grow_start', () => {
    expect(shrinkHaltPoll(16_000, params('5.14', { shrink: 2 }))).toBe(8_000)
  })
})

describe('kvm_vcpu_halt() window update', () => {
  const p = params('6.11')
  it('halt shorter than the window: keep', () => {
    expect(updateHaltPoll(40_000, 30_000, true, p)).toBe(40_000)
    expect(updateHaltPoll(40_000, 40_000, true, p)).toBe(40_000)
  })
  it('"we had a long block": halt > max with a non-zero window ⇒ shrink (÷2 from v6.11, reset before)', () => {
    expect(updateHaltPoll(160_000, 1_000_000, true, p)).toBe(80_000)
    expect(updateHaltPoll(160_000, 1_000_000, true, params('6.8'))).toBe(0)
  })
  it('"short halt, poll too small": window < halt < max ⇒ grow', () => {
    expect(updateHaltPoll(0, 50_000, true, p)).toBe(10_000)
    expect(updateHaltPoll(10_000, 50_000, true, p)).toBe(20_000)
  })
  it('long halt with window 0: stays 0 (no grow, no shrink)', () => {
    expect(updateHaltPoll(0, 1_000_000, true, p)).toBe(0)
  })
  it('halt == max with a window below max: neither branch (halt_ns < max is strict)', () => {
    expect(updateHaltPoll(100_000, 200_000, true, p)).toBe(100_000)
  })
  it('!vcpu_valid_wakeup ⇒ shrink', () => {
    expect(updateHaltPoll(160_000, 5_000, false, p)).toBe(80_000)
  })
  it('halt_poll_ns = 0 (max 0) ⇒ window 0', () => {
    expect(updateHaltPoll(160_000, 5_000, true, { ...p, maxNs: 0 })).toBe(0)
  })
  it('a run of equal short wakeups grows 10k→20k→…→160k, the first window ≥ the halt, and stays there', () => {
    const seen: number[] = []
    let w = 0
    for (let i = 0; i < 20; i++) { w = updateHaltPoll(w, 150_000, true, p); seen.push(w) }
    expect(seen.slice(0, 6)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 160_000])
    expect(w).toBe(160_000)
  })
})
