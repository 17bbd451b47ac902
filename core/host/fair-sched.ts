// The host's fair scheduler, reduced to what decides when a vCPU thread that shares its pCPU runs (model.md §2 pCPU,
// §5 sharing; kernel/sched/fair.c). Two eras: CFS (wake-up preemption by vruntime distance) before v6.6, and EEVDF
// from v6.6 (eligibility, virtual deadlines, RUN_TO_PARITY). All tasks have nice 0 (equal weights), so vruntime
// advances at the rate of run time and sched_slice() is the period divided by nr_running.
// Verified against fair.c: CFS as it stands from v5.13 (ALT_PERIOD/BASE_SLICE) to v6.5 — get_update_sysctl_factor(),
// __sched_period(), sched_slice(), place_entity(), wakeup_preempt_entity(), check_preempt_tick(); EEVDF as merged for
// v6.6 (147f3efaa241, 86bfbb7ce4f6 "Add lag based placement", 63304558ba5d "Curb wakeup-preemption") up to v6.11 —
// update_sysctl() scaling only sched_base_slice, place_entity() with PLACE_LAG, update_entity_lag(), __pick_eevdf()
// and check_preempt_wakeup(_fair)() (`pick_eevdf(cfs_rq) == pse`). Not modelled: v6.12's delayed dequeue (DELAY_DEQUEUE:
// a sleeper with negative lag stays queued until it is eligible, so its lag decays instead of being kept) and
// PREEMPT_SHORT (no effect with equal slices).
// Allocation-free: the run queue comes in as typed arrays of vruntimes/deadlines indexed by host-thread id.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export type FairEra = 'cfs' | 'eevdf'

export interface FairParams {
  era: FairEra
  /** CFS sysctl_sched_latency (ns). */
  latencyNs: number
  /** CFS sysctl_sched_min_granularity; EEVDF sysctl_sched_base_slice (ns). */
  minGranularityNs: number
  /** CFS sysctl_sched_wakeup_granularity (ns). */
  wakeupGranularityNs: number
}

/** EEVDF replaced CFS's pick and wake-up preemption in v6.6 (147f3efaa241 "sched/fair: Implement an EEVDF-like
 *  scheduling policy", merged for 6.6). */
export function fairEra(hostVersion: string): FairEra {
  return versionAtLeast(hostVersion, '6.6') ? 'eevdf' : 'cfs'
}

/** sched_init_granularity() → update_sysctl(): with SCHED_TUNABLESCALING_LOG (the default) get_update_sysctl_factor()
 *  is 1 + ilog2(min(num_online_cpus(), 8)): 6 ms / 0.75 ms / 1 ms become 24 / 3 / 4 ms on 8 or more CPUs. CFS scales
 *  sched_latency, sched_min_granularity and sched_wakeup_granularity; EEVDF scales sched_base_slice (0.75 ms). */
export function fairParams(hostVersion: string, nrCpus: number): FairParams {
  const factor = 1 + Math.floor(Math.log2(Math.max(1, Math.min(nrCpus, 8))))
  return { era: fairEra(hostVersion), latencyNs: 6e6 * factor, minGranularityNs: 0.75e6 * factor, wakeupGranularityNs: 1e6 * factor }
}

/** CFS sched_slice() for equal weights: __sched_period(nr) / nr, where the period is sysctl_sched_latency, stretched
 *  to nr × min_granularity beyond sched_nr_latency (latency / min_granularity = 8) tasks; BASE_SLICE's floor of
 *  min_granularity never binds with equal weights. EEVDF: the base slice (se->slice = sysctl_sched_base_slice). */
export function sliceNs(p: FairParams, nrRunning: number): number {
  if (p.era === 'eevdf') return p.minGranularityNs
  const n = Math.max(1, nrRunning)
  const period = n > p.latencyNs / p.minGranularityNs ? n * p.minGranularityNs : p.latencyNs
  return period / n
}

/** The vruntime a waking task is placed at.
 *  CFS place_entity(initial = 0): max(se->vruntime, min_vruntime − sysctl_sched_latency/2) (GENTLE_FAIR_SLEEPERS):
 *  a sleeper gets at most half a latency period of credit. A task woken on another CPU comes with its vruntime
 *  relative to the old queue's min_vruntime (migrate_task_rq_fair() / ENQUEUE_MIGRATED): the caller renormalises it.
 *  EEVDF place_entity() with PLACE_LAG: avg_vruntime − lag, the lag it had when it went to sleep, inflated by
 *  (W + w)/W = (n+1)/n for the n entities on the queue, curr included (equal weights); with none (cfs_rq->nr_running
 *  == 0) the lag does not matter and the task lands on avg_vruntime, which is then min_vruntime. */
export function placeWaking(p: FairParams, ownVruntime: number, lag: number, minVruntime: number, avgVruntime: number, nrQueued: number): number {
  if (p.era === 'cfs') return Math.max(ownVruntime, minVruntime - p.latencyNs / 2)
  if (nrQueued === 0) return avgVruntime
  return avgVruntime - (lag * (nrQueued + 1)) / nrQueued
}

/** EEVDF update_entity_lag() at dequeue: lag = avg_vruntime − vruntime, clamped to ±max(2 × slice, TICK_NSEC)
 *  (calc_delta_fair() of it: the same in virtual time at nice 0). */
export function entityLag(p: FairParams, vruntime: number, avgVruntime: number, tickNs: number): number {
  const limit = Math.max(2 * p.minGranularityNs, tickNs)
  return Math.max(-limit, Math.min(limit, avgVruntime - vruntime))
}

export interface WakeupPreemptInputs {
  currVruntime: number
  /** EEVDF: curr's virtual deadline and whether it is still protected (picked and not given a new slice since:
   *  set_next_entity() stashes se->vlag = se->deadline). */
  currDeadline: number
  currProtected: boolean
  /** avg_vruntime() of the queue including curr and the woken task. */
  avgVruntime: number
  wokenVruntime: number
  wokenDeadline: number
  /** EEVDF: the earliest virtual deadline among the other eligible waiting tasks (Infinity when there is none):
   *  pick_eevdf() may pick one of them rather than the woken task, and then nothing is preempted. */
  othersBestDeadline: number
}

/** Whether a waking task preempts the running one on its CPU.
 *  CFS check_preempt_wakeup() → wakeup_preempt_entity(curr, se): preempt when curr's vruntime exceeds the woken's by
 *  more than the wake-up granularity (vdiff > wakeup_gran()).
 *  EEVDF check_preempt_wakeup(_fair)(): preempt when pick_eevdf() picks the woken task. __pick_eevdf() drops an
 *  ineligible curr; keeps an eligible one while it is protected (RUN_TO_PARITY: curr->vlag == curr->deadline);
 *  otherwise takes the eligible waiting task with the earliest deadline, and curr (when eligible) unless that
 *  deadline is strictly earlier than curr's. */
export function wakeupPreempts(p: FairParams, i: WakeupPreemptInputs): boolean {
  if (p.era === 'cfs') return i.currVruntime - i.wokenVruntime > p.wakeupGranularityNs
  const currEligible = i.currVruntime <= i.avgVruntime
  if (currEligible && i.currProtected) return false
  const wokenEligible = i.wokenVruntime <= i.avgVruntime
  if (!wokenEligible || i.othersBestDeadline <= i.wokenDeadline) return false
  return !currEligible || i.wokenDeadline < i.currDeadline
}
