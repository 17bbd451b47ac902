// smp_call_function_many() with wait (kernel/smp.c csd_lock_wait()), the flush mask of native_flush_tlb_multi()
// (arch/x86/mm/tlb.c) and kvm_flush_tlb_multi() (arch/x86/kernel/kvm.c): the decisions per guest version, and the
// direction of their effect — a TLB-shootdown-heavy guest whose vCPUs are preempted (8 vCPUs floating over 4 pCPUs):
// with PV TLB flush the sender waits for fewer targets, so its csd_lock_wait() spins less and exits on PAUSE less.
import { describe, it, expect, beforeAll } from 'vitest'
import { flushIpisLazyCpus, kvmFlushTlbMultiSkips, csdLockWaitDone, kvmSendCallFuncIpiYieldsTo, kvmSchedYieldTo, llistAddWasEmpty } from '../../core/guest/csd-lock-wait.ts'
import { preemptedReaders } from '../../core/guest/vcpu-is-preempted.ts'
import { loadProfile } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { ExitReason } from '../../core/output/exit-names.ts'
import { finishedModel, vmExitCount } from '../helpers/model-runs.ts'

describe('csd_lock_wait() and the TLB flush mask, per guest version', () => {
  it('native_flush_tlb_multi(): lazy (idle) CPUs get the flush IPI before 4.20, not from 4.20 (tlb_is_not_lazy)', () => {
    expect(flushIpisLazyCpus('4.16')).toBe(true)
    expect(flushIpisLazyCpus('4.19')).toBe(true)
    expect(flushIpisLazyCpus('4.20')).toBe(false)
    expect(flushIpisLazyCpus('6.8')).toBe(false)
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
