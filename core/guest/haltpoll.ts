// Guest cpuidle-haltpoll: the driver's init (drivers/cpuidle/cpuidle-haltpoll.c) and the haltpoll governor's
// select/reflect (drivers/cpuidle/governors/haltpoll.c), as pure decisions; core/guest/guest-idle.ts runs them.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export interface GuestHaltpollInputs {
  guestVersion: string
  mode: 'auto' | 'force' | 'off'
  idleOverride: boolean
  realtimeHint: boolean
  pollControlFeature: boolean
}

/** haltpoll_init(): the driver (v5.4+) loads unless idle= was given, and only with KVM_HINTS_REALTIME (1328edca4a14,
 *  "Enable kvm guest polling when dedicated physical CPUs are available", Aug 2019, in mainline with the driver) or,
 *  from v5.7 (Maciej Szmigiero, March 2020), cpuidle_haltpoll.force=Y. Returns whether it runs and why. */
export function haltpollInit(i: GuestHaltpollInputs): { enabled: boolean; disablesHostPoll: boolean; reason: string } {
  if (i.mode === 'off') return { enabled: false, disablesHostPoll: false, reason: 'cpuidle-haltpoll not loaded (off in the profile)' }
  if (!versionAtLeast(i.guestVersion, '5.4')) return { enabled: false, disablesHostPoll: false, reason: 'guest < 5.4 has no cpuidle-haltpoll' }
  if (i.idleOverride) return { enabled: false, disablesHostPoll: false, reason: 'haltpoll_init(): idle= is set in the guest (boot_option_idle_override)' }
  const forceParam = versionAtLeast(i.guestVersion, '5.7')
  if (!i.realtimeHint && !(i.mode === 'force' && forceParam)) {
    const why = i.mode === 'force' ? 'no KVM_HINTS_REALTIME, and cpuidle_haltpoll.force exists only from guest 5.7' : 'no KVM_HINTS_REALTIME and not cpuidle_haltpoll.force'
    return { enabled: false, disablesHostPoll: false, reason: `haltpoll_init(): ${why}` }
  }
  // arch_haltpoll_enable(): clearing MSR_KVM_POLL_CONTROL bit 0 turns host halt polling off (kvm_arch_no_poll).
  return {
    enabled: true,
    disablesHostPoll: i.pollControlFeature,
    reason: `cpuidle-haltpoll polls in the guest before HLT${i.pollControlFeature ? ' and disables host halt polling through MSR_KVM_POLL_CONTROL' : ' (no poll control: host polling stays on)'}`,
  }
}

export interface GuestPollParams { maxNs: number; grow: number; growStart: number; shrink: number; allowShrink: boolean }

/** haltpoll_select() (drivers/cpuidle/governors/haltpoll.c, unchanged in substance since 2cffe9f6b96f, v5.4): the
 *  next state — 0 the poll state, 1 "haltpoll idle" (HLT) — and whether the tick may stop. A zero per-CPU limit halts
 *  (the tick may stop); after a poll that ran out its window (poll_time_limit) it halts (the tick may stop); after a
 *  poll that ended by an event, or after a halt, it polls and keeps the tick (`*stop_tick = false`). */
export function haltpollSelect(pollLimitNs: number, lastStateIdx: number, pollTimeLimit: boolean): { state: number; stopTick: boolean } {
  if (pollLimitNs === 0) return HALT_STOP
  if (lastStateIdx === 0 && pollTimeLimit) return HALT_STOP
  return POLL_KEEP
}
const HALT_STOP = Object.freeze({ state: 1, stopTick: true })
const POLL_KEEP = Object.freeze({ state: 0, stopTick: false })

/** The halt residency adjust_poll_limit() sees: dev->last_residency in µs before Rafael Wysocki's "cpuidle: Use
 *  nanoseconds as the unit of time" (v5.7; haltpoll_reflect() passed block_us, turned back into ns by ×1000), then
 *  dev->last_residency_ns. */
export function haltpollResidencyNs(haltNs: number, nsUnits: boolean): number {
  return nsUnits ? Math.floor(haltNs) : Math.floor(haltNs / 1000) * 1000
}

/** adjust_poll_limit() (drivers/cpuidle/governors/haltpoll.c), called from haltpoll_reflect() after a halt only (not
 *  after a poll): grow ×guest_halt_poll_grow (at least guest_halt_poll_grow_start, at most guest_halt_poll_ns) when
 *  the halt lasted longer than the per-CPU limit but within guest_halt_poll_ns; shrink ÷guest_halt_poll_shrink (0
 *  with shrink 0) when it lasted longer than guest_halt_poll_ns and guest_halt_poll_allow_shrink is set. Unlike KVM's
 *  shrink_halt_poll_ns() there is no reset to 0 below grow_start. */
export function adjustGuestPollLimit(cur: number, blockNs: number, p: GuestPollParams): number {
  if (blockNs > cur && blockNs <= p.maxNs) {
    let v = cur * p.grow
    if (v < p.growStart) v = p.growStart
    return v > p.maxNs ? p.maxNs : v
  }
  if (blockNs > p.maxNs && p.allowShrink) return p.shrink === 0 ? 0 : Math.floor(cur / p.shrink)
  return cur
}
