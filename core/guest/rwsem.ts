// Reader-writer semaphores (kernel/locking/rwsem.c; rwsem-xadd.c before 5.3), e.g. a process's mmap_lock (mmap_sem
// before 5.8): readers share the lock, a writer excludes everyone. down_write() that finds the lock held spins
// (rwsem_optimistic_spin() → rwsem_spin_on_owner(), PAUSE) while the owning writer runs — owner_on_cpu(): owner->on_cpu
// && !vcpu_is_preempted(task_cpu(owner)), the preempted test from guest 4.10 (owner-spin.ts) — and sleeps otherwise.
// What a waiter does depends on the guest version (rwsemFeatures()):
//  - < 5.3: writers spin on a writer owner only: a reader-owned lock stops the spin (rwsem_spin_on_owner() /
//    rwsem_can_spin_on_owner()); readers never spin and queue behind a waiting writer (the count's waiting bias);
//    rwsem_wake() wakes the readers ahead of the first queued writer.
//  - 5.3 (Waiman Long's rework): a writer also spins on a reader-owned lock, for rwsem_rspin_threshold() = 10 µs +
//    0.5 µs per reader (≤ 25 µs) from the start of the reader phase; when it runs out the writer sets the
//    non-spinnable bits and sleeps. Handoff (RWSEM_FLAG_HANDOFF): a waiter queued ≥ RWSEM_WAIT_TIMEOUT (4 ms) is handed
//    the lock, spinners may not steal it. rwsem_mark_wake() wakes every queued reader.
//  - 5.3 – 5.10: readers spin too, on a running writer owner, and take a reader-owned lock past queued writers
//    (rwsem_try_read_lock_unqueued()) unless RWSEM_RD_NONSPINNABLE: a writer's spin timeout sets it, and the adaptive
//    rule keeps it set — a writer that saw RWSEM_WR_NONSPINNABLE sets it again when it gets the lock, a reader that saw
//    it at slowpath entry when it is woken with the lock; each reader's acquisition clears RWSEM_WR_NONSPINNABLE
//    (__rwsem_set_reader_owned() keeps only the reader bit), so writers spin on readers again.
//  - ≥ 5.11: reader optimistic spinning removed (617f3ef95177 "locking/rwsem: Remove reader optimistic spinning", in
//    v5.11 — not 5.12): readers sleep, and queue behind a waiting writer while readers own the lock (2f06f702925b
//    "Prevent potential lock starvation"); one RWSEM_NONSPINNABLE bit. Writers still spin on readers for a limited time.
// Simplifications: as mutex-spin.ts (the owner is re-checked every SPIN_RECHECK_NS; at unlock a spinning waiter takes
// the lock first, else the queue head is handed it and woken by IPI; a sleeper's vCPU idles); the OSQ's order among
// spinners is vCPU order; the reader-spin path's rwsem_reader_phase_trylock() is not modelled.
import { Work, St } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import type { StealTime } from '../kvm/steal-time.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import { rwsemReadDecision, rwsemWriteDecision, rwsemRspinThresholdNs, rwsemReaderOwnedFlags, RWSEM_WAIT_TIMEOUT_NS, RD_NONSPINNABLE, WR_NONSPINNABLE, TAKE, SLEEP } from './rwsem-decisions.ts'
import type { RwsemState } from './rwsem-decisions.ts'
import { SpinWindow, SleeperQueue, ownerVcpuPreempted, mutexSpinArg, spinFrame, sleepOnLock, SPIN_RECHECK_NS, SLEEPING, SLEEP_NOW } from './owner-spin.ts'

/** rwsems per VM a workload may name (ids 0 … RWSEMS_PER_VM − 1); id 0 is the process's mmap_lock. */
export const RWSEMS_PER_VM = 4
export const MMAP_LOCK = 0

export class GuestRwsems {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly steal: StealTime
  private readonly win: SpinWindow
  /** The Work.SPIN argument of rwsem 0 is mutexSpinArg(argBase): rwsem frames follow the mutexes'. */
  private readonly argBase: number
  private idle!: Parts['idle']
  private irq!: Parts['irq']
  private ple!: Parts['ple']
  private work!: Parts['work']
  private gsched!: Parts['gsched']
  /** Per lock (VM · RWSEMS_PER_VM + id): the writer (−1: none), the readers, the reader phase (counts reader-owned
   *  periods: a writer's rspin threshold restarts with each), the non-spinnable bits, the queue of sleepers. */
  readonly writer: Int32Array
  readonly readers: Int32Array
  private readonly rphase: Int32Array
  private readonly rdNonspin: Uint8Array
  private readonly wrNonspin: Uint8Array
  private readonly q: SleeperQueue
  /** Per vCPU: its lock operation (write?), critical section, whether it holds the lock, SLEEPING / SLEEP_NOW, its
   *  reader phase and rspin deadline, whether it saw a non-spinnable bit (adaptive rule). */
  private readonly write: Uint8Array
  private readonly holdNs: Float64Array
  /** Per vCPU: a writer's read-held time after downgrade_write() (0: it releases with up_write()). */
  private readonly readNs: Float64Array
  private readonly holds: Uint8Array
  private readonly sleep: Uint8Array
  private readonly rphaseSeen: Int32Array
  private readonly rspinEnd: Float64Array
  private readonly sawNonspin: Uint8Array
  /** Per VM, after warm-up: contended acquisitions, those that slept, writers' and readers' spin time, writers that gave
   *  up spinning on readers (rwsem_set_nonspinnable()), hand-offs to a waiter queued ≥ 4 ms, downgrade_write()s, and the
   *  waiters' looks at a writer-owned lock that found the owner's vCPU preempted (owner_on_cpu() false through
   *  vcpu_is_preempted()). */
  readonly contended: Float64Array
  readonly ownerPreempted: Float64Array
  readonly slept: Float64Array
  readonly writerSpinNs: Float64Array
  readonly readerSpinNs: Float64Array
  readonly rspinTimeouts: Float64Array
  readonly handoffs: Float64Array
  readonly downgrades: Float64Array
  startNs = 0
  private readonly st: RwsemState = { writerOwned: false, readers: 0, waiters: false, handoff: false, rdNonspinnable: false, wrNonspinnable: false, ownerRuns: true, rspinExpired: false }

  constructor(m: ModelCore, steal: StealTime, win: SpinWindow, argBase: number) {
    this.m = m
    this.v = m.vcpu
    this.steal = steal
    this.win = win
    this.argBase = argBase
    const n = m.inp.vms.length * RWSEMS_PER_VM
    this.writer = new Int32Array(n).fill(-1); this.readers = new Int32Array(n); this.rphase = new Int32Array(n)
    this.rdNonspin = new Uint8Array(n); this.wrNonspin = new Uint8Array(n)
    const nV = m.nV
    this.q = new SleeperQueue(n, nV)
    this.write = new Uint8Array(nV); this.holdNs = new Float64Array(nV); this.readNs = new Float64Array(nV); this.holds = new Uint8Array(nV)
    this.sleep = new Uint8Array(nV)
    this.rphaseSeen = new Int32Array(nV).fill(-1); this.rspinEnd = new Float64Array(nV); this.sawNonspin = new Uint8Array(nV)
    const nVm = m.inp.vms.length
    this.contended = new Float64Array(nVm); this.slept = new Float64Array(nVm); this.writerSpinNs = new Float64Array(nVm)
    this.readerSpinNs = new Float64Array(nVm); this.rspinTimeouts = new Float64Array(nVm); this.handoffs = new Float64Array(nVm)
    this.downgrades = new Float64Array(nVm); this.ownerPreempted = new Float64Array(nVm)
  }

  link(p: Parts): void {
    this.idle = p.idle
    this.irq = p.irq
    this.ple = p.ple
    this.work = p.work
    this.gsched = p.gsched
  }

  /** down_read() / down_write() by the task on vCPU g: rwsem `id` of its VM, held holdNs of CPU time; a writer with
   *  readNs > 0 then downgrade_write()s and holds it for read readNs more (downgrade()). Call as GuestMutexes.lock()
   *  (from a work completion or with task-level work running). */
  lock(g: number, id: number, write: boolean, holdNs: number, readNs = 0): void {
    if (!Number.isInteger(id) || id < 0 || id >= RWSEMS_PER_VM) throw new Error(`rwsemLock: rwsem id ${id} is outside 0…${RWSEMS_PER_VM - 1}; use fewer rwsems per VM`)
    const v = this.v
    const work = this.work
    if (v.state[g] !== St.RUN || v.inIrq[g] || work.inLockOp(g)) throw new Error(`rwsemLock: vCPU ${g} is not running task-level work (state ${v.state[g]}, in an interrupt or lock operation); take an rwsem from itemDone/threadBurstDone`)
    const l = v.vmOf[g]! * RWSEMS_PER_VM + id
    work.suspendWork(g)
    work.pushLockFrame(g)
    this.write[g] = write ? 1 : 0
    this.holdNs[g] = holdNs
    this.readNs[g] = write ? readNs : 0
    this.holds[g] = 0
    this.sleep[g] = 0
    this.sawNonspin[g] = 0
    this.rphaseSeen[g] = -1
    this.win.reset(g)
    const now = this.m.engine.now
    if (this.decide(g, l) === TAKE) this.take(g, l)
    else if (now >= this.m.warmupEnd) { const vi = v.vmOf[g]!; this.contended[vi] = this.contended[vi]! + 1 }
    spinFrame(work, g, mutexSpinArg(this.argBase + l), now)
  }

  /** The lock's state as waiter g sees it, and its decision. */
  private decide(g: number, l: number): number {
    const s = this.st
    const f = this.m.vmSpec(g).rwsem
    const o = this.writer[l]!
    const h = this.q.head[l]!
    s.writerOwned = o >= 0
    s.readers = this.readers[l]!
    s.waiters = h >= 0 && h !== g
    s.handoff = f.handoff && h >= 0 && h !== g && this.m.engine.now - this.q.queuedAt[h]! >= RWSEM_WAIT_TIMEOUT_NS
    s.rdNonspinnable = this.rdNonspin[l] === 1
    s.wrNonspinnable = this.wrNonspin[l] === 1
    s.ownerRuns = o < 0 || !ownerVcpuPreempted(this.m, this.steal, g, o)
    if (!s.ownerRuns && this.m.engine.now >= this.m.warmupEnd) { const vi = this.v.vmOf[g]!; this.ownerPreempted[vi] = this.ownerPreempted[vi]! + 1 }
    s.rspinExpired = false
    if (!this.write[g]) {
      if (s.rdNonspinnable && !s.writerOwned) this.sawNonspin[g] = 1
      return rwsemReadDecision(f, s)
    }
    if (!s.writerOwned && s.readers > 0 && f.writerSpinOnReaders && !s.wrNonspinnable) {
      // rwsem_optimistic_spin(): the threshold restarts when the owner state turns to OWNER_READER
      const now = this.m.engine.now
      if (this.rphaseSeen[g] !== this.rphase[l]) { this.rphaseSeen[g] = this.rphase[l]!; this.rspinEnd[g] = now + rwsemRspinThresholdNs(s.readers) }
      s.rspinExpired = now >= this.rspinEnd[g]!
    }
    const d = rwsemWriteDecision(f, s)
    if (d === SLEEP && !s.writerOwned && s.readers > 0) {
      if (s.rspinExpired) {
        // rwsem_set_nonspinnable(): RWSEM_NONSPINNABLE (≥ 5.11), both bits (5.3 – 5.10)
        this.wrNonspin[l] = 1
        if (f.readerSpin) this.rdNonspin[l] = 1
        const vi = this.v.vmOf[g]!
        if (this.m.engine.now >= this.m.warmupEnd) this.rspinTimeouts[vi] = this.rspinTimeouts[vi]! + 1
      }
      if (s.rspinExpired || s.wrNonspinnable) this.sawNonspin[g] = 1
    }
    return d
  }

  /** g gets the lock: rwsem_set_owner() (clears the owner's flags; the adaptive rule sets RWSEM_RD_NONSPINNABLE again
   *  for a writer that saw the writer bit) or a reader's count increment and rwsem_set_reader_owned()
   *  (rwsemReaderOwnedFlags()). */
  private take(g: number, l: number): void {
    this.holds[g] = 1
    this.sleep[g] = 0
    if (this.write[g]) {
      this.writer[l] = g
      this.wrNonspin[l] = 0
      this.rdNonspin[l] = this.sawNonspin[g] && this.m.vmSpec(g).rwsem.readerSpin ? 1 : 0
      return
    }
    if (this.readers[l] === 0) this.rphase[l]!++
    this.readers[l]!++
    const fl = rwsemReaderOwnedFlags(this.m.vmSpec(g).rwsem, this.rdNonspin[l]! * RD_NONSPINNABLE + this.wrNonspin[l]! * WR_NONSPINNABLE, this.sawNonspin[g] === 1)
    this.rdNonspin[l] = fl & RD_NONSPINNABLE ? 1 : 0
    this.wrNonspin[l] = fl & WR_NONSPINNABLE ? 1 : 0
  }

  /** The waiter (re)starts on lock l: its critical section once it holds the lock, else spin or sleep. */
  startSpin(g: number, l: number): number {
    if (this.holds[g]) { this.startNs = this.holdNs[g]!; return Work.LOCK_CS }
    if (this.sleep[g]) { this.startNs = 0; return Work.SPIN }
    const d = this.decide(g, l)
    if (d === TAKE) { this.take(g, l); this.startNs = this.holdNs[g]!; return Work.LOCK_CS }
    if (d === SLEEP) { this.sleep[g] = SLEEP_NOW; this.startNs = 0; return Work.SPIN }
    this.startNs = this.win.budget(g, this.ple, this.m.vmSpec(g).spinlock.kernelPauseExits, SPIN_RECHECK_NS)
    return Work.SPIN
  }

  /** The spin budget ran out: a PAUSE exit, a re-check of the owner, or the waiter goes to sleep (queued). */
  spinBudgetOver(g: number, l: number): void {
    const now = this.m.engine.now
    const work = this.work
    const spun = this.sleep[g] ? 0 : now - work.curStart[g]!
    this.countSpin(g, spun)
    const pauseExit = this.win.spent(g, spun)
    spinFrame(work, g, mutexSpinArg(this.argBase + l), now)
    if (this.sleep[g] === SLEEP_NOW) {
      // rwsem_down_{read,write}_slowpath(): queued, the lock is looked at again under wait_lock — an up_read()/up_write()
      // at this instant passed this waiter by (it had not queued yet), so it takes the free lock instead of sleeping
      if (this.q.queueOrTake(l, g, now, this.writer[l]! < 0 && this.readers[l] === 0)) {
        this.sleep[g] = SLEEPING
        if (now >= this.m.warmupEnd) { const vi = this.v.vmOf[g]!; this.slept[vi] = this.slept[vi]! + 1 }
      } else { this.take(g, l); work.dispatchNext(g); return }
    }
    if (this.sleep[g] === SLEEPING) { sleepOnLock(this.idle, this.gsched, g); return }
    if (pauseExit) { this.ple.pauseExit(g); return }
    work.dispatchNext(g)
  }

  private countSpin(g: number, spun: number): void {
    if (spun <= 0 || this.m.engine.now < this.m.warmupEnd) return
    const vi = this.v.vmOf[g]!
    if (this.write[g]) this.writerSpinNs[vi] = this.writerSpinNs[vi]! + spun
    else this.readerSpinNs[vi] = this.readerSpinNs[vi]! + spun
  }

  /** up_write() / up_read(): the last holder out passes the lock on (rwsem_wake()); the owner's work resumes. */
  release(g: number, l: number): void {
    if (this.write[g] && this.readNs[g]! > 0) { this.downgrade(g, l); return }
    this.work.popLockFrame(g)
    this.holds[g] = 0
    if (this.write[g]) this.writer[l] = -1
    else if (--this.readers[l]! === 0) this.wrNonspin[l] = 0 // clear_wr_nonspinnable() / clear_nonspinnable()
    if (this.readers[l] === 0) this.passOn(g, l)
    this.work.dispatchNext(g)
  }

  /** downgrade_write() → __downgrade_write(): the writer becomes a reader at once (no other writer gets in between),
   *  rwsem_set_reader_owned(), and rwsem_downgrade_wake() → rwsem_mark_wake(RWSEM_WAKE_READ_OWNED) wakes the queued
   *  readers to share it — none when a writer heads the queue; past queued writers from 5.3. Its read-side critical
   *  section follows in the same lock operation. */
  private downgrade(g: number, l: number): void {
    if (this.m.engine.now >= this.m.warmupEnd) { const vi = this.v.vmOf[g]!; this.downgrades[vi] = this.downgrades[vi]! + 1 }
    this.writer[l] = -1
    this.write[g] = 0
    this.holdNs[g] = this.readNs[g]!
    this.readNs[g] = 0
    this.take(g, l)
    const h = this.q.head[l]!
    if (h >= 0 && !this.write[h]) this.wakeQueued(g, l, this.m.vmSpec(g).rwsem.handoff)
    spinFrame(this.work, g, mutexSpinArg(this.argBase + l), this.m.engine.now)
    this.work.dispatchNext(g)
  }

  /** The lock is free: a queue head due a handoff gets it; else spinning waiters take it (one writer, or every spinning
   *  reader); else the queue head is woken with it (rwsem_mark_wake()). */
  private passOn(g: number, l: number): void {
    const f = this.m.vmSpec(g).rwsem
    const h = this.q.head[l]!
    if (h >= 0 && f.handoff && this.m.engine.now - this.q.queuedAt[h]! >= RWSEM_WAIT_TIMEOUT_NS) {
      if (this.m.engine.now >= this.m.warmupEnd) { const vi = this.v.vmOf[g]!; this.handoffs[vi] = this.handoffs[vi]! + 1 }
      this.wakeQueued(g, l, f.handoff)
      return
    }
    const vm = this.m.vmSpec(g)
    const arg = mutexSpinArg(this.argBase + l)
    const work = this.work
    let readers = false
    for (let s = vm.firstVcpu; s < vm.firstVcpu + vm.vcpus; s++) {
      if (s === g || this.sleep[s] || this.holds[s] || work.curKind[s] !== Work.SPIN || work.curArg[s] !== arg) continue
      if (this.v.state[s] !== St.RUN || this.v.inIrq[s]) continue
      if (this.write[s] && readers) continue
      this.countSpin(s, this.m.engine.now - work.curStart[s]!)
      this.take(s, l)
      work.suspendWork(s)
      work.startWork(s, Work.SPIN, arg, 0)
      if (this.write[s]) return
      readers = true
    }
    if (h >= 0 && (!readers || !this.write[h])) this.wakeQueued(g, l, f.handoff)
  }

  /** rwsem_mark_wake() from vCPU g: a queued writer at the head is given the lock; else the readers are (those ahead of
   *  the first writer before 5.3, every queued reader from 5.3); each woken by IPI (wake_up_q()). */
  private wakeQueued(g: number, l: number, allReaders: boolean): void {
    const h = this.q.head[l]!
    if (this.write[h]) { this.q.dequeue(l, h, -1); this.wake(g, h, l); return }
    let prev = -1
    for (let w = h; w >= 0;) {
      const nx = this.q.next[w]!
      if (this.write[w]) { if (!allReaders) break; prev = w } else { this.q.dequeue(l, w, prev); this.wake(g, w, l) }
      w = nx
    }
  }

  private wake(g: number, w: number, l: number): void {
    this.take(w, l)
    this.irq.queueIpi(g, w)
  }
}
