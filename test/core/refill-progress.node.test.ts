// A guest work slowed by the cache/TLB refill after a VM entry makes progress as it runs (core/kvm/indirect-cost.ts
// unpaidPollution()): the refill is the misses of the lines the work touches, spread over its instructions at a lowered
// IPC, not a stall before its first one. At 2:1 overcommit with PAUSE-loop exiting, kvm_vcpu_on_spin()'s directed
// yields (yield_to() → resched_curr() of the target's pCPU) can take a pCPU from a vCPU a few hundred ns after it is
// switched in; when the refill was charged first, such a vCPU — a page LRU lock holder, a timer handler with interrupts
// off ahead of a TLB-shootdown IPI — redid the same refill at every switch-in and never finished, and with it every
// csd_lock_wait() of both VMs: the pv-tlb-flush-2vm case completed no ebizzy record in seed 2 after 40 ms.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { runAll } from '../helpers/workload-runs.ts'

describe('pv-tlb-flush-2vm without PV TLB flush (two 64-vCPU 4.16 guests at 2:1, ebizzy -M), seed 2', () => {
  const profile = JSON.parse(readFileSync(new URL('../../examples/validation/profiles/pv-tlb-flush-2vm.json', import.meta.url), 'utf8')) as unknown

  it('both VMs complete ebizzy records: the directed-yield storm slows the lock holders and IPI targets, it does not stop them', () => {
    const r = runAll(profile, 0.1, { seed: 2, names: ['no-pv-tlb-flush'] })['no-pv-tlb-flush']!
    for (const vm of r.vms) expect(vm.workload.throughputPerSec, vm.vm).toBeGreaterThan(500)
  }, 60_000)
})
