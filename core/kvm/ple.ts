// PAUSE-loop exiting (VMX) and the pause filter (SVM): windows, grow/shrink and whether PAUSE exits at all
// (arch/x86/kvm/x86.h, vmx/vmx.c grow_ple_window()/shrink_ple_window(),
// svm/svm.c grow_pause_filter()/shrink_pause_filter()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { svmHonoursPauseInGuest } from './disable-exits.ts'
import { svmHasPauseFilterParams, svmPauseFilterAdapts, SVM_FIXED_PAUSE_FILTER_COUNT } from './svm-pause-filter.ts'

export type Vendor = 'vmx' | 'svm'

// arch/x86/kvm/x86.h (verified verbatim in a current copy of x86.h).
export const KVM_DEFAULT_PLE_GAP = 128
export const KVM_VMX_DEFAULT_PLE_WINDOW = 4096
export const KVM_DEFAULT_PLE_WINDOW_GROW = 2
export const KVM_DEFAULT_PLE_WINDOW_SHRINK = 0
export const KVM_VMX_DEFAULT_PLE_WINDOW_MAX = 0xffff_ffff // UINT_MAX
export const KVM_SVM_DEFAULT_PLE_WINDOW_MAX = 0xffff // USHRT_MAX
export const KVM_SVM_DEFAULT_PLE_WINDOW = 3000

/** __grow_ple_window(val, base, modifier, max): modifier < 1 ⇒ base; modifier < base ⇒ val·modifier; else val+modifier; min(., max). */
export function growPleWindowRaw(val: number, base: number, modifier: number, max: number): number {
  if (modifier < 1) return base
  const ret = modifier < base ? val * modifier : val + modifier
  return Math.min(ret, max)
}

/** __shrink_ple_window(val, base, modifier, min): modifier < 1 ⇒ base; modifier < base ⇒ val/modifier; else val−modifier; max(., min).
 *  (val − modifier is unsigned in C; it is clamped at 0 here before max(., min).) */
export function shrinkPleWindowRaw(val: number, base: number, modifier: number, min: number): number {
  if (modifier < 1) return base
  const ret = modifier < base ? Math.floor(val / modifier) : Math.max(0, val - modifier)
  return Math.max(ret, min)
}

/** Module parameters: kvm_intel ple_gap/ple_window/ple_window_grow/ple_window_shrink/ple_window_max (uint); kvm_amd
 *  pause_filter_thresh/pause_filter_count/pause_filter_count_grow/_shrink/_max (ushort; names and defaults verified in
 *  svm.c: thresh KVM_DEFAULT_PLE_GAP, count KVM_SVM_DEFAULT_PLE_WINDOW, grow/shrink as VMX, max USHRT_MAX).
 *  VMX windows are in TSC-rate cycles; the SVM count is a number of PAUSEs (thresh: cycles between PAUSEs). */
export interface PleParams { gap: number; window: number; grow: number; shrink: number; max: number }

export function defaultPleParams(vendor: Vendor): PleParams {
  return vendor === 'vmx'
    ? { gap: KVM_DEFAULT_PLE_GAP, window: KVM_VMX_DEFAULT_PLE_WINDOW, grow: KVM_DEFAULT_PLE_WINDOW_GROW, shrink: KVM_DEFAULT_PLE_WINDOW_SHRINK, max: KVM_VMX_DEFAULT_PLE_WINDOW_MAX }
    : { gap: KVM_DEFAULT_PLE_GAP, window: KVM_SVM_DEFAULT_PLE_WINDOW, grow: KVM_DEFAULT_PLE_WINDOW_GROW, shrink: KVM_DEFAULT_PLE_WINDOW_SHRINK, max: KVM_SVM_DEFAULT_PLE_WINDOW_MAX }
}

/** grow_ple_window() (VMX) / grow_pause_filter() (SVM), on each PAUSE exit before kvm_vcpu_on_spin():
 *  __grow_ple_window(cur, window, grow, max). Defaults double the window each exit. */
export function growPleWindow(cur: number, p: PleParams): number {
  return growPleWindowRaw(cur, p.window, p.grow, p.max)
}

/** shrink_ple_window() (VMX) / shrink_pause_filter() (SVM): __shrink_ple_window(cur, window, shrink, window) — never
 *  below the module window; the default shrink = 0 resets it to the module window. */
export function shrinkPleWindow(cur: number, p: PleParams): number {
  return shrinkPleWindowRaw(cur, p.window, p.shrink, p.window)
}

export interface PleEnableInputs {
  vendor: Vendor
  /** ple_gap (VMX) or pause_filter_thresh (SVM). */
  pleGap: number
  /** KVM_X86_DISABLE_EXITS_PAUSE for the VM (kvm->arch.pause_in_guest). */
  pauseInGuest: boolean
  hostVersion: string
  /** SVM pause_filter_count (default 3000). */
  pauseFilterCount?: number
  /** TSC-rate cycles between two PAUSEs of the guest's spin loop (the loop body), for the gap test. Default 0. */
  loopGapCycles?: number
}

/** Whether PAUSE can exit for this VM (per vendor: vmxPleEnabled(), svmPleEnabled(); backend.ts holds the table). */
export function pleEnabled(i: PleEnableInputs): { enabled: boolean; reason: string } {
  return i.vendor === 'vmx' ? vmxPleEnabled(i) : svmPleEnabled(i)
}

/** VMX (vmx_vm_init / vmx_secondary_exec_control): ple_gap = 0 ⇒ pause_in_guest; pause_in_guest ⇒ no
 *  PAUSE_LOOP_EXITING. The gap test (SDM "PLE_Gap"): a PAUSE more than ple_gap TSC cycles after the previous one
 *  starts a new loop, so a loop whose body is longer than ple_gap never reaches the window. */
export function vmxPleEnabled(i: PleEnableInputs): { enabled: boolean; reason: string } {
  if (i.pleGap === 0) return { enabled: false, reason: 'kvm_intel.ple_gap=0: vmx_vm_init() sets pause_in_guest, no PAUSE-loop exiting' }
  if (i.pauseInGuest) return { enabled: false, reason: 'KVM_X86_DISABLE_EXITS_PAUSE: PAUSE_LOOP_EXITING cleared' }
  if (pleGapResets('vmx', i.loopGapCycles ?? 0, i.pleGap)) return { enabled: false, reason: `PAUSE-loop exiting on, but the spin loop runs ${Math.round(i.loopGapCycles ?? 0)} cycles between PAUSEs, more than ple_gap=${i.pleGap}: every PAUSE counts as the first of a new loop and the window never runs out` }
  return { enabled: true, reason: `PAUSE-loop exiting on (ple_gap=${i.pleGap}): a CPL-0 PAUSE loop longer than the per-vCPU window exits (PAUSE_INSTRUCTION)` }
}

/** SVM < v4.17: init_vmcb() sets a fixed count of 3000 with no threshold whenever the CPU has the pause filter
 *  (core/kvm/svm-pause-filter.ts). SVM ≥ v5.8 (svm_vm_init / init_vmcb): pause_filter_count = 0 or pause_filter_thresh = 0 ⇒ pause_in_guest;
 *  pause_in_guest ⇒ no PAUSE intercept. SVM < v5.8: 8566ac8b8e7c had dropped the pause_in_guest check, so
 *  DISABLE_EXITS_PAUSE was ignored and only pause_filter_count = 0 turned the intercept off (thresh = 0 is count-only
 *  filtering: init_vmcb() writes the threshold only `if (pause_filter_thresh)`). Verified: 830f01b089b1 "KVM: SVM: Fix
 *  disable pause loop exit/pause filtering capability on SVM" (Paolo: "queued it in order to have it in 5.8"; pulled
 *  into mainline 2020-08-02, the day of v5.8). The thresh test (APM "Pause Intercept Filtering", svm.c's comment): a
 *  PAUSE more than thresh cycles after the previous one reloads the count, so such a loop never exits. */
export function svmPleEnabled(i: PleEnableInputs): { enabled: boolean; reason: string } {
  const count = i.pauseFilterCount ?? KVM_SVM_DEFAULT_PLE_WINDOW
  const gapReset = pleGapResets('svm', i.loopGapCycles ?? 0, i.pleGap)
  const gapReason = `the spin loop runs ${Math.round(i.loopGapCycles ?? 0)} cycles between PAUSEs, more than pause_filter_thresh=${i.pleGap}: each PAUSE reloads the filter count, which never runs out`
  if (!svmHasPauseFilterParams(i.hostVersion)) {
    return { enabled: true, reason: `host ${i.hostVersion} < 4.17: init_vmcb() intercepts PAUSE through the pause filter with a fixed count of ${SVM_FIXED_PAUSE_FILTER_COUNT} and no threshold (no kvm_amd pause_filter_* parameters before 8566ac8b8e7c)` }
  }
  if (!svmHonoursPauseInGuest(i.hostVersion)) {
    if (count === 0) return { enabled: false, reason: 'kvm_amd.pause_filter_count=0: no PAUSE intercept' }
    if (gapReset) return { enabled: false, reason: `pause filter on, but ${gapReason}` }
    return { enabled: true, reason: `host < 5.8 ignores ${i.pauseInGuest ? 'KVM_X86_DISABLE_EXITS_PAUSE (fixed by 830f01b089b1 in 5.8)' : 'pause_in_guest'}: PAUSE is intercepted through the pause filter (count ${count}, thresh ${i.pleGap})` }
  }
  if (count === 0 || i.pleGap === 0) return { enabled: false, reason: `kvm_amd.${count === 0 ? 'pause_filter_count' : 'pause_filter_thresh'}=0: svm_vm_init() sets pause_in_guest, no PAUSE intercept` }
  if (i.pauseInGuest) return { enabled: false, reason: 'KVM_X86_DISABLE_EXITS_PAUSE: PAUSE not intercepted' }
  if (gapReset) return { enabled: false, reason: `pause filter on, but ${gapReason}` }
  return { enabled: true, reason: `pause filter on (count ${count}, thresh ${i.pleGap}): the filter count running out exits (pause)` }
}

/** The gap test: does a loop with `gapCycles` between PAUSEs restart its count at every PAUSE? VMX: more than ple_gap
 *  (ple_gap = 0 turns PLE off altogether, see above). SVM: more than pause_filter_thresh, and only with a threshold
 *  (thresh = 0 is the count-only filter, which never resets). Where the hardware starts the interval is not stated in
 *  the SDM/APM: the model takes the loop body between two PAUSEs, not the PAUSE's own latency (vmx.c: "this time is
 *  usually smaller than 128 cycles"). */
export function pleGapResets(vendor: Vendor, gapCycles: number, gap: number): boolean {
  if (vendor === 'svm' && gap === 0) return false
  return gapCycles > gap
}

/** VMX PAUSE-loop exiting only applies at CPL 0 (SDM: ignored if CPL > 0); the SVM pause filter counts PAUSE at any
 *  CPL (cf. "KVM: add spinlock optimization framework": "only AMD x86 and ARM/ARM64" trap user-mode spin loops). */
export function pauseCanExitAtCpl(vendor: Vendor, cpl: number): boolean {
  return vendor === 'svm' || cpl === 0
}

/** Where the window is shrunk: v6.11+ vmx_vcpu_load()/svm_vcpu_load() `if (vcpu->scheduled_out && !kvm_pause_in_guest())`
 *  (Sean Christopherson's "fold kvm_arch_sched_in() into kvm_arch_vcpu_load()", 2024); earlier
 *  kvm_sched_in() → kvm_arch_sched_in() → vmx_sched_in()/svm_sched_in(). */
export function pleShrinkHook(hostVersion: string): 'vcpu_load (scheduled_out)' | 'kvm_arch_sched_in' {
  return versionAtLeast(hostVersion, '6.11') ? 'vcpu_load (scheduled_out)' : 'kvm_arch_sched_in'
}

/** Whether loading the vCPU shrinks its window: only after a schedule-out (preemption or blocking alike — both run
 *  the preempt notifiers), never on the first load of a KVM_RUN, and not when PAUSE is not intercepted. SVM before
 *  v5.8 tested `if (pause_filter_thresh)` instead of pause_in_guest; before v4.17 svm_sched_in() was empty. */
export function pleShrinksOnLoad(i: { vendor: Vendor; hostVersion: string; afterScheduleOut: boolean; pauseInGuest: boolean; pleGap: number }): boolean {
  if (!i.afterScheduleOut) return false
  if (i.vendor === 'svm' && !svmHonoursPauseInGuest(i.hostVersion)) return svmPauseFilterAdapts(i.hostVersion, i.pleGap)
  return !i.pauseInGuest && i.pleGap !== 0
}
