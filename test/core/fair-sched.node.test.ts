// core/host/fair-sched.ts against kernel/sched/fair.c: CFS (v5.13 … v6.5) and EEVDF (v6.6 … v6.11), per function.
import { describe, it, expect } from 'vitest'
import { fairEra, fairParams, sliceNs, placeWaking, entityLag, wakeupPreempts } from '../../core/host/fair-sched.ts'
import type { WakeupPreemptInputs } from '../../core/host/fair-sched.ts'

const MS = 1e6
const TICK = 1e9 / 1000 // TICK_NSEC at HZ=1000

describe('fairEra(): EEVDF from v6.6 (147f3efaa241 "sched/fair: Implement an EEVDF-like scheduling policy")', () => {
  it('6.5 and older run CFS', () => {
    expect(fairEra('6.5')).toBe('cfs')
    expect(fairEra('6.5.13')).toBe('cfs')
    expect(fairEra('6.1')).toBe('cfs')
    expect(fairEra('5.15.0-91-generic')).toBe('cfs')
  })
  it('6.6 and newer run EEVDF (an -rc counts as its release)', () => {
    expect(fairEra('6.6')).toBe('eevdf')
    expect(fairEra('6.6-rc1')).toBe('eevdf')
    expect(fairEra('6.8.0-45-generic')).toBe('eevdf')
    expect(fairEra('6.12')).toBe('eevdf')
  })
})

describe('fairParams(): sched_init_granularity() → update_sysctl() with SCHED_TUNABLESCALING_LOG', () => {
  // get_update_sysctl_factor() = 1 + ilog2(min(num_online_cpus(), 8))
  const cases: [number, number][] = [[1, 1], [2, 2], [3, 2], [4, 3], [6, 3], [8, 4], [64, 4]]
  for (const [cpus, factor] of cases) {
    it(`${cpus} CPU(s): factor ${factor} — latency ${6 * factor} ms, min_granularity / base_slice ${0.75 * factor} ms, wakeup_granularity ${factor} ms`, () => {
      for (const v of ['6.1', '6.8']) {
        const p = fairParams(v, cpus)
        expect(p.latencyNs).toBe(6 * MS * factor)
        expect(p.minGranularityNs).toBe(0.75 * MS * factor)
        expect(p.wakeupGranularityNs).toBe(1 * MS * factor)
      }
    })
  }
  it('carries the era of the version', () => {
    expect(fairParams('6.1', 8).era).toBe('cfs')
    expect(fairParams('6.8', 8).era).toBe('eevdf')
  })
})

describe('sliceNs()', () => {
  it('CFS sched_slice(): sysctl_sched_latency / nr_running up to sched_nr_latency (8) tasks (8 CPUs: 24 ms period)', () => {
    const p = fairParams('6.1', 8)
    expect(sliceNs(p, 1)).toBe(24 * MS)
    expect(sliceNs(p, 2)).toBe(12 * MS)
    expect(sliceNs(p, 3)).toBe(8 * MS)
    expect(sliceNs(p, 8)).toBe(3 * MS)
  })
  it('CFS __sched_period(): beyond sched_nr_latency the period is nr × min_granularity, so each slice is min_granularity', () => {
    const p = fairParams('6.1', 8)
    expect(sliceNs(p, 9)).toBe(3 * MS)
    expect(sliceNs(p, 50)).toBe(3 * MS)
    // never below min_granularity (BASE_SLICE's floor) at any queue length
    for (let n = 1; n <= 64; n++) expect(sliceNs(p, n)).toBeGreaterThanOrEqual(p.minGranularityNs)
  })
  it('CFS on a 2-CPU host (factor 2): 12 ms period, 1.5 ms floor', () => {
    const p = fairParams('5.15', 2)
    expect(sliceNs(p, 2)).toBe(6 * MS)
    expect(sliceNs(p, 12)).toBe(1.5 * MS)
  })
  it('CFS: an empty queue counts as one task', () => {
    expect(sliceNs(fairParams('6.1', 8), 0)).toBe(24 * MS)
  })
  it('EEVDF: the base slice (se->slice = sysctl_sched_base_slice) whatever the queue length', () => {
    const p = fairParams('6.8', 8)
    for (const n of [1, 2, 8, 9, 100]) expect(sliceNs(p, n)).toBe(3 * MS)
    expect(sliceNs(fairParams('6.8', 1), 5)).toBe(0.75 * MS)
  })
})

describe('placeWaking()', () => {
  const cfs = fairParams('6.1', 8) // latency 24 ms: sleeper credit 12 ms
  const eevdf = fairParams('6.8', 8)

  it('CFS place_entity(initial=0), GENTLE_FAIR_SLEEPERS: a long sleeper gets half a latency period of credit', () => {
    expect(placeWaking(cfs, 100 * MS, 0, 500 * MS, 0, 1)).toBe(500 * MS - 12 * MS)
  })
  it('CFS place_entity(): "never gain time by being placed backwards" — a short sleeper keeps its own vruntime', () => {
    expect(placeWaking(cfs, 495 * MS, 0, 500 * MS, 0, 1)).toBe(495 * MS)
    expect(placeWaking(cfs, 520 * MS, 0, 500 * MS, 0, 1)).toBe(520 * MS)
  })
  it('CFS ignores lag, avg_vruntime and the queue length', () => {
    expect(placeWaking(cfs, 0, 7 * MS, 500 * MS, 123 * MS, 0)).toBe(488 * MS)
    expect(placeWaking(cfs, 0, -7 * MS, 500 * MS, 999 * MS, 9)).toBe(488 * MS)
  })
  it('EEVDF place_entity() with PLACE_LAG: avg_vruntime − lag × (W + w)/W — one entity queued doubles the lag', () => {
    expect(placeWaking(eevdf, 0, 2 * MS, 0, 100 * MS, 1)).toBe(96 * MS)
    expect(placeWaking(eevdf, 0, -2 * MS, 0, 100 * MS, 1)).toBe(104 * MS)
  })
  it('EEVDF: the inflation (n+1)/n shrinks as the queue grows', () => {
    expect(placeWaking(eevdf, 0, 3 * MS, 0, 100 * MS, 3)).toBe(96 * MS)
    expect(placeWaking(eevdf, 0, 4 * MS, 0, 100 * MS, 4)).toBe(95 * MS)
  })
  it('EEVDF: with nothing queued (cfs_rq->nr_running == 0) the lag is dropped and the task lands on avg_vruntime', () => {
    expect(placeWaking(eevdf, 0, 5 * MS, 42 * MS, 42 * MS, 0)).toBe(42 * MS)
  })
  it('EEVDF ignores the task\'s own old vruntime and min_vruntime', () => {
    expect(placeWaking(eevdf, 1e12, 0, 1e9, 100 * MS, 2)).toBe(100 * MS)
  })
})

describe('entityLag(): EEVDF update_entity_lag()', () => {
  const p = fairParams('6.8', 8) // base slice 3 ms: limit max(6 ms, TICK_NSEC) = 6 ms
  it('lag = avg_vruntime − vruntime within the limit', () => {
    expect(entityLag(p, 98 * MS, 100 * MS, TICK)).toBe(2 * MS)
    expect(entityLag(p, 101 * MS, 100 * MS, TICK)).toBe(-1 * MS)
  })
  it('clamped to ±max(2 × slice, TICK_NSEC)', () => {
    expect(entityLag(p, 50 * MS, 100 * MS, TICK)).toBe(6 * MS)
    expect(entityLag(p, 150 * MS, 100 * MS, TICK)).toBe(-6 * MS)
  })
  it('TICK_NSEC wins when the slice is short: 1 CPU (0.75 ms slice) at HZ=250 gives ±4 ms', () => {
    const one = fairParams('6.8', 1)
    expect(entityLag(one, 0, 100 * MS, 4 * MS)).toBe(4 * MS)
    expect(entityLag(one, 0, 100 * MS, TICK)).toBe(1.5 * MS)
  })
})

describe('wakeupPreempts()', () => {
  const base = (o: Partial<WakeupPreemptInputs>): WakeupPreemptInputs => ({
    currVruntime: 100 * MS, currDeadline: 103 * MS, currProtected: false, avgVruntime: 100 * MS,
    wokenVruntime: 100 * MS, wokenDeadline: 103 * MS, othersBestDeadline: Infinity, ...o,
  })

  describe('CFS check_preempt_wakeup() → wakeup_preempt_entity(): vdiff > wakeup_gran()', () => {
    const p = fairParams('6.1', 8) // wakeup granularity 4 ms
    it('preempts when curr is ahead of the woken task by more than the granularity', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 104.001 * MS, wokenVruntime: 100 * MS }))).toBe(true)
      expect(wakeupPreempts(p, base({ currVruntime: 112 * MS, wokenVruntime: 100 * MS }))).toBe(true)
    })
    it('does not preempt within the granularity, at exactly the granularity, or when the woken task is ahead', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 103 * MS, wokenVruntime: 100 * MS }))).toBe(false)
      expect(wakeupPreempts(p, base({ currVruntime: 104 * MS, wokenVruntime: 100 * MS }))).toBe(false)
      expect(wakeupPreempts(p, base({ currVruntime: 100 * MS, wokenVruntime: 101 * MS }))).toBe(false)
    })
    it('a sleeper placed with the full credit (latency/2 = 12 ms > 4 ms) preempts a CPU hog at once', () => {
      const min = 500 * MS
      const woken = placeWaking(p, 0, 0, min, 0, 1)
      expect(wakeupPreempts(p, base({ currVruntime: min, wokenVruntime: woken }))).toBe(true)
    })
    it('ignores EEVDF protection, deadlines and other waiting tasks', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 110 * MS, currProtected: true, wokenDeadline: 200 * MS, othersBestDeadline: 0 }))).toBe(true)
    })
  })

  describe('EEVDF check_preempt_wakeup_fair(): pick_eevdf(cfs_rq) == pse', () => {
    const p = fairParams('6.8', 8)
    it('RUN_TO_PARITY: an eligible curr that still has its picked slice keeps the CPU, even against an earlier deadline', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 99 * MS, currProtected: true, wokenVruntime: 98 * MS, wokenDeadline: 101 * MS, currDeadline: 102 * MS }))).toBe(false)
    })
    it('eligibility is vruntime ≤ avg_vruntime: a protected curr exactly at the average still keeps the CPU', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 100 * MS, currProtected: true, wokenVruntime: 95 * MS, wokenDeadline: 98 * MS }))).toBe(false)
    })
    it('an ineligible curr loses its protection: an eligible woken task preempts it', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 101 * MS, currProtected: true, currDeadline: 102 * MS, wokenVruntime: 99 * MS, wokenDeadline: 110 * MS }))).toBe(true)
    })
    it('an unprotected eligible curr is preempted only by an earlier deadline (a tie keeps curr)', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 99 * MS, currDeadline: 102 * MS, wokenVruntime: 100 * MS, wokenDeadline: 101 * MS }))).toBe(true)
      expect(wakeupPreempts(p, base({ currVruntime: 99 * MS, currDeadline: 102 * MS, wokenVruntime: 100 * MS, wokenDeadline: 102 * MS }))).toBe(false)
      expect(wakeupPreempts(p, base({ currVruntime: 99 * MS, currDeadline: 102 * MS, wokenVruntime: 100 * MS, wokenDeadline: 103 * MS }))).toBe(false)
    })
    it('an ineligible woken task never preempts', () => {
      expect(wakeupPreempts(p, base({ currVruntime: 101 * MS, wokenVruntime: 100.5 * MS, avgVruntime: 100.2 * MS, wokenDeadline: 90 * MS }))).toBe(false)
    })
    it('another eligible waiting task with an earlier (or equal) deadline is the pick: the woken task does not preempt', () => {
      const i = base({ currVruntime: 101 * MS, wokenVruntime: 99 * MS, wokenDeadline: 102 * MS })
      expect(wakeupPreempts(p, i)).toBe(true)
      expect(wakeupPreempts(p, { ...i, othersBestDeadline: 101 * MS })).toBe(false)
      expect(wakeupPreempts(p, { ...i, othersBestDeadline: 102 * MS })).toBe(false)
      expect(wakeupPreempts(p, { ...i, othersBestDeadline: 103 * MS })).toBe(true)
    })
    it('the hog case: a woken thread without lag lands on avg_vruntime, the hog stays eligible and protected — it waits', () => {
      const hog = 500 * MS
      const woken = placeWaking(p, 0, 0, hog, hog, 1)
      const avg = (hog + woken) / 2
      expect(wakeupPreempts(p, base({ currVruntime: hog, currDeadline: hog + 1 * MS, currProtected: true, avgVruntime: avg, wokenVruntime: woken, wokenDeadline: woken + sliceNs(p, 2) }))).toBe(false)
    })
    it('… while a woken thread with positive lag lands before the hog, which becomes ineligible — it preempts', () => {
      const hog = 500 * MS
      const woken = placeWaking(p, 0, 1 * MS, hog, hog, 1) // 2 ms before the hog
      const avg = (hog + woken) / 2
      expect(wakeupPreempts(p, base({ currVruntime: hog, currDeadline: hog + 1 * MS, currProtected: true, avgVruntime: avg, wokenVruntime: woken, wokenDeadline: woken + sliceNs(p, 2) }))).toBe(true)
    })
  })
})
