import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { kvmVcpuOnSpin, readyCandidates, pendingInterruptBoosts } from '../../core/kvm/directed-yield.ts'
import type { OnSpinInputs } from '../../core/kvm/directed-yield.ts'
import type { Profile } from '../../core/index.ts'
import { finishedModel } from '../helpers/model-runs.ts'

const n = 8
const z = (): Uint8Array => new Uint8Array(n)
const inp = (o: Partial<OnSpinInputs> = {}): OnSpinInputs => ({ me: 0, lastBoostedVcpu: -1, yieldToKernelMode: true, ready: z(), preempted: z(), blocking: z(), dyRunnable: z(), preemptedInKernel: z(), pendingInterrupt: z(), ...o })
const set = (ones: number[]): Uint8Array => { const a = z(); for (const i of ones) a[i] = 1; return a }

describe('kvm_vcpu_on_spin (virt/kvm/kvm_main.c, current)', () => {
  it('1:1 pinning, no overcommit: no vCPU ready/preempted ⇒ nothing to yield to, yield_to never called', () => {
    let calls = 0
    expect(kvmVcpuOnSpin(inp(), () => { calls++; return 1 })).toBe(-1)
    expect(calls).toBe(0)
  })
  it('scans from last_boosted_vcpu + 1, wrapping, skipping me', () => {
    const ready = set([0, 2, 6])
    expect(kvmVcpuOnSpin(inp({ ready, preempted: set([2, 6]), preemptedInKernel: set([2, 6]), lastBoostedVcpu: 3 }), () => 1)).toBe(6)
    expect(kvmVcpuOnSpin(inp({ ready, preempted: set([2, 6]), preemptedInKernel: set([2, 6]), lastBoostedVcpu: 6 }), () => 1)).toBe(2)
  })
  it('yield_to_kernel_mode skips a vCPU preempted in user mode unless it has a pending interrupt', () => {
    const base = { ready: set([1, 2]), preempted: set([1, 2]) }
    expect(kvmVcpuOnSpin(inp({ ...base, preemptedInKernel: set([2]) }), () => 1)).toBe(2)
    expect(kvmVcpuOnSpin(inp({ ...base, pendingInterrupt: set([1]) }), () => 1)).toBe(1)
    expect(kvmVcpuOnSpin(inp({ ...base, yieldToKernelMode: false }), () => 1)).toBe(1)
  })
  it('skips blocking vCPUs that are not dy_runnable', () => {
    expect(kvmVcpuOnSpin(inp({ ready: set([1, 3]), blocking: set([1, 3]), dyRunnable: set([3]) }), () => 1)).toBe(3)
  })
  it('gives up after 3 failed yield_to()', () => {
    const tried: number[] = []
    expect(kvmVcpuOnSpin(inp({ ready: set([1, 2, 3, 4, 5]) }), (v) => { tried.push(v); return -1 })).toBe(-1)
    expect(tried).toEqual([1, 2, 3])
  })
  it('a yield_to() that boosts nothing (0: the target already runs, or sleeps) spends no try; −ESRCH does', () => {
    const tried: number[] = []
    const r = kvmVcpuOnSpin(inp({ ready: set([1, 2, 3, 4, 5, 6]) }), (v) => { tried.push(v); return v === 6 ? 1 : v % 2 === 0 ? -1 : 0 })
    expect(r).toBe(6)
    expect(tried).toEqual([1, 2, 3, 4, 5, 6])
  })
  it('dy_eligible toggling: a spinning candidate is eligible every other time', () => {
    const dyEligible = z()
    const i = inp({ ready: set([1]), inSpinLoop: set([1]), dyEligible })
    expect(kvmVcpuOnSpin(i, () => 1)).toBe(-1)
    expect(kvmVcpuOnSpin(i, () => 1)).toBe(1)
  })
})

describe('kvm_vcpu_on_spin() candidates per host version', () => {
  it('before 5.3 only vcpu->preempted; from 5.3 vcpu->ready, which kvm_vcpu_wake_up() sets too (d73eb57b80b9)', () => {
    expect(readyCandidates('4.16')).toBe('preempted')
    expect(readyCandidates('5.2')).toBe('preempted')
    expect(readyCandidates('5.3')).toBe('ready')
    expect(readyCandidates('6.8')).toBe('ready')
  })
  it('a user-mode preempted vCPU with a pending interrupt is a candidate of a kernel-mode spinner from 5.13 (52acd22faa1a)', () => {
    expect(pendingInterruptBoosts('5.12')).toBe(false)
    expect(pendingInterruptBoosts('5.13')).toBe(true)
  })
})

describe('d73eb57b80b9 in a run: halted vCPUs woken by wake-up IPIs wait for a pCPU behind two host hogs', () => {
  // The validation profile of d73eb57b80b9 (guest 5.2) with ebizzy -m and 16 threads on its 8 vCPUs: threads sleep on
  // mmap_lock and their wake-ups IPI halted vCPUs, which then wait for a pCPU. (Before, a 4.19 guest's TLB shootdowns
  // woke every idle vCPU at each flush; a lazy vCPU takes one shootdown per idle period before 4.14 and none on this
  // PCID host in 4.14–4.19 or from 4.20: core/guest/lazy-tlb.ts.)
  const base = JSON.parse(readFileSync('examples/validation/profiles/boost-ready-d73eb57b80b9.json', 'utf8')) as Profile
  const vm = base.vms[0]!
  const p = { ...base, vms: [{ ...vm, workload: { ...vm.workload, threads: 16, memory: 'mmap' } }] } as Profile
  const old = finishedModel(p, 'host-5.2', 0.2)
  const now = finishedModel(p, 'host-5.4', 0.2)
  it('host 5.2: PAUSE exits yield only to preempted vCPUs — never to one woken by the IPI', () => {
    expect(old.ple.yieldsToWoken[0]).toBe(0)
  })
  it('host 5.4: the woken vCPUs waiting for a pCPU are candidates (vcpu->ready) and take yields', () => {
    // a steady stream (its size moves with the cost table: 67 in 0.2 s once the TSC-deadline write cost 0.62 µs). Their
    // share is the placement's: more than half of the yields before the host balanced load between busy pCPUs, 81 of
    // 974 since (core/host/load-balance.ts), most yields going to vCPUs preempted by the hogs
    expect(now.ple.yieldsToWoken[0]).toBeGreaterThan(30)
    expect(now.ple.directedYields[0]).toBeGreaterThan(old.ple.directedYields[0]!)
  })
})
