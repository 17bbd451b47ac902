// smp_call_function_many() with wait (kernel/smp.c csd_lock_wait()), the flush mask of native_flush_tlb_multi()
// (arch/x86/mm/tlb.c) and kvm_flush_tlb_multi() (arch/x86/kernel/kvm.c): the decisions per guest version, and the
// direction of their effect — a TLB-shootdown-heavy guest whose vCPUs are preempted (8 vCPUs floating over 4 pCPUs):
// with PV TLB flush the sender waits for fewer targets, so its csd_lock_wait() spins less and exits on PAUSE less.
import { describe, it, expect, beforeAll } from 'vitest'
import { kvmFlushTlbMultiSkips, csdLockWaitDone, kvmSendCallFuncIpiYieldsTo, kvmSchedYieldTo, llistAddWasEmpty } from '../../core/guest/csd-lock-wait.ts'
import { preemptedReaders } from '../../core/guest/vcpu-is-preempted.ts'
import { loadProfile } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { ExitReason } from '../../core/output/exit-names.ts'
import { shootdownIpisLazyOnce, guestHasPcid } from '../../core/guest/lazy-tlb.ts'
import { finishedModel, startedModel, vmExitCount } from '../helpers/model-runs.ts'

describe('csd_lock_wait() and the TLB flush mask, per guest version', () => {
  it('native_flush_tlb_others(): a lazy (idle) CPU gets one IPI per idle period before 4.14 and in 4.14–4.19 without PCID; none with PCID (4.14–4.19) or from 4.20 (tlb_is_not_lazy)', () => {
    expect(shootdownIpisLazyOnce('4.13', true)).toBe(true)
    expect(shootdownIpisLazyOnce('4.16', false)).toBe(true)
    expect(shootdownIpisLazyOnce('4.16', true)).toBe(false)
    expect(shootdownIpisLazyOnce('4.19', false)).toBe(true)
    expect(shootdownIpisLazyOnce('4.20', false)).toBe(false)
    expect(shootdownIpisLazyOnce('6.8', false)).toBe(false)
    expect(guestHasPcid('skylake-sp')).toBe(true)
    expect(guestHasPcid('rome')).toBe(false)
    expect(guestHasPcid('milan')).toBe(true)
  })
  it('kvm_flush_tlb_multi(): a target whose steal-time preempted is set is dropped only with PV TLB flush', () => {
    expect(kvmFlushTlbMultiSkips(true, true)).toBe(true)
    expect(kvmFlushTlbMultiSkips(true, false)).toBe(false)
    expect(kvmFlushTlbMultiSkips(false, true)).toBe(false)
  })
  it('smp_call_function_many_cond(): a target is IPIed only when its call_single_queue was empty (or all taken by a running handler)', () => {
    expect(llistAddWasEmpty(0, 0)).toBe(true)
    expect(llistAddWasEmpty(2, 2)).toBe(true)
    expect(llistAddWasEmpty(1, 0)).toBe(false)
    expect(llistAddWasEmpty(3, 2)).toBe(false)
  })
  it('csd_lock_wait(): the sender goes on once no csd of its call is locked', () => {
    expect(csdLockWaitDone(0)).toBe(true)
    expect(csdLockWaitDone(1)).toBe(false)
  })
})

/** An over-committed guest (8 vCPUs over 4 pCPUs) whose threads munmap() often: fork-join with TLB shootdowns. */
function profile(guestVersion: string): Profile {
  const r = loadProfile({
    schemaVersion: 1,
    name: 'csd-wait',
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 }, kernel: { version: '5.4', hz: 1000, cmdline: {} } },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 },
      pinning: { vcpupin: Array(8).fill('0-3'), emulatorpin: '0-3', iothreadpin: '0' },
      guest: { kernelVersion: guestVersion, tlbShootdownsPerSec: 5000 },
      workload: { kind: 'fork-join', workNs: 100000, workSigma: 0.3, spinNs: 20000 },
    }],
    run: { durationSec: 0.2, warmupSec: 0.02, seed: 1 },
    configurations: [
      { name: 'native', overrides: { vm: { kvm: { pv: { pvTlbFlush: false } } } } },
      { name: 'pv', overrides: { vm: { kvm: { pv: { pvTlbFlush: true } } } } },
    ],
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

interface Counters { waits: number; meanWaitNs: number; pauseExits: number; ipiRoundTripNs: number }

function run(p: Profile, config: string): Counters {
  const m = finishedModel(p, config, 0.2)
  // one IPI's round trip on this host (5.4: no ICR-write fastpath): the ICR-write exit, then the target's handler
  const ipiRoundTripNs = m.inp.costs.exitMsrWriteIcrSlow.meanNs + m.inp.costs.guestIpiHandler.meanNs
  return { waits: m.csd.waits[0]!, meanWaitNs: m.csd.waitNs[0]! / m.csd.waits[0]!, pauseExits: vmExitCount(m, 0, ExitReason.PAUSE_INSTRUCTION), ipiRoundTripNs }
}

describe('a TLB-shootdown-heavy guest with preempted vCPUs (8 vCPUs over 4 pCPUs)', () => {
  const res: Record<string, Counters> = {}
  beforeAll(() => {
    for (const gv of ['5.4', '4.15']) {
      const p = profile(gv)
      for (const c of ['native', 'pv']) res[`${gv}/${c}`] = run(p, c)
    }
  })

  it('the sender spins in csd_lock_wait(): waits are counted and last longer than an IPI round trip', () => {
    expect(res['5.4/native']!.waits).toBeGreaterThan(100)
    expect(res['5.4/native']!.meanWaitNs).toBeGreaterThan(res['5.4/native']!.ipiRoundTripNs)
    expect(res['5.4/native']!.pauseExits).toBeGreaterThan(0)
  })

  it('guest 5.4: PV TLB flush (kvm_flush_tlb_multi()) cuts the wait and the PAUSE exits', () => {
    expect(res['5.4/pv']!.meanWaitNs).toBeLessThan(0.7 * res['5.4/native']!.meanWaitNs)
    expect(res['5.4/pv']!.pauseExits).toBeLessThan(0.7 * res['5.4/native']!.pauseExits)
  })

  it('guest 4.15 predates PV TLB flush: exposing it changes nothing', () => {
    expect(res['4.15/pv']).toEqual(res['4.15/native'])
  })
})

describe('kvm_smp_send_call_func_ipi() (PV sched yield)', () => {
  const pre = [false, true, true]
  const idle = [false, true, false]
  it('yields to the first target vcpu_is_preempted() reports, only on the mask path (two or more targets)', () => {
    expect(kvmSendCallFuncIpiYieldsTo(true, false, 3, (i) => pre[i]!, (i) => idle[i]!)).toBe(1)
    expect(kvmSendCallFuncIpiYieldsTo(false, false, 3, (i) => pre[i]!, (i) => idle[i]!)).toBe(-1)
    expect(kvmSendCallFuncIpiYieldsTo(true, false, 1, () => true, () => false)).toBe(-1)
  })
  it('from guest 5.18 an idle target is passed over (!idle_cpu(cpu) && vcpu_is_preempted(cpu))', () => {
    expect(kvmSendCallFuncIpiYieldsTo(true, true, 3, (i) => pre[i]!, (i) => idle[i]!)).toBe(2)
    expect(preemptedReaders('5.17', true, false, true).callFuncYieldSkipsIdle).toBe(false)
    expect(preemptedReaders('5.18', true, false, true).callFuncYieldSkipsIdle).toBe(true)
  })
  it('kvm_sched_yield(): only to another vCPU that is ready', () => {
    expect(kvmSchedYieldTo(false, true)).toBe(true)
    expect(kvmSchedYieldTo(false, false)).toBe(false)
    expect(kvmSchedYieldTo(true, true)).toBe(false)
  })
})

describe('the shootdown mask and lazy TLB mode in a run (lazy-tlb.ts): 2 threads on 8 vCPUs, most of them idle', () => {
  function mask(guestVersion: string, cpu: string): { idle: number; first: number; second: number; busy: number } {
    const r = loadProfile({
      schemaVersion: 1,
      name: 'lazy-tlb',
      host: { cpu, topology: { sockets: 1, coresPerSocket: 10, threadsPerCore: 1 }, kernel: { version: '5.4', hz: 1000, cmdline: {} } },
      vms: [{
        name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 },
        pinning: { vcpupin: ['2', '3', '4', '5', '6', '7', '8', '9'], emulatorpin: '0', iothreadpin: '1' },
        guest: { kernelVersion: guestVersion },
        // native flush: PV TLB flush would drop the HLT-blocked vCPUs a pre-5.19 host marks preempted
        kvm: { pv: { pvTlbFlush: false } },
        workload: { kind: 'fork-join', threads: 2, workNs: 2_000_000, workSigma: 0.1, spinNs: 0 },
      }],
      run: { durationSec: 0.05, warmupSec: 0.001, seed: 1 },
    })
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const m = startedModel(r.profile, 'base', 0.05)
    m.engine.run({ until: 10_500_000 }) // between two ticks: the thread vCPUs run their threads
    let src = -1
    let idle = 0
    for (let g = 0; g < 8; g++) {
      if (m.idle.inIdleLoop[g]) idle++
      else if (src < 0 && m.csd.canCall(g)) src = g
    }
    if (src < 0) throw new Error('no vCPU runs a thread')
    const first = m.tlb.flushMask(src)
    const second = m.tlb.flushMask(src)
    return { idle, first, second, busy: 8 - 1 - idle }
  }

  it('guest 4.13: the first shootdown IPIs every idle vCPU, the next one in the same idle period none of them (leave_mm())', () => {
    const r = mask('4.13', 'skylake-sp')
    expect(r.idle).toBeGreaterThanOrEqual(4)
    expect(r.first).toBe(r.busy + r.idle)
    expect(r.second).toBe(r.busy)
  })
  it('guest 4.16: without PCID (Rome) as 4.13; with PCID (Skylake) an idle vCPU is already on init_mm — never IPIed', () => {
    const rome = mask('4.16', 'rome')
    expect(rome.first).toBe(rome.busy + rome.idle)
    expect(rome.second).toBe(rome.busy)
    const skx = mask('4.16', 'skylake-sp')
    expect(skx.idle).toBeGreaterThanOrEqual(4)
    expect(skx.first).toBe(skx.busy)
    expect(skx.second).toBe(skx.busy)
  })
  it('guest 4.20+: idle vCPUs stay lazy in mm_cpumask() and tlb_is_not_lazy skips them', () => {
    for (const v of ['4.20', '6.8']) {
      const r = mask(v, 'rome')
      expect(r.first).toBe(r.busy)
    }
  })
})
