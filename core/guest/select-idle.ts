// Guest wake-up placement as kernel/sched/fair.c does it: select_task_rq_fair() → wake_affine() (wake_affine_idle(),
// wake_affine_weight()) → select_idle_sibling() → select_idle_cpu(), over the guest topology's LLC domains, with
// available_idle_cpu() = idle_cpu() && !vcpu_is_preempted() (kernel/sched/core.c). Mirrored from the v5.9 source
// (the shape every guest from ≈v4.18 to v6.x shares for a symmetric, non-SMT guest).
// Allocation-free: per-vCPU state comes in as typed arrays indexed by global vCPU, the answer is a number.
// Simplifications (one line each):
// - wake_wide() is not modelled: want_affine is always true (both outcomes end in select_idle_sibling(prev or this));
// - wake_affine_weight() compares instantaneous nr_running instead of PELT cpu_load()/task_h_load(): every task weighs
//   one, and the wakee's blocked load still counts on prev (as PELT's does right after it slept);
// - no SMT: select_idle_core()/select_idle_smt() find nothing (guest threads = 1), SMT siblings are scanned as CPUs;
// - no SIS_PROP/SIS_UTIL scan-depth limit: select_idle_cpu() scans the whole LLC;
// - sched_idle_cpu() is always false (no SCHED_IDLE tasks) and every vCPU is in p->cpus_ptr;
// - the LLC is the guest socket (cores × threads vCPUs); vCPU ids are numbered socket-major as QEMU does.
import { availableIdleCpu as availableIdle } from './vcpu-is-preempted.ts'

/** One VM's guest CPUs as the scheduler's domains see them; CPU numbers are the model's global vCPU indices. */
export interface SchedTopology {
  /** Global index of the VM's first vCPU. */
  first: number
  nrCpus: number
  /** CPUs per LLC domain (sd_llc): 1 ⇒ the MC domain degenerates and per_cpu(sd_llc) is NULL. */
  llcSize: number
}

/** Per-vCPU guest runqueue state read by the placement (indexed by global vCPU). */
export interface RqView {
  /** rq->nr_running (queued + running guest threads). */
  nrRunning: Int32Array
  /** The steal-time KVM_VCPU_PREEMPTED flag as the guest's vcpu_is_preempted() reads it (0 when it does not consult it). */
  preempted: Uint8Array
}

/** The result "nr_cpumask_bits": no CPU. */
export const NO_CPU = -1

/** sd->imbalance_pct as sd_init() sets it: 117 for the MC (LLC) domain, 125 above it (DIE/NUMA). */
export const IMBALANCE_PCT_LLC = 117
export const IMBALANCE_PCT_ABOVE_LLC = 125

let scanned = 0
/** How many CPUs the last selectTaskRqFair()/selectIdleSibling() examined in select_idle_cpu() (for the scan's cost). */
export function lastScanCount(): number {
  return scanned
}

/** The first vCPU of c's LLC domain (per_cpu(sd_llc_id, c)). */
export function llcFirst(c: number, t: SchedTopology): number {
  const local = c - t.first
  return t.first + local - (local % t.llcSize)
}

/** cpus_share_cache(a, b). */
export function cpusShareCache(a: number, b: number, t: SchedTopology): boolean {
  return llcFirst(a, t) === llcFirst(b, t)
}

/** idle_cpu(): rq->curr is the idle task and nothing is queued (a wakee enqueued on it makes it non-idle at once). */
export function idleCpu(c: number, rq: RqView): boolean {
  return rq.nrRunning[c] === 0
}

/** available_idle_cpu() (v4.18+, 247f2f6f3c70): idle_cpu(cpu) && !vcpu_is_preempted(cpu). */
export function availableIdleCpu(c: number, rq: RqView): boolean {
  return availableIdle(rq.nrRunning[c] === 0, rq.preempted[c] === 1)
}

/** wake_affine_idle(this_cpu, prev_cpu, sync): an idle waker CPU sharing the cache (an interrupt wake-up) takes the
 *  task unless prev is idle too; a sync wake-up from a CPU running only the waker takes it; an available idle prev
 *  keeps it; otherwise nr_cpumask_bits (NO_CPU). */
export function wakeAffineIdle(thisCpu: number, prevCpu: number, sync: boolean, t: SchedTopology, rq: RqView): number {
  if (availableIdleCpu(thisCpu, rq) && cpusShareCache(thisCpu, prevCpu, t)) return availableIdleCpu(prevCpu, rq) ? prevCpu : thisCpu
  if (sync && rq.nrRunning[thisCpu] === 1) return thisCpu
  if (availableIdleCpu(prevCpu, rq)) return prevCpu
  return NO_CPU
}

/** wake_affine_weight(): this_cpu if its load with the wakee (minus the waker's on a sync wake-up) is below prev's
 *  load without it, prev's side biased by half the domain's imbalance_pct (WA_BIAS). Loads are nr_running (see the
 *  simplification above); capacities are equal. */
export function wakeAffineWeight(thisCpu: number, prevCpu: number, sync: boolean, t: SchedTopology, rq: RqView): number {
  const imbalancePct = cpusShareCache(thisCpu, prevCpu, t) && t.llcSize > 1 ? IMBALANCE_PCT_LLC : IMBALANCE_PCT_ABOVE_LLC
  let thisLoad = rq.nrRunning[thisCpu]!
  if (sync) {
    const currentLoad = 1
    if (currentLoad > thisLoad) return thisCpu
    thisLoad -= currentLoad
  }
  const taskLoad = 1
  const thisEff = (thisLoad + taskLoad) * 100
  // prev's cpu_load() still holds the wakee's blocked load, which prev_eff_load subtracts again
  let prevEff = (rq.nrRunning[prevCpu]! + taskLoad - taskLoad) * (100 + ((imbalancePct - 100) >> 1))
  if (sync) prevEff += 1
  return thisEff < prevEff ? thisCpu : NO_CPU
}

/** wake_affine(): WA_IDLE then WA_WEIGHT; prev_cpu unless one of them chose this_cpu. */
export function wakeAffine(thisCpu: number, prevCpu: number, sync: boolean, t: SchedTopology, rq: RqView): number {
  let target = wakeAffineIdle(thisCpu, prevCpu, sync, t, rq)
  if (target === NO_CPU) target = wakeAffineWeight(thisCpu, prevCpu, sync, t, rq)
  return target === NO_CPU ? prevCpu : target
}

/** select_idle_cpu(): for_each_cpu_wrap(cpu, sched_domain_span(sd_llc), target) — the first available_idle_cpu() of
 *  target's LLC, or NO_CPU. Counts the CPUs examined (lastScanCount()). */
export function selectIdleCpu(target: number, t: SchedTopology, rq: RqView): number {
  const first = llcFirst(target, t)
  const n = Math.min(t.llcSize, t.first + t.nrCpus - first)
  const off = target - first
  for (let k = 0; k < n; k++) {
    const c = first + ((off + k) % n)
    scanned++
    if (availableIdleCpu(c, rq)) return c
  }
  return NO_CPU
}

/** select_idle_sibling(p, prev, target): target if available idle; prev if it shares target's cache and is available
 *  idle; p->recent_used_cpu likewise (then recent_used_cpu = prev); with no sd_llc (one CPU per LLC) target; else the
 *  select_idle_cpu() scan of target's LLC; else target — where the wakee then queues, busy or not.
 *  `recent` is p->recent_used_cpu per thread, updated in place. */
export function selectIdleSibling(p: number, prev: number, target: number, t: SchedTopology, rq: RqView, recent: Int32Array): number {
  scanned = 0
  if (availableIdleCpu(target, rq)) return target
  if (prev !== target && cpusShareCache(prev, target, t) && availableIdleCpu(prev, rq)) return prev
  const r = recent[p]!
  if (r >= 0 && r !== prev && r !== target && cpusShareCache(r, target, t) && availableIdleCpu(r, rq)) {
    recent[p] = prev
    return r
  }
  // per_cpu(sd_llc, target) is NULL when the LLC domain has a single CPU (the MC level degenerates): no scan
  if (t.llcSize <= 1) return target
  const i = selectIdleCpu(target, t, rq)
  return i !== NO_CPU ? i : target
}

/** select_task_rq_fair(p, prev_cpu, WF_TTWU [| WF_SYNC]) for a wake-up from `thisCpu` (the waker's CPU):
 *  want_affine ⇒ the first SD_WAKE_AFFINE domain spanning prev (every level of one VM has it) ⇒ wake_affine() unless
 *  this_cpu == prev_cpu; then select_idle_sibling(p, prev, new_cpu) and current->recent_used_cpu = this_cpu.
 *  `waker` is the waking thread (−1 from an interrupt). */
export function selectTaskRqFair(p: number, prevCpu: number, thisCpu: number, sync: boolean, waker: number, t: SchedTopology, rq: RqView, recent: Int32Array): number {
  let newCpu = prevCpu
  if (thisCpu !== prevCpu) newCpu = wakeAffine(thisCpu, prevCpu, sync, t, rq)
  const c = selectIdleSibling(p, prevCpu, newCpu, t, rq, recent)
  if (waker >= 0) recent[waker] = thisCpu
  return c
}
