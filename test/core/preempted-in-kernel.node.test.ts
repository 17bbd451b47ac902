// kvm_arch_vcpu_in_kernel() (arch/x86/kvm/x86.c): vcpu->arch.preempted_in_kernel, set from get_cpl() == 0 when a
// preempted vCPU is put (kvm_arch_vcpu_put()). kvm_vcpu_on_spin() from a kernel-mode spinner skips a vCPU preempted
// in user mode before 5.13 — so where in a guest thread's burst the vCPU was preempted matters: ebizzy -M's bursts are
// mostly page faults (CPL 0: exception entry, do_anonymous_page(), clear_page()) between the user-space copies of the
// pages, and the madvise() zap (GuestWorkload.threadInKernel(), core/sim/workloads/ebizzy.ts).
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import type { Profile } from '../../core/index.ts'
import { startedModel } from '../helpers/model-runs.ts'
import { runConfiguration, loadProfile } from '../../core/index.ts'
import type { EbizzyWorkload } from '../../core/sim/workloads/ebizzy.ts'

const loaded = loadProfile(JSON.parse(readFileSync('examples/validation/profiles/boost-ready-d73eb57b80b9.json', 'utf8')))
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues))
const profile: Profile = loaded.profile

describe('ebizzy -M: which part of a thread burst is guest kernel code', () => {
  const m = startedModel(profile, 'boosting', 0.01)
  const w = m.workloads[0] as EbizzyWorkload
  const tid = w.firstThread
  // thread 0's first burst, as start() made it: the kept pages' copy, then per page its fault and its copy
  const copyPage = w.copyPageNs
  const pad = w.burstPad[0]!
  const pages = w.burstPages[0]!
  const fault = w.burstFaultNs[0]! / pages
  const inKernelAt = (offset: number): boolean => w.threadInKernel(tid, w.burstNs[0]! - offset)
  it('the first burst is the pad and a full pagevec (15 pages: PAGEVEC_SIZE of a 5.2 guest)', () => {
    expect(pad).toBeCloseTo(w.copyNs - w.pages * copyPage, 6)
    expect(pages).toBe(15)
    expect(w.burstNs[0]).toBeCloseTo(pad + pages * (fault + copyPage), 3)
  })

  it('the copy of the pages the top pad kept is user code', () => {
    expect(inKernelAt(pad / 2)).toBe(false)
  })
  it('the first page fault is kernel code, the copy over that page user code, the next fault kernel again', () => {
    expect(inKernelAt(pad + 0.1 * fault)).toBe(true)
    expect(inKernelAt(pad + 0.9 * fault)).toBe(true)
    expect(inKernelAt(pad + fault + copyPage * 0.95)).toBe(false)
    expect(inKernelAt(pad + (fault + copyPage) + 0.5 * fault)).toBe(true)
  })
  it('most of the burst is in the kernel: a fault costs more than the copy of its page', () => {
    expect(fault).toBeGreaterThan(copyPage)
  })
})

describe('d73eb57b80b9 with the candidates kvm_vcpu_on_spin() really has: vCPUs preempted in a page fault are kernel mode', () => {
  it('boosting (host 5.3 without 266e85a5ec91) runs more than 1.5 times the records of vanilla in the steady state, seeds 1–3 (published 1570 → 4000)', () => {
    // without the CPL of the preempted burst every vCPU preempted in ebizzy's thread counted as user mode: the
    // shootdowns' senders could not boost it and the gain stayed at +36 % (610 → 830 records/s). Measured after 0.1 s:
    // the vanilla run can open with tens of ms at ~42,500 records/s before its first stall (seeds 1 and 2), a start-up
    // burst the validation case's 0.05 s warm-up keeps (its direction miss, docs/validation.md); here the mechanism's
    // steady state: 667 → 3,263, 1,023 → 2,407 and 620 → 1,320 records/s when this was written
    const steady = loadProfile({ ...JSON.parse(readFileSync('examples/validation/profiles/boost-ready-d73eb57b80b9.json', 'utf8')), run: { durationSec: 0.3, warmupSec: 0.1, seed: 1 } })
    if (!steady.ok) throw new Error(JSON.stringify(steady.issues))
    for (const seed of [1, 2, 3]) {
      const vanilla = runConfiguration(steady.profile, 'vanilla', { seed }).vms[0]!.workload.throughputPerSec
      const boosting = runConfiguration(steady.profile, 'boosting', { seed }).vms[0]!.workload.throughputPerSec
      expect(boosting, `seed ${seed}`).toBeGreaterThan(1.5 * vanilla)
    }
  })
})
