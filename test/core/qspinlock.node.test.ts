// The guest spinlock slow paths: how a waiter of each lock kind waits and who gets the lock on unlock
// (kernel/locking/qspinlock.c, qspinlock_paravirt.h, arch/x86/include/asm/qspinlock.h virt_spin_lock()).
import { describe, it, expect } from 'vitest'
import { SPIN_THRESHOLD, waiterHalts, spinBeforeWaitNs, handoff, pvLockFeatures, pvQueuedSpinTrylock, pvUnlockHandoff, pvWaitEarly, waitEarlyCheckLoops, PV_PREV_CHECK_MASK, ENTRY_TAKE, ENTRY_QUEUE, ENTRY_UNFAIR } from '../../core/guest/qspinlock.ts'

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

describe('pvqspinlock per guest version (kernel/locking/qspinlock_paravirt.h)', () => {
  it('pvLockFeatures(): stealing and pv_wait_early() from 4.5, unfair spinning from 4.15, the vcpu_is_preempted() check 4.10 until its revert (5.4, 4.14.149, 4.19.79, 5.3.6)', () => {
    expect(pvLockFeatures('4.4')).toEqual({ stealOnEntry: false, unfairSpin: false, waitEarly: false, waitEarlyOnPreempted: false })
    expect(pvLockFeatures('4.9')).toEqual({ stealOnEntry: true, unfairSpin: false, waitEarly: true, waitEarlyOnPreempted: false })
    expect(pvLockFeatures('4.14').waitEarlyOnPreempted).toBe(true)
    expect(pvLockFeatures('4.14.148').waitEarlyOnPreempted).toBe(true)
    expect(pvLockFeatures('4.14.149').waitEarlyOnPreempted).toBe(false)
    expect(pvLockFeatures('4.14').unfairSpin).toBe(false)
    expect(pvLockFeatures('4.15')).toEqual({ stealOnEntry: true, unfairSpin: true, waitEarly: true, waitEarlyOnPreempted: true })
    expect(pvLockFeatures('4.19.78').waitEarlyOnPreempted).toBe(true)
    expect(pvLockFeatures('4.19.79').waitEarlyOnPreempted).toBe(false)
    expect(pvLockFeatures('5.2').waitEarlyOnPreempted).toBe(true)
    expect(pvLockFeatures('5.3.6').waitEarlyOnPreempted).toBe(false)
    expect(pvLockFeatures('5.4')).toEqual({ stealOnEntry: true, unfairSpin: true, waitEarly: true, waitEarlyOnPreempted: false })
  })

  it('queued_spin_trylock() at slowpath entry: a free lock with waiters queued is stolen from 4.5 unless the head set pending; from 4.15 a newcomer waits unfairly while the head does not spin', () => {
    const v44 = pvLockFeatures('4.4')
    const v49 = pvLockFeatures('4.9')
    const v68 = pvLockFeatures('6.8')
    // free, nobody queued: the fast path's cmpxchg in every version
    for (const f of [v44, v49, v68]) expect(pvQueuedSpinTrylock(f, false, false, false)).toBe(ENTRY_TAKE)
    // free, waiters queued, the head halted (pending clear): the native trylock wants the whole word clear
    expect(pvQueuedSpinTrylock(v44, false, false, true)).toBe(ENTRY_QUEUE)
    expect(pvQueuedSpinTrylock(v49, false, false, true)).toBe(ENTRY_TAKE)
    expect(pvQueuedSpinTrylock(v68, false, false, true)).toBe(ENTRY_TAKE)
    // the head spins (pending set): nobody steals, newcomers queue
    for (const f of [v44, v49, v68]) expect(pvQueuedSpinTrylock(f, false, true, true)).toBe(ENTRY_QUEUE)
    // held, waiters queued, pending clear: 4.15+ stays out of the queue in unfair mode
    expect(pvQueuedSpinTrylock(v49, true, false, true)).toBe(ENTRY_QUEUE)
    expect(pvQueuedSpinTrylock(v68, true, false, true)).toBe(ENTRY_UNFAIR)
    // held with nobody queued (no tail): queue and become the head
    expect(pvQueuedSpinTrylock(v68, true, false, false)).toBe(ENTRY_QUEUE)
  })

  it('the unlock hands over to a head that spins (pending), else releases the lock for whoever runs', () => {
    expect(pvUnlockHandoff(true)).toBe('head')
    expect(pvUnlockHandoff(false)).toBe('released')
  })

  it('pv_wait_early(): a halted predecessor from 4.5; a preempted one only 4.10 until the revert', () => {
    expect(pvWaitEarly(pvLockFeatures('4.4'), true, true)).toBe(false)
    expect(pvWaitEarly(pvLockFeatures('4.9'), true, false)).toBe(true)
    expect(pvWaitEarly(pvLockFeatures('4.9'), false, true)).toBe(false)
    expect(pvWaitEarly(pvLockFeatures('5.2'), false, true)).toBe(true)
    expect(pvWaitEarly(pvLockFeatures('6.8'), false, true)).toBe(false)
    expect(pvWaitEarly(pvLockFeatures('6.8'), true, false)).toBe(true)
    expect(pvWaitEarly(pvLockFeatures('6.8'), false, false)).toBe(false)
  })

  it('pv_wait_node() checks at its first loop, then every PV_PREV_CHECK_MASK + 1 = 256 loops', () => {
    expect(PV_PREV_CHECK_MASK).toBe(0xff)
    expect(waitEarlyCheckLoops(0)).toBe(0)
    expect(waitEarlyCheckLoops(1)).toBe(255)
    expect(waitEarlyCheckLoops(255)).toBe(1)
    expect(waitEarlyCheckLoops(256)).toBe(0)
    expect(waitEarlyCheckLoops(1000)).toBe(24)
  })
})
