// The guest kernel's fair-class decisions per guest version (kernel/sched/fair.c, core.c, idle.c): which fair class the
// guest runs (CFS before v6.6, EEVDF from v6.6: 147f3efaa241) and its tunables scaled by the guest's vCPU count, the
// tick's check (CFS check_preempt_tick(), EEVDF update_deadline()), and how resched_curr() tells a vCPU to reschedule
// (its own flag, nothing for a target that polls with TIF_POLLING_NRFLAG, else a reschedule IPI).
// The vruntime/deadline arithmetic (place_entity(), wakeup_preempt_entity(), pick_eevdf(), sched_slice()) is the same
// fair.c the host runs: core/host/fair-sched.ts, used here with the guest's own version and CPU count.
// Pure functions: no state, no allocation.
import { fairParams, sliceNs } from '../host/fair-sched.ts'
import type { FairParams } from '../host/fair-sched.ts'
import { St } from '../sim/constants.ts'
import type { Decision } from '../result.ts'

/** The guest's fair class and tunables: sched_init_granularity() → update_sysctl() in the guest scales
 *  sysctl_sched_latency 6 ms, min_granularity 0.75 ms and wakeup_granularity 1 ms (CFS), or base_slice 0.75 ms
 *  (EEVDF), by 1 + ilog2(min(num_online_cpus(), 8)) — the guest's vCPUs. */
export function guestFairParams(guestVersion: string, vcpus: number): FairParams {
  return fairParams(guestVersion, vcpus)
}

const ms = (ns: number): string => `${+(ns / 1e6).toFixed(2)} ms`

/** The decision shown beside a VM's results: which fair class its guest runs and with which slices. */
export function guestFairDecision(p: FairParams, vcpus: number): Decision {
  const scale = `scaled by 1 + ilog2(min(${vcpus} vCPUs, 8)) = ${p.wakeupGranularityNs / 1e6}`
  return p.era === 'cfs'
    ? {
      id: 'guest-fair', title: 'Guest scheduler (fair class)', value: `CFS: latency ${ms(p.latencyNs)}, wake-up granularity ${ms(p.wakeupGranularityNs)}`,
      reason: `guest kernel before 6.6: a wakee preempts the running thread when its vruntime trails by more than the wake-up granularity; the tick reschedules a thread after its share of the latency period (min granularity ${ms(p.minGranularityNs)}); tunables ${scale}`,
      mirrors: 'check_preempt_wakeup() / check_preempt_tick() / resched_curr()',
    }
    : {
      id: 'guest-fair', title: 'Guest scheduler (fair class)', value: `EEVDF: base slice ${ms(p.minGranularityNs)}`,
      reason: `guest kernel 6.6 or later (147f3efaa241): a wakee preempts when pick_eevdf() picks it (eligible, earlier virtual deadline; RUN_TO_PARITY keeps curr until its deadline); at its deadline the tick reschedules; base slice ${scale}`,
      mirrors: 'check_preempt_wakeup_fair() / update_deadline() / resched_curr()',
    }
}

/** CFS entity_tick() → check_preempt_tick(curr) when cfs_rq->nr_running > 1: resched once curr ran its ideal slice
 *  (sched_slice(): the period over nr_running, equal weights) since it was picked; after at least min_granularity,
 *  also when curr's vruntime leads the leftmost waiting one (__pick_first_entity(); Infinity: none) by more than that
 *  slice — a task that missed wake-up preemption by a narrow margin does not wait a whole slice. */
export function checkPreemptTick(p: FairParams, nrRunning: number, ranSincePickNs: number, currVruntime: number, leftVruntime: number): boolean {
  if (nrRunning <= 1) return false
  const idealRuntime = sliceNs(p, nrRunning)
  if (ranSincePickNs > idealRuntime) return true
  if (ranSincePickNs < p.minGranularityNs) return false
  const delta = currVruntime - leftVruntime
  return delta > idealRuntime
}

/** EEVDF update_deadline() (v6.6+, from every update_curr(), the tick's included): once curr's vruntime reached its
 *  deadline it gets a new one a base slice further and, when cfs_rq->nr_running > 1, resched_curr(); pick_eevdf()
 *  then decides whether curr runs on. */
export function updateDeadlineResched(deadlineReached: boolean, nrRunning: number): boolean {
  return deadlineReached && nrRunning > 1
}

/** The era's tick check: check_preempt_tick() under CFS, update_deadline() under EEVDF. */
export function tickPreempts(p: FairParams, nrRunning: number, ranSincePickNs: number, currVruntime: number, leftVruntime: number, deadlineReached: boolean): boolean {
  return p.era === 'cfs' ? checkPreemptTick(p, nrRunning, ranSincePickNs, currVruntime, leftVruntime) : updateDeadlineResched(deadlineReached, nrRunning)
}

/** How resched_curr() reaches the target vCPU. */
export const Resched = {
  /** test_tsk_need_resched(curr): already set — nothing more. */
  ALREADY: 0,
  /** cpu == smp_processor_id(): set_tsk_need_resched() + set_preempt_need_resched(); no IPI. */
  LOCAL: 1,
  /** set_nr_and_not_polling() found TIF_POLLING_NRFLAG: the target's idle loop sees the flag itself
   *  (trace_sched_wake_idle_without_ipi()). */
  POLLING: 2,
  /** smp_send_reschedule(): a reschedule IPI — the guest's IPI send path (x2APIC ICR write, PV IPI, IPIv). */
  IPI: 3,
} as const

/** resched_curr(rq) on vCPU `thisCpu` for the runqueue of vCPU `cpu` (kernel/sched/core.c). */
export function reschedCurr(cpu: number, thisCpu: number, needResched: boolean, targetPolling: boolean): number {
  if (needResched) return Resched.ALREADY
  if (cpu === thisCpu) return Resched.LOCAL
  return targetPolling ? Resched.POLLING : Resched.IPI
}

/** TIF_POLLING_NRFLAG on the idle task: set while it polls (cpu_idle_poll(), poll_idle() — current_set_polling_and_test())
 *  and across MWAIT (mwait_idle_with_hints(): a store to the monitored flags word ends the MWAIT); cleared before HLT
 *  (default_idle_call() / default_enter_idle(): current_clr_polling_and_test()). An idle vCPU in an exit or a host state
 *  is treated as not polling (the IPI then goes out, as it would to a halted one). `state`: the vCPU state (St): idle=poll
 *  and cpuidle-haltpoll's poll window are St.GUEST_POLL; `mwaitInGuest`: the guest idles with MWAIT passed through. */
export function tifPollingNrflag(state: number, idle: boolean, mwaitInGuest: boolean): boolean {
  if (!idle) return false
  if (state === St.GUEST_POLL) return true
  return state === St.GUEST_HLT && mwaitInGuest
}
