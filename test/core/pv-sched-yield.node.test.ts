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
  const base = JSON.parse(readFileSync('examples/validation/profiles/boost-queue-head-266e85a5ec91.json', 'utf8')) as Profile
  const p = { ...base, host: { ...base.host, kvm: { pleGap: 0 } } } as Profile
  const old = finishedModel(p, 'host-5.2', 0.2)
  const now = finishedModel(p, 'host-5.4', 0.2)
  const records = (m: typeof old): number => m.stats.completed[0]!
  const both = (a: Float64Array): number => a[0]! + a[1]!
  it('host 5.2: the unlocker kicks halted waiters (VMCALL) and goes on — no kick yields', () => {
    expect(both(old.locks.kicks)).toBeGreaterThan(20)
    expect(both(old.locks.kickYieldsTaken)).toBe(0)
    expect(vmExitCount(old, 0, ExitReason.PAUSE_INSTRUCTION)).toBe(0)
  })
  it('host 5.4: a kick gives the unlocker\'s pCPU to the kicked queue head, and ebizzy runs more records (the published direction)', () => {
    expect(both(now.locks.kickYieldsTaken)).toBeGreaterThan(0)
    expect(records(now)).toBeGreaterThan(records(old) * 1.1)
  })
})
