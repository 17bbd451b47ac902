// The pieces every optimistic spinner on a sleeping lock's owner shares (kernel/locking/mutex.c mutex_spin_on_owner(),
// kernel/locking/rwsem.c owner_on_cpu() / rwsem_spin_on_owner()): the frame argument naming the lock, the owner test
// with vcpu_is_preempted(), and the PAUSE loop's PLE-window budget. Used by mutex-spin.ts and rwsem.ts.
import { Work } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import type { StealTime } from '../kvm/steal-time.ts'

/** Simulation granularity, not a kernel constant: a spinner without a PLE exit re-evaluates mutex_spin_on_owner()'s
 *  conditions after this much spinning (the kernel does on every loop of a few PAUSEs). */
export const SPIN_RECHECK_NS = 1_000

/** The Work.SPIN argument of a waiter of mutex `id` (global id); spinlocks use ids ≥ 0 and csd_lock_wait() −1. */
export function mutexSpinArg(id: number): number {
  return -2 - id
}
/** The global lock id of a Work.SPIN argument ≤ −2 (a mutex, or an rwsem past the mutexes: mutex-spin.ts). */
export function mutexOfSpinArg(arg: number): number {
  return -2 - arg
}

/** vcpu_is_preempted(task_cpu(owner)) as the spinner on vCPU g sees it for the owner on vCPU o: its guest reads steal
 *  time on this path (guest ≥ 4.10, PreemptedReaders.mutexSpin) and the host set KVM_VCPU_PREEMPTED for o. The other half
 *  of owner_on_cpu() (owner->on_cpu) is always true here: an owner's critical section is its task's current work. */
export function ownerVcpuPreempted(m: ModelCore, steal: StealTime, g: number, o: number): boolean {
  return m.vmSpec(g).preemptedReaders.mutexSpin && steal.preempted[o] === 1
}

/** The PAUSE loop of an optimistic spinner (mutex or rwsem): what is left of its PLE window in the current loop (the
 *  window counts one loop in guest mode), and whether the next spin frame ends in a PAUSE exit. */
export class SpinWindow {
  private readonly pleLeft: Float64Array
  private readonly budgetPle: Uint8Array
  constructor(nV: number) {
    this.pleLeft = new Float64Array(nV).fill(-1)
    this.budgetPle = new Uint8Array(nV)
  }

  /** A new lock operation: a fresh PAUSE loop. */
  reset(g: number): void {
    this.pleLeft[g] = -1
  }

  /** The next spin frame's length: at most `capNs`, cut at the PLE window's end when kernel PAUSE loops exit. */
  budget(g: number, ple: Parts['ple'], pauseExits: boolean, capNs: number): number {
    if (pauseExits && this.pleLeft[g]! < 0) this.pleLeft[g] = ple.windowNs(g)
    const w = pauseExits ? this.pleLeft[g]! : Infinity
    this.budgetPle[g] = w <= capNs ? 1 : 0
    return Math.min(w, capNs)
  }

  /** The frame spun `spun` ns; true when it ends in a PAUSE exit (the next loop starts a new window). */
  spent(g: number, spun: number): boolean {
    if (this.pleLeft[g]! >= 0) this.pleLeft[g] = this.budgetPle[g] ? -1 : Math.max(0, this.pleLeft[g]! - spun)
    return this.budgetPle[g] === 1
  }
}


/** The waiter's frame: a Work.SPIN frame naming the lock (startSpin() decides what it runs: the critical section, a
 *  spin budget, or nothing before it sleeps). */
export function spinFrame(work: Parts['work'], g: number, arg: number, now: number): void {
  work.curKind[g] = Work.SPIN
  work.curArg[g] = arg
  work.curRem[g] = 0
  work.curStart[g] = now
}

/** A sleeping-lock waiter's per-vCPU sleep state (0: spinning or owning): it sleeps on the lock's wait list, or it
 *  has decided to and queues at the end of its current frame. */
export const SLEEPING = 1
export const SLEEP_NOW = 2

/** The waiter sleeps (schedule() in the lock's slowpath): its vCPU idles until the unlock hands it the lock. The model
 *  keeps the lock operation on the vCPU, so the vCPU's other runnable threads wait until then: a need_resched() already
 *  set does not end this idle (it would find the same sleeping waiter again); the tick sets it anew later. */
export function sleepOnLock(idle: Parts['idle'], gsched: Parts['gsched'], g: number): void {
  gsched.needResched[g] = 0
  idle.enterIdle(g)
}

/** The sleepers of sleeping locks (the lock's wait_list: mutex.c __mutex_add_waiter(), rwsem.c rwsem_add_waiter()), a
 *  FIFO over vCPUs per lock, with when each queued (for RWSEM_WAIT_TIMEOUT). queueOrTake() is the slowpaths' re-check
 *  after queueing under wait_lock — __mutex_lock_common() tries __mutex_trylock() again once on the wait list,
 *  rwsem_down_write_slowpath() calls rwsem_try_write_lock() and rwsem_down_read_slowpath() wakes itself when the count
 *  has no RWSEM_LOCK_MASK: a waiter that decided to sleep while an unlock passed it by takes the free lock instead. */
export class SleeperQueue {
  /** Per lock: first and last sleeper (−1: none). */
  readonly head: Int32Array
  readonly tail: Int32Array
  /** Per vCPU: the next sleeper on its lock, and when it queued. */
  readonly next: Int32Array
  readonly queuedAt: Float64Array
  constructor(nLocks: number, nV: number) {
    this.head = new Int32Array(nLocks).fill(-1)
    this.tail = new Int32Array(nLocks).fill(-1)
    this.next = new Int32Array(nV).fill(-1)
    this.queuedAt = new Float64Array(nV)
  }

  /** Waiter g, having decided to sleep on lock l, queues at `now` — unless the lock is free by now (`lockFree`): then it
   *  is not queued and the caller gives it the lock. True when g queued (and sleeps). */
  queueOrTake(l: number, g: number, now: number, lockFree: boolean): boolean {
    if (lockFree) return false
    this.next[g] = -1
    this.queuedAt[g] = now
    if (this.tail[l]! >= 0) this.next[this.tail[l]!] = g
    else this.head[l] = g
    this.tail[l] = g
    return true
  }

  /** Removes w (after prev, −1 when w is the head) from lock l's queue. */
  dequeue(l: number, w: number, prev: number): void {
    if (prev < 0) this.head[l] = this.next[w]!
    else this.next[prev] = this.next[w]!
    if (this.tail[l] === w) this.tail[l] = prev
    this.next[w] = -1
  }
}
