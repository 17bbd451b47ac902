// The guest spinlock slow paths: how a waiter of each lock kind waits and who gets the lock on unlock
// (kernel/locking/qspinlock.c, qspinlock_paravirt.h, arch/x86/include/asm/qspinlock.h virt_spin_lock()).
import { describe, it, expect } from 'vitest'
import { SPIN_THRESHOLD, waiterHalts, spinBeforeWaitNs, handoff } from '../../core/guest/qspinlock.ts'

describe('qspinlock slow paths', () => {
  it('SPIN_THRESHOLD is 1 << 15 loops before pv_wait() (arch/x86/include/asm/spinlock.h)', () => {
    expect(SPIN_THRESHOLD).toBe(32768)
    // at Skylake's ~58 ns per PAUSE a pvqspinlock waiter spins about 1.9 ms before it halts
    expect(spinBeforeWaitNs(58) / 1e6).toBeCloseTo(1.9, 1)
  })

  it('only pvqspinlock waiters halt (pv_wait_node() → kvm_wait() → HLT); native and test-and-set spin; user-space loops never halt', () => {
    expect(waiterHalts('pvqspinlock', false)).toBe(true)
    expect(waiterHalts('native qspinlock', false)).toBe(false)
    expect(waiterHalts('test-and-set', false)).toBe(false)
    expect(waiterHalts('pvqspinlock', true)).toBe(false)
  })

  it('queued locks hand over FIFO to the MCS head; virt_spin_lock() and user spin loops to whichever running spinner comes first', () => {
    expect(handoff('native qspinlock', false)).toBe('head')
    expect(handoff('pvqspinlock', false)).toBe('head')
    expect(handoff('test-and-set', false)).toBe('running')
    expect(handoff('native qspinlock', true)).toBe('running')
  })
})
