// The host's per-pCPU run queues (model.md §2 pCPU; kernel/sched/fair.c): which host thread — a vCPU thread or another
// task — runs on each pCPU, which wait, and their vruntimes, lags and virtual deadlines. The decisions come from
// core/host/fair-sched.ts; this file keeps the state. Host-thread ids: 0..nV−1 are vCPU threads, then the tasks.
// Allocation-free: intrusive doubly linked lists over typed arrays, one list per pCPU.
import type { FairParams } from './fair-sched.ts'
import { placeWaking, entityLag, sliceNs, wakeupPreempts } from './fair-sched.ts'
import { YieldKind, yieldTaskFair, skipBuddyGivesWay } from './sched-yield.ts'

export class HostRunqueues {
  readonly p: FairParams
  readonly tickNs: number
  /** The host thread running on each pCPU, or −1 when it is idle. */
  readonly cur: Int32Array
  /** Threads waiting on each pCPU (not counting cur). */
  readonly nrQueued: Int32Array
  private readonly head: Int32Array
  private readonly next: Int32Array
  private readonly prev: Int32Array
  /** The pCPU a thread runs on, waits on, or last ran on. */
  readonly cpu: Int32Array
  readonly queued: Uint8Array
  readonly vruntime: Float64Array
  readonly deadline: Float64Array
  readonly lag: Float64Array
  /** RUN_TO_PARITY: picked and not given a new slice since (se->vlag == se->deadline). */
  readonly protectedSlice: Uint8Array
  /** Run time accounted up to this instant (update_curr()). */
  readonly execStart: Float64Array
  /** Run time since the thread was last picked (CFS: sum_exec_runtime − prev_sum_exec_runtime). */
  readonly ranSincePick: Float64Array
  /** cfs_rq->min_vruntime: monotonic per pCPU, kept while it is idle. */
  readonly minVruntime: Float64Array
  /** cfs_rq->next: the thread yield_to() asked to run next on each pCPU (CFS honours it), or −1. */
  readonly nextBuddy: Int32Array
  /** CFS cfs_rq->skip: the thread that yielded on each pCPU (set_skip_buddy()), or −1; cleared when it is picked. */
  readonly skip: Int32Array
  /** pCPUs with at least one waiting thread (for idle balancing). */
  nrBusyQueues = 0

  constructor(nThreads: number, nCpus: number, p: FairParams, tickNs: number) {
    this.p = p
    this.tickNs = tickNs
    this.cur = new Int32Array(nCpus).fill(-1)
    this.nrQueued = new Int32Array(nCpus)
    this.head = new Int32Array(nCpus).fill(-1)
    this.next = new Int32Array(nThreads).fill(-1)
    this.prev = new Int32Array(nThreads).fill(-1)
    this.cpu = new Int32Array(nThreads)
    this.queued = new Uint8Array(nThreads)
    this.vruntime = new Float64Array(nThreads)
    this.deadline = new Float64Array(nThreads)
    this.lag = new Float64Array(nThreads)
    this.protectedSlice = new Uint8Array(nThreads)
    this.execStart = new Float64Array(nThreads)
    this.ranSincePick = new Float64Array(nThreads)
    this.minVruntime = new Float64Array(nCpus)
    this.nextBuddy = new Int32Array(nCpus).fill(-1)
    this.skip = new Int32Array(nCpus).fill(-1)
  }

  nrRunning(c: number): number {
    return this.nrQueued[c]! + (this.cur[c]! >= 0 ? 1 : 0)
  }

  /** idle_cpu(): nothing runs on pCPU c and nothing waits there. */
  idleCpu(c: number): boolean {
    return this.cur[c]! < 0 && this.nrQueued[c] === 0
  }

  /** update_curr(): the running thread's vruntime advances by its run time (nice 0: weight 1024). EEVDF
   *  update_deadline(): once curr's vruntime reaches its deadline it gets a new one a slice further, which also ends
   *  its RUN_TO_PARITY protection (se->vlag no longer equals se->deadline). */
  updateCurr(c: number, now: number): void {
    const h = this.cur[c]!
    if (h < 0) return
    const d = now - this.execStart[h]!
    this.execStart[h] = now
    this.vruntime[h] = this.vruntime[h]! + d
    this.ranSincePick[h] = this.ranSincePick[h]! + d
    if (this.p.era === 'eevdf' && this.vruntime[h]! >= this.deadline[h]! - 1) {
      this.deadline[h] = this.vruntime[h]! + sliceNs(this.p, 1)
      this.protectedSlice[h] = 0
    }
    this.updateMin(c)
  }

  /** update_min_vruntime(): never backwards. */
  private updateMin(c: number): void {
    let m = Infinity
    const h = this.cur[c]!
    if (h >= 0) m = this.vruntime[h]!
    for (let q = this.head[c]!; q >= 0; q = this.next[q]!) if (this.vruntime[q]! < m) m = this.vruntime[q]!
    if (m !== Infinity && m > this.minVruntime[c]!) this.minVruntime[c] = m
  }

  /** avg_vruntime(): the mean vruntime of cur and the waiting threads (equal weights); min_vruntime when empty. */
  avgVruntime(c: number): number {
    let sum = 0
    let n = 0
    const h = this.cur[c]!
    if (h >= 0) { sum += this.vruntime[h]!; n++ }
    for (let q = this.head[c]!; q >= 0; q = this.next[q]!) { sum += this.vruntime[q]!; n++ }
    return n ? sum / n : this.minVruntime[c]!
  }

  private link(h: number, c: number): void {
    this.cpu[h] = c
    this.queued[h] = 1
    this.prev[h] = -1
    this.next[h] = this.head[c]!
    if (this.head[c]! >= 0) this.prev[this.head[c]!] = h
    this.head[c] = h
    if (this.nrQueued[c]!++ === 0) this.nrBusyQueues++
  }

  /** Removes a waiting thread from its pCPU's queue. */
  unlink(h: number): void {
    const c = this.cpu[h]!
    if (this.prev[h]! >= 0) this.next[this.prev[h]!] = this.next[h]!
    else this.head[c] = this.next[h]!
    if (this.next[h]! >= 0) this.prev[this.next[h]!] = this.prev[h]!
    this.next[h] = -1
    this.prev[h] = -1
    this.queued[h] = 0
    if (--this.nrQueued[c]! === 0) this.nrBusyQueues--
  }

  /** clear_buddies() from dequeue_entity(): h leaves pCPU c's queue (goes to sleep, or is migrated away) and stops
   *  being its next or skip buddy. */
  private clearBuddies(c: number, h: number): void {
    if (this.nextBuddy[c] === h) this.nextBuddy[c] = -1
    if (this.skip[c] === h) this.skip[c] = -1
  }

  /** enqueue_entity() of a waking thread on pCPU c, placed by place_entity(). Returns whether it preempts the running
   *  thread (check_preempt_wakeup / check_preempt_wakeup_fair). `migrated`: it last ran on another pCPU — CFS then
   *  carries its vruntime over relative to min_vruntime (migrate_task_rq_fair(): − the old queue's, enqueue_entity()
   *  with ENQUEUE_MIGRATED: + the new one's); EEVDF places it by its lag alone. */
  enqueueWaking(h: number, c: number, now: number, migrated: boolean): boolean {
    this.updateCurr(c, now)
    const avg = this.avgVruntime(c)
    const own = migrated ? this.vruntime[h]! - this.minVruntime[this.cpu[h]!]! + this.minVruntime[c]! : this.vruntime[h]!
    this.vruntime[h] = placeWaking(this.p, own, this.lag[h]!, this.minVruntime[c]!, avg, this.nrRunning(c))
    this.deadline[h] = this.vruntime[h]! + sliceNs(this.p, this.nrRunning(c) + 1)
    this.link(h, c)
    const curr = this.cur[c]!
    if (curr < 0) return false
    const avgAfter = this.avgVruntime(c)
    let others = Infinity
    if (this.p.era === 'eevdf') {
      for (let q = this.head[c]!; q >= 0; q = this.next[q]!) if (q !== h && this.vruntime[q]! <= avgAfter && this.deadline[q]! < others) others = this.deadline[q]!
    }
    return wakeupPreempts(this.p, {
      currVruntime: this.vruntime[curr]!, currDeadline: this.deadline[curr]!, currProtected: this.protectedSlice[curr] === 1,
      avgVruntime: avgAfter, wokenVruntime: this.vruntime[h]!, wokenDeadline: this.deadline[h]!, othersBestDeadline: others,
    })
  }

  /** A waiting thread moves from its pCPU to pCPU dst (load balancing: detach_task() → attach_task()). CFS keeps its
   *  vruntime relative to min_vruntime (dequeue_entity() without DEQUEUE_SLEEP subtracts the old queue's,
   *  enqueue_entity() adds the new one's); EEVDF takes its lag at dequeue (update_entity_lag()) and places it on dst
   *  by place_entity(). It is left unqueued: the caller runs it on dst (setCurr). */
  detachQueued(h: number, dst: number): void {
    const src = this.cpu[h]!
    this.clearBuddies(src, h)
    if (this.p.era === 'cfs') {
      this.vruntime[h] = this.vruntime[h]! - this.minVruntime[src]! + this.minVruntime[dst]!
      this.unlink(h)
      return
    }
    this.lag[h] = entityLag(this.p, this.vruntime[h]!, this.avgVruntime(src), this.tickNs)
    this.unlink(h)
    this.vruntime[h] = placeWaking(this.p, 0, this.lag[h]!, this.minVruntime[dst]!, this.avgVruntime(dst), this.nrRunning(dst))
    this.deadline[h] = this.vruntime[h]! + sliceNs(this.p, 1)
  }

  /** Load balancing moves waiting thread h onto pCPU dst's queue (detach_task() → attach_task()): placed as
   *  detachQueued() places it, then queued there. */
  attachQueued(h: number, dst: number): void {
    this.detachQueued(h, dst)
    this.link(h, dst)
  }

  /** put_prev_entity() of a preempted thread: it waits on its pCPU with its vruntime. */
  requeueCurr(c: number, now: number): number {
    this.updateCurr(c, now)
    const h = this.cur[c]!
    this.cur[c] = -1
    if (h >= 0) this.link(h, c)
    return h
  }

  /** dequeue_entity() of the running thread going to sleep (update_entity_lag() under EEVDF). */
  sleepCurr(c: number, now: number): void {
    this.updateCurr(c, now)
    const h = this.cur[c]!
    if (h < 0) return
    this.clearBuddies(c, h)
    this.lag[h] = entityLag(this.p, this.vruntime[h]!, this.avgVruntime(c), this.tickNs)
    this.cur[c] = -1
  }

  /** pick_next_entity(): CFS the smallest vruntime; EEVDF the eligible thread with the earliest virtual deadline
   *  (pick_eevdf()). Returns −1 when nothing waits. The caller makes it cur with setCurr(). */
  pick(c: number): number {
    if (this.head[c]! < 0) return -1
    let best = -1
    if (this.p.era === 'cfs') {
      for (let q = this.head[c]!; q >= 0; q = this.next[q]!) if (best < 0 || this.vruntime[q]! < this.vruntime[best]!) best = q
      // pick_next_entity(): the next buddy set by yield_to() goes first unless that would be too unfair to the
      // leftmost (wakeup_preempt_entity(next, left) < 1: at most the wake-up granularity ahead); clear_buddies(cfs_rq,
      // se) drops only the buddies that are the picked entity, so a next buddy passed over stays for the next pick
      // (dequeue_entity() drops it: detachQueued())
      const b = this.nextBuddy[c]!
      if (b >= 0 && (this.queued[b] !== 1 || this.cpu[b] !== c)) this.nextBuddy[c] = -1 // left the queue another way
      else if (b >= 0 && this.vruntime[b]! - this.vruntime[best]! <= this.p.wakeupGranularityNs) { this.nextBuddy[c] = -1; return b }
      if (best !== this.skip[c]) return best
      // the leftmost yielded: the next one runs instead if that is not too unfair
      let second = -1
      for (let q = this.head[c]!; q >= 0; q = this.next[q]!) if (q !== best && (second < 0 || this.vruntime[q]! < this.vruntime[second]!)) second = q
      return second >= 0 && skipBuddyGivesWay(this.vruntime[second]!, this.vruntime[best]!, this.p.wakeupGranularityNs) ? second : best
    }
    const avg = this.avgVruntime(c)
    for (let q = this.head[c]!; q >= 0; q = this.next[q]!) {
      if (this.vruntime[q]! > avg) continue
      if (best < 0 || this.deadline[q]! < this.deadline[best]!) best = q
    }
    if (best >= 0) return best
    for (let q = this.head[c]!; q >= 0; q = this.next[q]!) if (best < 0 || this.vruntime[q]! < this.vruntime[best]!) best = q
    return best
  }

  /** set_next_entity(): h (waiting on c, or not queued at all) runs on c now. */
  setCurr(h: number, c: number, now: number): void {
    if (this.skip[this.cpu[h]!] === h) this.skip[this.cpu[h]!] = -1
    if (this.queued[h]) this.unlink(h)
    this.cpu[h] = c
    this.cur[c] = h
    this.execStart[h] = now
    this.ranSincePick[h] = 0
    this.protectedSlice[h] = 1
    if (this.p.era === 'eevdf' && this.deadline[h]! <= this.vruntime[h]!) this.deadline[h] = this.vruntime[h]! + sliceNs(this.p, 1)
    this.updateMin(c)
  }

  /** __schedule() on c picked prev again (pick_next_task_fair() returned the thread that was running): it stays
   *  curr without set_next_entity() — with CONFIG_FAIR_GROUP_SCHED the `prev != p` branch is skipped, so its slice
   *  accounting goes on — and pick_next_entity()'s clear_buddies() drops it as the skip buddy. The caller took it off
   *  the CPU with requeueCurr() (update_curr() done there) and pick() returned it. */
  keepCurr(h: number, c: number): void {
    if (this.queued[h]) this.unlink(h)
    this.cur[c] = h
    if (this.skip[c] === h) this.skip[c] = -1
  }

  /** do_sched_yield() by the running thread on c: yield_task_fair() (core/host/sched-yield.ts, `kind` by host version),
   *  then whether schedule() picks another thread — the one pick() returns once the caller has put the yielder back
   *  on the queue (requeueCurr()). Alone on its pCPU, the yielder just goes on. */
  yieldCurr(c: number, now: number, kind: number): boolean {
    if (this.nrQueued[c] === 0) return false
    this.updateCurr(c, now)
    const h = this.cur[c]!
    if (kind === YieldKind.CFS_SKIP) this.skip[c] = h
    else yieldTaskFair(kind, h, this.vruntime, this.deadline, sliceNs(this.p, 1), this.vruntime[h]! <= this.avgVruntime(c))
    // schedule(): the pick with the yielder queued as put_prev_entity() leaves it
    this.cur[c] = -1
    this.link(h, c)
    const next = this.pick(c)
    this.unlink(h)
    this.cur[c] = h
    if (next === h && this.skip[c] === h) this.skip[c] = -1 // picked again: clear_buddies()
    return next !== h
  }

  /** Time until the next preemption check of the running thread: CFS the rest of its ideal slice; EEVDF until its
   *  vruntime reaches its virtual deadline. Never below a microsecond (a check that keeps curr re-arms later). */
  sliceLeft(c: number, now: number): number {
    const h = this.cur[c]!
    const ran = now - this.execStart[h]!
    const left = this.p.era === 'cfs'
      ? sliceNs(this.p, this.nrRunning(c)) - this.ranSincePick[h]! - ran
      : this.deadline[h]! - this.vruntime[h]! - ran
    return Math.max(1_000, left)
  }

  /** The slice timer on c fired: CFS check_preempt_tick() — preempt once curr ran its ideal slice; EEVDF
   *  update_deadline() (in updateCurr()) — at its deadline curr gets a new one and loses its RUN_TO_PARITY protection,
   *  then pick_eevdf() decides (curr stays when it is eligible and no eligible waiting thread has an earlier
   *  deadline); before its deadline nothing reschedules it, eligible or not. Returns whether curr must give the CPU
   *  up. */
  sliceExpired(c: number, now: number): boolean {
    this.updateCurr(c, now)
    const h = this.cur[c]!
    if (h < 0 || this.nrQueued[c] === 0) return false
    if (this.p.era === 'cfs') return this.ranSincePick[h]! >= sliceNs(this.p, this.nrRunning(c)) - 1
    // still protected: its deadline has not come (only update_deadline() or a wake-up preemption reschedules)
    if (this.protectedSlice[h] === 1) return false
    const avg = this.avgVruntime(c)
    const best = this.pick(c)
    if (best < 0) return false
    if (this.vruntime[h]! > avg) return true
    return this.deadline[best]! < this.deadline[h]!
  }

  /** yield_to() → yield_to_task_fair(): the target becomes the next buddy of its pCPU (CFS; EEVDF ignores buddies:
   *  NEXT_BUDDY is off) and the yielding thread yields as yield_task_fair() does for the host version. A target already
   *  being switched in on an idle pCPU (not queued here) needs no buddy: nothing else waits there. */
  yieldTo(target: number, yielderCpu: number, kind: number): void {
    if (this.p.era === 'cfs' && this.queued[target] === 1) this.nextBuddy[this.cpu[target]!] = target
    const h = this.cur[yielderCpu]!
    if (h < 0 || this.nrQueued[yielderCpu] === 0) return
    if (kind === YieldKind.CFS_SKIP) { this.skip[yielderCpu] = h; return }
    yieldTaskFair(kind, h, this.vruntime, this.deadline, sliceNs(this.p, 1), this.vruntime[h]! <= this.avgVruntime(yielderCpu))
    this.protectedSlice[h] = 0
  }

  /** Thread h runs on, or leaves, a pCPU that no other thread may ever use: there is nothing to schedule against, so
   *  no vruntime is kept (the vhost worker alone on its iothreadpin CPU, a few hundred thousand times a second). */
  runAlone(h: number, c: number): void {
    this.cpu[h] = c
    this.cur[c] = h
  }

  leaveAlone(c: number): void {
    this.cur[c] = -1
  }

  /** Iteration over the threads waiting on c (for idle balancing): firstQueued(c), then nextQueued(h) until −1. */
  firstQueued(c: number): number {
    return this.head[c]!
  }

  nextQueued(h: number): number {
    return this.next[h]!
  }

  /** From the other end (detach_tasks() takes rq->cfs_tasks from its tail, the longest queued first): lastQueued(c),
   *  then prevQueued(h) until −1. */
  lastQueued(c: number): number {
    let h = this.head[c]!
    if (h < 0) return -1
    while (this.next[h]! >= 0) h = this.next[h]!
    return h
  }

  prevQueued(h: number): number {
    return this.prev[h]!
  }
}
