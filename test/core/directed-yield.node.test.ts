import { describe, it, expect } from 'vitest'
import { kvmVcpuOnSpin } from '../../core/kvm/directed-yield.ts'
import type { OnSpinInputs } from '../../core/kvm/directed-yield.ts'

const n = 8
const z = (): Uint8Array => new Uint8Array(n)
const inp = (o: Partial<OnSpinInputs> = {}): OnSpinInputs => ({ me: 0, lastBoostedVcpu: -1, yieldToKernelMode: true, ready: z(), preempted: z(), blocking: z(), dyRunnable: z(), preemptedInKernel: z(), pendingInterrupt: z(), ...o })
const set = (ones: number[]): Uint8Array => { const a = z(); for (const i of ones) a[i] = 1; return a }

describe('kvm_vcpu_on_spin (virt/kvm/kvm_main.c, current)', () => {
  it('1:1 pinning, no overcommit: no vCPU ready/preempted ⇒ nothing to yield to, yield_to never called', () => {
    let calls = 0
    expect(kvmVcpuOnSpin(inp(), () => { calls++; return true })).toBe(-1)
    expect(calls).toBe(0)
  })
  it('scans from last_boosted_vcpu + 1, wrapping, skipping me', () => {
    const ready = set([0, 2, 6])
    expect(kvmVcpuOnSpin(inp({ ready, preempted: set([2, 6]), preemptedInKernel: set([2, 6]), lastBoostedVcpu: 3 }), () => true)).toBe(6)
    expect(kvmVcpuOnSpin(inp({ ready, preempted: set([2, 6]), preemptedInKernel: set([2, 6]), lastBoostedVcpu: 6 }), () => true)).toBe(2)
  })
  it('yield_to_kernel_mode skips a vCPU preempted in user mode unless it has a pending interrupt', () => {
    const base = { ready: set([1, 2]), preempted: set([1, 2]) }
    expect(kvmVcpuOnSpin(inp({ ...base, preemptedInKernel: set([2]) }), () => true)).toBe(2)
    expect(kvmVcpuOnSpin(inp({ ...base, pendingInterrupt: set([1]) }), () => true)).toBe(1)
    expect(kvmVcpuOnSpin(inp({ ...base, yieldToKernelMode: false }), () => true)).toBe(1)
  })
  it('skips blocking vCPUs that are not dy_runnable', () => {
    expect(kvmVcpuOnSpin(inp({ ready: set([1, 3]), blocking: set([1, 3]), dyRunnable: set([3]) }), () => true)).toBe(3)
  })
  it('gives up after 3 failed yield_to()', () => {
    const tried: number[] = []
    expect(kvmVcpuOnSpin(inp({ ready: set([1, 2, 3, 4, 5]) }), (v) => { tried.push(v); return false })).toBe(-1)
    expect(tried).toEqual([1, 2, 3])
  })
  it('dy_eligible toggling: a spinning candidate is eligible every other time', () => {
    const dyEligible = z()
    const i = inp({ ready: set([1]), inSpinLoop: set([1]), dyEligible })
    expect(kvmVcpuOnSpin(i, () => true)).toBe(-1)
    expect(kvmVcpuOnSpin(i, () => true)).toBe(1)
  })
})
