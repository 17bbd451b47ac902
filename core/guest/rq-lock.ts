// How a guest wake-up reaches another vCPU's run queue (kernel/sched/core.c try_to_wake_up() → ttwu_queue()): either
// the waker takes the wakee CPU's rq->lock itself (a raw spinlock — qspinlock or pvqspinlock, the lock a preempted
// holder stalls), or it queues the task on that CPU's wake list (ttwu_queue_wakelist() → __smp_call_single_queue(), an
// IPI unless the target polls) and the target activates it under its own lock. ttwu_queue_cond() decides, by version.
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { hostHasFix as kernelHasFix } from '../kvm/backports.ts'

export interface TtwuQueueInputs {
  guestVersion: string
  /** cpus_share_cache(smp_processor_id(), cpu): waker and wakee CPU in one LLC domain. */
  sameLlc: boolean
  /** The wakee CPU is the waker's own. */
  sameCpu: boolean
  /** cpu_rq(cpu)->nr_running (the wakee has already been dequeued). */
  nrRunning: number
  /** WF_ON_CPU / p->on_cpu: the wakee is still descheduling on that CPU. */
  wakeeOnCpu: boolean
}

/** ttwu_queue_cond() under sched_feat(TTWU_QUEUE): whether the wake-up goes through the wake list (true) or the waker
 *  locks the remote rq (false). 3.3+ (518cd6234178 "sched: Only queue remote wakeups when crossing cache
 *  boundaries", buggy-since v3.3-rc1 per the analysis of its fix 42dc938a590c): only when the CPUs share no cache.
 *  5.8+ (2ebb17717550 "sched/core: Offload wakee task activation if it the wakee is descheduling", in "[GIT PULL]
 *  scheduler changes for v5.8", 2020-06-02): also when the wakee is still on that CPU (WF_ON_CPU) and
 *  `nr_running <= 1`. 6.0 ("[GIT PULL] Scheduler updates for v6.0", 2022-08-01): 28156108fecb "sched: Fix the check of
 *  nr_running at queue wakelist" makes that `!nr_running` (the wakee is already dequeued; stable 5.10.137, 5.15.61)
 *  and f3dd3f674555 "sched: Remove the limitation of WF_ON_CPU on wakelist if wakee cpu is idle" drops WF_ON_CPU from
 *  it (stable 5.15.61): any idle wakee CPU (core/kvm/backports.ts holds both with their stable releases). */
export function ttwuQueueWakelist(i: TtwuQueueInputs): boolean {
  if (!i.sameLlc) return true
  if (i.sameCpu) return false
  if (kernelHasFix(i.guestVersion, 'ttwuWakelistIdleWakeeCpu') && i.nrRunning === 0) return true
  if (versionAtLeast(i.guestVersion, '5.8') && i.wakeeOnCpu) return kernelHasFix(i.guestVersion, 'ttwuWakelistIdleOnly') ? i.nrRunning === 0 : i.nrRunning <= 1
  return false
}
