// Guest wake-up placement, per kernel function of kernel/sched/fair.c (v5.9 source; same shape up to v6.x for a
// symmetric non-SMT guest) and kernel/sched/core.c available_idle_cpu().
import { describe, it, expect } from 'vitest'
import {
  selectTaskRqFair, selectIdleSibling, selectIdleCpu, wakeAffine, wakeAffineIdle, wakeAffineWeight, cpusShareCache, availableIdleCpu, lastScanCount, NO_CPU,
} from '../../core/guest/select-idle.ts'
import type { SchedTopology, RqView } from '../../core/guest/select-idle.ts'

const twoSock: SchedTopology = { first: 0, nrCpus: 8, llcSize: 4 } // 2 sockets × 4 cores
const flat: SchedTopology = { first: 0, nrCpus: 8, llcSize: 1 } // 8 sockets × 1 core
/** busy: CPUs with nr_running 1; preempted: CPUs whose steal-time flag the guest reads as set. */
const rq = (busy: number[], preempted: number[] = [], n = 8): RqView => {
  const r: RqView = { nrRunning: new Int32Array(n), preempted: new Uint8Array(n) }
  for (const c of busy) r.nrRunning[c] = 1
  for (const c of preempted) r.preempted[c] = 1
  return r
}
const noRecent = (): Int32Array => new Int32Array(8).fill(-1)

describe('cpus_share_cache() / available_idle_cpu() (kernel/sched/core.c)', () => {
  it('the LLC is the guest socket; one vCPU per socket shares with nobody', () => {
    expect(cpusShareCache(0, 3, twoSock)).toBe(true)
    expect(cpusShareCache(3, 4, twoSock)).toBe(false)
    expect(cpusShareCache(0, 1, flat)).toBe(false)
  })
  it('available_idle_cpu() = idle_cpu() && !vcpu_is_preempted()', () => {
    expect(availableIdleCpu(2, rq([0]))).toBe(true)
    expect(availableIdleCpu(0, rq([0]))).toBe(false)
    expect(availableIdleCpu(2, rq([0], [2]))).toBe(false)
  })
})

describe('wake_affine_idle() / wake_affine_weight() / wake_affine()', () => {
  it('wake_affine_idle: an idle waker CPU sharing the cache takes the task unless prev is idle too', () => {
    expect(wakeAffineIdle(1, 2, false, twoSock, rq([]))).toBe(2)
    expect(wakeAffineIdle(1, 2, false, twoSock, rq([2]))).toBe(1)
  })
  it('wake_affine_idle: a sync wake-up from a CPU running only the waker stays there', () => {
    expect(wakeAffineIdle(0, 2, true, twoSock, rq([0, 2]))).toBe(0)
    expect(wakeAffineIdle(0, 2, false, twoSock, rq([0, 2]))).toBe(NO_CPU)
  })
  it('wake_affine_idle: an available idle prev keeps the task; a preempted one does not', () => {
    expect(wakeAffineIdle(0, 2, false, twoSock, rq([0]))).toBe(2)
    expect(wakeAffineIdle(0, 2, false, twoSock, rq([0], [2]))).toBe(NO_CPU)
  })
  it('wake_affine_weight (nr_running as load): an idle prev is lighter than the busy waker, a loaded prev is not', () => {
    expect(wakeAffineWeight(0, 2, false, twoSock, rq([0]))).toBe(NO_CPU)
    const r = rq([0]); r.nrRunning[2] = 3
    expect(wakeAffineWeight(0, 2, false, twoSock, r)).toBe(0)
  })
  it('wake_affine returns prev_cpu unless one of them chose this_cpu', () => {
    expect(wakeAffine(0, 2, false, twoSock, rq([0], [2]))).toBe(2)
    expect(wakeAffine(0, 2, true, twoSock, rq([0], [2]))).toBe(0)
  })
})

describe('select_idle_sibling() / select_idle_cpu()', () => {
  it('an available idle target wins; else an available idle prev sharing its cache', () => {
    expect(selectIdleSibling(5, 2, 2, twoSock, rq([0]), noRecent())).toBe(2)
    expect(selectIdleSibling(5, 2, 0, twoSock, rq([0]), noRecent())).toBe(2)
  })
  it('p->recent_used_cpu when available idle and cache-affine (then recent_used_cpu = prev)', () => {
    const recent = noRecent(); recent[5] = 3
    expect(selectIdleSibling(5, 2, 2, twoSock, rq([2]), recent)).toBe(3)
    expect(recent[5]).toBe(2)
  })
  it('select_idle_cpu scans target\'s LLC from target, wrapping, never leaving it', () => {
    expect(selectIdleCpu(3, twoSock, rq([1, 2, 3]))).toBe(0)
    expect(selectIdleCpu(1, twoSock, rq([0, 1, 2, 3]))).toBe(NO_CPU)
    expect(lastScanCount()).toBeGreaterThanOrEqual(4)
  })
  it('host < 5.19 with HLT exits: idle-but-preempted vCPUs are passed over; with none available the wakee goes to target, busy or not', () => {
    // prev 2 was taken by another wakee; vCPUs 1 and 3 are idle but HLT-blocked (preempted)
    expect(selectIdleSibling(5, 2, 2, twoSock, rq([0, 2], [1, 3]), noRecent())).toBe(2)
    // host ≥ 5.19: the same idle vCPUs are available and the scan finds one
    expect(selectIdleSibling(5, 2, 2, twoSock, rq([0, 2]), noRecent())).toBe(3)
  })
  it('one vCPU per LLC: per_cpu(sd_llc) is NULL, so no scan — the target is returned as is', () => {
    expect(selectIdleSibling(5, 1, 1, flat, rq([1]), noRecent())).toBe(1)
    expect(lastScanCount()).toBe(0)
  })
})

describe('select_task_rq_fair()', () => {
  it('an idle prev (not preempted) keeps its task', () => {
    expect(selectTaskRqFair(5, 2, 0, false, 6, twoSock, rq([0]), noRecent())).toBe(2)
  })
  it('a preempted idle prev: the LLC scan moves the task to an available idle vCPU (a polling one)', () => {
    expect(selectTaskRqFair(5, 2, 0, false, 6, twoSock, rq([0], [1, 2]), noRecent())).toBe(3)
  })
  it('sets current->recent_used_cpu to the waker\'s CPU', () => {
    const recent = noRecent()
    selectTaskRqFair(5, 2, 0, false, 6, twoSock, rq([0]), recent)
    expect(recent[6]).toBe(0)
  })
})
