// The decisions of the guest's rwsem per kernel version (kernel/locking/rwsem.c; rwsem-xadd.c before 5.3), as pure
// functions of the lock's state: what down_read() and down_write() do when they find the lock held. The mechanism that
// applies them (owners, readers, the queue, spinning and sleeping vCPUs) is rwsem.ts.
import { atLeast } from '../kernel-version.ts'

/** RWSEM_WAIT_TIMEOUT = DIV_ROUND_UP(HZ, 250) jiffies: 4 ms at HZ 250 and 1000 (rwsem.c, 5.3+). */
export const RWSEM_WAIT_TIMEOUT_NS = 4e6

/** What the guest's rwsem does, by version. */
export interface RwsemFeatures {
  /** rwsem_optimistic_spin() for writers on a running writer owner (3.16+, "locking/rwsem: Support optimistic spinning"). */
  writerSpin: boolean
  /** Writers spin on a reader-owned lock for rwsem_rspin_threshold() (5.3+, "locking/rwsem: Enable time-based spinning
   *  on reader-owned rwsem"; kept by 617f3ef95177). */
  writerSpinOnReaders: boolean
  /** Readers spin on a running writer and join a reader-owned lock past queued writers (5.3 – 5.10). */
  readerSpin: boolean
  /** RWSEM_FLAG_HANDOFF and rwsem_mark_wake() waking every queued reader (5.3+). */
  handoff: boolean
}

export function rwsemFeatures(guestVersion: string): RwsemFeatures {
  const rework = atLeast(guestVersion, '5.3')
  return {
    writerSpin: atLeast(guestVersion, '3.16'),
    writerSpinOnReaders: rework,
    readerSpin: rework && !atLeast(guestVersion, '5.11'),
    handoff: rework,
  }
}

/** rwsem_rspin_threshold(): (20 + min(readers, 30)) µs / 2 — 10 µs plus 0.5 µs per reader, at most 25 µs. */
export function rwsemRspinThresholdNs(readers: number): number {
  return (20 + Math.min(readers, 30)) * 1000 / 2
}

/** A waiter's decision: take the lock now, spin on it, or sleep. */
export const TAKE = 0
export const SPIN = 1
export const SLEEP = 2

export interface RwsemState {
  writerOwned: boolean
  readers: number
  /** A writer (or a reader) is queued asleep. */
  waiters: boolean
  /** The queue head has waited RWSEM_WAIT_TIMEOUT: RWSEM_FLAG_HANDOFF. */
  handoff: boolean
  /** RWSEM_RD_NONSPINNABLE (5.3 – 5.10) / RWSEM_WR_NONSPINNABLE or, ≥ 5.11, RWSEM_NONSPINNABLE. */
  rdNonspinnable: boolean
  wrNonspinnable: boolean
  /** owner_on_cpu() of the writer owner: on its CPU and not vcpu_is_preempted(). */
  ownerRuns: boolean
  /** A writer spinning on readers: its rwsem_rspin_threshold() has passed. */
  rspinExpired: boolean
}

/** The owner field's non-spinnable bits (RwsemState.rdNonspinnable / wrNonspinnable) as a mask. */
export const RD_NONSPINNABLE = 1
export const WR_NONSPINNABLE = 2

/** A reader's acquisition, rwsem_set_reader_owned() → __rwsem_set_reader_owned(): the bits it leaves. 5.3 – 5.10 keep only
 *  RWSEM_RD_NONSPINNABLE ("The reader non-spinnable bit is preserved", "locking/rwsem: Adaptive disabling
 *  of reader optimistic spinning"), so every reader clears RWSEM_WR_NONSPINNABLE and writers spin on readers again; a
 *  reader that saw RWSEM_RD_NONSPINNABLE at slowpath entry copies it over (rwsem_mark_wake()'s last_rowner). From 5.11
 *  (617f3ef95177) the one RWSEM_NONSPINNABLE bit (wrNonspinnable here) is kept until the lock is free; before 5.3 there
 *  are no such bits. */
export function rwsemReaderOwnedFlags(f: RwsemFeatures, flags: number, sawNonspinnable: boolean): number {
  if (!f.readerSpin) return flags
  return (flags & RD_NONSPINNABLE) | (sawNonspinnable ? RD_NONSPINNABLE : 0)
}

/** down_read(): rwsem_read_trylock() → rwsem_down_read_slowpath() (→ rwsem_optimistic_spin(sem, false) 5.3 – 5.10). */
export function rwsemReadDecision(f: RwsemFeatures, s: RwsemState): number {
  if (!s.writerOwned && !s.handoff) {
    // the fast path takes a free or reader-owned lock with nobody queued; a queued waiter sends the reader to the
    // slowpath, where only 5.3 – 5.10's reader spinning (rwsem_try_read_lock_unqueued()) joins the readers
    if (!s.waiters || (f.readerSpin && !s.rdNonspinnable && s.readers > 0)) return TAKE
  }
  if (f.readerSpin && !s.rdNonspinnable && s.writerOwned && s.ownerRuns) return SPIN
  return SLEEP
}

/** down_write(): rwsem_write_trylock() → rwsem_down_write_slowpath() → rwsem_can_spin_on_owner() /
 *  rwsem_optimistic_spin(sem, true) → rwsem_spin_on_owner()'s owner state: OWNER_WRITER spins while owner_on_cpu(),
 *  OWNER_READER spins (5.3+) until rwsem_rspin_threshold() unless non-spinnable, OWNER_NULL trylocks. */
export function rwsemWriteDecision(f: RwsemFeatures, s: RwsemState): number {
  if (!s.writerOwned && s.readers === 0 && !s.handoff) return TAKE
  if (!f.writerSpin) return SLEEP
  if (s.writerOwned) return s.ownerRuns ? SPIN : SLEEP
  if (s.readers > 0) return f.writerSpinOnReaders && !s.wrNonspinnable && !s.rspinExpired ? SPIN : SLEEP
  return SPIN // free, handed off to the queue head: spin on OWNER_NULL until it takes it
}


/** The decision line of a VM whose workload takes an rwsem (ebizzy -m: mmap_lock): what its waiters do on this guest.
 *  `ownerPreemptedRead`: owner_on_cpu()'s vcpu_is_preempted() reads steal time (PreemptedReaders.mutexSpin);
 *  `faultsPerVmaLock`: page faults take the per-VMA lock, mmap_lock only on fallback (guest ≥ 6.4). */
export function rwsemDecision(f: RwsemFeatures, ownerPreemptedRead: boolean, faultsPerVmaLock: boolean): { id: string; title: string; value: string; reason: string; mirrors: string } {
  const writers = !f.writerSpin ? 'writers sleep' : f.writerSpinOnReaders ? 'writers spin on a writer, and on readers up to rwsem_rspin_threshold() (10-25 µs)' : 'writers spin on a writer only'
  const readers = f.readerSpin ? 'readers spin on a writer' : 'readers sleep'
  return {
    id: 'guest-rwsem', title: 'Guest rwsem (mmap_lock) waiters', value: `${writers}; ${readers}${faultsPerVmaLock ? '; page faults take the per-VMA lock, mmap_lock only for a new mapping\'s first fault' : ''}`,
    reason: `${f.readerSpin ? 'guest 5.3 – 5.10: reader optimistic spinning, with the adaptive RWSEM_RD_NONSPINNABLE' : f.writerSpinOnReaders ? 'guest ≥ 5.11: reader optimistic spinning removed (617f3ef95177)' : 'guest < 5.3: a reader-owned rwsem stops the writer\'s spin; readers queue behind a waiting writer'}${f.handoff ? '; a waiter queued 4 ms is handed the lock (RWSEM_FLAG_HANDOFF)' : ''}; owner_on_cpu() ${ownerPreemptedRead ? 'reads vcpu_is_preempted(): a spinner stops when the owner\'s vCPU is preempted' : 'does not see the host preempt the owner\'s vCPU (vcpu_is_preempted() is native): a spinner runs until PLE / the pause filter'}${faultsPerVmaLock ? '; guest ≥ 6.4 (CONFIG_PER_VMA_LOCK, 0bff0aaea03e): do_user_addr_fault() tries lock_vma_under_rcu() first, which refuses a VMA without an anon_vma, so only the first fault of a fresh mmap() falls back to mmap_lock' : ''}`,
    mirrors: faultsPerVmaLock ? 'rwsem_optimistic_spin() / rwsem_spin_on_owner() / owner_on_cpu() / lock_vma_under_rcu()' : 'rwsem_optimistic_spin() / rwsem_spin_on_owner() / owner_on_cpu()',
  }
}
