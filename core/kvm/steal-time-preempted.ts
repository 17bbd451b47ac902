// The steal-time `preempted` flag as the host sets it (virt/kvm/kvm_main.c kvm_sched_out(),
// arch/x86/kvm/x86.c kvm_arch_vcpu_put() / kvm_steal_time_set_preempted()). The fixes of v5.19 count from the stable
// releases that carry them too (54aa83c90198 and 6cd88243c7e0 in 5.10.180 and 5.18.17: core/kvm/backports.ts).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { ExitReason } from '../output/exit-names.ts'
import { hostHasFix, backportNote } from './backports.ts'

export interface SchedOutInputs {
  hostVersion: string
  /** The vCPU task is still runnable when it is switched out: TASK_RUNNING (≤5.13), on_rq (5.14–6.11), task_is_runnable() (6.12+). */
  taskRunnable: boolean
  /** vcpu->wants_to_run: the switch-out happens inside KVM_RUN (consulted from v6.11). */
  wantsToRun: boolean
  /** The vCPU blocked in kvm_vcpu_halt()/kvm_vcpu_block() (emulated HLT): the task sleeps, so it is never runnable. */
  blockedInHalt?: boolean
}

/** The steal-time preempted flag exists from v4.10: 0b9f6c4615c9 "x86/kvm: Support the vCPU preemption check" (Pan Xinhui,
 *  the host half in x86.c, kvm_steal_time_set_preempted() from kvm_arch_vcpu_put()), committed to tip by Ingo Molnar on
 *  2016-11-22 with the rest of the series (its child 1885aa7041c9, the guest half, and 3dd3e0ce7989 for msr.txt carry
 *  that commit date) — after 4.9-rc6, so for the 4.10 merge window; 4.9 (2016-12-11) took only fixes. The 4.10 tag
 *  itself was not read. */
const PREEMPTED_FLAG_SINCE = '4.10'

/** kvm_sched_out(): whether vcpu->preempted (and ->ready) is set. COND by version:
 *  ≤5.13 current->state == TASK_RUNNING; 5.14 (3ba9f93b1236) … 6.10 current->on_rq; 6.11 on_rq && wants_to_run
 *  (David Matlack, 2024); 6.12+ task_is_runnable(current) && wants_to_run (EEVDF delayed dequeue fix). */
export function kvmSchedOutSetsPreempted(i: SchedOutInputs): boolean {
  const runnable = i.taskRunnable && !i.blockedInHalt
  if (!runnable) return false
  if (versionAtLeast(i.hostVersion, '6.11')) return i.wantsToRun
  return true
}

export interface VcpuPutInputs {
  hostVersion: string
  /** vcpu->preempted as kvm_sched_out() left it (false on the vcpu_put() of a return to userspace). */
  vcpuPreempted: boolean
  /** vcpu->arch.at_instruction_boundary (v5.19+, 6cd88243c7e0): a preemption elsewhere is counted as preemption_other, not reported. Default true. */
  atInstructionBoundary?: boolean
}

/** kvm_arch_vcpu_put() → kvm_steal_time_set_preempted(): before v5.19 unconditional — every deschedule (HLT block
 *  included) and every return to userspace writes KVM_VCPU_PREEMPTED; from v5.19 only `if (vcpu->preempted)`.
 *  Verified: 54aa83c90198 "KVM: x86: do not set st->preempted when going back to user space" and 6cd88243c7e0 pushed to
 *  kvm.git for-linus on 2022-06-08 (after v5.19-rc1) ⇒ first release v5.19; stable: 5.10.180, 5.18.17. */
export function kvmArchVcpuPutReportsPreempted(i: VcpuPutInputs): boolean {
  if (!versionAtLeast(i.hostVersion, PREEMPTED_FLAG_SINCE)) return false
  if (!hostHasFix(i.hostVersion, 'preemptedOnlyIfPreempted')) return true
  const boundary = hostHasFix(i.hostVersion, 'preemptedAtInstructionBoundary') ? (i.atInstructionBoundary ?? true) : true
  return i.vcpuPreempted && boundary
}

export type DescheduleEvent = 'hlt-block' | 'preempted' | 'userspace-exit'

/** Whether the guest reads KVM_VCPU_PREEMPTED for a vCPU after the event (until record_steal_time() clears it at
 *  the next entry): kvm_sched_out() then kvm_arch_vcpu_put(); a return to userspace goes through vcpu_put() →
 *  kvm_arch_vcpu_put() with vcpu->preempted false. */
export function guestSeesPreemptedAfter(event: DescheduleEvent, hostVersion: string): boolean {
  let vcpuPreempted = false
  if (event === 'preempted') vcpuPreempted = kvmSchedOutSetsPreempted({ hostVersion, taskRunnable: true, wantsToRun: true })
  else if (event === 'hlt-block') vcpuPreempted = kvmSchedOutSetsPreempted({ hostVersion, taskRunnable: false, wantsToRun: true, blockedInHalt: true })
  return kvmArchVcpuPutReportsPreempted({ hostVersion, vcpuPreempted })
}

/** The preempted flag after an HLT block, as a decision: whether the guest reads KVM_VCPU_PREEMPTED for a vCPU blocked
 *  in HLT, and why — kvm_arch_vcpu_put() before or after 54aa83c90198 (v5.19 and its stable backports). */
export function preemptedOnHltBlock(hostVersion: string): { preempted: boolean; reason: string } {
  const preempted = guestSeesPreemptedAfter('hlt-block', hostVersion)
  const note = backportNote(hostVersion, 'preemptedOnlyIfPreempted')
  if (!versionAtLeast(hostVersion, PREEMPTED_FLAG_SINCE)) return { preempted, reason: `host ${hostVersion} < ${PREEMPTED_FLAG_SINCE} has no steal-time preempted flag` }
  return preempted
    ? { preempted, reason: `host ${hostVersion} lacks 54aa83c90198${note}: kvm_arch_vcpu_put() sets st->preempted on every deschedule, HLT blocks included` }
    : { preempted, reason: `host ${hostVersion} has 54aa83c90198 (5.19${note}): only a real preemption while runnable sets st->preempted, not an HLT block` }
}

/** vcpu->arch.at_instruction_boundary when the thread is scheduled out after an exit (6cd88243c7e0): vcpu_run() clears
 *  it before every entry, and only an exit for a host interrupt sets it — VMX handle_external_interrupt_irqoff(), SVM
 *  svm_handle_exit_irqoff() on SVM_EXIT_INTR (the model names both EXTERNAL_INTERRUPT). A deschedule at the end of any
 *  other exit (HLT, PAUSE, an MSR write, a return from the VMM) is not at an instruction boundary. */
export function exitSetsInstructionBoundary(exitReason: number): boolean {
  return exitReason === ExitReason.EXTERNAL_INTERRUPT
}

/** Whether kvm_steal_time_set_preempted() reports a real preemption whose last exit was not a host interrupt: yes
 *  before 6cd88243c7e0 (v5.19; 5.10.180, 5.18.17), no after (it counts vcpu->stat.preemption_other instead). */
export function reportsPreemptionOffBoundary(hostVersion: string): boolean {
  return kvmArchVcpuPutReportsPreempted({ hostVersion, vcpuPreempted: true, atInstructionBoundary: false })
}

/** The instruction-boundary rule as a decision (kvm_steal_time_set_preempted()). */
export function preemptedBoundaryDecision(hostVersion: string): { value: string; reason: string } {
  if (!versionAtLeast(hostVersion, PREEMPTED_FLAG_SINCE)) return { value: 'n/a', reason: `host ${hostVersion} < ${PREEMPTED_FLAG_SINCE} has no steal-time preempted flag` }
  const note = backportNote(hostVersion, 'preemptedAtInstructionBoundary')
  return reportsPreemptionOffBoundary(hostVersion)
    ? { value: 'every preemption', reason: `host ${hostVersion} lacks 6cd88243c7e0${note}: kvm_steal_time_set_preempted() marks the vCPU preempted whatever exit it was scheduled out from` }
    : { value: 'after a host interrupt only', reason: `host ${hostVersion} has 6cd88243c7e0 (5.19${note}): a vCPU scheduled out after an exit other than a host interrupt (vcpu->arch.at_instruction_boundary false: after an HLT wake-up, a PAUSE exit's yield, an MSR write) is not marked preempted; KVM counts it in preemption_other` }
}
