// Directed yield on a PAUSE exit (virt/kvm/kvm_main.c kvm_vcpu_on_spin(), current code).
// Allocation-free: per-vCPU flags of the VM come in as Uint8Array (1 = true), indexed by vcpu_idx.
// Per version (who is a candidate): readyCandidates() and pendingInterruptBoosts() below.
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { hostHasCommit } from './reverts.ts'

/** What makes a waiting vCPU a candidate of kvm_vcpu_on_spin() (the first test of its scan). Before v5.3
 *  `if (!READ_ONCE(vcpu->preempted)) continue;` — only a vCPU scheduled out while runnable (kvm_sched_out()). From
 *  v5.3, d73eb57b80b9 "KVM: Boost vCPUs that are delivering interrupts" (Wanpeng Li; in the 5.3 merge-window pull
 *  with 0c5f81dad46c, its fix 17e433b54393 in 5.3-rc5): `if (!READ_ONCE(vcpu->ready)) continue;`, and
 *  kvm_vcpu_wake_up() sets vcpu->ready too — a halted vCPU woken by an interrupt (an IPI it must answer) and still
 *  waiting for a pCPU is a candidate. 'preempted': only vcpu->preempted; 'ready': preempted or woken. A host built
 *  without d73eb57b80b9 (`reverted`, core/kvm/reverts.ts) keeps 'preempted'. */
export function readyCandidates(hostVersion: string, reverted: readonly string[] = []): 'preempted' | 'ready' {
  return hostHasCommit(hostVersion, reverted, 'd73eb57b80b9') ? 'ready' : 'preempted'
}

/** Whether a vCPU preempted in user mode stays a candidate of a kernel-mode spinner when it has an interrupt pending
 *  (kvm_arch_dy_has_pending_interrupt(): a posted interrupt in its PI descriptor). From v5.13: 52acd22faa1a "KVM:
 *  Boost vCPU candidate in user mode which is delivering interrupt" (Wanpeng Li; in the 5.13 KVM pull with a1fa4cbd53d9
 *  "KVM: X86: Do not yield to self"). Before, `READ_ONCE(vcpu->preempted) && yield_to_kernel_mode &&
 *  !kvm_arch_vcpu_in_kernel(vcpu)` skipped it. */
export function pendingInterruptBoosts(hostVersion: string): boolean {
  return versionAtLeast(hostVersion, '5.13')
}

/** Whether a vCPU woken by kvm_vcpu_wake_up() and not yet running is still kvm_vcpu_is_blocking(). Before 5.8 the
 *  scan tested swait_active(&vcpu->wq), and swake_up_one() takes the woken waiter off the queue (swake_up_locked():
 *  list_del_init()): a woken vCPU no longer counted as blocking, so it was a candidate whatever woke it. From 5.8
 *  (da4ad88cab5d "kvm: Replace vcpu->swait with rcuwait") the test is on vcpu->wait.task (rcuwait_active() later),
 *  which rcuwait_wake_up() leaves set until the woken thread's finish_rcuwait(): still blocking, so
 *  vcpuDyRunnable() decides. */
export function wokenStillBlocking(hostVersion: string): boolean {
  return versionAtLeast(hostVersion, '5.8')
}

/** How an interrupt reaches a vCPU that is not in guest mode, for kvm_arch_dy_runnable(): 'injected' —
 *  __apic_accept_irq() sets the IRR and KVM_REQ_EVENT; 'posted' — VMX APICv sets the PIR and the descriptor's ON bit
 *  (vmx_deliver_posted_interrupt()); 'avic' — svm_complete_interrupt_delivery() sets the vAPIC IRR and calls
 *  kvm_vcpu_wake_up(), no request. */
export type IrqDelivery = 'injected' | 'posted' | 'avic'

/** vcpu_dy_runnable() → kvm_arch_dy_runnable() (x86.c, from 17e433b54393 "KVM: Fix leak vCPU's VMCS value into other
 *  pCPU", 5.3, in place of kvm_arch_vcpu_runnable(); unchanged since but for CONFIG_KVM_SMM): a vCPU in kvm_vcpu_block()
 *  is worth a directed yield if pv_unhalted (a PV kick), KVM_REQ_NMI/SMI/EVENT, or kvm_arch_dy_has_pending_interrupt()
 *  (below). So an interrupt delivered to it counts when injected (KVM_REQ_EVENT) or posted (ON), not on AVIC
 *  (svm_dy_apicv_has_pending_interrupt() returns false); a LAPIC timer that expired in the halt does not — it is only
 *  lapic_timer.pending (apic_timer_expired(): a request that is neither of those, and kvm_vcpu_kick()) until vcpu_run()
 *  injects it once the thread runs. `irqDelivered`: an interrupt other than such a pending timer is pending. (Before
 *  5.3 the test was kvm_arch_vcpu_runnable(), but only vcpu->preempted vCPUs were candidates then — never blocking.) */
export function vcpuDyRunnable(pvUnhalted: boolean, irqDelivered: boolean, delivery: IrqDelivery): boolean {
  return pvUnhalted || (irqDelivered && delivery !== 'avic')
}

/** kvm_arch_dy_has_pending_interrupt() (52acd22faa1a, 5.13): kvm_vcpu_apicv_active() && dy_apicv_has_pending_interrupt()
 *  — VMX pi_has_pending_interrupt() (ON set), SVM false — so only a posted interrupt counts, not an injected one
 *  (KVM_REQ_EVENT is not looked at here). */
export function dyHasPendingInterrupt(irqPosted: boolean, delivery: IrqDelivery): boolean {
  return irqPosted && delivery === 'posted'
}

export interface OnSpinInputs {
  /** The spinning vCPU (me->vcpu_idx). */
  me: number
  /** kvm->last_boosted_vcpu; the scan starts at the next index. */
  lastBoostedVcpu: number
  /** The spinning vCPU was in kernel mode (VMX: always, PLE is CPL-0 only; SVM: CPL == 0). */
  yieldToKernelMode: boolean
  /** The candidate flag: vcpu->ready (v5.3+: set by kvm_sched_out() on a preemption and by kvm_vcpu_wake_up();
   *  cleared by kvm_sched_in()), or vcpu->preempted before v5.3 (readyCandidates()). */
  ready: Uint8Array
  /** vcpu->preempted (kvm_sched_out() COND). */
  preempted: Uint8Array
  /** kvm_vcpu_is_blocking() (rcuwait_active(); swait_active() before 5.8): inside kvm_vcpu_block()'s wait — blocked,
   *  and from 5.8 also woken by kvm_vcpu_wake_up() and not yet back in its loop (wokenStillBlocking()); halt polling is
   *  outside it (before 5.17 kvm_vcpu_block() polled before prepare_to_rcuwait(), from 5.17 kvm_vcpu_halt() polls
   *  before kvm_vcpu_block()). */
  blocking: Uint8Array
  /** vcpu_dy_runnable() (vcpuDyRunnable()): a blocking vCPU with a pending event/kick that makes it worth boosting. */
  dyRunnable: Uint8Array
  /** kvm_arch_vcpu_preempted_in_kernel(): vcpu->arch.preempted_in_kernel. */
  preemptedInKernel: Uint8Array
  /** kvm_arch_dy_has_pending_interrupt() (dyHasPendingInterrupt()): a posted interrupt pending (VMX APICv); all 0
   *  before v5.13 (pendingInterruptBoosts()). */
  pendingInterrupt: Uint8Array
  /** Optional spin-loop state (CONFIG_HAVE_KVM_CPU_RELAX_INTERCEPT): in_spin_loop and dy_eligible; dyEligible is toggled. */
  inSpinLoop?: Uint8Array
  dyEligible?: Uint8Array
}

/** kvm_vcpu_eligible_for_directed_yield(): a vCPU that is itself spinning is eligible every other time. */
function eligible(v: number, i: OnSpinInputs): boolean {
  if (!i.inSpinLoop || !i.dyEligible) return true
  const ok = i.inSpinLoop[v] === 0 || i.dyEligible[v] === 1
  if (i.inSpinLoop[v] === 1) i.dyEligible[v] = i.dyEligible[v] === 1 ? 0 : 1
  return ok
}

/** kvm_vcpu_on_spin(me, yield_to_kernel_mode): scan from last_boosted_vcpu + 1 (wrapping), skip me, skip !ready, skip
 *  blocking && !dy_runnable, skip a preempted vCPU in user mode when yielding to kernel mode (unless it has a pending
 *  interrupt), skip ineligible; kvm_vcpu_yield_to() (tryYield, returning yield_to()'s value) the first candidate:
 *  > 0 boosted — stop; < 0 (−ESRCH: the spinner and the target each alone on their run queues) — one of 3 tries
 *  gone; 0 (the target already running, or asleep) — go on without spending a try. Returns the vCPU yielded to (the
 *  new last_boosted_vcpu) or -1. Fewer than 2 vCPUs: -1. With 1:1 pinning and no overcommit no vCPU is ever
 *  ready/preempted, so PLE exits find nothing. */
export function kvmVcpuOnSpin(i: OnSpinInputs, tryYield: (v: number) => number): number {
  const n = i.ready.length
  if (n < 2) return -1
  let tries = 3
  const start = i.lastBoostedVcpu + 1
  for (let k = 0; k < n; k++) {
    const v = (((start + k) % n) + n) % n
    if (v === i.me) continue
    if (i.ready[v] !== 1) continue
    if (i.blocking[v] === 1 && i.dyRunnable[v] !== 1) continue
    if (i.preempted[v] === 1 && i.yieldToKernelMode && i.pendingInterrupt[v] !== 1 && i.preemptedInKernel[v] !== 1) continue
    if (!eligible(v, i)) continue
    const yielded = tryYield(v)
    if (yielded > 0) return v
    if (yielded < 0 && --tries === 0) break
  }
  return -1
}
