// How a contended guest spinlock waits and hands over (model.md §2 "Guest spinlocks"; kernel/locking/qspinlock.c,
// qspinlock_paravirt.h, arch/x86/include/asm/qspinlock.h virt_spin_lock(), arch/x86/kernel/kvm.c kvm_wait()). The
// pvqspinlock decisions per guest version are pure functions here; spinlocks.ts applies them to the model's queues.
import type { SpinlockKind } from './pvspinlock.ts'
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { hostHasFix as kernelHasFix } from '../kvm/backports.ts'

/** arch/x86/include/asm/spinlock.h: the loops a pvqspinlock waiter spins (cpu_relax() = PAUSE) before pv_wait(). */
export const SPIN_THRESHOLD = 1 << 15

/** qspinlock_paravirt.h PV_PREV_CHECK_MASK: pv_wait_early() looks at the previous node every 256 loops. */
export const PV_PREV_CHECK_MASK = 0xff

/** Whether a waiter of this lock kind ever halts: pv_wait_node() / pv_wait_head_or_lock() call pv_wait() after
 *  SPIN_THRESHOLD loops — kvm_wait() executes HLT (safe_halt()), which exits unless HLT is passed through (and then
 *  PV_UNHALT is hidden, so pvqspinlock is not chosen). Native qspinlock and virt_spin_lock() spin until they own it.
 *  User-space spin loops are not kernel spinlocks: they never halt. */
export function waiterHalts(kind: SpinlockKind, userSpace: boolean): boolean {
  return kind === 'pvqspinlock' && !userSpace
}

/** Spin time before pv_wait(): SPIN_THRESHOLD PAUSEs. */
export function spinBeforeWaitNs(pauseNs: number): number {
  return SPIN_THRESHOLD * pauseNs
}

/** Who gets the lock when its holder releases it, by lock kind.
 *  qspinlock: the MCS queue is FIFO — the queue head takes the lock whether its vCPU runs or not (a preempted head
 *  stalls everyone behind it: lock-waiter preemption).
 *  pvqspinlock: 'head' as long as the head spins actively (the pending bit it sets in pv_wait_head_or_lock()); once
 *  it halted, __pv_queued_spin_unlock_slowpath() releases the lock and kicks it, and a running waiter may steal it
 *  first — pvUnlockHandoff() decides per unlock.
 *  virt_spin_lock() test-and-set: the lock is left free and the first spinner whose cmpxchg runs takes it — only a
 *  vCPU that is running can; with none running the lock stays free until one resumes.
 *  Returns 'head' (hand to the first waiter) or 'running' (hand to a running spinner, else leave it free). */
export function handoff(kind: SpinlockKind, userSpace: boolean): 'head' | 'running' {
  if (userSpace) return 'running'
  return kind === 'test-and-set' ? 'running' : 'head'
}

/** What the guest's pvqspinlock slow path does, by guest version (kernel/locking/qspinlock_paravirt.h). */
export interface PvLockFeatures {
  /** pv_queued_spin_steal_lock() as queued_spin_trylock() at slowpath entry: one attempt to take a free lock while
   *  waiters are queued, unless the queue head set the pending bit — 1c4941fd53af "locking/pvqspinlock: Allow limited
   *  lock stealing" (Waiman Long; SUSE's backport says "Patch-mainline: v4.5-rc1"). Before it the trylock wants the
   *  whole lock word clear (no queue): a 4.4 tree's qspinlock_paravirt.h has neither stealing nor pv_wait_early(). */
  stealOnEntry: boolean
  /** pv_hybrid_queued_unfair_trylock(): a newcomer that finds the lock held, waiters queued and pending clear stays
   *  out of the queue and spins on the lock word, taking it whenever it is free (unfair mode), until pending is set
   *  or the queue empties — 11752adb68a3 "locking/pvqspinlock: Implement hybrid PV queued/unfair locks" (Waiman
   *  Long). 4.15: in a vendor tree's locking history it sits among the 4.15 merge window's tip locking/core commits
   *  (after Will Deacon's qrwlock series of 2017-10-25, before the 4.15-rc lockdep fixes); the pull was not read. */
  unfairSpin: boolean
  /** pv_wait_node() halts before SPIN_THRESHOLD when pv_wait_early() finds prev->state != vcpu_running, checked every
   *  PV_PREV_CHECK_MASK + 1 loops — cd0272fab785 "locking/pvqspinlock: Queue node adaptive spinning", the patch after
   *  1c4941fd53af in the same series (v4.5). */
  waitEarly: boolean
  /** pv_wait_early() also halts when vcpu_is_preempted(prev->cpu) — 75437bb304b2 "locking/pvqspinlock: Don't wait
   *  if vCPU is preempted" (Pan Xinhui's vcpu_is_preempted() series, 4.10); reverted by 89340d0935c9 (5.4; stable
   *  4.14.149, 4.19.79, 5.3.6) after the cascade of early halts it caused under overcommit. */
  waitEarlyOnPreempted: boolean
}

export function pvLockFeatures(guestVersion: string): PvLockFeatures {
  return {
    stealOnEntry: versionAtLeast(guestVersion, '4.5'),
    unfairSpin: versionAtLeast(guestVersion, '4.15'),
    waitEarly: versionAtLeast(guestVersion, '4.5'),
    waitEarlyOnPreempted: versionAtLeast(guestVersion, '4.10') && !kernelHasFix(guestVersion, 'pvWaitEarlyIgnoresPreempted'),
  }
}

/** A newcomer's slow-path entry (pv_queue: in queued_spin_lock_slowpath()). */
export const ENTRY_TAKE = 0
export const ENTRY_QUEUE = 1
export const ENTRY_UNFAIR = 2

/** queued_spin_trylock() in the pv slow path: pv_hybrid_queued_unfair_trylock() (≥ 4.15), pv_queued_spin_steal_lock()
 *  (4.5 – 4.14) or the native trylock, which like the fast path's cmpxchg wants the whole word clear. The lock word:
 *  `locked`, the head's `pending` bit, and a queue tail (`queued`). */
export function pvQueuedSpinTrylock(f: PvLockFeatures, locked: boolean, pending: boolean, queued: boolean): number {
  if (!locked && !pending && (!queued || f.stealOnEntry)) return ENTRY_TAKE
  if (f.unfairSpin && queued && !pending) return ENTRY_UNFAIR
  return ENTRY_QUEUE
}

/** The unlock of a pvqspinlock: with the pending bit set the head spins in pv_wait_head_or_lock() and
 *  trylock_clear_pending() takes the lock ('head'; no stealer may — even while the head's vCPU is preempted); without
 *  it the lock is simply released (a byte store, or __pv_queued_spin_unlock_slowpath()'s smp_store_release() before
 *  pv_kick()) and whichever running waiter's cmpxchg comes first takes it ('released'). */
export function pvUnlockHandoff(pending: boolean): 'head' | 'released' {
  return pending ? 'head' : 'released'
}

/** pv_wait_early(): a queued waiter halts early when its predecessor's node is not vcpu_running (halted in
 *  pv_wait_node(), or hashed and halted as the head) — or, 4.10 until the revert, when its vCPU is preempted. */
export function pvWaitEarly(f: PvLockFeatures, prevHalted: boolean, prevPreempted: boolean): boolean {
  if (!f.waitEarly) return false
  return prevHalted || (f.waitEarlyOnPreempted && prevPreempted)
}

/** Loops until pv_wait_node()'s next pv_wait_early() check after `spun` loops: the loop counts down from
 *  SPIN_THRESHOLD and checks when (loop & PV_PREV_CHECK_MASK) == 0 — at the first loop, then every 256. */
export function waitEarlyCheckLoops(spun: number): number {
  const m = PV_PREV_CHECK_MASK + 1
  return (m - (spun % m)) % m
}

/** The waiter before g in a singly linked waiter list starting at `first` (−1 when g is first): the MCS queue's
 *  predecessor that pv_wait_node() watches, or the unfair list's link to cut. */
export function predecessorIn(first: number, next: Int32Array, g: number): number {
  let prev = -1
  for (let w = first; w >= 0 && w !== g; w = next[w]!) prev = w
  return prev
}
