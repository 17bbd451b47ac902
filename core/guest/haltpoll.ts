// Guest cpuidle-haltpoll (kernel-logic.md §3.4, drivers/cpuidle/cpuidle-haltpoll.c and the haltpoll governor).
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

export interface GuestPollParams { maxNs: number; grow: number; growStart: number; shrink: number }

/** haltpoll governor adjust_poll_limit(): grow when woken after the per-CPU limit but within the global
 *  limit, shrink when woken after the global limit. */
export function adjustGuestPollLimit(cur: number, blockNs: number, p: GuestPollParams): number {
  if (cur < blockNs && blockNs <= p.maxNs) {
    let v = cur * p.grow
    if (v < p.growStart) v = p.growStart
    return Math.min(v, p.maxNs)
  }
  if (blockNs > p.maxNs) {
    const v = p.shrink === 0 ? 0 : Math.floor(cur / p.shrink)
    return v < p.growStart ? 0 : v
  }
  return cur
}
