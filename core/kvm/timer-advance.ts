// LAPIC timer advancement (arch/x86/kvm/lapic.c): KVM arms the host timer — the sw hrtimer in start_sw_tscdeadline()
// or the VMX preemption timer in vmx_set_hv_timer() — timer_advance_ns before the guest's TSC deadline, so that the
// exit, the injection and the entry are paid before the deadline; at the entry that injects the timer interrupt
// kvm_wait_lapic_expire() → __kvm_wait_lapic_expire() busy-waits (__delay()) until the deadline if it came early —
// guest-visible time spent in KVM — and, when adaptive, adjust_lapic_timer_advance() moves the advance by 1/8 of the
// error. A posted timer interrupt waits on the CPU that posts it (apic_timer_expired()).
// The knob per version:
//   before 4.20: kvm.lapic_timer_advance_ns, unsigned, default 0 (off), a fixed value when set (d0659d946be0);
//   4.20–6.9: adaptive by default — 3b8a5df6c4dc "KVM: LAPIC: Tune lapic_timer_advance_ns automatically" (v2 posted
//     2018-10-09, after 4.19-rc7, so not in 4.19; in 5.0.y before 5.0.14, whose backports patch its tuning code; 4.20
//     is its merge window, the 4.20 tag itself was not read) starts at 1000 ns and tunes it. Until c3941d9e0ccd the
//     parameter is unsigned: 0 off, any other value the start of the tuning (vcpu_enter_guest(): `if
//     (lapic_timer_advance_ns) wait_lapic_expire()`). c3941d9e0ccd "KVM: lapic: Allow user to disable adaptive tuning
//     of timer advancement" (v5.1, "KVM fixes for 5.1-rc8 or final"; stable 5.0.14: core/kvm/backports.ts) made it
//     signed: -1 adaptive, 0 off, another value fixed;
//   6.10+: 89a58812c47f "KVM: x86: Drop support for hand tuning APIC timer advancement from userspace" (6.10-rc, the
//     kvm-fixes-6.10 pull) replaced it with the bool kvm.lapic_timer_advance (adaptive or off); the old name is an
//     unknown parameter the module ignores.
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { hostHasFix, backportNote } from './backports.ts'

/** lapic.c constants (LAPIC_TIMER_ADVANCE_*): the adjustment window in guest TSC cycles, the start and cap in ns. */
export const TIMER_ADVANCE = { ADJUST_MIN_CYCLES: 100, ADJUST_MAX_CYCLES: 10_000, NS_INIT: 1000, NS_MAX: 5000, ADJUST_STEP: 8 } as const

/** How the host advances the timer: not at all, by a fixed amount, or adaptively. */
export const AdvanceMode = { OFF: 0, FIXED: 1, ADAPTIVE: 2 } as const

export interface TimerAdvance {
  mode: number
  /** The advance a vCPU starts with (ns). */
  initNs: number
  value: string
  reason: string
  /** Set when the profile's value has no effect on this host (said in the decision and as a run warning). */
  warning: string
}

/** kvm_create_lapic(): the advance a new vCPU takes from the module parameter (`param`: -1 = the kernel's default /
 *  adaptive, 0 = off, N = N ns fixed). */
export function resolveTimerAdvance(hostVersion: string, param: number): TimerAdvance {
  const none = { warning: '' }
  if (!versionAtLeast(hostVersion, '4.20')) {
    if (param <= 0) return { ...none, mode: AdvanceMode.OFF, initNs: 0, value: 'off', reason: `host ${hostVersion} < 4.20: kvm.lapic_timer_advance_ns defaults to 0 and is never tuned (adaptive tuning came with 3b8a5df6c4dc)${param === -1 ? '' : ': set to 0'}` }
    return { ...none, mode: AdvanceMode.FIXED, initNs: param, value: `${param} ns (fixed)`, reason: `kvm.lapic_timer_advance_ns=${param}: the timer is armed ${param} ns early and the entry waits for the deadline (d0659d946be0)` }
  }
  if (versionAtLeast(hostVersion, '6.10')) {
    if (param === 0) return { ...none, mode: AdvanceMode.OFF, initNs: 0, value: 'off', reason: 'kvm.lapic_timer_advance=N (89a58812c47f, 6.10): no advancement, the interrupt arrives after the exit and the injection' }
    const adaptive = { mode: AdvanceMode.ADAPTIVE, initNs: TIMER_ADVANCE.NS_INIT, value: 'adaptive (from 1000 ns)' }
    if (param > 0) {
      const warning = `host.kvm.lapicTimerAdvanceNs: ${param} has no effect on host ${hostVersion} — 6.10 (89a58812c47f) dropped fixed values; set -1 (adaptive) or 0 (off, kvm.lapic_timer_advance=N)`
      return { ...adaptive, warning, reason: `host ${hostVersion} ≥ 6.10 has only kvm.lapic_timer_advance (bool); lapic_timer_advance_ns=${param} is an unknown parameter, so the adaptive default applies` }
    }
    return { ...adaptive, warning: '', reason: 'kvm.lapic_timer_advance=Y (default): adjust_lapic_timer_advance() tunes the advance per vCPU from 1000 ns, by 1/8 of each early or late entry' }
  }
  if (param !== 0 && !hostHasFix(hostVersion, 'lapicTimerAdvanceFixedValues')) {
    const initNs = param === -1 ? TIMER_ADVANCE.NS_INIT : param
    const why = `host ${hostVersion} lacks c3941d9e0ccd (5.1${backportNote(hostVersion, 'lapicTimerAdvanceFixedValues')}): kvm.lapic_timer_advance_ns is unsigned, ${param === -1 ? 'defaults to 1000 ns' : `and ${param} ns is only`} where wait_lapic_expire() starts tuning (3b8a5df6c4dc)`
    return { ...none, mode: AdvanceMode.ADAPTIVE, initNs, value: `adaptive (from ${initNs} ns)`, reason: why }
  }
  if (param === -1) return { ...none, mode: AdvanceMode.ADAPTIVE, initNs: TIMER_ADVANCE.NS_INIT, value: 'adaptive (from 1000 ns)', reason: 'kvm.lapic_timer_advance_ns=-1 (default, 3b8a5df6c4dc / c3941d9e0ccd): adjust_lapic_timer_advance() tunes the advance per vCPU from 1000 ns, by 1/8 of each early or late entry' }
  if (param === 0) return { ...none, mode: AdvanceMode.OFF, initNs: 0, value: 'off', reason: 'kvm.lapic_timer_advance_ns=0: no advancement, the interrupt arrives after the exit and the injection' }
  return { ...none, mode: AdvanceMode.FIXED, initNs: param, value: `${param} ns (fixed)`, reason: `kvm.lapic_timer_advance_ns=${param}: a fixed advance (c3941d9e0ccd); an entry earlier than the deadline busy-waits, a later one is late by the rest` }
}

/** adjust_lapic_timer_advance(): the new advance after an entry `deltaNs` after the deadline (negative: early);
 *  `tscGhz` turns the kernel's cycle thresholds into ns. The kernel's u32 wraps when the advance would go negative,
 *  which the NS_MAX test then resets to NS_INIT. */
export function adjustLapicTimerAdvance(advanceNs: number, deltaNs: number, tscGhz: number): number {
  const cycles = Math.abs(deltaNs) * tscGhz
  if (cycles > TIMER_ADVANCE.ADJUST_MAX_CYCLES || cycles < TIMER_ADVANCE.ADJUST_MIN_CYCLES) return advanceNs
  const next = advanceNs + Math.trunc(deltaNs / TIMER_ADVANCE.ADJUST_STEP)
  return next < 0 || next > TIMER_ADVANCE.NS_MAX ? TIMER_ADVANCE.NS_INIT : next
}

/** __kvm_wait_lapic_expire(): how long the entry busy-waits for the deadline (__wait_lapic_expire() waits at most
 *  the advance). */
export function waitLapicExpireNs(advanceNs: number, deltaNs: number): number {
  return deltaNs < 0 ? Math.min(-deltaNs, advanceNs) : 0
}

/** Experimental — a patch that reached no kernel: Wanpeng Li, "KVM: LAPIC: Optimize timer latency consider world switch
 *  time" (v3, kvm list, May 2019; v4 in June; dropped — "I think Paolo has already drop this one"). It adds
 *  vmentry_advance_ns (as cycles) to the guest TSC that start_sw_tscdeadline() and vmx_set_hv_timer() arm the timer
 *  from and that kvm_wait_lapic_expire() compares with the deadline: the timer fires and the entry's busy-wait ends
 *  that much earlier, so the VM-entry after the wait lands on the deadline instead of after it; the adaptive tuning
 *  (advance_expire_delta) measures from the shifted time too. The guest TSC `nowNs` as the patch reads it. */
export function vmentryAdvancedGuestTsc(nowNs: number, vmentryAdvanceNs: number): number {
  return nowNs + vmentryAdvanceNs
}

/** The decision row of the experimental knob. */
export function vmentryAdvanceDecision(vmentryAdvanceNs: number): { id: string; title: string; value: string; reason: string; mirrors: string } {
  return {
    id: 'vmentry-advance',
    title: 'LAPIC timer VM-entry advance (experimental — a dropped patch, not in any kernel)',
    value: `${vmentryAdvanceNs} ns`,
    reason: `vmentry_advance_ns=${vmentryAdvanceNs} (Wanpeng Li's 2019 patch, 300 ns in v3, 25 ns in v4): the timer is armed and kvm_wait_lapic_expire() stops waiting ${vmentryAdvanceNs} ns before the deadline on top of lapic_timer_advance_ns, so the interrupt reaches the guest after the VM-entry at about the deadline; without lapic_timer_advance_ns the entry does not wait and the interrupt can arrive that much early`,
    mirrors: 'kvm_wait_lapic_expire(), start_sw_tscdeadline(), vmx_set_hv_timer() with get_vmentry_advance_cycles() (patch)',
  }
}
