// Interrupts masked where the guest kernel masks them (core/kvm/irq-delivery.ts irqsDisabledIn()): the rq->lock's
// holder and waiters — try_to_wake_up() holds p->pi_lock with raw_spin_lock_irqsave() around ttwu_queue()'s rq_lock(),
// __schedule() runs local_irq_disable() before rq_lock() until finish_task_switch()'s raw_spin_unlock_irq() — take a
// pending interrupt only after the unlock; and a waiter halted in pv_wait() with IF = 0 (kvm_wait() → halt()) is woken
// by an interrupt's kvm_vcpu_kick() → kvm_vcpu_wake_up() all the same (the host's wake-up, vcpu->ready; on VMX only by
// the posted interrupt that sets the descriptor's ON bit), and kvm_vcpu_block()'s loop puts it back to sleep
// (kvm_vcpu_check_block(): no event it may take) until the unlock's kick.
// Driven on the real model, event by event, an IPI delivered at a chosen moment.
import { describe, it, expect } from 'vitest'
import { loadProfile } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { startedModel, floatingGuest } from '../helpers/model-runs.ts'
import type { HostModel } from '../../core/sim/host-model.ts'
import { St, Work, Irq } from '../../core/sim/constants.ts'
import { RqOp } from '../../core/guest/rq-lock.ts'

/** hackbench -T -p -g 2 -f 4 in an 8-vCPU guest floating over 4 pCPUs: wake-ups and context switches under rq->lock. */
function hackbench(): Profile {
  return floatingGuest({
    name: 'rq-lock-irqs-off', hostVersion: '6.1', guest: { kernelVersion: '5.5', nopvspin: true },
    workload: { kind: 'hackbench', groups: 2, fds: 4, mode: 'thread', pipe: true }, durationSec: 0.1, warmupSec: 0.02,
  })
}

/** ebizzy -M in an 8-vCPU 5.4 guest over 4 pCPUs, pvqspinlock, no PLE: page LRU lock waiters (spin_lock_irqsave())
 *  halt in pv_wait() with interrupts off. On a 5.4 Skylake host by default; `ipiv`: a 6.1 Sapphire Rapids host, whose
 *  IPIv posts the guest's ICR writes without an exit (PV IPI off: the shootdowns' IPIs are ICR writes too). `cpus`: the
 *  pCPUs every vCPU floats over (over 6, a waiter's run queue is often empty: it halt-polls). */
function ebizzy(seed: number, ipiv = false, cpus = '0-3'): Profile {
  const r = loadProfile({
    schemaVersion: 1,
    name: 'ebizzy-irqs-off-halt',
    host: { cpu: ipiv ? 'sapphirerapids' : 'skylake-sp', topology: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, kernel: { version: ipiv ? '6.1' : '5.4', hz: 1000, cmdline: {} }, kvm: { pleGap: 0 } },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 }, pinning: { vcpupin: Array(8).fill(cpus), emulatorpin: '0', iothreadpin: '0' },
      kvm: { pv: { pvTlbFlush: false, pvIpi: !ipiv } },
      guest: { kernelVersion: '5.4' },
      workload: { kind: 'ebizzy', memory: 'no-mmap' },
    }],
    run: { durationSec: 0.1, warmupSec: 0.005, seed },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

/** Steps the model until `pick` names a vCPU (or `untilNs`): that vCPU, or −1. */
function stepUntil(m: HostModel, untilNs: number, pick: (g: number) => boolean): number {
  while (m.engine.now < untilNs && m.engine.step()) {
    for (let g = 0; g < m.nV; g++) if (pick(g)) return g
  }
  return -1
}

const onRqLock = (m: HostModel, g: number): boolean => m.work.curArg[g]! >= m.locks.rqLockBase && m.work.curArg[g]! < m.locks.wlLockBase

/** Delivers an IPI to vCPU g now and follows it: when g's IPI handler starts (flush_smp_call_function_queue()), when g
 *  first released an rq->lock after the delivery, and g's rq lock operation at the handler's start. */
function ipiDuring(m: HostModel, g: number): { delivered: number; released: number; handler: number; opAtHandler: number; takenAtOnce: boolean } {
  const out = { delivered: m.engine.now, released: -1, handler: -1, opAtHandler: -1, takenAtOnce: false }
  const release = m.locks.lockRelease.bind(m.locks)
  m.locks.lockRelease = (v: number, l: number) => {
    if (v === g && out.released < 0 && l >= m.locks.rqLockBase && l < m.locks.wlLockBase) out.released = m.engine.now
    release(v, l)
  }
  const start = m.csd.ipiHandlerStart.bind(m.csd)
  m.csd.ipiHandlerStart = (t: number) => {
    if (t === g && out.handler < 0) { out.handler = m.engine.now; out.opAtHandler = m.rqlock.op[g]! }
    start(t)
  }
  m.irq.deliverGuestIrq(g, Irq.IPI, m.vmSpec(g).postedInterrupts)
  out.takenAtOnce = m.vcpu.inIrq[g] === 1
  stepUntil(m, out.delivered + 5e6, () => out.handler >= 0)
  return out
}

/** An IPI delivered to vCPU g now is not taken at once; its handler starts once g released the rq->lock, outside any
 *  lock operation. */
function expectTakenAfterUnlock(m: HostModel, g: number): void {
  expect(g).toBeGreaterThanOrEqual(0)
  const r = ipiDuring(m, g)
  expect(r.takenAtOnce).toBe(false)
  expect(r.released).toBeGreaterThan(r.delivered)
  expect(r.handler).toBeGreaterThanOrEqual(r.released)
  expect(r.opAtHandler).toBe(RqOp.NONE)
}

describe('the rq->lock masks interrupts (raw_spin_lock with IRQs off in try_to_wake_up() and __schedule())', () => {
  it('an IPI to a vCPU holding an rq->lock stays pending: its handler starts at the unlock, not inside the section', () => {
    const m = startedModel(hackbench(), 'base', 0.1)
    const g = stepUntil(m, 60e6, (v) => m.vcpu.state[v] === St.RUN && m.work.curKind[v] === Work.LOCK_CS && onRqLock(m, v) &&
      !m.vcpu.inIrq[v] && m.vcpu.pendIrq[v] === 0 && m.work.curStart[v]! + m.work.curRem[v]! > m.engine.now + 20)
    expectTakenAfterUnlock(m, g)
  })

  it('an IPI to a vCPU spinning for an rq->lock (a waker in ttwu_queue(), or its own __schedule()) waits until it got and released the lock', () => {
    const m = startedModel(hackbench(), 'base', 0.1)
    const g = stepUntil(m, 60e6, (v) => m.vcpu.state[v] === St.RUN && m.work.curKind[v] === Work.SPIN && onRqLock(m, v) &&
      !m.vcpu.inIrq[v] && m.vcpu.pendIrq[v] === 0)
    expectTakenAfterUnlock(m, g)
  })
})

describe('an IF = 0 halt in pv_wait(): an interrupt\'s kvm_vcpu_kick() → kvm_vcpu_wake_up() wakes the thread, kvm_vcpu_check_block() keeps it halted', () => {
  it('an IPI to a blocked waiter wakes its thread (the host\'s wake-up, vcpu->ready) and it blocks again without entering the guest', () => {
    // IPIs sent to page LRU lock waiters blocked in pv_wait() (seeds 2 and 4: the first blocks at 26 ms); a woken
    // thread may wait for its pCPU long enough for the unlock's kick to come first
    let sent = 0, reblocked = 0, enteredUnkicked = 0, woken = 0, ready = 0, minWakeNs = Infinity, wakeFloorNs = 0
    for (const seed of [2, 4]) {
      const m = startedModel(ebizzy(seed), 'base', 0.1, { seed })
      wakeFloorNs = m.inp.costs.wakeupIpi.minNs + m.inp.costs.scheduleInNoLoad.minNs
      let g = -1
      const entry = m.run.vmEntry.bind(m.run)
      m.run.vmEntry = (v: number) => { if (v === g && !m.halt.pvUnhalted[v]) enteredUnkicked++; entry(v) }
      const isHaltedOff = (v: number): boolean => m.vcpu.state[v] === St.BLOCKED && m.halt.irqsOffInPvWait(v) && !m.halt.pvUnhalted[v] && (m.vcpu.pendIrq[v]! & Irq.IPI) === 0
      while (m.engine.now < 100e6) {
        g = stepUntil(m, 100e6, isHaltedOff)
        if (g < 0) break
        const t0 = m.engine.now
        const wakes = m.halt.irqsOffWakes[0]!
        m.irq.deliverGuestIrq(g, Irq.IPI, m.vmSpec(g).postedInterrupts)
        sent++
        // woken: onto an idle pCPU (WAKING) or queued behind the thread there (PREEMPTED), vcpu->ready set either way
        if (m.vcpu.state[g] === St.WAKING || m.vcpu.state[g] === St.PREEMPTED) woken++
        if (m.sched.vcpuReady(g)) ready++
        expect(m.halt.irqsOffWakes[0]).toBe(wakes + 1)
        // it runs kvm_vcpu_block()'s loop on its pCPU, finds no event it may take, and schedule()s again
        const v = g
        stepUntil(m, t0 + 50e6, (x) => x === v && (m.vcpu.state[v] === St.BLOCKED || m.halt.pvUnhalted[v] === 1))
        if (m.vcpu.state[g] === St.BLOCKED && !m.halt.pvUnhalted[g]) {
          reblocked++
          expect(m.halt.pvHalted[g]).toBe(1)
          expect(m.halt.inHltExit(g)).toBe(true)
          expect(m.vcpu.pendIrq[g]! & Irq.IPI).toBe(Irq.IPI)
          minWakeNs = Math.min(minWakeNs, m.engine.now - t0)
          // VMX: that posted IPI left the descriptor's ON bit set (nothing syncs the PIR while the vCPU stays halted), so
          // the next one does not kick it (vmx_deliver_posted_interrupt(): pi_test_and_set_on())
          expect(m.vmSpec(g).postedInterrupts).toBe(true)
          // (the VM's count, read just before: another vCPU's IRQs-off wake-up may have come since the first IPI)
          const before = m.halt.irqsOffWakes[0]!
          m.irq.deliverGuestIrq(g, Irq.IPI, true)
          expect(m.vcpu.state[g]).toBe(St.BLOCKED)
          expect(m.halt.irqsOffWakes[0]).toBe(before)
        }
        g = -1
      }
    }
    expect(sent).toBeGreaterThan(1)
    expect(woken).toBe(sent)
    expect(ready).toBe(sent)
    expect(reblocked).toBeGreaterThan(0)
    expect(enteredUnkicked).toBe(0)
    // each round trip cost at least the wake-up IPI (kvm_vcpu_wake_up() → try_to_wake_up() of a thread on another pCPU)
    // and the schedule-in before the thread could look
    expect(minWakeNs).toBeGreaterThanOrEqual(wakeFloorNs)
  })

  it('with IPIv the CPU posts the IPI without KVM: a waiter blocked with interrupts off is not woken (vmx_vcpu_pi_put() arms the wakeup vector only when !vmx_interrupt_blocked())', () => {
    // a sender's ICR write that IPIv posts (no exit: sendIpi()'s delivery with ipiv set), aimed at each waiter found
    // blocked in pv_wait() with interrupts off; waiting for the workload to send one there was too rare to rely on
    type Delivery = { deliverIpi(t: number, ipiv: boolean, posted: boolean): void }
    let posted = 0
    for (const seed of [1, 2, 3, 4]) {
      const m = startedModel(ebizzy(seed, true), 'base', 0.1, { seed })
      expect(m.vmSpec(0).ipiVirtualization).toBe(true)
      const blockedIrqsOff = (g: number): boolean => m.vcpu.state[g] === St.BLOCKED && m.halt.irqsOffInPvWait(g) && !m.halt.pvUnhalted[g] && (m.vcpu.pendIrq[g]! & Irq.IPI) === 0
      for (let g = stepUntil(m, 60e6, blockedIrqsOff); g >= 0; g = stepUntil(m, 60e6, blockedIrqsOff)) {
        const wakes = m.halt.irqsOffWakes[0]!
        ;(m.irq as unknown as Delivery).deliverIpi(g, true, true)
        posted++
        // it stays pending and the thread sleeps on: no pi_wakeup_handler() → kvm_vcpu_wake_up()
        expect(m.vcpu.pendIrq[g]! & Irq.IPI).toBe(Irq.IPI)
        expect(m.vcpu.state[g]).toBe(St.BLOCKED)
        expect(m.halt.irqsOffWakes[0]).toBe(wakes)
        if (posted >= 20) break
      }
    }
    expect(posted).toBeGreaterThan(0)
  })

  it('the unlock\'s kick (KVM_HC_KICK_CPU → kvm_pv_kick_cpu_op(): pv_unhalted, kvm_vcpu_kick()) wakes a blocked waiter through kvm_vcpu_wake_up() too: vcpu->ready, woken (this path was already so)', () => {
    let kickedBlocked = 0, readyAfter = 0
    for (const seed of [2, 4]) {
      const m = startedModel(ebizzy(seed), 'base', 0.1, { seed })
      const wake = m.halt.wakeVcpu.bind(m.halt)
      m.halt.wakeVcpu = (v: number, local?: boolean) => {
        const kickedWhileBlocked = m.halt.pvUnhalted[v] === 1 && m.halt.pvHalted[v] === 1 && m.vcpu.state[v] === St.BLOCKED
        wake(v, local)
        if (kickedWhileBlocked) { kickedBlocked++; if (m.sched.vcpuReady(v) && m.vcpu.state[v] !== St.BLOCKED) readyAfter++ }
      }
      m.engine.run({ until: 60e6 })
    }
    expect(kickedBlocked).toBeGreaterThan(0)
    expect(readyAfter).toBe(kickedBlocked)
  })
})

describe('an expired LAPIC timer during kvm_vcpu_halt() (kvm_vcpu_check_block(): kvm_cpu_has_pending_timer())', () => {
  /** Arms vCPU g's LAPIC timer to expire now (the guest's own deadline is replaced) and steps until apic_timer_expired()
   *  reached the halt (halt.timerExpired()); returns that time, or −1. */
  function expireTimer(m: HostModel, g: number): number {
    let at = -1
    const expired = m.halt.timerExpired.bind(m.halt)
    m.halt.timerExpired = (v: number, local: boolean) => { if (v === g && at < 0) at = m.engine.now; expired(v, local) }
    m.timer.programTimer(g, m.engine.now)
    stepUntil(m, m.engine.now + 1e6, () => at >= 0)
    m.halt.timerExpired = expired
    return at
  }

  it('ends the halt of a waiter in pv_wait() with interrupts off, and the next kvm_vcpu_halt() polls again before it blocks (vcpu_block(): still not runnable)', () => {
    let fromBlocked = 0, fromPolling = 0, polledAgain = 0, enteredUnkicked = 0
    for (const seed of [1, 2]) {
      const m = startedModel(ebizzy(seed, false, '0-5'), 'base', 0.3, { seed, checking: true })
      let g = -1
      const entry = m.run.vmEntry.bind(m.run)
      m.run.vmEntry = (v: number) => { if (v === g && !m.halt.pvUnhalted[v]) enteredUnkicked++; entry(v) }
      const haltedOff = (v: number): boolean => (m.vcpu.state[v] === St.BLOCKED || m.vcpu.state[v] === St.HOST_POLL) &&
        m.halt.irqsOffInPvWait(v) && !m.halt.pvUnhalted[v] && m.vcpu.pendIrq[v] === 0
      while (m.engine.now < 300e6 && fromBlocked + fromPolling < 40) {
        g = stepUntil(m, 300e6, haltedOff)
        if (g < 0) break
        const v = g
        const wasPolling = m.vcpu.state[v] === St.HOST_POLL
        const at = expireTimer(m, v)
        if (at < 0 || m.halt.pvUnhalted[v]) { g = -1; continue }
        if (wasPolling) {
          // the poll loop saw it: kvm_vcpu_halt() returned and a new one started at once, with a new poll window
          fromPolling++
          expect(m.halt.haltStart[v]).toBe(at)
          expect(m.vcpu.state[v]).toBe(St.HOST_POLL)
          polledAgain++
        } else {
          // the kick woke the thread; once it runs, its kvm_vcpu_block() loop ends on the timer and kvm_vcpu_halt()
          // starts over: a poll where kvm_vcpu_can_poll() allows it (an empty run queue, a window), else the block
          fromBlocked++
          stepUntil(m, at + 50e6, (x) => x === v && (m.vcpu.state[v] === St.HOST_POLL || m.vcpu.state[v] === St.BLOCKED || m.halt.pvUnhalted[v] === 1))
          if (m.halt.pvUnhalted[v]) { g = -1; continue }
          expect(m.halt.haltStart[v]).toBeGreaterThan(at)
          if (m.vcpu.state[v] === St.HOST_POLL) polledAgain++
        }
        // the timer interrupt is pending in the guest, not taken: the vCPU is still halted
        expect(m.vcpu.pendIrq[v]! & Irq.TIMER).toBe(Irq.TIMER)
        expect(m.halt.inHltExit(v)).toBe(true)
        g = -1
      }
    }
    expect(fromBlocked).toBeGreaterThan(0)
    expect(fromPolling).toBeGreaterThan(0)
    expect(polledAgain).toBeGreaterThan(fromPolling)
    expect(enteredUnkicked).toBe(0)
  })

  it('a vCPU halted with interrupts on enters the guest at once: the injected timer makes the next vcpu_block() find it runnable, no second poll', () => {
    let seen = 0
    const m = startedModel(hackbench(), 'base', 0.1, { checking: true })
    while (m.engine.now < 60e6 && seen < 20) {
      const g = stepUntil(m, 60e6, (v) => m.vcpu.state[v] === St.HOST_POLL && !m.halt.pvHalted[v] && m.vcpu.pendIrq[v] === 0)
      if (g < 0) break
      const start = m.halt.haltStart[g]!
      const at = expireTimer(m, g)
      if (at < 0) continue
      seen++
      expect(m.halt.haltStart[g]).toBe(start)
      expect(m.vcpu.state[g]).not.toBe(St.HOST_POLL)
      expect(m.vcpu.state[g]).not.toBe(St.BLOCKED)
    }
    expect(seen).toBeGreaterThan(0)
  })
})
