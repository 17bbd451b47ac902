// find_busiest_group() and find_busiest_queue() of the host's load_balance() (kernel/sched/fair.c, the group
// classification of 0b0695f2b34a "sched/fair: Rework load_balance()", 5.5): per group of a domain level, its runnable
// threads, idle CPUs and CPUs (update_sg_lb_stats()); group_classify() — overloaded with more runnable threads than CPUs,
// fully busy with as many, has spare with fewer (every thread counted CPU-bound); update_sd_pick_busiest(); the
// decision matrix of find_busiest_group() and calculate_imbalance(). Equal weights: a thread's load is 1, a group's
// avg_load its runnable threads per CPU; migrate_util (a group with spare capacity filling it from an overloaded one) is
// taken as migrate_task by the local group's idle CPUs. For core/host/load-balance.ts; allocation-free.
import type { HostRunqueues } from './runqueues.ts'
import { LbIdle } from './sched-domains.ts'
import type { DomainLevel } from './sched-domains.ts'

/** enum group_type, the three the model tells apart (group_has_spare < group_fully_busy < group_overloaded). */
const G = { HAS_SPARE: 0, FULLY_BUSY: 1, OVERLOADED: 2 } as const
/** enum migration_type: migrate_task, migrate_load. */
export const Migrate = { TASK: 0, LOAD: 1 } as const

export class BusiestFinder {
  private readonly hrq: HostRunqueues
  private readonly gNr: Float64Array
  private readonly gIdle: Float64Array
  private readonly gW: Float64Array
  /** CPUs marked with the pass's stamp are left out (LBF_ALL_PINNED dropped them from env->cpus). */
  private readonly dropped: Int32Array
  /** calculate_imbalance()'s result: env->migration_type and env->imbalance (threads). */
  migType: number = Migrate.TASK
  imbalance = 0

  constructor(hrq: HostRunqueues, nGroups: number, dropped: Int32Array) {
    this.hrq = hrq
    this.gNr = new Float64Array(nGroups)
    this.gIdle = new Float64Array(nGroups)
    this.gW = new Float64Array(nGroups)
    this.dropped = dropped
  }

  private groupType(g: number): number {
    const nr = this.gNr[g]!
    const w = this.gW[g]!
    return nr > w ? G.OVERLOADED : nr === w ? G.FULLY_BUSY : G.HAS_SPARE
  }

  /** find_busiest_group(): statistics per group of the span, the busiest group and calculate_imbalance()'s
   *  migration type and imbalance. Returns the group id, or −1 when balanced. */
  group(dst: number, lv: DomainLevel, span: Int32Array, idleType: number, stamp: number): number {
    const hrq = this.hrq
    for (let k = 0; k < span.length; k++) {
      const g = lv.groupOf[span[k]!]!
      this.gNr[g] = 0
      this.gIdle[g] = 0
      this.gW[g] = 0
    }
    let totalNr = 0
    let totalW = 0
    for (let k = 0; k < span.length; k++) {
      const c = span[k]!
      if (this.dropped[c] === stamp) continue
      const g = lv.groupOf[c]!
      const nr = hrq.nrRunning(c)
      this.gNr[g] = this.gNr[g]! + nr
      this.gW[g] = this.gW[g]! + 1
      if (nr === 0) this.gIdle[g] = this.gIdle[g]! + 1
      totalNr += nr
      totalW++
    }
    const local = lv.groupOf[dst]!
    let busiest = -1
    let bType = -1
    for (let k = 0; k < span.length; k++) {
      const g = lv.groupOf[span[k]!]!
      if (g === local || lv.groups[g]![0] !== span[k] || this.gW[g] === 0 || this.gNr[g] === 0) continue
      // update_sd_pick_busiest()
      const t = this.groupType(g)
      let take = t > bType
      if (t === bType) {
        if (t === G.HAS_SPARE) take = this.gIdle[g]! < this.gIdle[busiest]! || (this.gIdle[g] === this.gIdle[busiest] && this.gNr[g]! > this.gNr[busiest]!)
        else take = this.gNr[g]! / this.gW[g]! > this.gNr[busiest]! / this.gW[busiest]!
      }
      if (take) { busiest = g; bType = t }
    }
    if (busiest < 0 || this.gW[local] === 0) return -1
    const lType = this.groupType(local)
    if (lType > bType) return -1
    const lNr = this.gNr[local]!
    const lW = this.gW[local]!
    const bNr = this.gNr[busiest]!
    const bW = this.gW[busiest]!
    const sAvg = totalNr / totalW
    if (lType === G.OVERLOADED) {
      const lAvg = lNr / lW
      const bAvg = bNr / bW
      if (lAvg >= bAvg || lAvg >= sAvg || 100 * bAvg <= lv.imbalancePct * lAvg) return -1
    }
    const toSibling = lv.preferSibling && lType === G.HAS_SPARE && bNr > lNr + 1
    if (!toSibling && bType !== G.OVERLOADED) {
      if (idleType === LbIdle.NOT_IDLE) return -1
      if (bW > 1 && this.gIdle[local]! <= this.gIdle[busiest]! + 1) return -1
      if (bNr === 1) return -1
    }
    // calculate_imbalance()
    this.migType = Migrate.TASK
    if (lType === G.HAS_SPARE) {
      if (bType === G.OVERLOADED) this.imbalance = Math.max(this.gIdle[local]!, idleType !== LbIdle.NOT_IDLE ? 1 : 0)
      else if (bW === 1 || lv.preferSibling) this.imbalance = Math.max(0, bNr - lNr) >> 1
      else this.imbalance = Math.max(0, this.gIdle[local]! - this.gIdle[busiest]!) >> 1
      if (lv.numa && bNr <= 2) this.imbalance = 0
    } else {
      this.migType = Migrate.LOAD
      this.imbalance = Math.min((bNr / bW - sAvg) * bW, (sAvg - lNr / lW) * lW)
    }
    return this.imbalance > 0 ? busiest : -1
  }

  /** find_busiest_queue(): the group's CPU with the most runnable threads (migrate_load: one running alone only when
   *  its load fits the imbalance). */
  queue(group: Int32Array, stamp: number): number {
    const hrq = this.hrq
    let best = -1
    let bestNr = 0
    for (let k = 0; k < group.length; k++) {
      const c = group[k]!
      if (this.dropped[c] === stamp) continue
      const nr = hrq.nrRunning(c)
      if (this.migType === Migrate.LOAD && nr === 1 && 1 > this.imbalance) continue
      if (nr > bestNr) { bestNr = nr; best = c }
    }
    return best
  }
}
