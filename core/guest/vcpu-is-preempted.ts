// Whether the guest's vcpu_is_preempted() reads steal time (arch/x86/kernel/kvm.c,
// kernel/sched/core.c available_idle_cpu()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { kvmSpinlockInit } from './pvspinlock.ts'
import { pvLockFeatures } from './qspinlock.ts'

export interface PreemptedCheckInputs {
  guestVersion: string
  /** KVM_FEATURE_STEAL_TIME in the guest's CPUID. */
  stealTime: boolean
  /** KVM_FEATURE_PV_UNHALT (hidden when HLT is passed through). */
  pvUnhalt: boolean
  /** KVM_HINTS_REALTIME. */
  realtimeHint: boolean
  nopvspin: boolean
  vcpus: number
}

/** pv_ops.lock.vcpu_is_preempted = __kvm_vcpu_is_preempted is installed:
 *  guest < v5.18: at the end of kvm_spinlock_init(), i.e. only when PV spinlocks were enabled (PV_UNHALT, no REALTIME
 *  hint, > 1 CPU, no nopvspin) and KVM_FEATURE_STEAL_TIME;
 *  guest ≥ v5.18: in kvm_guest_init() whenever KVM_FEATURE_STEAL_TIME. Verified: 4ab22f38c204 "KVM: x86: Support the
 *  vCPU preemption check with nopvspin and realtime hint" (Li RongQing), in "Second batch of KVM changes for Linux 5.18".
 *  Before v4.10 there is no KVM vcpu_is_preempted: 1885aa7041c9 "x86/kvm: Support the vCPU preemption check" (Pan
 *  Xinhui, the guest half: __kvm_vcpu_is_preempted() in arch/x86/kernel/kvm.c; its parent 0b9f6c4615c9 is the host
 *  half) was authored 2016-11-02 and committed to tip by Ingo Molnar on 2016-11-22, after 4.9-rc6 — the 4.10 merge
 *  window's locking/core series (the 4.10 tag was not read). */
export function guestConsultsPreempted(i: PreemptedCheckInputs): { consults: boolean; reason: string } {
  if (!versionAtLeast(i.guestVersion, '4.10')) return { consults: false, reason: 'guest < 4.10 has no KVM vcpu_is_preempted(): native (always false)' }
  if (!i.stealTime) return { consults: false, reason: 'no KVM_FEATURE_STEAL_TIME: vcpu_is_preempted() stays native (always false)' }
  if (versionAtLeast(i.guestVersion, '5.18')) return { consults: true, reason: 'guest ≥ 5.18 installs __kvm_vcpu_is_preempted in kvm_guest_init() whenever steal time is available' }
  const lock = kvmSpinlockInit(i)
  if (lock.kind === 'pvqspinlock') return { consults: true, reason: 'guest < 5.18: kvm_spinlock_init() enabled PV spinlocks and installed __kvm_vcpu_is_preempted (steal time present)' }
  return { consults: false, reason: `guest < 5.18 installs vcpu_is_preempted only with PV spinlocks, which are off (${lock.reason})` }
}

/** available_idle_cpu() (kernel/sched/core.c, v4.18+): idle_cpu(cpu) && !vcpu_is_preempted(cpu). */
export function availableIdleCpu(idle: boolean, preempted: boolean): boolean {
  return idle && !preempted
}

/** The guest paths that read the steal-time `preempted` flag, each gated by the guest version (the host setting the
 *  flag is core/kvm/steal-time-preempted.ts; a reader here only decides whether this guest path looks at it). */
export interface PreemptedReaders {
  /** kvm_flush_tlb_multi() (kvm_flush_tlb_others() before 5.10): reads `src->preempted` straight from steal time,
   *  not through vcpu_is_preempted(); installed by kvm_guest_init() when pv_tlb_flush_supported() (guest ≥ 4.16). */
  tlbFlush: boolean
  /** available_idle_cpu() = idle_cpu() && !vcpu_is_preempted() in select_idle_sibling() and wake_affine_idle():
   *  only from guest 4.18 (943d355d7fee "sched/core: Distinguish between idle_cpu() calls based on desired effect,
   *  introduce available_idle_cpu()"); before it the scan used idle_cpu() alone. */
  idleScan: boolean
  /** mutex_spin_on_owner() / mutex_can_spin_on_owner() and rwsem_spin_on_owner(): stop spinning when the owner's
   *  vCPU is preempted — from guest 4.10 (Pan Xinhui's series "locking/mutex: Break out of expensive busy-loop on
   *  {mutex,rwsem}_spin_on_owner() when owner vCPU is preempted", with the x86 KVM vcpu_is_preempted() it calls). */
  mutexSpin: boolean
  /** kvm_smp_send_call_func_ipi() (PV sched yield, guest ≥ 5.3): after the call-function IPIs, yield to the first
   *  target vcpu_is_preempted() reports (KVM_HC_SCHED_YIELD). */
  callFuncYield: boolean
  /** …passing idle targets over (`!idle_cpu(cpu) &&`, guest ≥ 5.18: Li RongQing's patch, Message-Id
   *  1644380201-29423-1-git-send-email-lirongqing@baidu.com). */
  callFuncYieldSkipsIdle: boolean
  /** pv_wait_early() (pvqspinlock's queued waiters): halts early on vcpu_is_preempted(prev->cpu) from guest 4.10
   *  until the revert 89340d0935c9 (5.4; 4.14.149, 4.19.79, 5.3.6) — core/guest/qspinlock.ts pvLockFeatures(). */
  pvWaitEarly: boolean
}

/** Which guest paths read the flag: `consults` is guestConsultsPreempted() (vcpu_is_preempted() reads steal time),
 *  `pvTlbFlush` is pv_tlb_flush_supported() and `pvSchedYield` is pv_sched_yield_supported(). */
export function preemptedReaders(guestVersion: string, consults: boolean, pvTlbFlush: boolean, pvSchedYield: boolean): PreemptedReaders {
  return {
    tlbFlush: pvTlbFlush,
    idleScan: consults && versionAtLeast(guestVersion, '4.18'),
    mutexSpin: consults && versionAtLeast(guestVersion, '4.10'),
    callFuncYield: consults && pvSchedYield && versionAtLeast(guestVersion, '5.3'),
    callFuncYieldSkipsIdle: versionAtLeast(guestVersion, '5.18'),
    pvWaitEarly: consults && pvLockFeatures(guestVersion).waitEarlyOnPreempted,
  }
}

/** pv_sched_yield_supported() (arch/x86/kernel/kvm.c, guest ≥ 5.3): KVM_FEATURE_PV_SCHED_YIELD && !KVM_HINTS_REALTIME
 *  && num_possible_cpus() != 1; then kvm_smp_prepare_cpus() installs kvm_smp_send_call_func_ipi(). */
export function pvSchedYieldSupported(i: { pvSchedYield: boolean; realtimeHint: boolean; vcpus: number; guestVersion: string }): boolean {
  return i.pvSchedYield && !i.realtimeHint && i.vcpus > 1 && versionAtLeast(i.guestVersion, '5.3')
}
