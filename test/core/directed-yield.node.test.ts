import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { kvmVcpuOnSpin, readyCandidates, pendingInterruptBoosts, vcpuDyRunnable, dyHasPendingInterrupt, wokenStillBlocking } from '../../core/kvm/directed-yield.ts'
import type { OnSpinInputs } from '../../core/kvm/directed-yield.ts'
import type { Profile } from '../../core/index.ts'
import { finishedModel, startedModel } from '../helpers/model-runs.ts'
import { St, Irq } from '../../core/sim/constants.ts'
import type { HostModel } from '../../core/sim/host-model.ts'

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
  it('vcpu_dy_runnable(): a kick, or an interrupt injected (KVM_REQ_EVENT) or posted (ON) — not one AVIC delivers, not a timer still pending', () => {
    expect(vcpuDyRunnable(true, false, 'avic')).toBe(true)
    expect(vcpuDyRunnable(false, true, 'injected')).toBe(true)
    expect(vcpuDyRunnable(false, true, 'posted')).toBe(true)
    expect(vcpuDyRunnable(false, true, 'avic')).toBe(false)
    expect(vcpuDyRunnable(false, false, 'posted')).toBe(false)
  })
  it('kvm_arch_dy_has_pending_interrupt(): only VMX\'s posted-interrupt descriptor (svm_dy_apicv_has_pending_interrupt() is false; KVM_REQ_EVENT is not looked at)', () => {
    expect(dyHasPendingInterrupt(true, 'posted')).toBe(true)
    expect(dyHasPendingInterrupt(true, 'injected')).toBe(false)
    expect(dyHasPendingInterrupt(true, 'avic')).toBe(false)
    expect(dyHasPendingInterrupt(false, 'posted')).toBe(false)
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

describe('a vCPU woken from kvm_vcpu_block() and not yet running: vcpu->ready, but still kvm_vcpu_is_blocking() (rcuwait_active())', () => {
  // The same profile on host 5.4 and 5.10 with the guest's periodic tick (no tick stop in idle): halted vCPUs are woken
  // by their tick too, not only by wake-up IPIs. Driven event by event: when a woken vCPU waits for its pCPU, a running vCPU of
  // the VM takes a PAUSE exit with kvm->last_boosted_vcpu set so that kvm_vcpu_on_spin()'s scan starts at the woken one.
  const base = JSON.parse(readFileSync('examples/validation/profiles/boost-ready-d73eb57b80b9.json', 'utf8')) as Profile
  const vm = base.vms[0]!
  const configs = (base.configurations ?? []).flatMap((c) => c.name !== 'host-5.4' ? [c] : [c, { ...c, name: 'host-5.10', overrides: { ...c.overrides, host: { ...c.overrides?.host, kernel: { version: '5.10' } } } }])
  const p = { ...base, configurations: configs, vms: [{ ...vm, workload: { ...vm.workload, threads: 16, memory: 'mmap' }, guest: { ...vm.guest, tickMode: 'periodic' } }] } as Profile

  /** Woken vCPUs matching `woken` found waiting for a pCPU (at most 12), each with a PAUSE exit of a running vCPU whose
   *  scan starts at it: how many, and how many of those scans called yield_to() on it first. */
  function scansStartingAt(config: string, woken: (m: HostModel, x: number) => boolean): { found: number; triedFirst: number } {
    const m = startedModel(p, config, 0.2)
    const first = m.vmSpec(0).firstVcpu, n = m.vmSpec(0).vcpus
    type Scan = { tryYield(k: number): number }
    const ple = m.ple as unknown as Scan
    const tryYield = ple.tryYield.bind(ple)
    let tried: number[] = []
    ple.tryYield = (k: number) => { tried.push(first + k); return tryYield(k) }
    const waiting = (x: number): boolean => m.halt.inHltExit(x) && (m.vcpu.state[x] === St.WAKING || m.vcpu.state[x] === St.PREEMPTED) && m.sched.vcpuReady(x) && woken(m, x)
    let found = 0, triedFirst = 0
    while (found < 12 && m.engine.now < m.endNs && m.engine.step()) {
      for (let x = first; x < first + n; x++) {
        if (!waiting(x)) continue
        let g = -1
        for (let y = first; y < first + n; y++) if (m.vcpu.state[y] === St.RUN && !m.vcpu.inIrq[y]) { g = y; break }
        if (g < 0) continue
        found++
        m.ple.lastBoosted[0] = (x - first - 1 + n) % n
        tried = []
        m.ple.pauseExit(g)
        if (tried[0] === x) triedFirst++
        break
      }
    }
    return { found, triedFirst }
  }

  const timerOnly = (m: HostModel, x: number): boolean => m.halt.timerPending[x] === 1 && (m.vcpu.pendIrq[x]! & ~Irq.TIMER) === 0 && !m.halt.pvUnhalted[x]

  it('host 5.10 (rcuwait): one its own LAPIC timer woke is passed over — the timer is only lapic_timer.pending, not injected, so not vcpu_dy_runnable()', () => {
    const r = scansStartingAt('host-5.10', timerOnly)
    expect(r.found).toBeGreaterThan(3)
    expect(r.triedFirst).toBe(0)
  })

  it('host 5.10: one a wake-up IPI woke is yielded to (the IPI, posted (ON) or injected (KVM_REQ_EVENT), makes kvm_arch_dy_runnable() true)', () => {
    const r = scansStartingAt('host-5.10', (m, x) => (m.vcpu.pendIrq[x]! & Irq.IPI) !== 0)
    expect(r.found).toBeGreaterThan(3)
    expect(r.triedFirst).toBe(r.found)
  })

  it('host 5.4 (swait): swake_up_one() took it off the queue, so it is not blocking and a timer-woken one is yielded to too', () => {
    const r = scansStartingAt('host-5.4', timerOnly)
    expect(r.found).toBeGreaterThan(3)
    expect(r.triedFirst).toBe(r.found)
  })

  it('the woken vCPU counts as blocking from 5.8 (da4ad88cab5d)', () => {
    expect(wokenStillBlocking('5.7')).toBe(false)
    expect(wokenStillBlocking('5.8')).toBe(true)
  })
})
