// yield() in the host's fair scheduler: do_sched_yield() → yield_task_fair() → schedule() (kernel/sched/fair.c), for the
// the 2023 Woodhouse RFC's yield on an emulated MWAIT. All tasks have nice 0 (calc_delta_fair() is the identity).
// yield_task_fair() returns at once when the task is alone on its run queue (rq->nr_running == 1), after which schedule()
// picks it again. Otherwise, by era:
//  CFS (< v6.6)       set_skip_buddy(): pick_next_entity() passes the yielder over for the next entity when that one is
//                     not ahead of it by more than wakeup_gran() (wakeup_preempt_entity(second, left) < 1).
//  EEVDF v6.6 … 6.18  se->deadline += calc_delta_fair(se->slice, se): the yielder's deadline moves a slice on; pick_eevdf()
//                     decides (it may pick the yielder again when no other entity is eligible, and the deadline runs
//                     away over a loop of yields).
//  EEVDF v6.19+       79104becf42b "sched/fair: Forfeit vruntime on yield" (tip sched/core, Oct 2025; also in stable
//                     6.12.y): an eligible yielder forfeits the rest of its slice — vruntime = deadline, then
//                     deadline += slice; an ineligible one is left as it is.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export const YieldKind = { CFS_SKIP: 0, EEVDF_DEADLINE: 1, EEVDF_FORFEIT: 2 } as const

export function yieldKind(hostVersion: string): number {
  if (!versionAtLeast(hostVersion, '6.6')) return YieldKind.CFS_SKIP
  return versionAtLeast(hostVersion, '6.19') ? YieldKind.EEVDF_FORFEIT : YieldKind.EEVDF_DEADLINE
}

/** yield_task_fair() on entity `se` (EEVDF eras): updates its vruntime and deadline in place. `eligible`:
 *  entity_eligible() (vruntime ≤ avg_vruntime with equal weights). CFS: nothing changes here (the skip buddy is the
 *  run queue's). */
export function yieldTaskFair(kind: number, se: number, vruntime: Float64Array, deadline: Float64Array, sliceNs: number, eligible: boolean): void {
  if (kind === YieldKind.EEVDF_DEADLINE) {
    deadline[se] = deadline[se]! + sliceNs
  } else if (kind === YieldKind.EEVDF_FORFEIT && eligible) {
    vruntime[se] = deadline[se]!
    deadline[se] = deadline[se]! + sliceNs
  }
}

/** CFS pick_next_entity(): the skip buddy `left` (the leftmost entity) gives way to `second` when
 *  wakeup_preempt_entity(second, left) < 1, i.e. second's vruntime is at most wakeup_gran() ahead of left's. */
export function skipBuddyGivesWay(secondVruntime: number, leftVruntime: number, wakeupGranularityNs: number): boolean {
  return secondVruntime - leftVruntime <= wakeupGranularityNs
}
