// How a guest wake-up reaches another vCPU's run queue (kernel/sched/core.c try_to_wake_up() → ttwu_queue()): either
// the waker takes the wakee CPU's rq->lock itself (a raw spinlock — qspinlock or pvqspinlock, the lock a preempted
// holder stalls), or it queues the task on that CPU's wake list (ttwu_queue_wakelist() → __smp_call_single_queue(), an
// IPI unless the target polls) and the target activates it under its own lock. ttwu_queue_cond() decides, by version.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

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
 *  locks the remote rq (false). 3.5+ (518cd62341786 "sched: Only queue remote wakeups when crossing cache
 *  boundaries"): only when the CPUs share no cache. 5.8+ (2ebb17717550 "sched/core: Offload wakee task activation if it
 *  the wakee is descheduling"): also when the wakee is still on that CPU and it runs at most one task. 6.0+
 *  (f3dd3f674555 "sched: Remove the limitation of WF_ON_CPU on wakelist if wakee cpu is idle"): also when the wakee CPU
 *  is idle (nr_running 0). The commit versions are from their merge windows, not re-verified against the tags. */
export function ttwuQueueWakelist(i: TtwuQueueInputs): boolean {
  if (!i.sameLlc) return true
  if (i.sameCpu) return false
  if (versionAtLeast(i.guestVersion, '6.0') && i.nrRunning === 0) return true
  if (versionAtLeast(i.guestVersion, '5.8') && i.wakeeOnCpu && i.nrRunning <= 1) return true
  return false
}
