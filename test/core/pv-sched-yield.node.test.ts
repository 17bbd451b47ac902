// kvm_sched_yield() (arch/x86/kvm/x86.c) from KVM_HC_KICK_CPU: 266e85a5ec91 "KVM: X86: Boost queue head vCPU to
// mitigate lock waiter preemption" (v5.3) makes the pvqspinlock unlocker's kick yield to the waiter it woke.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { kickCpuYields, kvmSchedYieldTo } from '../../core/kvm/pv-sched-yield.ts'
import type { Profile } from '../../core/index.ts'
import { finishedModel, vmExitCount } from '../helpers/model-runs.ts'
import { ExitReason } from '../../core/output/exit-names.ts'

describe('kvm_sched_yield() and KVM_HC_KICK_CPU per host version', () => {
  it('kvm_sched_yield(): only to another vCPU whose vcpu->ready is set (a1fa4cbd53d9: never to self)', () => {
    expect(kvmSchedYieldTo(false, true)).toBe(true)
    expect(kvmSchedYieldTo(false, false)).toBe(false)
    expect(kvmSchedYieldTo(true, true)).toBe(false)
  })
  it('kvm_emulate_hypercall(KVM_HC_KICK_CPU) yields to the kicked vCPU from 5.3 (266e85a5ec91), not before', () => {
    expect(kickCpuYields('4.19')).toBe(false)
    expect(kickCpuYields('5.2')).toBe(false)
    expect(kickCpuYields('5.3')).toBe(true)
    expect(kickCpuYields('6.8')).toBe(true)
  })
})

describe('the queue-head boost in a run: two 16-vCPU VMs at 2:1, a contended pvqspinlock, PLE off (ple_gap=0)', () => {
  // The validation profile of 266e85a5ec91 with PAUSE-loop exiting off: waiters spin SPIN_THRESHOLD loops, halt in
  // pv_wait() and are kicked by the unlocker — the path the commit changes, without PLE's directed yields around it.
  // What the commit fixes is a state a run falls into, not a cost every kick pays. Once a preempted holder makes the
  // MCS queue's waiters reach pv_wait(), each unlock hands the lock to a halted head; kvm_vcpu_kick() makes it runnable,
  // but on a 5.2 host it waits on its pCPU's runqueue behind the vCPU running there (seed 2: kick → VM entry 160 µs
  // median, 1.8 ms p90, 412 kicks) while everyone behind it spins into pv_wait() too — lock-waiter preemption feeding
  // itself, a third of the records. From 5.3 kvm_sched_yield() makes the head its pCPU's next buddy and reschedules
  // that pCPU (2.7 µs median) and the queue drains. Outside that state kicks are rare (a few per run) and both hosts
  // run the same records within noise. A 0.2 s run enters the state at a random moment, so one seed asserts a coin
  // flip: after the guest rq->lock (rq-lock.ts) shifted the random stream, seed 1's 5.2 run no longer enters it
  // (5,685 records, 31 kicks; its rq locks are never contended here) where seed 2's does (1,855). The direction is
  // asserted on the mean of replications, as the validation cases report means.
  const base = JSON.parse(readFileSync('examples/validation/profiles/boost-queue-head-266e85a5ec91.json', 'utf8')) as Profile
  const p = { ...base, host: { ...base.host, kvm: { pleGap: 0 } } } as Profile
  const both = (a: Float64Array): number => a[0]! + a[1]!
  const SEEDS = [1, 2, 3, 4]
  const replications = (config: string): { records: number; kicks: number; kickYields: number; pauseExits: number }[] =>
    SEEDS.map((seed) => {
      const m = finishedModel(p, config, 0.2, { seed })
      return { records: both(m.stats.completed), kicks: both(m.locks.kicks), kickYields: both(m.locks.kickYieldsTaken), pauseExits: vmExitCount(m, 0, ExitReason.PAUSE_INSTRUCTION) }
    })
  const old = replications('host-5.2')
  const now = replications('host-5.4')
  const mean = (rs: { records: number }[]): number => rs.reduce((s, r) => s + r.records, 0) / rs.length
  it('host 5.2: the unlocker kicks halted waiters (VMCALL) and goes on — no kick yields', () => {
    expect(old.reduce((s, r) => s + r.kicks, 0)).toBeGreaterThan(20)
    for (const r of old) {
      expect(r.kicks).toBeGreaterThan(0)
      expect(r.kickYields).toBe(0)
      expect(r.pauseExits).toBe(0)
    }
  })
  it('host 5.4: a kick gives the unlocker\'s pCPU to the kicked queue head, and ebizzy runs more records over the replications (the published direction)', () => {
    for (const r of now) expect(r.kickYields).toBeGreaterThan(0)
    expect(mean(now)).toBeGreaterThan(mean(old) * 1.1)
  })
})
