// kvm_sched_yield() (arch/x86/kvm/x86.c): the host side of a guest's hint that a vCPU it waits for should run —
// KVM_HC_SCHED_YIELD (PV sched yield, host ≥ 5.3) and, from v5.3, the yield KVM_HC_KICK_CPU makes to the vCPU it
// kicked (266e85a5ec91). The target must be another vCPU of the VM (a1fa4cbd53d9 "KVM: X86: Do not yield to self")
// with READ_ONCE(target->ready) — waiting for a pCPU after a preemption or after kvm_vcpu_wake_up() — and then
// kvm_vcpu_yield_to() → yield_to(): the target becomes its runqueue's next buddy (resched_curr() of its pCPU when that
// is another one) and the caller, the skip buddy, calls schedule() on its own pCPU.
import { atLeast as versionAtLeast } from '../kernel-version.ts'
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
 *  kick only sets pv_unhalted and wakes the halted waiter (kvm_vcpu_kick()). */
export function kickCpuYields(hostVersion: string): boolean {
  return versionAtLeast(hostVersion, '5.3')
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

/** kvm_sched_yield() from vCPU g's hypercall to vCPU x, on the model's host runqueues (`yieldKind`: yield_task_fair()
 *  of the host version, core/host/sched-yield.ts). Returns how the hypercall exit ends: After.RESCHED when the caller
 *  gives its pCPU up (the target waits there, or another thread does and the caller is the skip buddy), else
 *  After.ENTRY. */
export function kvmSchedYield(m: ModelCore, sched: Parts['sched'], g: number, x: number, yieldKind: number): number {
  const hrq = m.hrq
  if (!kvmSchedYieldTo(x === g, hrq.queued[x] === 1)) return After.ENTRY
  const c = m.vcpu.pcpuOf[g]!
  const tc = hrq.cpu[x]!
  hrq.yieldTo(x, c, yieldKind)
  if (tc !== c) sched.reschedCurr(tc, m.causeIds.resched)
  return tc === c || hrq.nrQueued[c]! > 0 ? After.RESCHED : After.ENTRY
}
