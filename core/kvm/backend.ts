// The per-VM vendor backend (kvm_x86_ops: vmx_x86_ops in arch/x86/kvm/vmx/vmx.c, svm_x86_ops in svm/svm.c): what the
// model does differently on Intel VMX and AMD SVM, in one table instead of checks of the vendor scattered through the
// model. A new backend (TDX) is one more entry.
export interface KvmBackend {
  readonly vendor: 'vmx' | 'svm'
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
  ipiAccelName: 'IPIv',
  ipiAccelMirrors: 'vmx_enable_ipiv / IPI virtualization (PID table)',
  pleWindowNs: (window, tscGhz) => window / tscGhz,
  pleTitle: 'PAUSE-loop exiting',
  pleMirrors: 'handle_pause() → grow_ple_window() / kvm_vcpu_on_spin()',
}

export const SVM: KvmBackend = {
  vendor: 'svm',
  ipiAccelName: 'AVIC',
  ipiAccelMirrors: 'avic_vcpu_load() IsRunning / AVIC doorbell',
  pleWindowNs: (window, _tscGhz, pauseNs) => window * pauseNs,
  pleTitle: 'Pause filter',
  pleMirrors: 'pause_interception() → grow_pause_filter() / kvm_vcpu_on_spin()',
}

export function backendOf(vendor: 'vmx' | 'svm'): KvmBackend {
  return vendor === 'vmx' ? VMX : SVM
}
