// The per-VM vendor backend (kvm_x86_ops: vmx_x86_ops in arch/x86/kvm/vmx/vmx.c, svm_x86_ops in svm/svm.c): what the
// model does differently on Intel VMX and AMD SVM, in one table instead of checks of the vendor scattered through the
// model. A new backend (TDX) is one more entry.
import { defaultPleParams, vmxPleEnabled, svmPleEnabled, growPleWindow, shrinkPleWindow } from './ple.ts'
import type { PleParams, PleEnableInputs } from './ple.ts'
import { svmPauseFilterParams, svmPauseFilterAdapts, svmPauseFilterParamWarning, svmPauseFilterAdaptReason, svmHasPauseFilterParams } from './svm-pause-filter.ts'

export interface KvmBackend {
  readonly vendor: 'vmx' | 'svm'
  /** The PAUSE-loop module parameters' defaults (arch/x86/kvm/x86.h): VMX ple_gap 128, ple_window 4096, grow 2,
   *  shrink 0, max UINT_MAX; SVM pause_filter_thresh 128, pause_filter_count 3000, grow 2, shrink 0, max USHRT_MAX. */
  readonly pleDefaults: PleParams
  /** The module parameter behind each PleParams field, and the largest value its C type holds (uint / ushort). */
  readonly pleParamNames: Readonly<Record<keyof PleParams, string>>
  readonly pleParamLimit: number
  /** Whether PAUSE can exit for a VM (vmxPleEnabled() / svmPleEnabled() in ple.ts). */
  pleEnabled(i: PleEnableInputs): { enabled: boolean; reason: string }
  /** Whether the host's module has the PLE parameters at all (kvm_amd: from 4.17). */
  hasPleParams(hostVersion: string): boolean
  /** The parameters the host really runs with, from the profile's (SVM < 4.17: a fixed count, no threshold). */
  pleParamsFor(hostVersion: string, p: PleParams): PleParams
  /** Whether a PAUSE exit grows and a schedule-in shrinks the window on this host (svm-pause-filter.ts for SVM). */
  pleAdapts(hostVersion: string, p: PleParams): boolean
  /** Why the window does not adapt on this host ('' when it does). */
  pleAdaptReason(hostVersion: string, p: PleParams): string
  /** The run warning for set PLE knobs (profile names) the host's module does not have, or ''. */
  pleParamWarning(hostVersion: string, knobs: readonly string[]): string
  /** On a PAUSE exit: grow_ple_window() (VMX) / grow_pause_filter() (SVM). */
  growPle(cur: number, p: PleParams): number
  /** On the vCPU's load after a schedule-out: shrink_ple_window() / shrink_pause_filter(). */
  shrinkPle(cur: number, p: PleParams): number
  /** How long a PAUSE loop runs before it exits with the vCPU's current window: VMX's ple_window counts TSC cycles
   *  of the loop (handle_pause()), SVM's pause_filter_count counts PAUSE instructions (pause_interception()). */
  pleWindowNs(window: number, tscGhz: number, pauseNs: number): number
  /** IPI delivery without an exit to a running target: its name, and the kernel function behind it. */
  readonly ipiAccelName: string
  readonly ipiAccelMirrors: string
  /** The PAUSE-loop exit's name and the kernel functions that grow its window. */
  readonly pleTitle: string
  readonly pleMirrors: string
}

export const VMX: KvmBackend = {
  vendor: 'vmx',
  pleDefaults: defaultPleParams('vmx'),
  pleParamNames: { gap: 'kvm_intel.ple_gap', window: 'kvm_intel.ple_window', grow: 'kvm_intel.ple_window_grow', shrink: 'kvm_intel.ple_window_shrink', max: 'kvm_intel.ple_window_max' },
  pleParamLimit: 0xffff_ffff,
  pleEnabled: vmxPleEnabled,
  hasPleParams: () => true,
  pleParamsFor: (_hostVersion, p) => p,
  // handle_pause() / vmx_sched_in(): `if (!kvm_pause_in_guest())`, true whenever PAUSE exits
  pleAdapts: () => true,
  pleAdaptReason: () => '',
  pleParamWarning: () => '',
  growPle: growPleWindow,
  shrinkPle: shrinkPleWindow,
  ipiAccelName: 'IPIv',
  ipiAccelMirrors: 'vmx_enable_ipiv / IPI virtualization (PID table)',
  pleWindowNs: (window, tscGhz) => window / tscGhz,
  pleTitle: 'PAUSE-loop exiting',
  pleMirrors: 'handle_pause() → grow_ple_window() / kvm_vcpu_on_spin()',
}

export const SVM: KvmBackend = {
  vendor: 'svm',
  pleDefaults: defaultPleParams('svm'),
  pleParamNames: { gap: 'kvm_amd.pause_filter_thresh', window: 'kvm_amd.pause_filter_count', grow: 'kvm_amd.pause_filter_count_grow', shrink: 'kvm_amd.pause_filter_count_shrink', max: 'kvm_amd.pause_filter_count_max' },
  pleParamLimit: 0xffff,
  pleEnabled: svmPleEnabled,
  hasPleParams: svmHasPauseFilterParams,
  pleParamsFor: svmPauseFilterParams,
  pleAdapts: (hostVersion, p) => svmPauseFilterAdapts(hostVersion, p.gap),
  pleAdaptReason: (hostVersion, p) => svmPauseFilterAdaptReason(hostVersion, p.gap),
  pleParamWarning: svmPauseFilterParamWarning,
  growPle: growPleWindow,
  shrinkPle: shrinkPleWindow,
  ipiAccelName: 'AVIC',
  ipiAccelMirrors: 'avic_vcpu_load() IsRunning / AVIC doorbell',
  pleWindowNs: (window, _tscGhz, pauseNs) => window * pauseNs,
  pleTitle: 'Pause filter',
  pleMirrors: 'pause_interception() → grow_pause_filter() / kvm_vcpu_on_spin()',
}

export function backendOf(vendor: 'vmx' | 'svm'): KvmBackend {
  return vendor === 'vmx' ? VMX : SVM
}
