// kvm_arch_vcpu_in_kernel() (arch/x86/kvm/x86.c): vcpu->arch.preempted_in_kernel, set from get_cpl() == 0 when a
// preempted vCPU is put (kvm_arch_vcpu_put()). kvm_vcpu_on_spin() from a kernel-mode spinner skips a vCPU preempted
// in user mode before 5.13 — so where in a guest thread's burst the vCPU was preempted matters: ebizzy -M's bursts are
// mostly page faults (CPL 0: exception entry, do_anonymous_page(), clear_page()) between the user-space copies of the
// pages, and the madvise() zap (GuestWorkload.threadInKernel(), core/sim/workloads/ebizzy.ts).
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import type { Profile } from '../../core/index.ts'
import { startedModel, floatingGuest } from '../helpers/model-runs.ts'
import { runConfiguration, loadProfile } from '../../core/index.ts'
import type { EbizzyWorkload } from '../../core/sim/workloads/ebizzy.ts'
import type { ForkJoinWorkload } from '../../core/sim/workloads/fork-join.ts'
import { Work } from '../../core/sim/constants.ts'

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

describe('other workloads\' bursts are system calls: a vCPU preempted in one was in kernel mode', () => {
  /** hackbench -p -T -g 2 -f 4 (or perf bench sched pipe) in an 8-vCPU guest floating over 4 pCPUs of a 5.4 host (no
   *  pending-interrupt boost: a kernel-mode spinner skips every vCPU preempted in user mode). */
  function overcommitted(workload: Record<string, unknown>): Profile {
    return floatingGuest({ name: 'syscall-bursts', hostVersion: '5.4', guest: { kernelVersion: '5.4', nopvspin: true }, workload, durationSec: 0.05, warmupSec: 0.01 })
  }

  /** Directed yields of the run to a vCPU preempted inside its guest thread's burst (not in a lock operation or an
   *  interrupt handler). */
  function yieldsIntoThreads(p: Profile): number {
    const m = startedModel(p, 'base', 0.05)
    type Scan = { tryYield(k: number): number }
    const ple = m.ple as unknown as Scan
    const tryYield = ple.tryYield.bind(ple)
    let n = 0
    ple.tryYield = (k: number) => {
      const x = m.vmSpec(0).firstVcpu + k
      const r = tryYield(k)
      if (r > 0 && m.work.curKind[x] === Work.THREAD && !m.work.inLockOp(x) && !m.vcpu.inIrq[x]) n++
      return r
    }
    m.engine.run({ until: m.endNs })
    return n
  }

  it('hackbench (pipe_write()/pipe_read()): a kernel-mode spinner yields to vCPUs preempted in a sender\'s or receiver\'s syscall', () => {
    expect(yieldsIntoThreads(overcommitted({ kind: 'hackbench', groups: 2, fds: 4, mode: 'thread', pipe: true }))).toBeGreaterThan(0)
  })

  it('fork-join: the computation is user code, the last arriver\'s futex_wake() at the start of its next burst kernel code', () => {
    const m = startedModel(overcommitted({ kind: 'fork-join', threads: 8, workNs: 100_000, workSigma: 0.3, spinNs: 0 }), 'base', 0.05)
    const w = m.workloads[0] as ForkJoinWorkload
    let checked = 0
    while (checked === 0 && m.engine.now < m.endNs && m.engine.step()) {
      for (let i = 0; i < w.n; i++) {
        const k = w.kernelNs[i]!
        if (k <= 0) continue
        const tid = w.firstThread + i
        const b = w.burstNs[i]!
        expect(w.threadInKernel(tid, b - 0.5 * k)).toBe(true)
        expect(w.threadInKernel(tid, b - k - 0.01 * (b - k))).toBe(false)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(0)
    // any other burst is user code all through
    const other = (w.kernelNs.findIndex((k) => k === 0))
    expect(w.threadInKernel(w.firstThread + other, 1)).toBe(false)
  })
})
