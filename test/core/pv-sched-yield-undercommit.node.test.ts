// 72b268a8e930 "KVM: X86: Bail out of direct yield in case of under-committed scenarios" (v5.13): kvm_sched_yield()
// (arch/x86/kvm/x86.c) returns at once when single_task_running() — the calling vCPU is alone on its pCPU. It covers
// both hypercalls that reach kvm_sched_yield() (KVM_HC_SCHED_YIELD and the KVM_HC_KICK_CPU yield), not the PAUSE-exit
// path (kvm_vcpu_on_spin() calls kvm_vcpu_yield_to() itself).
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { directYieldBailsOutWhenAlone, singleTaskRunning } from '../../core/kvm/pv-sched-yield.ts'
import { hostHasFix, KERNEL_FIXES } from '../../core/kvm/backports.ts'
import type { Profile } from '../../core/index.ts'
import { startedModel } from '../helpers/model-runs.ts'

describe('kvm_sched_yield() bails out when the caller is alone on its pCPU, per host version', () => {
  it('from 5.13 (72b268a8e930), not on 5.12', () => {
    expect(directYieldBailsOutWhenAlone('5.12')).toBe(false)
    expect(directYieldBailsOutWhenAlone('5.12.19')).toBe(false)
    expect(directYieldBailsOutWhenAlone('5.13')).toBe(true)
    expect(directYieldBailsOutWhenAlone('6.8')).toBe(true)
  })
  it('no stable branch carries it: 5.10.y and 5.4.y follow mainline (665052bfd683 and 384fdf745c23 are pre-rebase kvm.git copies, not backports)', () => {
    expect(KERNEL_FIXES.directYieldUndercommitBailout.backports).toEqual([])
    expect(directYieldBailsOutWhenAlone('5.10.200')).toBe(false)
    expect(directYieldBailsOutWhenAlone('5.4.250')).toBe(false)
    expect(hostHasFix('5.14.0-362.el9', 'directYieldUndercommitBailout')).toBe(true)
  })
  it('single_task_running(): alone when nothing is queued behind the running caller', () => {
    expect(singleTaskRunning(0)).toBe(true)
    expect(singleTaskRunning(1)).toBe(false)
  })
})

describe('PV sched yields over three 0.4 s runs, PLE off: senders alone on their pCPU, targets on overcommitted pCPUs', () => {
  // The pv-sched-yield validation profile (ebizzy -M: a TLB shootdown per record through smp_call_function_many(),
  // PV TLB flush off, KVM_FEATURE_PV_SCHED_YIELD exposed) without its two host CPU hogs, on 8 host CPUs: vCPUs 0-3 pinned
  // 1:1 to pCPUs 0-3 (always alone there), vCPUs 4-7 floating over pCPUs 4-5 (2:1, often preempted). The senders on
  // 0-3 yield to a preempted target after their call-function IPIs. Every yield_to() of the run is counted on the host
  // runqueues, with whether its caller was alone on its pCPU (nothing queued behind it) when it made it. PLE is off
  // (ple_gap=0): kvm_vcpu_on_spin() yields without the bail-out, and its PAUSE exits would mix in. Seeds 1-3 give 75
  // yields by lone callers on 5.12 (148 by callers sharing their pCPU), 0 on 5.13 (130).
  const base = JSON.parse(readFileSync('examples/validation/profiles/pv-sched-yield.json', 'utf8')) as Profile
  const vm = base.vms[0]!
  const p = {
    ...base,
    host: { ...base.host, tasks: [] as Profile['host']['tasks'], topology: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 } },
    vms: [{ ...vm, pinning: { vcpupin: ['0', '1', '2', '3', '4-5', '4-5', '4-5', '4-5'], emulatorpin: '6-7', iothreadpin: '6' } }],
  } as Profile
  const SEEDS = [1, 2, 3]
  const run = (version: string, kvm: { pleGap?: number } = { pleGap: 0 }, seeds = SEEDS): { alone: number; shared: number } => {
    const q = { ...p, host: { ...p.host, kernel: { ...p.host.kernel, version }, kvm } } as Profile
    let alone = 0
    let shared = 0
    for (const seed of seeds) {
      const m = startedModel(q, 'pv-sched-yield', 0.4, { seed })
      const hrq = m.hrq
      const yieldTo = hrq.yieldTo.bind(hrq)
      hrq.yieldTo = (t: number, c: number, k: number): void => {
        if (hrq.nrQueued[c] === 0) alone++
        else shared++
        yieldTo(t, c, k)
      }
      m.engine.run({ until: m.endNs })
      m.finish()
    }
    return { alone, shared }
  }
  const before = run('5.12')
  const after = run('5.13')
  it('host 5.12: a sender alone on its pCPU still yields to its preempted target', () => {
    expect(before.alone).toBeGreaterThan(20)
  })
  it('host 5.13: no sender alone on its pCPU yields; senders sharing theirs still do', () => {
    expect(after.alone).toBe(0)
    expect(after.shared).toBeGreaterThan(0)
  })
  it('host 5.13 with PLE on: PAUSE exits still yield from lone callers (kvm_vcpu_on_spin() has no bail-out)', () => {
    expect(run('5.13', {}, [1]).alone).toBeGreaterThan(20)
  })
})
