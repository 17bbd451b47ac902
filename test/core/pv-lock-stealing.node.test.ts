// pvqspinlock lock stealing in a run (kernel/locking/qspinlock_paravirt.h): examples/spinlocks.json's overcommitted
// redis guest (8 vCPUs on 4 pCPUs, a hot kernel spinlock, PAUSE exits disabled). Waiters spin 2^15 PAUSEs, halt in
// pv_wait() and are kicked by the unlocker. A 4.4 guest has no lock stealing: a lock released while its queue head is
// halted waits until the kicked head's vCPU is scheduled and runs — everyone behind it waits too. From 4.5 a newcomer
// takes a free lock at slowpath entry (pv_queued_spin_steal_lock()), and from 4.15 newcomers that find the queue's
// head not spinning wait out of the queue and take the lock the moment it is released (pv_hybrid_queued_unfair_trylock()).
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import type { Profile } from '../../core/index.ts'
import { finishedModel, startedModel } from '../helpers/model-runs.ts'
import { St, Work } from '../../core/sim/constants.ts'
import { spinBeforeWaitNs } from '../../core/guest/qspinlock.ts'

const base = JSON.parse(readFileSync('examples/spinlocks.json', 'utf8')) as Profile
const DURATION = 0.2

function run(guestVersion: string): { opsPerSec: number; steals: number; kicks: number; waitEarly: number } {
  const p = { ...base, vms: base.vms.map((vm) => ({ ...vm, guest: { ...vm.guest, kernelVersion: guestVersion } })) } as Profile
  const m = finishedModel(p, 'overcommit-pv-no-ple', DURATION)
  return { opsPerSec: m.stats.completed[0]! / DURATION, steals: m.locks.steals[0]!, kicks: m.locks.kicks[0]!, waitEarly: m.locks.waitEarlyHalts[0]! }
}

describe('pvqspinlock lock stealing: 8 vCPUs on 4 pCPUs, a hot kernel lock, PLE off', () => {
  const old = run('4.4')
  const cur = run('6.8')

  it('guest 4.4: no stealing — every lock released to a halted head waits for the kick (VMCALL) and the head\'s run', () => {
    expect(old.steals).toBe(0)
    expect(old.kicks).toBeGreaterThan(50)
  })

  it('guest 6.8: running waiters steal the lock while the head is halted, and the guest runs more requests', () => {
    expect(cur.steals).toBeGreaterThan(100)
    expect(cur.kicks).toBeLessThan(old.kicks)
    expect(cur.opsPerSec).toBeGreaterThan(1.2 * old.opsPerSec)
  })

  it('pv_wait_early(): a 6.8 guest\'s queued waiters halt early behind a halted predecessor; 4.4 has no such check', () => {
    expect(old.waitEarly).toBe(0)
    expect(cur.waitEarly).toBeGreaterThan(10)
  })
})

describe('the pvqspinlock queues stay consistent through a run (guest 6.8, checked every 0.2 ms)', () => {
  const m = startedModel(base, 'overcommit-pv-no-ple', 0.05, { checking: true })
  const L = m.locks
  const problems: string[] = []
  const spinsOn = (w: number, l: number): boolean => m.vcpu.state[w] === St.RUN && m.work.curKind[w] === Work.SPIN && m.work.curArg[w] === l && !m.vcpu.inIrq[w]
  const threshold = spinBeforeWaitNs(m.inp.costs.pauseInstruction.meanNs)
  for (let t = 2e4; t <= m.endNs; t += 2e4) {
    m.engine.run({ until: t })
    for (let l = 0; l < L.lockOwner.length; l++) {
      const queued: number[] = []
      for (let w = L.lockHead[l]!; w >= 0; w = L.waitNext[w]!) queued.push(w)
      const unfair: number[] = []
      for (let w = L.unfairHead[l]!; w >= 0; w = L.unfairNext[w]!) unfair.push(w)
      const free = L.lockOwner[l]! < 0
      if (unfair.length > 0 && (queued.length === 0 || L.lockPending[l])) problems.push(`${t}: lock ${l} has unfair waiters without a queue or with pending set`)
      if (free && queued.length > 0 && spinsOn(queued[0]!, l)) problems.push(`${t}: lock ${l} is free while its head spins`)
      if (free && !L.lockPending[l] && unfair.some((w) => spinsOn(w, l))) problems.push(`${t}: lock ${l} is free while an unfair waiter spins`)
      const h = queued[0]
      // pv_wait_head_or_lock(): a hashed head spins SPIN_THRESHOLD loops, then pv_wait(&lock->locked, _Q_SLOW_VAL) halts
      // it while the word is still _Q_SLOW_VAL — it never spins on past the threshold then
      if (h !== undefined && L.hashed[h] && L.lockSlow[l] && spinsOn(h, l) && L.spinSpun[h]! + t - m.work.curStart[h]! > threshold + 1) problems.push(`${t}: lock ${l}'s hashed head ${h} spins past SPIN_THRESHOLD on _Q_SLOW_VAL`)
      // a free lock whose head is halted has a kick on its way (pv_kick() set pv_unhalted) — else the wake-up was lost
      if (free && h !== undefined && m.halt.pvHalted[h] && !m.halt.pvUnhalted[h] && unfair.length === 0) problems.push(`${t}: lock ${l} is free, its head ${h} halted with no kick pending`)
    }
  }
  it('unfair waiters only while waiters are queued and the head has not set pending; a free lock never has its head or an unfair waiter spinning on it, nor a halted head without a kick; a hashed head halts again on _Q_SLOW_VAL', () => {
    expect(L.steals[0]).toBeGreaterThan(0)
    expect(problems).toEqual([])
  })
})
