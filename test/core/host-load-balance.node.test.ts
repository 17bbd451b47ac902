// The host's load balancing (core/host/load-balance.ts): rebalance_domains() from the tick, newidle_balance() and nohz
// idle balancing move waiting threads off a crowded pCPU. 16 CPU hogs free to run on any of 8 pCPUs, piled onto pCPU 0
// at 0.2 ms (9 waiting there, one running on each other pCPU), spread out again to about 17/8 runnable threads per
// pCPU: without periodic balancing nothing moves them, since no pCPU ever idles to pull one. A vCPU thread pinned to
// pCPU 0 never moves, and with isolcpus=domain the isolated pCPUs — outside the scheduling domains — never receive a
// thread, not even when they go idle.
import { describe, it, expect } from 'vitest'
import { loadProfile } from '../../core/index.ts'
import type { HostModel } from '../../core/sim/host-model.ts'
import { startedModel } from '../helpers/model-runs.ts'

const HOGS = 16
const NR_CPUS = 8

function profile(version: string, isolcpus: string, extraTasks: object[]) {
  const hogs = Array.from({ length: HOGS }, (_, i) => ({ name: `hog ${i}`, cpus: '0-7', perCpu: false, runNs: 100_000_000, sleepNs: 0 }))
  const r = loadProfile({
    schemaVersion: 1,
    name: 'load-balance',
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 }, kernel: { version, hz: 1000, cmdline: { isolcpus } } },
    vms: [{
      name: 'pinned',
      vcpus: 1,
      guestTopology: { sockets: 1, cores: 1, threads: 1 },
      pinning: { vcpupin: ['0'], emulatorpin: '0', iothreadpin: '0' },
      guest: { kernelVersion: version },
      // ebizzy's malloc mode never sleeps: the vCPU thread is always runnable on pCPU 0
      workload: { kind: 'ebizzy', memory: 'malloc' },
    }],
    run: { durationSec: 1, warmupSec: 0, seed: 1 },
    configurations: [{ name: 'hogs', overrides: { host: { tasks: [...hogs, ...extraTasks] } } }],
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

/** Moves every waiting thread that may run on pCPU 0 from the other pCPUs onto pCPU 0's queue. */
function pileOntoCpu0(m: HostModel): void {
  for (let c = 1; c < NR_CPUS; c++) {
    for (let h = m.hrq.firstQueued(c); h >= 0;) {
      const next = m.hrq.nextQueued(h)
      if (m.sched.allowedMask[h]?.[0] === 1) m.hrq.attachQueued(h, 0)
      h = next
    }
  }
  m.sched.armSlice(0)
}

/** Runs to `until` in 1 ms steps, calling `sample` after each. */
function runSampling(m: HostModel, until: number, sample: (t: number) => void): void {
  for (let t = m.engine.now + 1e6; t <= until; t += 1e6) {
    m.engine.run({ until: t })
    sample(t)
  }
}

describe('host load balancing (rebalance_domains(), newidle_balance(), nohz idle balance)', () => {
  for (const version of ['4.16', '5.15', '6.8']) {
    it(`host ${version}: 16 unpinned CPU hogs piled onto one of 8 pCPUs spread back to ~17/8 per pCPU; the pinned vCPU thread stays`, () => {
      const m = startedModel(profile(version, '', []), 'hogs', 1)
      m.engine.run({ until: 0.2e6 })
      pileOntoCpu0(m)
      expect(m.hrq.nrRunning(0)).toBeGreaterThanOrEqual(9)
      let busiestSum = 0
      let samples = 0
      let minIdle = Infinity
      runSampling(m, 1e9, (t) => {
        expect(m.vcpu.pcpuOf[0]).toBe(0)
        expect(m.hrq.cpu[0]).toBe(0)
        if (t < 0.5e9) return
        let busiest = 0
        let least = Infinity
        for (let c = 0; c < NR_CPUS; c++) { busiest = Math.max(busiest, m.hrq.nrRunning(c)); least = Math.min(least, m.hrq.nrRunning(c)) }
        busiestSum += busiest
        samples++
        minIdle = Math.min(minIdle, least)
      })
      // 17 runnable threads on 8 pCPUs: 2.125 even; piled, the busiest held 10
      expect(busiestSum / samples).toBeLessThanOrEqual(3)
      expect(minIdle).toBeGreaterThanOrEqual(1)
      expect(m.sched.lb.migrations).toBeGreaterThan(0)
    })
  }

  it('isolcpus=domain: an isolated pCPU that goes idle never receives a thread, though the hogs may run there', () => {
    // a short task pinned to each isolated pCPU, so that they go idle once it is done
    const shortTasks = [6, 7].map((c) => ({ name: `short ${c}`, cpus: String(c), perCpu: false, runNs: 3_000_000, sleepNs: 1e10 }))
    const m = startedModel(profile('6.8', 'domain,6-7', shortTasks), 'hogs', 1)
    m.engine.run({ until: 0.2e6 })
    pileOntoCpu0(m)
    const before = new Set(shortTasks.map((t) => m.nV + m.inp.tasks.findIndex((s) => s.name === t.name)))
    let idleSeen = 0
    runSampling(m, 0.3e9, () => {
      for (const c of [6, 7]) {
        const cur = m.hrq.cur[c]!
        if (cur < 0) idleSeen++
        else expect(before.has(cur)).toBe(true)
        for (let h = m.hrq.firstQueued(c); h >= 0; h = m.hrq.nextQueued(h)) expect(before.has(h)).toBe(true)
      }
    })
    // the isolated pCPUs did idle while hogs waited elsewhere, and the domain pCPUs were balanced meanwhile
    expect(idleSeen).toBeGreaterThan(0)
    let busiest = 0
    for (let c = 0; c < 6; c++) busiest = Math.max(busiest, m.hrq.nrRunning(c))
    expect(busiest).toBeLessThanOrEqual(4)
  })
})
