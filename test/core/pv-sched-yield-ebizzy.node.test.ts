// PV sched yield in the setup its author measured it in (validation case pv-sched-yield-ebizzy): KVM commit
// d73eb57b80b9's Haswell desktop — 8 hardware threads, an 8-vCPU guest running ebizzy -M, two CPU hogs ("stress --cpu
// 2" in another VM), host without d73eb57b80b9 — where "w/o boosting" ebizzy went 1570 → 1844 records/s with PV sched
// yield. Every record's madvise() shoots down the other vCPUs' TLBs (smp_call_function_many(), PV TLB flush off), and
// the sender spins in csd_lock_wait() until each target ran the flush. With KVM_FEATURE_PV_SCHED_YIELD,
// kvm_smp_send_call_func_ipi() (arch/x86/kernel/kvm.c) follows the IPIs with KVM_HC_SCHED_YIELD for the first target
// vcpu_is_preempted() reports, and kvm_sched_yield() (arch/x86/kvm/x86.c) → yield_to() runs it next on its pCPU —
// whether it was preempted in kernel or user mode, while kvm_vcpu_on_spin() on this host (before d73eb57b80b9 and
// 52acd22faa1a) waits for a PLE window and boosts any vCPU preempted in kernel mode, round-robin. The model is
// bistable in this setup (docs/validation.md, pv-sched-yield-ebizzy): a run either stalls on its shootdowns
// (650–810 records/s, 7.9–9.7 ms per csd_lock_wait()) or mostly escapes them (2,600–2,900 records/s, ~2.1–2.4 ms),
// and which seeds escape changes with unrelated host mechanisms (seed 1 without the hypercall and seed 2 with it
// escape since the host's select_idle_sibling() scan order). The mechanism is asserted in a pair of runs in the same,
// stalled regime — the one the commit's 1570 → 1844 records/s describe — and the test first checks that both runs are
// in it, so a change of regime fails here loudly rather than passing by the mix: seed 3 waits 9.65 ms per shootdown
// without the hypercall and 7.90 ms with it. (The previous profile, 8 vCPUs on 4 pCPUs without hogs, waited 75 µs per
// shootdown either way: PLE's yields already found the targets.)
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import type { Profile } from '../../core/index.ts'
import { finishedModel } from '../helpers/model-runs.ts'
import { EXIT_REASON_COUNT, ExitReason } from '../../core/output/exit-names.ts'
import type { HostModel } from '../../core/sim/host-model.ts'

describe('PV sched yield in d73eb57b80b9\'s overcommitted desktop: ebizzy -M, two host CPU hogs, PV TLB flush off', () => {
  const p = JSON.parse(readFileSync('examples/validation/profiles/pv-sched-yield.json', 'utf8')) as Profile
  const SEEDS = [3]
  // VMCALL exits of VM 0 with the PV sched yield cause
  const schedYields = (m: HostModel): number => m.stats.causeCounts[(0 * EXIT_REASON_COUNT + ExitReason.VMCALL) * m.stats.nCauses + m.causeIds.pvSchedYield]!
  const pooled = (config: string): { waits: number; waitNs: number; yields: number; records: number } => {
    const r = { waits: 0, waitNs: 0, yields: 0, records: 0 }
    for (const seed of SEEDS) {
      const m = finishedModel(p, config, 1, { seed })
      r.waits += m.csd.waits[0]!
      r.waitNs += m.csd.waitNs[0]!
      r.yields += schedYields(m)
      r.records += m.stats.completed[0]!
    }
    return r
  }
  const off = pooled('no-pv-sched-yield')
  const on = pooled('pv-sched-yield')
  it('the profile is the commit\'s setup: 8 host threads, 8 floating vCPUs, two hogs, host 5.3 without d73eb57b80b9, PV TLB flush off', () => {
    const t = p.host.topology!
    expect(t.sockets * t.coresPerSocket * t.threadsPerCore).toBe(8)
    expect(p.vms[0]!.vcpus).toBe(8)
    expect(p.host.tasks).toHaveLength(2)
    expect(p.host.kernel.reverted).toContain('d73eb57b80b9')
    expect(p.vms[0]!.kvm!.pv!.pvTlbFlush).toBe(false)
  })
  it('without the feature no KVM_HC_SCHED_YIELD is made; with it the senders make them', () => {
    expect(off.yields).toBe(0)
    expect(on.yields).toBeGreaterThan(100)
  })
  it('the yield to the preempted target shortens each shootdown\'s csd_lock_wait() by more than a tenth, and more records complete', () => {
    // both runs in the stalled regime (under 1,500 records in 1 s; the escaped runs make over 2,500)
    expect(off.records).toBeLessThan(1500 * SEEDS.length)
    expect(on.records).toBeLessThan(1500 * SEEDS.length)
    expect(off.waits).toBeGreaterThan(500)
    expect(on.waitNs / on.waits).toBeLessThan(0.9 * (off.waitNs / off.waits))
    expect(on.records).toBeGreaterThan(off.records)
  })
})
