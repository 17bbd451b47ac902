// core/host/runqueues.ts: the per-pCPU run queues of the host's fair scheduler under both eras (CFS < 6.6,
// EEVDF ≥ 6.6): enqueue of a waking thread, pick, requeue of a preempted one, sleep, slice expiry, migration between
// queues, and the bookkeeping the host model reads (nrQueued, nrBusyQueues, cur).
import { describe, it, expect } from 'vitest'
import { HostRunqueues } from '../../core/host/runqueues.ts'
import { fairParams, sliceNs } from '../../core/host/fair-sched.ts'
import { YieldKind } from '../../core/host/sched-yield.ts'

const MS = 1e6
const TICK = 1e6 // HZ=1000

/** 8 CPUs' worth of scaling (CFS: latency 24 ms, wakeup granularity 4 ms; EEVDF: base slice 3 ms). */
function rq(version: string, threads = 4, cpus = 2): HostRunqueues {
  return new HostRunqueues(threads, cpus, fairParams(version, 8), TICK)
}

/** Thread h runs alone on c from `at`. */
function runAlone(q: HostRunqueues, h: number, c: number, at: number): void {
  q.enqueueWaking(h, c, at, false)
  q.setCurr(h, c, at)
}

describe('HostRunqueues: bookkeeping (both eras)', () => {
  for (const v of ['6.1', '6.8']) {
    it(`${v}: enqueue, pick, setCurr, requeue and sleep keep nrQueued, nrRunning and nrBusyQueues right`, () => {
      const q = rq(v)
      expect(q.cur[0]).toBe(-1)
      expect(q.nrRunning(0)).toBe(0)
      expect(q.pick(0)).toBe(-1)
      expect(q.enqueueWaking(0, 0, 0, false)).toBe(false) // nothing runs: nothing to preempt
      expect(q.nrQueued[0]).toBe(1)
      expect(q.nrBusyQueues).toBe(1)
      expect(q.pick(0)).toBe(0)
      q.setCurr(0, 0, 0)
      expect(q.cur[0]).toBe(0)
      expect(q.queued[0]).toBe(0)
      expect(q.nrQueued[0]).toBe(0)
      expect(q.nrBusyQueues).toBe(0)
      expect(q.nrRunning(0)).toBe(1)
      // two more wake on CPU 0, one on CPU 1 (which stays idle: the caller would run it)
      q.enqueueWaking(1, 0, 1 * MS, false)
      q.enqueueWaking(2, 0, 1 * MS, false)
      q.enqueueWaking(3, 1, 1 * MS, false)
      expect(q.nrQueued[0]).toBe(2)
      expect(q.nrQueued[1]).toBe(1)
      expect(q.nrBusyQueues).toBe(2)
      expect(q.nrRunning(0)).toBe(3)
      // iteration over the waiting threads
      const waiting: number[] = []
      for (let h = q.firstQueued(0); h >= 0; h = q.nextQueued(h)) waiting.push(h)
      expect(waiting.sort()).toEqual([1, 2])
      // the running thread is preempted: it waits again
      expect(q.requeueCurr(0, 2 * MS)).toBe(0)
      expect(q.cur[0]).toBe(-1)
      expect(q.nrQueued[0]).toBe(3)
      expect(q.queued[0]).toBe(1)
      // unlinking the last waiter of CPU 1 makes that queue not busy
      q.unlink(3)
      expect(q.nrBusyQueues).toBe(1)
      // run and sleep everything on CPU 0
      for (let n = 3; n > 0; n--) {
        const h = q.pick(0)
        expect(h).toBeGreaterThanOrEqual(0)
        q.setCurr(h, 0, 3 * MS)
        expect(q.nrQueued[0]).toBe(n - 1)
        q.sleepCurr(0, 4 * MS)
        expect(q.cur[0]).toBe(-1)
      }
      expect(q.nrBusyQueues).toBe(0)
      expect(q.pick(0)).toBe(-1)
      // a requeue of an idle CPU is a no-op
      expect(q.requeueCurr(0, 5 * MS)).toBe(-1)
      expect(q.nrBusyQueues).toBe(0)
    })

    it(`${v}: sliceExpired() is false with nothing waiting (CFS entity_tick() checks only with nr_running > 1)`, () => {
      const q = rq(v)
      runAlone(q, 0, 0, 0)
      expect(q.sliceExpired(0, 100 * MS)).toBe(false)
    })

    it(`${v}: update_curr() advances the running thread's vruntime by its run time; min_vruntime never goes back`, () => {
      const q = rq(v)
      runAlone(q, 0, 0, 0)
      q.updateCurr(0, 5 * MS)
      expect(q.vruntime[0]).toBe(5 * MS)
      expect(q.ranSincePick[0]).toBe(5 * MS)
      expect(q.minVruntime[0]).toBe(5 * MS)
      q.sleepCurr(0, 7 * MS)
      expect(q.vruntime[0]).toBe(7 * MS)
      expect(q.minVruntime[0]).toBe(7 * MS)
      // the idle queue keeps its min_vruntime
      expect(q.avgVruntime(0)).toBe(7 * MS)
      q.updateCurr(0, 9 * MS)
      expect(q.minVruntime[0]).toBe(7 * MS)
    })
  }
})

describe('HostRunqueues under CFS (host 6.1)', () => {
  it('pick_next_entity(): the smallest vruntime', () => {
    const q = rq('6.1')
    runAlone(q, 0, 0, 0)
    q.updateCurr(0, 30 * MS)
    q.enqueueWaking(1, 0, 30 * MS, false) // sleeper credit: min − 12 ms = 18 ms
    q.enqueueWaking(2, 0, 30 * MS, false)
    q.vruntime[2] = 17 * MS
    q.requeueCurr(0, 30 * MS)
    expect(q.pick(0)).toBe(2)
  })

  it('place_entity(): a long sleeper wakes with half a latency period of credit and preempts a hog (vdiff 12 ms > 4 ms)', () => {
    const q = rq('6.1')
    runAlone(q, 0, 0, 0) // the hog
    expect(q.enqueueWaking(1, 0, 100 * MS, false)).toBe(true)
    expect(q.vruntime[1]).toBe(100 * MS - 12 * MS)
  })

  it('a short sleeper keeps its vruntime and does not preempt within the wake-up granularity', () => {
    const q = rq('6.1')
    runAlone(q, 0, 0, 0)
    q.vruntime[1] = 97 * MS
    expect(q.enqueueWaking(1, 0, 100 * MS, false)).toBe(false)
    expect(q.vruntime[1]).toBe(97 * MS)
  })

  it('a thread woken on another CPU carries its vruntime relative to min_vruntime (migrate_task_rq_fair())', () => {
    const q = rq('6.1')
    runAlone(q, 0, 0, 0)
    runAlone(q, 1, 1, 0)
    q.updateCurr(0, 50 * MS) // CPU 0: min 50 ms
    q.updateCurr(1, 10 * MS) // CPU 1: min 10 ms
    q.sleepCurr(0, 50 * MS) // thread 0 sleeps at vruntime 50 ms = CPU 0's min + 0
    expect(q.cpu[0]).toBe(0)
    q.enqueueWaking(0, 1, 10 * MS, true)
    expect(q.cpu[0]).toBe(1)
    expect(q.vruntime[0]).toBe(10 * MS) // 50 − 50 + 10, more than the credit floor (10 − 12)
  })

  it('check_preempt_tick(): the slice is latency / nr_running; sliceExpired() once curr ran it', () => {
    const q = rq('6.1')
    runAlone(q, 0, 0, 0)
    q.updateCurr(0, 1 * MS)
    q.vruntime[1] = 1 * MS // a peer at the same vruntime: no preemption, both share
    expect(q.enqueueWaking(1, 0, 1 * MS, false)).toBe(false)
    expect(sliceNs(q.p, 2)).toBe(12 * MS)
    expect(q.sliceLeft(0, 1 * MS)).toBe(11 * MS)
    expect(q.sliceExpired(0, 6 * MS)).toBe(false)
    expect(q.sliceLeft(0, 6 * MS)).toBe(6 * MS)
    expect(q.sliceExpired(0, 12 * MS)).toBe(true)
    // requeued and the peer picked: it starts a fresh slice
    q.requeueCurr(0, 12 * MS)
    expect(q.pick(0)).toBe(1)
    q.setCurr(1, 0, 12 * MS)
    expect(q.ranSincePick[1]).toBe(0)
    expect(q.sliceLeft(0, 12 * MS)).toBe(12 * MS)
  })

  it('detachQueued(): a waiting thread pulled to another CPU keeps its vruntime relative to min_vruntime', () => {
    const q = rq('6.1')
    runAlone(q, 0, 0, 0)
    q.updateCurr(0, 40 * MS)
    q.vruntime[1] = 45 * MS
    q.enqueueWaking(1, 0, 40 * MS, false)
    runAlone(q, 2, 1, 0)
    q.updateCurr(1, 5 * MS)
    q.sleepCurr(1, 5 * MS)
    expect(q.nrBusyQueues).toBe(1)
    q.detachQueued(1, 1)
    expect(q.queued[1]).toBe(0)
    expect(q.nrBusyQueues).toBe(0)
    expect(q.vruntime[1]).toBe(45 * MS - 40 * MS + 5 * MS)
  })
})

describe('HostRunqueues under EEVDF (host 6.8)', () => {
  it('pick_eevdf(): the eligible (vruntime ≤ avg) thread with the earliest deadline, not the smallest vruntime', () => {
    const q = rq('6.8')
    for (const h of [0, 1, 2]) q.enqueueWaking(h, 0, 0, false)
    q.vruntime[0] = 10 * MS; q.deadline[0] = 20 * MS
    q.vruntime[1] = 11 * MS; q.deadline[1] = 13 * MS
    q.vruntime[2] = 15 * MS; q.deadline[2] = 12 * MS // earliest deadline but not eligible (avg 12 ms)
    expect(q.avgVruntime(0)).toBe(12 * MS)
    expect(q.pick(0)).toBe(1)
  })

  it('place_entity(): a woken thread is placed at avg_vruntime − inflated lag, deadline a base slice later', () => {
    const q = rq('6.8')
    runAlone(q, 0, 0, 0)
    q.updateCurr(0, 10 * MS)
    q.lag[1] = 1 * MS
    // one entity (curr) on the queue: lag × 2
    expect(q.enqueueWaking(1, 0, 10 * MS, false)).toBe(true) // the hog becomes ineligible
    expect(q.vruntime[1]).toBe(8 * MS)
    expect(q.deadline[1]).toBe(11 * MS)
  })

  it('RUN_TO_PARITY: a woken thread without lag waits for the protected hog\'s slice, then runs', () => {
    const q = rq('6.8')
    runAlone(q, 0, 0, 0)
    expect(q.protectedSlice[0]).toBe(1)
    q.updateCurr(0, 2 * MS) // the hog is 2 ms into its 3 ms request
    q.lag[1] = 0
    expect(q.enqueueWaking(1, 0, 2 * MS, false)).toBe(false)
    expect(q.vruntime[1]).toBe(2 * MS)
    expect(q.sliceLeft(0, 2 * MS)).toBe(1 * MS)
    expect(q.sliceExpired(0, 2.5 * MS)).toBe(false) // ineligible now (2.5 > 2.25 ms), but still inside its request
    // at the deadline update_deadline() gives the hog a new one and ends its protection: the sleeper's is earlier
    expect(q.sliceExpired(0, 3 * MS)).toBe(true)
    expect(q.protectedSlice[0]).toBe(0)
    expect(q.deadline[0]).toBe(6 * MS)
    q.requeueCurr(0, 3 * MS)
    expect(q.pick(0)).toBe(1)
  })

  it('negative lag (it ran more than its share before sleeping) is kept across the sleep and delays it further', () => {
    const q = rq('6.8')
    runAlone(q, 0, 0, 0)
    q.enqueueWaking(1, 0, 0, false)
    q.requeueCurr(0, 0)
    q.setCurr(1, 0, 0)
    q.updateCurr(0, 3 * MS) // thread 1 ran 3 ms, thread 0 none: avg 1.5 ms
    q.sleepCurr(0, 3 * MS)
    expect(q.lag[1]).toBe(-1.5 * MS)
    q.setCurr(0, 0, 3 * MS)
    q.updateCurr(0, 4 * MS)
    q.enqueueWaking(1, 0, 4 * MS, false)
    expect(q.vruntime[1]).toBe(1 * MS + 3 * MS) // avg (1 ms) + 1.5 ms × 2
  })

  it('update_deadline() in update_curr(): a stale deadline is renewed (and protection lost) at the next update', () => {
    const q = rq('6.8')
    runAlone(q, 0, 0, 0)
    expect(q.deadline[0]).toBe(3 * MS)
    q.updateCurr(0, 10 * MS)
    expect(q.deadline[0]).toBe(13 * MS)
    expect(q.protectedSlice[0]).toBe(0)
    // picked again: protected again, deadline kept
    q.requeueCurr(0, 10 * MS)
    q.setCurr(0, 0, 10 * MS)
    expect(q.protectedSlice[0]).toBe(1)
    expect(q.deadline[0]).toBe(13 * MS)
  })

  it('a woken thread does not preempt when another waiting thread is the better pick (pick_eevdf(cfs_rq) != pse)', () => {
    const q = rq('6.8')
    runAlone(q, 0, 0, 0)
    q.updateCurr(0, 10 * MS) // deadline renewed to 13 ms, unprotected
    q.lag[1] = 2 * MS
    q.enqueueWaking(1, 0, 10 * MS, false) // (would preempt) — stays queued here
    q.lag[2] = 0.1 * MS
    expect(q.enqueueWaking(2, 0, 10 * MS, false)).toBe(false) // thread 1 has the earlier deadline
  })

  it('sliceExpired(): an eligible curr with the earliest deadline keeps the CPU after its new slice', () => {
    const q = rq('6.8')
    runAlone(q, 0, 0, 0)
    q.vruntime[1] = 5 * MS
    q.lag[1] = -2 * MS
    q.enqueueWaking(1, 0, 0, false) // placed behind: 0 + 4 ms → ineligible, deadline 7 ms
    expect(q.sliceExpired(0, 3 * MS)).toBe(false) // new deadline 6 ms < 7 ms, curr eligible (3 ≤ 3.5)
  })

  it('detachQueued(): the pulled thread takes its lag from its old queue and is placed by it on the new one', () => {
    const q = rq('6.8')
    runAlone(q, 0, 0, 0)
    q.updateCurr(0, 10 * MS)
    q.enqueueWaking(1, 0, 10 * MS, false)
    q.vruntime[1] = 8 * MS // lag 1 ms against avg 9 ms
    expect(q.avgVruntime(0)).toBe(9 * MS)
    q.minVruntime[1] = 100 * MS
    q.detachQueued(1, 1)
    expect(q.lag[1]).toBe(1 * MS)
    expect(q.queued[1]).toBe(0)
    expect(q.nrBusyQueues).toBe(0)
    expect(q.vruntime[1]).toBe(100 * MS) // an empty queue: placed at its avg = min_vruntime
    expect(q.deadline[1]).toBe(103 * MS)
  })
})

describe('HostRunqueues.runAlone() / leaveAlone(): a thread on a pCPU nothing else may use', () => {
  it('only marks it running there: no queue, no vruntime', () => {
    const q = rq('6.8')
    q.runAlone(2, 1)
    expect(q.cur[1]).toBe(2)
    expect(q.cpu[2]).toBe(1)
    expect(q.nrRunning(1)).toBe(1)
    expect(q.nrBusyQueues).toBe(0)
    q.leaveAlone(1)
    expect(q.cur[1]).toBe(-1)
    expect(q.vruntime[2]).toBe(0)
    expect(q.minVruntime[1]).toBe(0)
  })
})

describe('HostRunqueues.sliceLeft(): never below 1 µs', () => {
  for (const v of ['6.1', '6.8']) {
    it(`${v}: a slice already overrun re-arms 1 µs later`, () => {
      const q = rq(v)
      runAlone(q, 0, 0, 0)
      q.enqueueWaking(1, 0, 0, false)
      expect(q.sliceLeft(0, 500 * MS)).toBe(1_000)
      expect(q.sliceLeft(0, sliceNs(q.p, 2) - 10)).toBe(1_000)
    })
  }
})

describe('HostRunqueues: CFS buddies (pick_next_entity(), clear_buddies())', () => {
  /** Thread 0 runs on CPU 0; threads 1 and 2 wait there, 2 made next buddy by a yield_to() while 10 ms ahead of 1. */
  function withBuddyAhead(): HostRunqueues {
    const q = rq('5.3')
    runAlone(q, 0, 0, 0)
    q.enqueueWaking(1, 0, 0, false)
    q.enqueueWaking(2, 0, 0, false)
    q.vruntime[2] = q.vruntime[1]! + 10 * MS // more than the wake-up granularity (4 ms) ahead of the leftmost
    q.yieldTo(2, 0, YieldKind.CFS_SKIP)
    return q
  }

  it('a next buddy too far ahead is passed over but stays, and goes first once it is within the granularity', () => {
    const q = withBuddyAhead()
    expect(q.nextBuddy[0]).toBe(2)
    q.requeueCurr(0, 1 * MS)
    const first = q.pick(0)
    expect(first).not.toBe(2)
    // clear_buddies(cfs_rq, se) drops only the buddies that are the picked entity
    expect(q.nextBuddy[0]).toBe(2)
    q.setCurr(first, 0, 1 * MS)
    q.vruntime[2] = q.vruntime[0]! + 1 * MS
    q.vruntime[1] = q.vruntime[0]!
    q.requeueCurr(0, 1 * MS)
    expect(q.pick(0)).toBe(2)
    expect(q.nextBuddy[0]).toBe(-1)
  })

  it('a buddy that leaves the queue stops being one: migrated away (detach_task()) or, the yielder, gone to sleep', () => {
    const q = withBuddyAhead()
    expect(q.skip[0]).toBe(0)
    q.attachQueued(2, 1)
    expect(q.nextBuddy[0]).toBe(-1)
    q.sleepCurr(0, 2 * MS)
    expect(q.skip[0]).toBe(-1)
  })
})
