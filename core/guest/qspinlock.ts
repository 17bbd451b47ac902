// How a contended guest spinlock waits and hands over (model.md §2 "Guest spinlocks"; kernel/locking/qspinlock.c,
// qspinlock_paravirt.h, arch/x86/include/asm/qspinlock.h virt_spin_lock(), arch/x86/kernel/kvm.c kvm_wait()).
import type { SpinlockKind } from './pvspinlock.ts'

/** arch/x86/include/asm/spinlock.h: the loops a pvqspinlock waiter spins (cpu_relax() = PAUSE) before pv_wait(). */
export const SPIN_THRESHOLD = 1 << 15

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

/** Who gets the lock when its holder releases it.
 *  qspinlock / pvqspinlock: the MCS queue is FIFO — the queue head takes the lock whether its vCPU runs or not (a
 *  preempted head stalls everyone behind it: lock-waiter preemption). pvqspinlock's unlock kicks the head by
 *  hypercall when the head halted (__pv_queued_spin_unlock_slowpath() → pv_kick()).
 *  virt_spin_lock() test-and-set: the lock is left free and the first spinner whose cmpxchg runs takes it — only a
 *  vCPU that is running can; with none running the lock stays free until one resumes.
 *  Returns 'head' (hand to the first waiter) or 'running' (hand to a running spinner, else leave it free). */
export function handoff(kind: SpinlockKind, userSpace: boolean): 'head' | 'running' {
  if (userSpace) return 'running'
  return kind === 'test-and-set' ? 'running' : 'head'
}
