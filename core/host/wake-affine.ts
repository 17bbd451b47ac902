// The host's wake-up placement (kernel/sched/fair.c select_task_rq_fair() for a wake-up, SD_BALANCE_WAKE / WF_TTWU):
// record_wakee() and wake_wide() decide whether the waker's CPU may be considered at all (want_affine); wake_affine()
// — wake_affine_idle(), then wake_affine_weight() — picks the waker's CPU or the wakee's previous one in the lowest
// domain of the waker's CPU that spans both (SD_WAKE_AFFINE); select_idle_sibling() then looks for an idle CPU in the
// chosen target's LLC. For core/host/host-sched.ts; allocation-free after construction (typed arrays per thread).
//
// Version boundaries (host kernel):
//  - < 4.14: one wake_affine() (4.4: effective_load() with the root task group — no cgroups in the model):
//    balanced when this_load is 0 or 100·(this_load + w) ≤ (100 + (imbalance_pct − 100)/2)·load(prev). 4.13's NUMA
//    wake_affine_llc() (3fed382b46ba, reverted by d153b153446f) is NOT modelled: a 4.13 host takes the 4.10 rule.
//  - 4.14 d153b153446f "sched/core: Fix wake_affine() performance regression": wake_affine_idle() (WA_IDLE) then
//    wake_affine_weight() (WA_WEIGHT, WA_BIAS): this_eff = (load(this) + load(p))·100, prev_eff = (load(prev) −
//    load(p))·(100 + (imbalance_pct − 100)/2); this_cpu when this_eff ≤ prev_eff. No modelled host is 4.14 or 4.15:
//    their wake_affine_idle() (an idle this_cpu anywhere) is taken with 4.16's cache test (7332dec055f2).
//  - 4.16 806486c377e3 "sched/fair: Do not migrate if the prev_cpu is idle" (wake_affine_idle(): an idle cache-affine
//    this_cpu gives prev_cpu when that is idle too) and 082f764a2f3f "Do not migrate on wake_affine_weight() if
//    weights are equal" (this_eff < prev_eff). 4.18 943d355d7fee's available_idle_cpu() adds !vcpu_is_preempted(),
//    false on a host: idle_cpu() here.
//  - 5.5 11f10e5420f6 "sched/fair: Use load instead of runnable load in wakeup path": cpu_load() (load_avg, with the
//    blocked load of sleeping tasks) replaces the runnable load, so load(prev) again holds the sleeping wakee's own
//    load, which the subtraction removes. The model has no PELT: a thread's load is 1 while runnable (as in
//    core/host/load-balance.ts); from 5.5 the wakee's blocked load on prev counts 1 (estimate: its undecayed weight),
//    other sleeping threads' blocked load 0.
//  - 5.11 d8fcb81f1acf "sched/fair: Check for idle core in wake_affine": wake_affine_idle() returns an idle prev_cpu.
// record_wakee() / wake_wide() have had this form in every modelled host (62470419e993 v3.10; 63b0e9edceec "sched/fair:
// Beef up wake_wide()" v4.3): the waker's wakee_flips grow by one for each change of wakee and halve once a second
// (jiffies past wakee_flip_decay_ts + HZ); wide when the smaller of the two flip counts reaches sd_llc_size and the
// larger is sd_llc_size times it. No wake-up the model makes is sync (kvm_vcpu_wake_up() → rcuwait_wake_up() /
// swake_up_one() → wake_up_process(): wake_flags 0). Every domain level keeps SD_WAKE_AFFINE: the model's NUMA
// distances are taken within RECLAIM_DISTANCE (two sockets: SLIT 21 < 30). SD_BALANCE_WAKE is off on every level, so
// a wake-up never takes find_idlest_cpu()'s slow path.
// select_idle_sibling() stays in the target's LLC in every version; core/host/select-idle-sibling.ts searches it as the
// host version's kernel does (before 4.9 the sd_llc group walk: a wholly idle core, then an idle SMT sibling of the
// target; from 4.9, 10e2f1acd010, select_idle_core() / select_idle_cpu() / select_idle_smt(); from 5.12, 9fe1f127b913 /
// c722f35b513f, one loop preferring a wholly idle core; every scan in CPU order from the target, wrapping). Not
// modelled (listed there): SIS_PROP / SIS_UTIL, recent_used_cpu (32e839dda3ba). Also not modelled: wake_cap() / EAS
// (symmetric x86 hosts), wake-ups from interrupt context on another CPU (a housekeeping CPU's LAPIC hrtimer:
// wake_affine_idle() with an idle this_cpu, the idle task's wakee_flips) — callers pass no waker for them.
import { atLeast } from '../kernel-version.ts'
import type { DomainLevel } from './sched-domains.ts'
import type { HostRunqueues } from './runqueues.ts'
import { SelectIdleSibling, sisParams } from './select-idle-sibling.ts'
import type { SisParams } from './select-idle-sibling.ts'

export interface WakeAffineParams {
  /** 4.14+: wake_affine_idle() + wake_affine_weight(); before, the one effective_load() comparison. */
  split: boolean
  /** 4.16+ (806486c377e3, 082f764a2f3f): an idle cache-affine this_cpu yields to an idle prev_cpu; strict comparison. */
  noMigrateIfEqual: boolean
  /** 5.5+ (11f10e5420f6): load(prev) holds the sleeping wakee's blocked load. */
  blockedLoad: boolean
  /** 5.11+ (d8fcb81f1acf): wake_affine_idle() returns an idle prev_cpu. */
  idlePrev: boolean
  jiffyNs: number
  hz: number
  /** select_idle_sibling()'s search (core/host/select-idle-sibling.ts). */
  sis: SisParams
}

export function wakeAffineParams(hostVersion: string, hz: number): WakeAffineParams {
  return {
    split: atLeast(hostVersion, '4.14'),
    noMigrateIfEqual: atLeast(hostVersion, '4.16'),
    blockedLoad: atLeast(hostVersion, '5.5'),
    idlePrev: atLeast(hostVersion, '5.11'),
    jiffyNs: 1e9 / hz,
    hz,
    sis: sisParams(hostVersion),
  }
}

/** What the placement reads of the host: the domain CPUs, their LLCs and cores, the domain levels. */
export interface WakeTopology {
  nrCpus: number
  inDomain: Uint8Array
  llcOf: Int32Array
  coreOf: Int32Array
  levels: readonly DomainLevel[]
}

export class WakeAffine {
  readonly p: WakeAffineParams
  private readonly t: WakeTopology
  /** Per host thread (task_struct): wakee_flips, last_wakee (−1: none), wakee_flip_decay_ts (jiffies). */
  readonly wakeeFlips: Uint32Array
  readonly lastWakee: Int32Array
  private readonly decayTs: Float64Array
  /** Wake-ups with a known waker after warm-up: wake_wide() said wide; wake_affine() ran (schedstat
   *  nr_wakeups_affine_attempts); it chose the waker's CPU (nr_wakeups_affine). */
  wide = 0
  attempts = 0
  affine = 0
  /** select_idle_sibling(). */
  readonly sis: SelectIdleSibling

  constructor(t: WakeTopology, nThreads: number, p: WakeAffineParams) {
    this.p = p
    this.t = t
    this.wakeeFlips = new Uint32Array(nThreads)
    this.lastWakee = new Int32Array(nThreads).fill(-1)
    this.decayTs = new Float64Array(nThreads)
    this.sis = new SelectIdleSibling(t, p.sis)
  }

  /** record_wakee(): `current` (waker) wakes p (wakee) at `now`. */
  recordWakee(waker: number, wakee: number, now: number): void {
    const jiffies = Math.floor(now / this.p.jiffyNs)
    if (jiffies > this.decayTs[waker]! + this.p.hz) {
      this.wakeeFlips[waker] = this.wakeeFlips[waker]! >>> 1
      this.decayTs[waker] = jiffies
    }
    if (this.lastWakee[waker] !== wakee) {
      this.lastWakee[waker] = wakee
      this.wakeeFlips[waker]!++
    }
  }

  /** wake_wide(): the waker/wakee relation is M:N with more partners than the waker CPU's LLC has CPUs. */
  wakeWide(waker: number, wakee: number, thisCpu: number): boolean {
    let master = this.wakeeFlips[waker]!
    let slave = this.wakeeFlips[wakee]!
    if (master < slave) { const s = master; master = slave; slave = s }
    const factor = this.sis.llcSize(thisCpu)
    return !(slave < factor || master < slave * factor)
  }

  /** The imbalance_pct of the lowest domain of thisCpu that spans prev (for_each_domain() with SD_WAKE_AFFINE), or −1
   *  when none does (thisCpu or prev off the domains). */
  affinePct(thisCpu: number, prev: number): number {
    const lv = this.t.levels
    for (let l = 0; l < lv.length; l++) {
      const s = lv[l]!.spanOf
      if (s[thisCpu]! >= 0 && s[thisCpu] === s[prev]) return lv[l]!.imbalancePct
    }
    return -1
  }

  /** wake_affine() (sync 0): thisCpu or prev. */
  wakeAffine(hrq: HostRunqueues, thisCpu: number, prev: number, pct: number): number {
    const p = this.p
    const bias = 100 + Math.trunc((pct - 100) / 2)
    const thisLoad = hrq.nrRunning(thisCpu)
    const prevLoad = hrq.nrRunning(prev)
    if (!p.split) {
      // 4.4 wake_affine(): target_load(this) and source_load(prev) at wake_idx 0 (runnable loads), effective_load() of
      // the root group adding the wakee's weight on this_cpu only
      if (thisLoad === 0 || 100 * (thisLoad + 1) <= bias * prevLoad) return thisCpu
      return prev
    }
    // wake_affine_idle()
    if (hrq.idleCpu(thisCpu) && this.t.llcOf[thisCpu] === this.t.llcOf[prev]) {
      return p.noMigrateIfEqual && hrq.idleCpu(prev) ? prev : thisCpu
    }
    if (p.idlePrev && hrq.idleCpu(prev)) return prev
    // wake_affine_weight(): task_h_load(p) = 1; capacity_of() is the same on every CPU
    const thisEff = (thisLoad + 1) * 100
    const prevEff = (prevLoad + (p.blockedLoad ? 1 : 0) - 1) * bias
    return (p.noMigrateIfEqual ? thisEff < prevEff : thisEff <= prevEff) ? thisCpu : prev
  }

  /** select_task_rq_fair() for the wake-up of host thread h (allowed on `mask`, more than one CPU) last on
   *  prev, by host thread `waker` running on `thisCpu` (both −1 when the model does not know the waker: the wake-up is
   *  then placed as if made on prev — select_idle_sibling(p, prev, prev) — and no flips are recorded). */
  select(hrq: HostRunqueues, h: number, prev: number, mask: Uint8Array, thisCpu: number, waker: number, now: number, counting: boolean): number {
    let target = prev
    if (waker >= 0 && thisCpu >= 0) {
      this.recordWakee(waker, h, now)
      const wide = this.wakeWide(waker, h, thisCpu)
      if (wide && counting) this.wide++
      // want_affine: not wide and this_cpu in p->cpus_ptr
      if (!wide && mask[thisCpu] === 1 && thisCpu !== prev) {
        const pct = this.affinePct(thisCpu, prev)
        if (pct >= 0) {
          target = this.wakeAffine(hrq, thisCpu, prev, pct)
          if (counting) { this.attempts++; if (target === thisCpu) this.affine++ }
        }
      }
    }
    return this.selectIdleSibling(hrq, prev, target, mask)
  }

  /** select_idle_sibling(p, prev, target): within the target's LLC only. */
  selectIdleSibling(hrq: HostRunqueues, prev: number, target: number, mask: Uint8Array): number {
    return this.sis.select(hrq, prev, target, mask)
  }
}
