// kvm_sched_yield() (arch/x86/kvm/x86.c): the host side of a guest's hint that a vCPU it waits for should run —
// KVM_HC_SCHED_YIELD (PV sched yield, host ≥ 5.3) and, from v5.3, the yield KVM_HC_KICK_CPU makes to the vCPU it
// kicked (266e85a5ec91). The target must be another vCPU of the VM (a1fa4cbd53d9 "KVM: X86: Do not yield to self")
// with READ_ONCE(target->ready) — waiting for a pCPU after a preemption or after kvm_vcpu_wake_up(), or woken onto an
// idle pCPU that has not switched to it yet — and then kvm_vcpu_yield_to() → yield_to(): the target becomes its
// runqueue's next buddy (resched_curr() of its pCPU when that is another one) and the caller, the skip buddy, calls
// schedule() on its own pCPU. That schedule() takes the caller off its pCPU only when it picks another thread
// (core/host/host-sched.ts descheduleVcpu(): no kvm_sched_out(), so no vcpu->preempted, when it picks the caller).
import { hostHasCommit } from './reverts.ts'
import { hostHasFix } from './backports.ts'
import { After } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'

/** kvm_sched_yield()'s test: yield only to another vCPU whose vcpu->ready is set (runnable, waiting for a CPU). */
export function kvmSchedYieldTo(self: boolean, targetReady: boolean): boolean {
  return !self && targetReady
}

/** Whether KVM_HC_KICK_CPU also yields to the kicked vCPU: kvm_emulate_hypercall() calls kvm_pv_kick_cpu_op() then
 *  kvm_sched_yield(vcpu, a1) from v5.3 — 266e85a5ec91 "KVM: X86: Boost queue head vCPU to mitigate lock waiter
 *  preemption" (Wanpeng Li, 2019-07-24; the base of the "KVM fixes for Linux 5.3-rc4" pull, so in v5.3). Before, the
 *  kick only sets pv_unhalted and wakes the halted waiter (kvm_vcpu_kick()), as on a host built without 266e85a5ec91
 *  (`reverted`, core/kvm/reverts.ts). */
export function kickCpuYields(hostVersion: string, reverted: readonly string[] = []): boolean {
  return hostHasCommit(hostVersion, reverted, '266e85a5ec91')
}

/** Whether kvm_sched_yield() bails out when the caller is alone on its pCPU: 72b268a8e930 "KVM: X86: Bail out of
 *  direct yield in case of under-committed scenarios" (v5.13) adds `if (single_task_running()) goto no_yield;` at its
 *  top. Only kvm_sched_yield() (KVM_HC_SCHED_YIELD, the KVM_HC_KICK_CPU yield) has it: kvm_vcpu_on_spin() (PAUSE exits)
 *  calls kvm_vcpu_yield_to() without it. Resolved once per run from the host version (core/kvm/backports.ts). */
export function directYieldBailsOutWhenAlone(hostVersion: string): boolean {
  return hostHasFix(hostVersion, 'directYieldUndercommitBailout')
}

/** single_task_running() on the caller's pCPU c: nothing queued behind it (nrQueued counts queued threads, not the
 *  running one — the caller itself). */
export function singleTaskRunning(nrQueuedOnCallerCpu: number): boolean {
  return nrQueuedOnCallerCpu === 0
}

/** kvm_sched_yield() as the hypercalls reach it (KVM_HC_SCHED_YIELD, and KVM_HC_KICK_CPU from 5.3): with
 *  `bailsOutWhenAlone` (directYieldBailsOutWhenAlone() of the host), a caller alone on its pCPU does not yield at all
 *  (no_yield: the VM entry follows); otherwise as kvmSchedYield(). */
export function kvmSchedYieldHypercall(m: ModelCore, sched: Parts['sched'], g: number, x: number, yieldKind: number, bailsOutWhenAlone: boolean): number {
  if (bailsOutWhenAlone && singleTaskRunning(m.hrq.nrQueued[m.vcpu.pcpuOf[g]!]!)) return After.ENTRY
  return kvmSchedYield(m, sched, g, x, yieldKind)
}

/** yield_to() (kernel/sched/core.c; syscalls.c from 6.11) from the running vCPU thread g to vCPU thread x, as its
 *  return value: −1 (−ESRCH) when g is alone on its run queue and x alone on its own — x woken onto an idle pCPU and
 *  being switched in there; 0 when x is not runnable-and-waiting (task_running(p_rq, p) || p->state: already running,
 *  or asleep, or still on an idle pCPU's wake list: TASK_WAKING); 1 when yield_to_task_fair() boosted it (x waits on a
 *  run queue, or was enqueued on an idle pCPU that is switching to it). kvm_vcpu_yield_to() passes it on. */
export function yieldToResult(m: ModelCore, sched: Parts['sched'], g: number, x: number): number {
  if (x === g || !sched.vcpuReady(x) || sched.vcpuOnWakelist(x)) return 0
  const hrq = m.hrq
  return hrq.nrQueued[m.vcpu.pcpuOf[g]!] === 0 && hrq.nrRunning(hrq.cpu[x]!) === 1 ? -1 : 1
}

/** kvm_sched_yield() from vCPU g's hypercall to vCPU x, on the model's host runqueues (`yieldKind`: yield_task_fair()
 *  of the host version, core/host/sched-yield.ts): the target must be ready (READ_ONCE(target->ready), sched.vcpuReady())
 *  and not the caller; then kvm_vcpu_yield_to() → yield_to() (yieldToResult(), yieldToBoost()). Returns how the
 *  hypercall exit ends. */
export function kvmSchedYield(m: ModelCore, sched: Parts['sched'], g: number, x: number, yieldKind: number): number {
  if (!kvmSchedYieldTo(x === g, sched.vcpuReady(x)) || yieldToResult(m, sched, g, x) <= 0) return After.ENTRY
  return yieldToBoost(m, sched, g, x, yieldKind)
}

/** yield_to() once it boosts x (yieldToResult() > 0): yield_to_task_fair() makes x its run queue's next buddy and the
 *  caller the skip buddy (yield_task_fair(), only when something else waits on its pCPU); resched_curr(p_rq) when x
 *  waits on another pCPU (one that is switching to x from idle needs none); then schedule() on the caller's pCPU.
 *  Returns After.RESCHED when that schedule() has another thread to consider (descheduleVcpu() picks; when it picks
 *  the caller again nothing is scheduled out), else After.ENTRY (alone: schedule() returns to it at once). −ESRCH
 *  (yieldToResult() < 0) also ends in After.ENTRY. */
export function yieldToBoost(m: ModelCore, sched: Parts['sched'], g: number, x: number, yieldKind: number): number {
  const hrq = m.hrq
  const c = m.vcpu.pcpuOf[g]!
  const tc = hrq.cpu[x]!
  const queued = hrq.queued[x] === 1
  hrq.yieldTo(x, c, yieldKind)
  if (queued && tc !== c) sched.reschedCurr(tc, m.causeIds.resched)
  return hrq.nrQueued[c]! > 0 ? After.RESCHED : After.ENTRY
}
