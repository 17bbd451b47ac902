import { describe, it, expect } from 'vitest'
import { haltpollInit, adjustGuestPollLimit } from '../../core/guest/haltpoll.ts'
import type { GuestHaltpollInputs, GuestPollParams } from '../../core/guest/haltpoll.ts'

const inp = (o: Partial<GuestHaltpollInputs> = {}): GuestHaltpollInputs => ({
  guestVersion: '6.8', mode: 'auto', idleOverride: false, realtimeHint: true, pollControlFeature: true, ...o,
})

describe('haltpoll_init (drivers/cpuidle/cpuidle-haltpoll.c)', () => {
  it('(< v5.4): the driver does not exist', () => {
    const r = haltpollInit(inp({ guestVersion: '5.3', mode: 'force' }))
    expect(r.enabled).toBe(false)
    expect(r.reason).toContain('< 5.4')
  })
  it('(v5.4+, 1328edca4a14): loads with KVM_HINTS_REALTIME and clears MSR_KVM_POLL_CONTROL ⇒ host polling off', () => {
    for (const v of ['5.4', '5.10', '6.8']) {
      const r = haltpollInit(inp({ guestVersion: v }))
      expect(r).toMatchObject({ enabled: true, disablesHostPoll: true })
    }
  })
  it('(v5.4+): without KVM_HINTS_REALTIME and without force it refuses (-ENODEV)', () => {
    for (const v of ['5.4', '5.6', '6.8']) {
      const r = haltpollInit(inp({ guestVersion: v, realtimeHint: false }))
      expect(r.enabled).toBe(false)
      expect(r.reason).toContain('KVM_HINTS_REALTIME')
    }
  })
  it('(v5.7+): cpuidle_haltpoll.force=Y loads it without the hint; before 5.7 the parameter does not exist', () => {
    expect(haltpollInit(inp({ guestVersion: '5.7', realtimeHint: false, mode: 'force' })).enabled).toBe(true)
    expect(haltpollInit(inp({ guestVersion: '6.8', realtimeHint: false, mode: 'force' })).enabled).toBe(true)
    const old = haltpollInit(inp({ guestVersion: '5.6', realtimeHint: false, mode: 'force' }))
    expect(old.enabled).toBe(false)
    expect(old.reason).toContain('5.7')
  })
  it('(all versions): idle= on the guest command line (boot_option_idle_override) wins over force and the hint', () => {
    expect(haltpollInit(inp({ idleOverride: true, mode: 'force' })).enabled).toBe(false)
  })
  it('"off" in the profile: not loaded', () => {
    expect(haltpollInit(inp({ mode: 'off' })).enabled).toBe(false)
  })
  it('arch_haltpoll_enable without KVM_FEATURE_POLL_CONTROL: guest polls, host polling stays on', () => {
    const r = haltpollInit(inp({ pollControlFeature: false }))
    expect(r).toMatchObject({ enabled: true, disablesHostPoll: false })
    expect(r.reason).toContain('host polling stays on')
  })
})

describe('adjust_poll_limit (drivers/cpuidle/governors/haltpoll.c, defaults of guest-halt-polling.rst)', () => {
  const p: GuestPollParams = { maxNs: 200_000, grow: 2, growStart: 50_000, shrink: 2, allowShrink: true }
  it('woken after the per-CPU limit but within guest_halt_poll_ns ⇒ grow from grow_start, ×grow, capped', () => {
    expect(adjustGuestPollLimit(0, 10_000, p)).toBe(50_000)
    expect(adjustGuestPollLimit(50_000, 60_000, p)).toBe(100_000)
    expect(adjustGuestPollLimit(150_000, 200_000, p)).toBe(200_000)
  })
  it('woken within the per-CPU limit ⇒ keep', () => {
    expect(adjustGuestPollLimit(100_000, 80_000, p)).toBe(100_000)
    expect(adjustGuestPollLimit(100_000, 100_000, p)).toBe(100_000)
  })
  it('woken after guest_halt_poll_ns ⇒ shrink ÷shrink (no reset to 0 below grow_start, unlike KVM\'s shrink_halt_poll_ns()); shrink 0 ⇒ 0', () => {
    expect(adjustGuestPollLimit(200_000, 1_000_000, p)).toBe(100_000)
    expect(adjustGuestPollLimit(80_000, 1_000_000, p)).toBe(40_000)
    expect(adjustGuestPollLimit(200_000, 1_000_000, { ...p, shrink: 0 })).toBe(0)
  })
  it('guest_halt_poll_allow_shrink=N: a long halt keeps the limit', () => {
    expect(adjustGuestPollLimit(200_000, 1_000_000, { ...p, allowShrink: false })).toBe(200_000)
  })
})
