// kvm_sched_yield() (arch/x86/kvm/x86.c) from KVM_HC_KICK_CPU: 266e85a5ec91 "KVM: X86: Boost queue head vCPU to
// mitigate lock waiter preemption" (v5.3) makes the pvqspinlock unlocker's kick yield to the waiter it woke.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { kickCpuYields, kvmSchedYieldTo } from '../../core/kvm/pv-sched-yield.ts'
import type { Profile } from '../../core/index.ts'
import { startedModel, vmExitCount } from '../helpers/model-runs.ts'
import { ExitReason } from '../../core/output/exit-names.ts'
import { inGuestMode } from '../../core/sim/constants.ts'
import type { HostModel } from '../../core/sim/host-model.ts'

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
  // The mechanism is asserted per kick, pooled over seeds, so that no single seed decides: on a 5.2 host the kicked
  // queue head (kvm_vcpu_kick()) waits on its pCPU's runqueue behind the vCPU running there until the host scheduler
  // preempts it; from 5.3 kvm_sched_yield() makes it its pCPU's next buddy and reschedules that pCPU, and it runs
  // within a few µs. A kick yields only while the kicked vCPU's vcpu->ready is set (woken, not yet scheduled in), so
  // not every kick does. What that does to throughput is the validation case boost-queue-head's to report (a direction
  // miss since pvqspinlock lock stealing is modelled: running waiters take the released lock before the kicked head
  // runs, so the head's wait matters less — docs/validation.md), not this test's.
  const base = JSON.parse(readFileSync('examples/validation/profiles/boost-queue-head-266e85a5ec91.json', 'utf8')) as Profile
  const p = { ...base, host: { ...base.host, kvm: { pleGap: 0 } } } as Profile
  const both = (a: Float64Array): number => a[0]! + a[1]!
  const SEEDS = [1, 2, 3, 4]
  interface Rep { records: number; kicks: number; kickYields: number; pauseExits: number; kickToRunNs: number[] }
  const replications = (config: string): Rep[] =>
    SEEDS.map((seed) => {
      const m = startedModel(p, config, 0.2, { seed })
      const kickToRunNs = watchKicks(m)
      m.engine.run({ until: m.endNs })
      m.finish()
      return { records: both(m.stats.completed), kicks: both(m.locks.kicks), kickYields: both(m.locks.kickYieldsTaken), pauseExits: vmExitCount(m, 0, ExitReason.PAUSE_INSTRUCTION), kickToRunNs }
    })
  const old = replications('host-5.2')
  const now = replications('host-5.4')
  const sum = (rs: Rep[], f: (r: Rep) => number): number => rs.reduce((s, r) => s + f(r), 0)
  const pooledMedian = (rs: Rep[]): number => {
    const all = rs.flatMap((r) => r.kickToRunNs).sort((a, b) => a - b)
    return all[Math.floor((all.length - 1) / 2)]!
  }
  it('host 5.2: the unlocker kicks halted waiters (VMCALL) and goes on — KVM_HC_KICK_CPU never yields', () => {
    expect(sum(old, (r) => r.kicks)).toBeGreaterThan(20)
    expect(sum(old, (r) => r.kickYields)).toBe(0)
    expect(sum(old, (r) => r.pauseExits)).toBe(0)
  })
  it('host 5.4: KVM_HC_KICK_CPU yields to the kicked waiter (kvm_sched_yield()) for a share of kicks (none on 5.2), pooled over the seeds', () => {
    const kicks = sum(now, (r) => r.kicks)
    expect(kicks).toBeGreaterThan(20)
    // a share, not most: yield_to() returns 0 for a waiter woken onto an idle pCPU (newidle/nohz balancing leaves more
    // of them) or still TASK_WAKING on another LLC's wake list; 5.2 yields for none (the test above)
    expect(sum(now, (r) => r.kickYields)).toBeGreaterThan(0.15 * kicks)
  })
  // Only kicks whose head waits on a run queue count: the host's load balancing (core/host/load-balance.ts) leaves pCPUs
  // idle between balances, and a head woken onto an idle pCPU pays its C-state exit on either host — the commit's yield
  // changes nothing there.
  it('a kicked queue head waiting on a run queue runs within microseconds of the kick on 5.4, several times sooner than on 5.2 (pooled over the seeds)', () => {
    expect(pooledMedian(now)).toBeLessThan(5e3)
    expect(pooledMedian(old)).toBeGreaterThan(2 * pooledMedian(now))
  })
  it('both hosts run the workload (records in every replication)', () => {
    for (const r of [...old, ...now]) expect(r.records).toBeGreaterThan(1000)
  })
})

/** Records, for each pvqspinlock kick (spinlocks.ts lockRelease() → KVM_HC_KICK_CPU) whose vCPU then waits on a run
 *  queue, how long it takes to be back in guest mode. Observes the model through its own calls; changes nothing. */
function watchKicks(m: HostModel): number[] {
  const out: number[] = []
  const locks = m.locks
  const halt = m.halt
  const v = m.vcpu
  const kickedAt = new Float64Array(m.nV).fill(-1)
  const unhaltedBefore = new Uint8Array(m.nV)
  const lockRelease = locks.lockRelease.bind(locks)
  locks.lockRelease = (g: number, l: number): void => {
    const k0 = locks.kicks[0]! + locks.kicks[1]!
    unhaltedBefore.set(halt.pvUnhalted)
    lockRelease(g, l)
    if (locks.kicks[0]! + locks.kicks[1]! === k0) return
    for (let x = 0; x < m.nV; x++) if (unhaltedBefore[x] === 0 && halt.pvUnhalted[x] === 1 && kickedAt[x]! < 0 && m.hrq.queued[x] === 1) kickedAt[x] = m.engine.now
  }
  const setState = v.setState.bind(v)
  v.setState = (g: number, s: number): void => {
    setState(g, s)
    if (kickedAt[g]! >= 0 && inGuestMode(s)) { out.push(m.engine.now - kickedAt[g]!); kickedAt[g] = -1 }
  }
  return out
}
