// The SVM pause filter per host version (arch/x86/kvm/svm.c, svm/svm.c from 5.7): whether the count a vCPU's PAUSE
// loop may run adapts — grow_ple_window() in pause_interception(), shrink_ple_window() in svm_sched_in() /
// svm_vcpu_load() — and which module parameters exist. Three eras:
//   before 4.17: init_vmcb() `if (boot_cpu_has(X86_FEATURE_PAUSEFILTER)) { control->pause_filter_count = 3000;
//     set_intercept(svm, INTERCEPT_PAUSE); }` — a fixed count, no threshold (the VMCB's is 0: count-only filtering),
//     pause_interception() only calls kvm_vcpu_on_spin(), svm_sched_in() is empty, and kvm_amd has no pause_filter_*
//     parameters (modprobe reports them unknown and ignores them);
//   4.17 (8566ac8b8e7c "KVM: SVM: Implement pause loop exit logic in SVM", Babu Moger, merged together with the
//     KVM_CAP_X86_DISABLE_EXITS series of 4.17 — 830f01b089b1's message: "disable vmexits capabilities and pause loop
//     exit for SVM patchsets are merged at the same time"): the pause_filter_thresh/_count/_count_grow/_count_shrink/
//     _count_max parameters, and pause_interception() grows and svm_sched_in() shrinks the count, both only
//     `if (pause_filter_thresh)` — with thresh 0 the count stays at pause_filter_count;
//   5.8 (830f01b089b1, stable 5.7.13: core/kvm/backports.ts): both test `!kvm_pause_in_guest(vcpu->kvm)` instead, and
//     svm_vm_init() sets pause_in_guest for thresh 0 or count 0, so every intercepted PAUSE adapts the count.
// Verified in svm.c copies before the series (init_vmcb() with the fixed 3000 next to avic_init_vmcb()), the 5.7.13
// backport of 830f01b089b1 (its diff shows the `if (pause_filter_thresh)` tests it replaced) and the current
// svm/svm.c grow_ple_window() / shrink_ple_window().
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { svmHonoursPauseInGuest } from './disable-exits.ts'

/** The first mainline release with kvm_amd's pause_filter_* parameters and the adaptive count (8566ac8b8e7c). */
export const SVM_DYNAMIC_PAUSE_FILTER_SINCE = '4.17'
/** init_vmcb()'s count before 8566ac8b8e7c. */
export const SVM_FIXED_PAUSE_FILTER_COUNT = 3000

/** Whether the host has kvm_amd's pause_filter_* parameters (and the adaptive count): 4.17+. */
export function svmHasPauseFilterParams(hostVersion: string): boolean {
  return versionAtLeast(hostVersion, SVM_DYNAMIC_PAUSE_FILTER_SINCE)
}

/** The pause filter a host really runs with, from the profile's parameters: before 4.17 the fixed count 3000 and no
 *  threshold (the parameters do not exist), from 4.17 the parameters as given. */
export function svmPauseFilterParams<P extends { gap: number; window: number }>(hostVersion: string, requested: P): P {
  if (svmHasPauseFilterParams(hostVersion)) return requested
  return { ...requested, gap: 0, window: SVM_FIXED_PAUSE_FILTER_COUNT }
}

/** pause_interception() → grow_ple_window() and svm_sched_in() → shrink_ple_window(): whether an intercepted PAUSE
 *  adapts the count on this host, with `thresh` = pause_filter_thresh. Never before 4.17; 4.17 until 830f01b089b1
 *  only with a threshold; from it always (an intercept means !pause_in_guest). */
export function svmPauseFilterAdapts(hostVersion: string, thresh: number): boolean {
  if (!svmHasPauseFilterParams(hostVersion)) return false
  if (!svmHonoursPauseInGuest(hostVersion)) return thresh !== 0
  return true
}

/** Why the count adapts or not, for the pause-filter decision. */
export function svmPauseFilterAdaptReason(hostVersion: string, thresh: number): string {
  if (!svmHasPauseFilterParams(hostVersion)) return `host ${hostVersion} < 4.17: init_vmcb() sets a fixed count of ${SVM_FIXED_PAUSE_FILTER_COUNT} PAUSEs with no threshold, and pause_interception() never grows it (the adaptive count and kvm_amd's pause_filter_* parameters came with 8566ac8b8e7c in 4.17)`
  if (!svmPauseFilterAdapts(hostVersion, thresh)) return `kvm_amd.pause_filter_thresh=0 on host ${hostVersion}: pause_interception() grows and svm_sched_in() shrinks the count only \`if (pause_filter_thresh)\` before 830f01b089b1 (5.8), so the count stays fixed`
  return ''
}

/** The run warning for pause_filter_* values a host before 4.17 ignores (`knobs`: the profile's knob names that are
 *  set), or '' when none is set or the host has the parameters. */
export function svmPauseFilterParamWarning(hostVersion: string, knobs: readonly string[]): string {
  if (svmHasPauseFilterParams(hostVersion) || knobs.length === 0) return ''
  return `${knobs.map((k) => `host.kvm.${k}`).join(', ')}: kvm_amd on host ${hostVersion} has no pause_filter_* parameters (they came with 8566ac8b8e7c in 4.17); the module ignores them and the pause filter stays at a fixed ${SVM_FIXED_PAUSE_FILTER_COUNT} PAUSEs without a threshold — set -1, or model a 4.17+ host`
}
