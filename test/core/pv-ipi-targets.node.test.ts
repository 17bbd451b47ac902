// Which targets a multicast IPI reaches on the PV IPI path (arch/x86/kernel/kvm.c kvm_send_ipi_mask() → one
// KVM_HC_SEND_IPI hypercall, kvm_pv_send_ipi() on the host) and on the cluster x2APIC path (x2apic_cluster.c
// __x2apic_send_IPI_mask(): one logical-mode ICR write per cluster): both send to cfd->cpumask_ipi of
// smp_call_function_many_cond() (kernel/smp.c) — the targets whose call_single_queue was empty — and nothing else;
// and spin_lock_irqsave(): an interrupt sent to a vCPU inside an irqsave critical section waits for the unlock.
import { describe, it, expect, beforeAll } from 'vitest'
import { readFileSync } from 'node:fs'
import { irqsDisabledIn } from '../../core/kvm/irq-delivery.ts'
import { callFuncSingleIpi } from '../../core/guest/csd-lock-wait.ts'
import { ExitReason } from '../../core/output/exit-names.ts'
import { vmExitCount } from '../helpers/model-runs.ts'
import { pvIpiFirstHypercallTargets, apicIdOf } from '../../core/guest/x2apic.ts'
import { Work } from '../../core/sim/constants.ts'
import { loadProfile } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { workloadProfile } from '../helpers/workload-runs.ts'
import { finishedModel } from '../helpers/model-runs.ts'
import type { HostModel } from '../../core/sim/host-model.ts'

function load(p: unknown): Profile {
  const r = loadProfile(p)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

interface Sends { sends: number; calls: number; maskPerCall: number; ipiPerCall: number; sendsPerCall: number; deliveredPerCall: number; delivered: number; ipiTargets: number }

function sends(m: HostModel): Sends {
  const calls = m.csd.calls[0]!
  return {
    sends: m.irq.mcastSends[0]!,
    calls,
    maskPerCall: m.csd.callTargets[0]! / calls,
    ipiPerCall: m.csd.callIpiTargets[0]! / calls,
    sendsPerCall: m.irq.mcastSends[0]! / calls,
    deliveredPerCall: m.irq.mcastTargets[0]! / calls,
    delivered: m.irq.mcastTargets[0]!,
    ipiTargets: m.csd.callIpiTargets[0]!,
  }
}

describe('spin_lock_irqsave() and the rq->lock: irqsDisabledIn() (lock ids from rqLockBase on)', () => {
  const base = 100
  it('the rq->lock\'s and a workload kernel spinlock\'s (the page LRU lock) critical sections have interrupts off', () => {
    expect(irqsDisabledIn(Work.LOCK_CS, base, base)).toBe(true)
    expect(irqsDisabledIn(Work.LOCK_CS, base + 3, base)).toBe(true)
  })
  it('spinning for it too (qspinlock spins, and halts in kvm_wait(), with the caller\'s interrupts off)', () => {
    expect(irqsDisabledIn(Work.SPIN, base, base)).toBe(true)
  })
  it('the generic contention model\'s sections and spins (below rqLockBase), other PAUSE loops and task work take interrupts', () => {
    expect(irqsDisabledIn(Work.LOCK_CS, base - 1, base)).toBe(false)
    expect(irqsDisabledIn(Work.SPIN, base - 1, base)).toBe(false)
    expect(irqsDisabledIn(Work.SPIN, -1, base)).toBe(false)
    expect(irqsDisabledIn(Work.THREAD, base, base)).toBe(false)
    expect(irqsDisabledIn(Work.ITEM, 0, base)).toBe(false)
  })
})

describe('__send_ipi_mask(): one KVM_HC_SEND_IPI per 128-APIC-ID window, pvIpiFirstHypercallTargets()', () => {
  const ids = (vcpus: number, topo: { sockets: number; cores: number; threads: number }): number[] => Array.from({ length: vcpus }, (_, i) => apicIdOf(i, topo))
  it('APIC IDs spanning less than 128 go in one hypercall: 2 sockets of 40 cores (0–39, 64–103), of 32 (0–63)', () => {
    expect(pvIpiFirstHypercallTargets(ids(80, { sockets: 2, cores: 40, threads: 1 }), 80)).toBe(80)
    expect(pvIpiFirstHypercallTargets(ids(64, { sockets: 2, cores: 32, threads: 1 }), 64)).toBe(64)
  })
  it('2 sockets of 96 cores (0–95, 128–223): the first hypercall carries socket 0\'s 96, the rest one more', () => {
    const a = ids(192, { sockets: 2, cores: 96, threads: 1 })
    expect(pvIpiFirstHypercallTargets(a, 192)).toBe(96)
    expect(pvIpiFirstHypercallTargets(a.slice(96), 96)).toBe(96)
  })
  it('an ID below min joins by shifting the bitmap while the window spans it; one beyond min + 127 starts the next', () => {
    expect(pvIpiFirstHypercallTargets([10, 5, 130], 3)).toBe(3)
    expect(pvIpiFirstHypercallTargets([10, 5, 133], 3)).toBe(2)
    expect(pvIpiFirstHypercallTargets([200, 60], 2)).toBe(1)
    expect(pvIpiFirstHypercallTargets([7], 1)).toBe(1)
  })
})

describe('one target left in cpumask_ipi: callFuncSingleIpi()', () => {
  it('from guest 5.13 a single-target IPI (nr_cpus == 1); before, the mask path (with PV IPI a hypercall)', () => {
    const single = ['4.19', '5.12', '5.13', '6.8'].map(callFuncSingleIpi)
    expect(single).toEqual([false, false, true, true])
  })
  it('a 4.19 guest with PV IPI calling one target takes smp_call_function_single(): an ICR write, no hypercall', () => {
    const p = workloadProfile({ kind: 'ipi-broadcast', targets: 1 }, { pv: { vm: { kvm: { pv: { pvIpi: true } } } } }, { guest: { kernelVersion: '4.19' } })
    const m = finishedModel(load(p), 'pv', 0.01)
    expect(m.csd.calls[0]!).toBeGreaterThan(100)
    expect(vmExitCount(m, 0, ExitReason.VMCALL)).toBe(0)
    // (exits are counted after the warm-up, calls from the start)
    expect(vmExitCount(m, 0, ExitReason.MSR_WRITE)).toBeGreaterThan(1000)
  })
})

describe('the same 16-target mask, one sender: PV IPI and cluster mode deliver to the same targets', () => {
  // ipi-broadcast from vCPU 0 to the 16 others of a 17-vCPU guest with interrupt remapping (x2apic_cluster; APIC IDs
  // 0–16: cluster 0 holds targets 1–15, cluster 1 target 16); nothing else queues csds, so every target is IPIed
  const vcpus = 17
  const cpus = Array.from({ length: vcpus }, (_, i) => String(i + 4))
  const vm = { vcpus, guestTopology: { sockets: 1, cores: vcpus, threads: 1 }, pinning: { vcpupin: cpus, emulatorpin: '0', iothreadpin: '1' }, kvm: { interruptRemapping: true } }
  const res: Record<string, Sends> = {}
  beforeAll(() => {
    const p = workloadProfile({ kind: 'ipi-broadcast' }, { cluster: { vm: { kvm: { pv: { pvIpi: false } } } }, pv: { vm: { kvm: { pv: { pvIpi: true } } } } }, vm) as { host: { topology: { coresPerSocket: number } } }
    p.host.topology.coresPerSocket = 24
    const prof = load(p)
    for (const c of ['cluster', 'pv']) res[c] = sends(finishedModel(prof, c, 0.02))
  })

  it('each call IPIs its 16 targets (cpumask_ipi = the mask), and each path delivers to exactly those', () => {
    for (const c of ['cluster', 'pv']) {
      expect(res[c]!.calls).toBeGreaterThan(50)
      expect(res[c]!.maskPerCall).toBe(16)
      expect(res[c]!.ipiPerCall).toBe(16)
      expect(res[c]!.deliveredPerCall).toBe(16)
    }
  })
  it('PV IPI: one hypercall of 16 targets; cluster mode: 2 ICR writes (clusters 0 and 1) of 8 on average', () => {
    expect(res.pv!.sendsPerCall).toBe(1)
    expect(res.cluster!.sendsPerCall).toBe(2)
    expect(res.pv!.deliveredPerCall / res.pv!.sendsPerCall).toBe(16)
    expect(res.cluster!.deliveredPerCall / res.cluster!.sendsPerCall).toBe(8)
  })
})

describe('pv-ipi-64vcpu (64 vCPUs, ebizzy with a flush per record, concurrent flushers): targets per flush per path', () => {
  const res: Record<string, Sends> = {}
  beforeAll(() => {
    const prof = load(JSON.parse(readFileSync(new URL('../../examples/validation/profiles/pv-ipi-64vcpu.json', import.meta.url), 'utf8')))
    for (const c of ['no-pv-ipi', 'pv-ipi']) res[c] = sends(finishedModel(prof, c, 0.05))
  })

  it('the mask is the 63 other vCPUs in both paths (no idle vCPU, the sender left out)', () => {
    for (const c of ['no-pv-ipi', 'pv-ipi']) {
      expect(res[c]!.calls).toBeGreaterThan(1000)
      expect(res[c]!.maskPerCall).toBe(63)
    }
  })
  it('both paths deliver only to cpumask_ipi: the targets whose call_single_queue was empty', () => {
    for (const c of ['no-pv-ipi', 'pv-ipi']) {
      // a call left with one target sends it as a unicast (not counted as a multicast send)
      expect(res[c]!.delivered).toBeLessThanOrEqual(res[c]!.ipiTargets)
      expect(res[c]!.delivered).toBeGreaterThanOrEqual(res[c]!.ipiTargets - res[c]!.calls)
    }
  })
  it('cluster mode IPIs fewer targets per flush: a later cluster\'s csds wait out the earlier writes\' exits, so another flusher finds more queues busy', () => {
    // most targets wait for the page LRU lock with interrupts off, their call_single_queue still holding an earlier
    // flush: llist_add() finds it non-empty and sends no IPI — fewer than half the mask gets one on either path
    expect(res['pv-ipi']!.ipiPerCall).toBeGreaterThan(15)
    expect(res['pv-ipi']!.ipiPerCall).toBeLessThan(40)
    expect(res['no-pv-ipi']!.ipiPerCall).toBeLessThan(res['pv-ipi']!.ipiPerCall - 2)
    // APIC IDs 0–63 (2 sockets of 32 cores): four clusters, a write each unless all of a cluster's targets are busy
    expect(res['no-pv-ipi']!.sendsPerCall).toBeGreaterThan(2.5)
    expect(res['no-pv-ipi']!.sendsPerCall).toBeLessThanOrEqual(4)
    expect(res['pv-ipi']!.sendsPerCall).toBe(1)
  })
})

describe('a 131-vCPU guest whose APIC IDs span more than 128 (2 sockets of 66 cores: 0–65, 128–192)', () => {
  it('ipi-broadcast with PV IPI from vCPU 0: two KVM_HC_SEND_IPI a call (65 and 65 targets), every target delivered', () => {
    const vcpus = 131
    const cpus = Array.from({ length: vcpus }, (_, i) => String(i + 4))
    const p = workloadProfile({ kind: 'ipi-broadcast' }, { pv: { vm: { kvm: { pv: { pvIpi: true } } } } }, {
      vcpus, guestTopology: { sockets: 2, cores: 66, threads: 1 }, pinning: { vcpupin: cpus, emulatorpin: '0', iothreadpin: '1' },
    }) as { host: { topology: { sockets: number; coresPerSocket: number } } }
    p.host.topology.sockets = 2
    p.host.topology.coresPerSocket = 34
    const s = sends(finishedModel(load(p), 'pv', 0.005))
    expect(s.calls).toBeGreaterThan(5)
    expect(s.maskPerCall).toBe(130)
    // the run may end between a call's two hypercalls
    expect(s.delivered).toBeLessThanOrEqual(s.ipiTargets)
    expect(s.delivered).toBeGreaterThanOrEqual(s.ipiTargets - 65)
    expect(s.sends).toBeLessThanOrEqual(2 * s.calls)
    expect(s.sends).toBeGreaterThanOrEqual(2 * s.calls - 1)
  })
})
