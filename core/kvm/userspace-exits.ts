// Userspace exits on HLT/MWAIT, else yield on MWAIT (the RFC below). EXPERIMENTAL — an RFC, not in
// any kernel: David Woodhouse, "[RFC] KVM: x86: Allow userspace exit on HLT and MWAIT, else yield on MWAIT",
// Sept 2023 ("Fairly much untested"). KVM_CAP_X86_USERSPACE_EXITS reports the valid bits; the VMM sets them in
// kvm_run.userspace_exits before each KVM_RUN; an HLT exit then returns KVM_EXIT_HLT (reused) and an MWAIT exit the
// new KVM_EXIT_MWAIT = 38, and an emulated MWAIT that stays in the kernel calls yield().
// Allocation-free: numbers in, small integer codes out (the model calls vmmAfterHltExit() per HLT exit).

/** include/uapi/linux/kvm.h: KVM_EXIT_HLT (existing), KVM_EXIT_MWAIT (the RFC's new exit reason). */
export const KVM_EXIT_HLT = 5
export const KVM_EXIT_MWAIT = 38

/** The RFC's kvm_run.userspace_exits bits and KVM_CAP_X86_USERSPACE_EXITS (230) answer. */
export const KVM_X86_USERSPACE_EXIT_MWAIT = 1 << 0
export const KVM_X86_USERSPACE_EXIT_HLT = 1 << 1
export const KVM_X86_USERSPACE_VALID_EXITS = KVM_X86_USERSPACE_EXIT_MWAIT | KVM_X86_USERSPACE_EXIT_HLT

/** The kvm_run.userspace_exits value a VMM writes to get HLT and/or MWAIT exits. */
export function userspaceExitBits(hlt: boolean, mwait: boolean): number {
  return (hlt ? KVM_X86_USERSPACE_EXIT_HLT : 0) | (mwait ? KVM_X86_USERSPACE_EXIT_MWAIT : 0)
}

/** kvm_userspace_exit(vcpu, reason) (RFC, x86.h): the exit reason goes to the VMM when its bit is set in
 *  kvm_run.userspace_exits. */
export function kvmUserspaceExit(userspaceExits: number, reason: number): boolean {
  if (reason === KVM_EXIT_HLT && (userspaceExits & KVM_X86_USERSPACE_EXIT_HLT) !== 0) return true
  if (reason === KVM_EXIT_MWAIT && (userspaceExits & KVM_X86_USERSPACE_EXIT_MWAIT) !== 0) return true
  return false
}

/** What an HLT exit does. */
export const HaltExit = {
  /** mp_state = HALTED and return 1: vcpu_run() goes to vcpu_block() → kvm_vcpu_halt() (halt polling, then block). */
  IN_KERNEL: 0,
  /** exit_reason = KVM_EXIT_HLT and return 0: KVM_RUN returns to the VMM. */
  USERSPACE: 1,
} as const

/** __kvm_emulate_halt(vcpu, state, reason) with the RFC: ++halt_exits; with the LAPIC in the kernel, mp_state = HALTED
 *  and, unless kvm_userspace_exit(vcpu, KVM_EXIT_HLT), return 1 (halt in the kernel); otherwise — and always with a
 *  userspace LAPIC, the only case before the RFC — exit_reason = KVM_EXIT_HLT, return 0. Note the mp_state stays
 *  HALTED on the userspace exit. */
export function kvmEmulateHalt(lapicInKernel: boolean, userspaceExits: number): number {
  if (lapicInKernel && !kvmUserspaceExit(userspaceExits, KVM_EXIT_HLT)) return HaltExit.IN_KERNEL
  return HaltExit.USERSPACE
}

/** What an MWAIT exit does (MWAIT exposed to the guest, its exits not disabled). */
export const MwaitExit = {
  /** kvm_emulate_as_nop(): skip the instruction and re-enter — today's kernels. */
  NOP: 0,
  /** NOP, then yield() before re-entering (the RFC, when not exiting to userspace). */
  YIELD: 1,
  /** NOP, then KVM_EXIT_MWAIT to the VMM. */
  USERSPACE: 2,
} as const

/** kvm_emulate_mwait() with the RFC: ret = kvm_emulate_monitor_mwait() (a NOP, "MWAIT instruction emulated as NOP!");
 *  if ret && kvm_userspace_exit(vcpu, KVM_EXIT_MWAIT): exit_reason = KVM_EXIT_MWAIT, return 0; else yield().
 *  `yieldPatch`: the RFC is applied for the yield too (false = today's kernels: NOP only). */
export function kvmEmulateMwait(userspaceExits: number, yieldPatch: boolean): number {
  if (kvmUserspaceExit(userspaceExits, KVM_EXIT_MWAIT)) return MwaitExit.USERSPACE
  return yieldPatch ? MwaitExit.YIELD : MwaitExit.NOP
}

/** How the VMM waits after its work on a KVM_EXIT_HLT (the vCPU's mp_state is KVM_MP_STATE_HALTED):
 *  'kvm-run'  — the RFC's "re-enter the vCPU without the corresponding bit set in the kvm_run struct" (and Paolo's
 *               "you can just use KVM_RUN to go to sleep"): KVM_RUN → vcpu_run(): kvm_vcpu_running() is false, so
 *               vcpu_block() → kvm_vcpu_halt(): host halt polling, then blocking, exactly as without the RFC.
 *  'vmm-poll' — the VMM sleeps in its own poll() on its event sources and an "interrupt pending" eventfd — not in the
 *               RFC ("But not poll()"), the follow-up Alexander Graf describes in its thread: KVM's halt polling never
 *               runs, the thread sleeps in userspace and the interrupt source wakes it; it re-enters KVM_RUN then. */
export type HltWait = 'kvm-run' | 'vmm-poll'

export const VmmStep = {
  /** KVM_RUN again with mp_state HALTED: kvm_vcpu_halt() (which returns at once if an interrupt is pending). */
  KVM_HALT: 0,
  /** An interrupt is already pending: the VMM's poll() returns at once and it re-enters KVM_RUN. */
  ENTER: 1,
  /** The vCPU thread sleeps in the VMM's poll() until the interrupt source signals it. */
  SLEEP: 2,
} as const

/** The step after the VMM's work on a KVM_EXIT_HLT. */
export function vmmAfterHltExit(wait: HltWait, interruptPending: boolean): number {
  if (wait === 'kvm-run') return VmmStep.KVM_HALT
  return interruptPending ? VmmStep.ENTER : VmmStep.SLEEP
}
