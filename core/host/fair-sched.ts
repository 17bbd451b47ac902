// The host's fair scheduler, reduced to what decides when a vCPU thread that shares its pCPU runs (model.md §2 pCPU,
// §5 sharing; kernel/sched/fair.c). Two eras: CFS (wake-up preemption by vruntime distance) before v6.6, and EEVDF
// from v6.6 (eligibility, virtual deadlines, RUN_TO_PARITY). All tasks have nice 0 (equal weights), so vruntime
// advances at the rate of run time and sched_slice() is the period divided by nr_running.
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

/** sched_init_granularity() → update_sysctl(): with SCHED_TUNABLESCALING_LOG (the default) the base values are
 *  multiplied by 1 + ilog2(min(nr_cpus, 8)): 6 ms / 0.75 ms / 1 ms become 24 / 3 / 4 ms on 8 or more CPUs. */
export function fairParams(hostVersion: string, nrCpus: number): FairParams {
  const factor = 1 + Math.floor(Math.log2(Math.max(1, Math.min(nrCpus, 8))))
  return { era: fairEra(hostVersion), latencyNs: 6e6 * factor, minGranularityNs: 0.75e6 * factor, wakeupGranularityNs: 1e6 * factor }
}

/** CFS sched_slice() for equal weights: __sched_period(nr) / nr, where the period is sysctl_sched_latency, stretched
 *  to nr × min_granularity beyond sched_nr_latency (latency / min_granularity = 8) tasks. EEVDF: the base slice. */
export function sliceNs(p: FairParams, nrRunning: number): number {
  if (p.era === 'eevdf') return p.minGranularityNs
  const n = Math.max(1, nrRunning)
  const period = n > p.latencyNs / p.minGranularityNs ? n * p.minGranularityNs : p.latencyNs
  return period / n
}

/** The vruntime a waking task is placed at.
 *  CFS place_entity(initial = 0): max(se->vruntime, min_vruntime − sysctl_sched_latency/2) (GENTLE_FAIR_SLEEPERS):
 *  a sleeper gets at most half a latency period of credit.
 *  EEVDF place_entity() with PLACE_LAG: avg_vruntime − lag, the lag it had when it went to sleep, inflated by
 *  (n+1)/n for the n tasks already queued (equal weights); with no other task the lag does not matter. */
export function placeWaking(p: FairParams, ownVruntime: number, lag: number, minVruntime: number, avgVruntime: number, nrQueued: number): number {
  if (p.era === 'cfs') return Math.max(ownVruntime, minVruntime - p.latencyNs / 2)
  if (nrQueued === 0) return avgVruntime
  return avgVruntime - (lag * (nrQueued + 1)) / nrQueued
}

/** EEVDF update_entity_lag() at dequeue: lag = avg_vruntime − vruntime, clamped to ±max(2 × slice, TICK_NSEC). */
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
}

/** Whether a waking task preempts the running one on its CPU.
 *  CFS check_preempt_wakeup() → wakeup_preempt_entity(curr, se): preempt when curr's vruntime exceeds the woken's by
 *  more than the wake-up granularity.
 *  EEVDF check_preempt_wakeup_fair(): preempt when pick_eevdf() would pick the woken task: curr keeps the CPU while it
 *  is eligible (vruntime ≤ avg) and protected (RUN_TO_PARITY); otherwise the woken task wins if it is eligible with
 *  an earlier deadline. */
export function wakeupPreempts(p: FairParams, i: WakeupPreemptInputs): boolean {
  if (p.era === 'cfs') return i.currVruntime - i.wokenVruntime > p.wakeupGranularityNs
  const currEligible = i.currVruntime <= i.avgVruntime
  if (currEligible && i.currProtected) return false
  const wokenEligible = i.wokenVruntime <= i.avgVruntime
  if (!wokenEligible) return false
  return !currEligible || i.wokenDeadline < i.currDeadline
}
