// pvqspinlock lock stealing in a run (kernel/locking/qspinlock_paravirt.h): examples/spinlocks.json's overcommitted
// redis guest (8 vCPUs on 4 pCPUs, a hot kernel spinlock, PAUSE exits disabled). Waiters spin 2^15 PAUSEs, halt in
// pv_wait() and are kicked by the unlocker. A 4.4 guest has no lock stealing: a lock released while its queue head is
// halted waits until the kicked head's vCPU is scheduled and runs — everyone behind it waits too. From 4.5 a newcomer
// takes a free lock at slowpath entry (pv_queued_spin_steal_lock()), and from 4.15 newcomers that find the queue's
// head not spinning wait out of the queue and take the lock the moment it is released (pv_hybrid_queued_unfair_trylock()).
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import type { Profile } from '../../core/index.ts'
import { finishedModel } from '../helpers/model-runs.ts'

const base = JSON.parse(readFileSync('examples/spinlocks.json', 'utf8')) as Profile
const DURATION = 0.2

function run(guestVersion: string): { opsPerSec: number; steals: number; kicks: number } {
  const p = { ...base, vms: base.vms.map((vm) => ({ ...vm, guest: { ...vm.guest, kernelVersion: guestVersion } })) } as Profile
  const m = finishedModel(p, 'overcommit-pv-no-ple', DURATION)
  return { opsPerSec: m.stats.completed[0]! / DURATION, steals: m.locks.steals[0]!, kicks: m.locks.kicks[0]! }
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
})
