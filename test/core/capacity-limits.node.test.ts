// No silent capacity limits in the model (issue 12): the guest runqueue, armed hrtimers, exit causes and the
// per-vCPU queues grow with the input instead of dropping work. Each scenario gave 0 iterations/s, or threw, before.
import { describe, it, expect } from 'vitest'
import { finishedModel, startedModel } from '../helpers/model-runs.ts'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { IntRings } from '../../core/sim/int-rings.ts'

const host = { cpu: 'skylake-sp', topology: { sockets: 2, coresPerSocket: 32, threadsPerCore: 1 }, kernel: { version: '6.1', hz: 1000 } }
const configs = [{ name: 'a', description: 'as given', overrides: {} }, { name: 'b', description: 'the same', overrides: {} }]

function profile(vms: unknown[], durationSec: number): Profile {
  const r = loadProfile({ schemaVersion: 1, name: 'capacity', description: 'capacity limits', host, run: { durationSec, warmupSec: 0.01, seed: 3 }, vms, configurations: configs })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

const twoVcpus = { vcpus: 2, pinning: { vcpupin: ['2', '3'], emulatorpin: '0-1', iothreadpin: '1' } }

describe('capacity limits grow with the input', () => {
  it('600 fork-join threads on 2 vCPUs make progress (the guest runqueue held 256)', () => {
    const p = profile([{ name: 'omp', ...twoVcpus, workload: { kind: 'fork-join', threads: 600, workNs: 2000, spinNs: 0 } }], 0.2)
    const r = runConfiguration(p, 'a', { check: true })
    // 600 × 2 µs of work per iteration on 2 vCPUs: about 600 µs, plus context switches
    expect(r.vms[0]!.workload.throughputPerSec).toBeGreaterThan(200)
  })

  it('a vCPU with more than 64 sleepers on hrtimers wakes every one of them (armed hrtimers past 64 were dropped)', () => {
    // A gap takes a thread only while it runs its 2 µs burst (since the guest rq->lock, the context switch runs in
    // __schedule()'s locked section, not in the thread's burst): each barrier release's wave of 300 threads per vCPU
    // arms about 300 × (1 − e^(−2 µs × perSec)) hrtimers within one 5 ms sleep — 300 × 0.18 ≈ 54 at 100,000/s (57
    // measured, too few), 300 × 0.33 ≈ 99 at 200,000/s (114 measured, seed 3).
    const p = profile([{ name: 'omp', ...twoVcpus, workload: { kind: 'fork-join', threads: 600, workNs: 2000, spinNs: 0 }, contention: { idleGaps: { perSec: 200_000, meanNs: 5e6 } } }], 0.2)
    const m = startedModel(p, 'a', 0.2, { seed: 3, checking: true })
    let maxArmed = 0
    for (let k = 1; k <= 100; k++) {
      m.engine.run({ until: (m.endNs * k) / 100 })
      for (let g = 0; g < m.nV; g++) maxArmed = Math.max(maxArmed, m.gtimers.hrtCount[g]!)
    }
    m.finish()
    expect(maxArmed).toBeGreaterThan(64)
    // every iteration needs all 600 threads at the barrier: one lost wake-up stops them all
    expect(m.stats.completed[0]!).toBeGreaterThan(0)
  })

  it('60 VMs run (exit causes were capped at 64)', () => {
    const vms = Array.from({ length: 60 }, (_, i) => ({ name: `vm-${i}`, vcpus: 1, pinning: { vcpupin: [String(i + 2)], emulatorpin: '0-1', iothreadpin: '1' }, workload: { kind: 'timer', intervalUs: 1000 } }))
    const r = runConfiguration(profile(vms, 0.02), 'a', { check: true })
    expect(r.vms).toHaveLength(60)
    for (const vm of r.vms) expect(vm.workload.throughputPerSec).toBeCloseTo(1000, -2)
  })

  it('an overloaded open-loop redis keeps every request (more than 4096 in flight were dropped at arrival)', () => {
    const p = profile([{ name: 'kv', vcpus: 1, pinning: { vcpupin: ['2'], emulatorpin: '0-1', iothreadpin: '1' }, workload: { kind: 'redis', clients: 'open', ratePerSec: 2e6 } }], 0.02)
    const m = finishedModel(p, 'a', 0.02, { seed: 3, checking: true })
    // 2 M requests/s against one vCPU: tens of thousands wait; each is still served in order, none vanishes
    const w = m.workloads[0] as unknown as { reqSend: Float64Array; reqFreeLen: number }
    expect(w.reqSend.length - w.reqFreeLen).toBeGreaterThan(4096)
    expect(m.stats.completed[0]!).toBeGreaterThan(0)
  })

  it('IntRings keeps every entry in order across growth, per owner', () => {
    const q = new IntRings(3, 2)
    for (let i = 0; i < 100; i++) q.push(i % 3, i)
    q.shift(1)
    q.push(1, 1000)
    expect(q.capacity).toBeGreaterThanOrEqual(34)
    const drain = (o: number): number[] => { const out: number[] = []; while (q.len[o]! > 0) out.push(q.shift(o)); return out }
    expect(q.removeAt(0, 1)).toBe(3)
    expect(drain(0)).toEqual(Array.from({ length: 34 }, (_, k) => 3 * k).filter((x) => x !== 3))
    expect(drain(1)).toEqual([...Array.from({ length: 32 }, (_, k) => 3 * k + 4), 1000])
    expect(drain(2)).toEqual(Array.from({ length: 33 }, (_, k) => 3 * k + 2))
  })
})
