// Guest cpuidle-haltpoll (kernel-logic.md §3.4, drivers/cpuidle/cpuidle-haltpoll.c and the haltpoll governor).
import { versionAtLeast } from '../kvm/version.ts'

export interface GuestHaltpollInputs {
  guestVersion: string
  mode: 'auto' | 'force' | 'off'
  idleOverride: boolean
  realtimeHint: boolean
  pollControlFeature: boolean
}

/** haltpoll_init(): the driver (v5.4+) loads unless idle= was given, and (since the REALTIME gating, v5.10)
 *  only with KVM_HINTS_REALTIME or cpuidle_haltpoll.force. Returns whether it runs and why. */
export function haltpollInit(i: GuestHaltpollInputs): { enabled: boolean; disablesHostPoll: boolean; reason: string } {
  if (i.mode === 'off') return { enabled: false, disablesHostPoll: false, reason: 'cpuidle-haltpoll not loaded (off in the profile)' }
  if (!versionAtLeast(i.guestVersion, '5.4')) return { enabled: false, disablesHostPoll: false, reason: 'guest < 5.4 has no cpuidle-haltpoll' }
  if (i.idleOverride) return { enabled: false, disablesHostPoll: false, reason: 'haltpoll_init(): idle= is set in the guest (boot_option_idle_override)' }
  const gated = versionAtLeast(i.guestVersion, '5.10')
  if (gated && !i.realtimeHint && i.mode !== 'force') return { enabled: false, disablesHostPoll: false, reason: 'haltpoll_init(): no KVM_HINTS_REALTIME and not cpuidle_haltpoll.force' }
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
