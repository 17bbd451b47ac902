// How KVM emulates the guest's LAPIC timer (arch/x86/kvm/lapic.c).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { hostHasFix, backportNote } from './backports.ts'

export interface TimerInputs {
  hostVersion: string
  vendor: 'vmx' | 'svm'
  /** The CPU has a usable VMX preemption timer. */
  hvTimerHardware: boolean
  /** kvm_intel.preemption_timer */
  preemptionTimerParam: boolean
  /** kvm_vcpu_apicv_active(): APICv/AVIC enabled and not inhibited. */
  apicvActive: boolean
  /** pi_inject_timer after resolving -1 at module init. */
  piInjectTimer: boolean
  mwaitInGuest: boolean
  hltInGuest: boolean
}

/** kvm_x86_vendor_init(): pi_inject_timer = -1 resolves to housekeeping_enabled(HK_TYPE_TIMER), i.e. nohz_full (v5.3+). */
export function resolvePiInjectTimer(param: -1 | 0 | 1, hkTimerEnabled: boolean): boolean {
  return param === -1 ? hkTimerEnabled : param === 1
}

/** The pi_inject_timer row of the decisions. The parameter exists from v5.3 (0c5f81dad46c "KVM: LAPIC: Inject timer
 *  interrupt via posted interrupt"): an older host has no such module parameter. */
export function piInjectTimerDecision(hostVersion: string, resolved: boolean, param: number, hkTimerEnabled: boolean): { value: string; reason: string } {
  if (!versionAtLeast(hostVersion, '5.3')) {
    return { value: 'n/a', reason: `host ${hostVersion} < 5.3 has no pi_inject_timer parameter (added by 0c5f81dad46c in v5.3): the timer is never posted${param !== -1 ? `; the profile's ${param} has no effect` : ''}` }
  }
  return {
    value: resolved ? 'on' : 'off',
    reason: param === -1 ? `-1 resolves to housekeeping_enabled(HK_TYPE_TIMER) = ${hkTimerEnabled} (${hkTimerEnabled ? 'nohz_full= is set' : 'no nohz_full='})` : `set to ${param} explicitly`,
  }
}

/** kvm_can_post_timer_interrupt(): v5.3 (0c5f81dad46c) pi_inject_timer && apicv; from v5.18 (1714a4eb6fb0: in mainline
 *  during the 5.18 cycle — the stable trees took it in May 2022, after 5.17's release — whether through the merge
 *  window or an -rc fixes pull is not determined) also needs MWAIT or HLT passed through to the guest — and from the
 *  stable releases that carry it (5.4.193, 5.10.115, 5.15.39: core/kvm/backports.ts). */
export function kvmCanPostTimerInterrupt(i: TimerInputs): boolean {
  if (!versionAtLeast(i.hostVersion, '5.3')) return false
  const base = i.piInjectTimer && i.apicvActive
  if (hostHasFix(i.hostVersion, 'postedTimerNeedsHltOrMwait')) return base && (i.mwaitInGuest || i.hltInGuest)
  return base
}

/** kvm_can_use_hv_timer(): set_hv_timer exists (VMX preemption timer, v4.10+) and neither MWAIT in guest
 *  (the timer stops in deep C-states) nor a posted timer. */
export function kvmCanUseHvTimer(i: TimerInputs): boolean {
  if (i.vendor !== 'vmx' || !i.hvTimerHardware || !i.preemptionTimerParam) return false
  if (!versionAtLeast(i.hostVersion, '4.10')) return false
  return !(i.mwaitInGuest || kvmCanPostTimerInterrupt(i))
}

/** How the sw hrtimer is started (start_sw_tscdeadline()): HRTIMER_MODE_ABS_PINNED before v5.3 (61abdbe0bcc2 "kvm: x86:
 *  make lapic hrtimer pinned"), so it expires on the CPU that armed it — the vCPU's, moved along by
 *  kvm_migrate_timers(); unpinned from v5.3 ("KVM: LAPIC: Make lapic timer unpinned", Wanpeng Li, the first patch of
 *  the exitless-timer series merged with 0c5f81dad46c): HRTIMER_MODE_ABS (ABS_HARD from 5.4), so
 *  switch_hrtimer_base() may queue it on a housekeeping CPU (get_nohz_timer_target(): core/host/nohz-timer-target.ts)
 *  and apic_timer_expired() kicks the vCPU (kvm_vcpu_kick()) instead of relying on the local interrupt's exit. */
export function lapicHrtimerPinned(hostVersion: string): boolean {
  return !versionAtLeast(hostVersion, '5.3')
}

/** hv-timer: the VMX preemption timer; sw-hrtimer-local: an hrtimer that expires on the vCPU's pCPU (pinned, or
 *  unpinned on a timer-housekeeping pCPU); sw-hrtimer-unpinned: an hrtimer a nohz_full pCPU hands to a housekeeping
 *  CPU, whose apic_timer_fn() kicks the vCPU; posted-from-housekeeping / sw-hrtimer-posted-local: the posted timer
 *  interrupt (kvm_can_post_timer_interrupt()) from a housekeeping CPU, or from the vCPU's own timer-housekeeping pCPU. */
export type TimerPath = 'hv-timer' | 'sw-hrtimer-local' | 'sw-hrtimer-unpinned' | 'posted-from-housekeeping' | 'sw-hrtimer-posted-local'

export interface TimerDecision {
  /** While the vCPU runs. While it is blocked the hv timer is switched to a sw hrtimer (vcpu_block). */
  path: TimerPath
  reason: string
}

/** The timer path of one vCPU on a pCPU: the hv timer, a sw hrtimer on its own pCPU, an unpinned sw hrtimer on a
 *  housekeeping CPU that kicks it, or one that posts the interrupt. Where each expiry fires is decided when the timer
 *  is armed (core/kvm/lapic-timer.ts: get_nohz_timer_target() and hrtimer_check_target() may keep it local). */
export function decideTimerPath(i: TimerInputs, pcpuIsTimerHousekeeping: boolean): TimerDecision {
  const canPost = kvmCanPostTimerInterrupt(i)
  if (kvmCanUseHvTimer(i)) {
    return { path: 'hv-timer', reason: 'kvm_can_use_hv_timer(): VMX preemption timer available, no MWAIT in guest, timer not posted — expiry is a PREEMPTION_TIMER exit' }
  }
  if (canPost) {
    if (pcpuIsTimerHousekeeping) {
      return { path: 'sw-hrtimer-posted-local', reason: 'kvm_can_post_timer_interrupt() is true, but the vCPU\'s pCPU is a timer-housekeeping CPU, so the unpinned hrtimer stays there and interrupts the guest (EXTERNAL_INTERRUPT)' }
    }
    return { path: 'posted-from-housekeeping', reason: `kvm_can_post_timer_interrupt(): pi_inject_timer and APICv${hostHasFix(i.hostVersion, 'postedTimerNeedsHltOrMwait') ? ' and HLT/MWAIT passed through' : ''} — the hrtimer runs on a housekeeping CPU and the timer interrupt is posted, no exit on the vCPU` }
  }
  const why: string[] = []
  if (!versionAtLeast(i.hostVersion, '5.3')) why.push('host < 5.3 has no posted timer interrupts')
  else if (!i.piInjectTimer) why.push('pi_inject_timer is off')
  else if (!i.apicvActive) why.push('APICv/AVIC is not active')
  else why.push(`host ${i.hostVersion} posts the timer only with HLT or MWAIT passed through (1714a4eb6fb0: 5.18${backportNote(i.hostVersion, 'postedTimerNeedsHltOrMwait')})`)
  if (i.vendor === 'svm') why.push('SVM has no hv timer')
  else if (i.mwaitInGuest) why.push('MWAIT in guest disables the hv timer')
  else if (!i.preemptionTimerParam) why.push('kvm_intel.preemption_timer=N')
  if (lapicHrtimerPinned(i.hostVersion)) {
    return { path: 'sw-hrtimer-local', reason: `sw hrtimer pinned on the vCPU's pCPU (HRTIMER_MODE_ABS_PINNED before 5.3; ${why.join('; ')}) — each expiry is an EXTERNAL_INTERRUPT exit while the guest runs` }
  }
  if (pcpuIsTimerHousekeeping) {
    return { path: 'sw-hrtimer-local', reason: `unpinned sw hrtimer (5.3+) on a timer-housekeeping pCPU: get_nohz_timer_target() keeps it on the busy vCPU pCPU (${why.join('; ')}) — each expiry is an EXTERNAL_INTERRUPT exit while the guest runs` }
  }
  return { path: 'sw-hrtimer-unpinned', reason: `unpinned sw hrtimer (5.3+) on a nohz_full pCPU: get_nohz_timer_target() queues it on a busy housekeeping CPU, whose apic_timer_fn() kicks the vCPU — an EXTERNAL_INTERRUPT exit (the kick IPI) while the guest runs (${why.join('; ')}; hrtimer_check_target(), which can keep a timer local, is not modelled)` }
}
