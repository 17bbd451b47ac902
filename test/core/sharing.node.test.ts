// pCPU sharing through the host scheduler (model.md §2 pCPU; docs/model.md "Host scheduler and pCPU sharing"): the
// direction of each effect, on the real core (loadProfile + runConfiguration), short runs. The host is the workload
// helper's: 32 CPUs (Skylake-SP, 16 cores × 2 threads), nohz_full=2-15,18-31, the VM pinned 1:1 from CPU 4, its
// emulator on CPU 0 and its vhost worker on CPU 1 — and, per test, a neighbour, an overcommit, floating vCPUs, …
import { describe, it, expect, beforeAll } from 'vitest'
import { finishedModel } from '../helpers/model-runs.ts'
import { workloadProfile, runAll, rerunJson, resultJson, exits } from '../helpers/workload-runs.ts'
import type { ConfigResult } from '../../core/index.ts'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { HostModel } from '../../core/sim/host-model.ts'
import { St } from '../../core/sim/constants.ts'

const DURATION = 0.15
const NS = DURATION * 1e9
const REDIS2 = { kind: 'redis', serverThreads: 2 }
const TWO_VCPUS = { vcpus: 2, pinning: { vcpupin: ['4', '5'], emulatorpin: '0', iothreadpin: '1' } }
const HOG_ON_4 = { tasks: [{ name: 'hog', cpus: '4', sleepNs: 0 }] }
const ops = (r: ConfigResult): number => r.vms[0]!.workload.throughputPerSec
const steal = (r: ConfigResult, i: number): number => r.vms[0]!.vcpus[i]!.time.preempted
const decision = (r: ConfigResult, id: string): string => r.vms[0]!.decisions.find((d) => d.id === id)!.value
const pcpu = (r: ConfigResult, c: number) => r.pcpus.find((p) => p.cpu === c)!.time
/** CPUs on which a vCPU of the VM spent guest or exit time after warm-up. */
const vcpuCpus = (r: ConfigResult): number[] => r.pcpus.filter((p) => p.time.guestBusy + p.time.guestIdle + p.time.exitHandling > 0).map((p) => p.cpu)

/** The bare model after a run, for counters the result does not carry (host migrations). */
function model(profile: unknown, config: string): HostModel {
  const r = loadProfile(profile)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return finishedModel(r.profile, config, DURATION)
}

describe('overcommit: two busy vCPUs (redis, 2 server threads) on one pCPU vs two', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => {
    res = runAll(workloadProfile(REDIS2, { dedicated: {}, 'overcommit': { vm: { pinning: { vcpupin: ['4', '4'] } } } }, TWO_VCPUS), DURATION)
  })

  it('steal time appears on both vCPUs and throughput drops to about half', () => {
    const d = res.dedicated!
    const o = res['overcommit']!
    expect(steal(d, 0) + steal(d, 1)).toBe(0)
    expect(steal(o, 0)).toBeGreaterThan(0)
    expect(steal(o, 1)).toBeGreaterThan(0.3 * NS)
    expect(ops(o)).toBeLessThan(0.7 * ops(d))
    expect(ops(o)).toBeGreaterThan(0.3 * ops(d))
  })

  it('the shared pCPU runs both vCPU threads; CPU 5 idles; the decision names the shared pCPU', () => {
    const o = res['overcommit']!
    expect(o.vms[0]!.vcpus.map((v) => v.pcpu)).toEqual([4, 4])
    expect(pcpu(o, 4).guestBusy).toBeGreaterThan(0.8 * NS)
    expect(pcpu(o, 5).guestBusy).toBe(0)
    expect(decision(o, 'pcpu-sharing')).toBe('1 pCPU')
    expect(decision(res.dedicated!, 'pcpu-sharing')).toBe('no')
    expect(o.vms[0]!.decisions.find((d) => d.id === 'pcpu-sharing')!.reason).toContain('shared with its own vCPU threads')
    // a nohz_full CPU stops its tick only while it runs one task
    expect(decision(o, 'host-tick')).toBe('stopped while alone')
    expect(decision(res.dedicated!, 'host-tick')).toBe('stopped (nohz_full)')
  })

  it('the vCPU threads take turns by slices: EXTERNAL_INTERRUPT exits for the slice end and the (now running) host tick', () => {
    const o = res['overcommit']!
    expect(exits(o, 'EXTERNAL_INTERRUPT', 'host scheduler tick (time slice over)')).toBeGreaterThan(0)
    expect(exits(o, 'EXTERNAL_INTERRUPT', 'host scheduler tick')).toBeGreaterThan(0)
    expect(exits(res.dedicated!, 'EXTERNAL_INTERRUPT')).toBe(0)
  })
})

describe('a CPU hog on a vCPU\'s pCPU', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => {
    res = runAll(workloadProfile(REDIS2, {
      alone: {},
      'hog-6.1': { host: { ...HOG_ON_4, kernel: { version: '6.1' } } },
      'hog-6.8': { host: HOG_ON_4 },
      'burst-6.1': { host: { kernel: { version: '6.1' }, tasks: [{ name: 'burst', cpus: '4', runNs: 300_000, sleepNs: 1_000_000 }] } },
    }, TWO_VCPUS), DURATION)
  })

  it('shows as steal on that vCPU and as otherTasks on its pCPU — about half each, as fair sharing gives — on both eras', () => {
    for (const c of ['hog-6.1', 'hog-6.8']) {
      const r = res[c]!
      expect(steal(r, 0) / NS).toBeGreaterThan(0.4)
      expect(steal(r, 0) / NS).toBeLessThan(0.6)
      expect(steal(r, 1)).toBe(0)
      expect(pcpu(r, 4).otherTasks / NS).toBeGreaterThan(0.4)
      expect(pcpu(r, 4).otherTasks / NS).toBeLessThan(0.6)
      expect(pcpu(r, 5).otherTasks).toBe(0)
      expect(ops(r)).toBeLessThan(0.7 * ops(res.alone!))
    }
    expect(steal(res.alone!, 0)).toBe(0)
    expect(pcpu(res.alone!, 4).otherTasks).toBe(0)
  })

  it('a hog never sleeps, so it takes the pCPU at slice ends: EXTERNAL_INTERRUPT ← "time slice over" and the host tick', () => {
    const r = res['hog-6.8']!
    expect(exits(r, 'EXTERNAL_INTERRUPT', 'host scheduler tick (time slice over)')).toBeGreaterThan(0)
    expect(exits(r, 'EXTERNAL_INTERRUPT', 'host scheduler tick')).toBeGreaterThan(0)
    expect(exits(r, 'EXTERNAL_INTERRUPT', 'reschedule IPI (host thread woken on this pCPU)')).toBe(0)
  })

  it('a neighbour that sleeps wakes with CFS\'s sleeper credit and preempts the vCPU at once: ← reschedule IPI', () => {
    const r = res['burst-6.1']!
    expect(exits(r, 'EXTERNAL_INTERRUPT', 'reschedule IPI (host thread woken on this pCPU)')).toBeGreaterThan(10)
    expect(steal(r, 0)).toBeGreaterThan(0.1 * NS)
  })
})

// The mechanism. CFS (6.1): place_entity() gives a waking thread up to sched_latency/2 (12 ms on ≥ 8 CPUs) of sleeper
// credit, and wakeup_preempt_entity() preempts the running neighbour once it is ahead by more than the wake-up
// granularity (4 ms): a vCPU thread that mostly sleeps runs at once. EEVDF (6.8): place_entity() puts the waking vCPU
// thread at avg_vruntime minus its lag — about zero, since it blocked while nothing else was queued — so the
// neighbour stays eligible, and RUN_TO_PARITY keeps it on the CPU until its 3 ms request (base slice) is used up.
// With host halt polling on, the polling vCPU thread accrues vruntime like any busy thread and loses its CFS sleeper
// advantage (both eras then look alike), so ping-pong is compared with halt_poll_ns=0.
describe('wake-up latency with a bursty neighbour (2 ms bursts, 2 ms sleeps, one per vCPU pCPU): EEVDF worse than CFS', () => {
  const burst = { name: 'burst', cpus: '4-7', perCpu: true, runNs: 2_000_000, sleepNs: 2_000_000 }
  const configs = {
    'alone-6.8': {},
    '6.1': { host: { kernel: { version: '6.1' }, tasks: [burst] } },
    '6.8': { host: { tasks: [burst] } },
  }
  let timer: Record<string, ConfigResult>
  let pingPong: Record<string, ConfigResult>
  beforeAll(() => {
    timer = runAll(workloadProfile({ kind: 'timer' }, configs), 0.25)
    const noPoll = { kvm: { haltPoll: { haltPollNs: 0 } } }
    pingPong = runAll(workloadProfile({ kind: 'ping-pong' }, {
      '6.1': { host: { ...configs['6.1'].host, ...noPoll } },
      '6.8': { host: { ...configs['6.8'].host, ...noPoll } },
    }), 0.25)
  })

  it('timer (cyclictest): p99 wake-up latency is milliseconds on 6.8 (the neighbour\'s slice), within ~0.2 ms on 6.1', () => {
    const p99 = (c: string): number => timer[c]!.vms[0]!.workload.latencyNs.p99
    expect(p99('6.1')).toBeLessThan(2 * p99('alone-6.8'))
    expect(p99('6.8')).toBeGreaterThan(1_000_000)
    expect(p99('6.8')).toBeGreaterThan(5 * p99('6.1'))
  })

  it('timer: the waiting shows as steal — much more on 6.8 than on 6.1', () => {
    const total = (r: ConfigResult): number => r.vms[0]!.vcpus.reduce((a, v) => a + v.time.preempted, 0)
    expect(total(timer['6.8']!)).toBeGreaterThan(10 * total(timer['6.1']!))
  })

  it('ping-pong (halt_poll_ns=0): p99 round trip and transactions/s are worse on 6.8', () => {
    const w = (c: string) => pingPong[c]!.vms[0]!.workload
    expect(w('6.8').latencyNs.p99).toBeGreaterThan(3 * w('6.1').latencyNs.p99)
    expect(w('6.8').throughputPerSec).toBeLessThan(0.9 * w('6.1').throughputPerSec)
  })

  it('the decisions name the era\'s rule', () => {
    expect(timer['6.1']!.vms[0]!.decisions.find((d) => d.id === 'pcpu-sharing')!.mirrors).toContain('check_preempt_wakeup()')
    expect(timer['6.8']!.vms[0]!.decisions.find((d) => d.id === 'pcpu-sharing')!.mirrors).toContain('check_preempt_wakeup_fair()')
  })
})

describe('host halt polling stops while another thread is runnable on the pCPU (kvm_vcpu_can_poll(): single_task_running())', () => {
  const profile = (v: string) => workloadProfile({ kind: 'ping-pong' }, {
    alone: { host: { kernel: { version: v } } },
    neighbour: { host: { kernel: { version: v }, tasks: [{ name: 'burst', cpus: '4-5', perCpu: true, runNs: 200_000, sleepNs: 2_000_000 }] } },
  })
  for (const v of ['6.1', '6.8']) {
    it(`${v}: ping-pong's host polling time drops with a neighbour on the vCPUs' pCPUs`, () => {
      const res = runAll(profile(v), DURATION)
      const poll = (r: ConfigResult): number => r.vms[0]!.vcpus[0]!.time.hostPolling + r.vms[0]!.vcpus[1]!.time.hostPolling
      expect(poll(res.alone!)).toBeGreaterThan(0.5 * NS)
      // the burst is runnable ~9 % of the time (200 µs per 2.2 ms) and polling stops while it is: a drop of at least
      // 10 % (measured 14–17 % over 0.15–0.3 s with the sourced cost table of issue 14; 0.85 was at the noise edge)
      expect(poll(res.neighbour!)).toBeLessThan(0.9 * poll(res.alone!))
    })

    it(`${v}: no vCPU ever halt-polls while a thread waits on its pCPU — even a woken one that does not preempt it`, () => {
      const r = loadProfile(profile(v))
      if (!r.ok) throw new Error(JSON.stringify(r.issues))
      const s = setupModel(resolveConfiguration(r.profile, 'neighbour'), 1, 0.05)
      if (!s.ok) throw new Error(JSON.stringify(s.issues))
      const m = new HostModel(s.inputs)
      m.start()
      let polls = 0
      while (m.engine.now <= m.endNs && m.engine.step()) {
        for (let g = 0; g < m.nV; g++) {
          if (m.state[g] !== St.HOST_POLL) continue
          polls++
          expect(m.hrq.nrQueued[m.pcpuOf[g]!]).toBe(0)
        }
      }
      expect(polls).toBeGreaterThan(0)
    })
  }
})

describe('floating vCPUs (vcpupin ranges) avoid a hogged pCPU', () => {
  // fork-join, 3 vCPUs: pinned to 4, 5, 6 (vCPU 0 shares CPU 4 with the hog) or floating over 4-6 (one starts on 4)
  const profile = workloadProfile({ kind: 'fork-join' }, {
    pinned: { host: HOG_ON_4 },
    floating: { host: HOG_ON_4, vm: { pinning: { vcpupin: ['4-6', '4-6', '4-6'] } } },
  }, { vcpus: 3, pinning: { vcpupin: ['4', '5', '6'], emulatorpin: '0', iothreadpin: '1' } })
  let res: Record<string, ConfigResult>
  beforeAll(() => {
    res = runAll(profile, DURATION)
  })

  it('the host scheduler moves them (wake-up placement on an idle pCPU, newidle pulls); pinned ones never move', () => {
    expect(model(profile, 'floating').hostMigrations[0]).toBeGreaterThan(10)
    expect(model(profile, 'pinned').hostMigrations[0]).toBe(0)
    expect(decision(res.floating!, 'vcpu-placement')).toBe('3/3 floating')
    expect(decision(res.pinned!, 'vcpu-placement')).toBe('pinned 1:1')
  })

  it('after warm-up no vCPU runs on the hog\'s pCPU; the worst vCPU\'s steal and the p99 iteration time are lower', () => {
    const f = res.floating!
    const p = res.pinned!
    expect(vcpuCpus(f)).not.toContain(4)
    expect(vcpuCpus(p)).toContain(4)
    const worst = (r: ConfigResult): number => Math.max(...r.vms[0]!.vcpus.map((v) => v.time.preempted))
    expect(worst(f)).toBeLessThan(0.7 * worst(p))
    expect(f.vms[0]!.workload.latencyNs.p99).toBeLessThan(0.5 * p.vms[0]!.workload.latencyNs.p99)
    expect(ops(f)).toBeGreaterThan(0.95 * ops(p))
  })
})

describe('vCPUs without vcpupin float over the scheduler-domain CPUs (HK_TYPE_DOMAIN)', () => {
  it('they never run on isolcpus=domain CPUs, even with those idle and a hog on a housekeeping CPU', () => {
    const res = runAll(workloadProfile(REDIS2, {
      unpinned: { host: { kernel: { cmdline: { isolcpus: 'domain,2-15,18-31' } }, tasks: [{ name: 'hog', cpus: '16', sleepNs: 0 }] } },
    }, { vcpus: 2, pinning: { vcpupin: [], emulatorpin: '0', iothreadpin: '1' } }), DURATION)
    const r = res.unpinned!
    const housekeeping = [0, 1, 16, 17]
    expect(vcpuCpus(r).length).toBeGreaterThan(0)
    for (const c of vcpuCpus(r)) expect(housekeeping).toContain(c)
    for (const v of r.vms[0]!.vcpus) expect(housekeeping).toContain(v.pcpu)
    expect(decision(r, 'vcpu-placement')).toBe('2/2 floating')
  })
})

describe('the QEMU emulator thread (vms[].emulator, pinned by emulatorpin)', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => {
    const emulator = { wakeupsPerSec: 2000, runNs: 100_000 }
    res = runAll(workloadProfile(REDIS2, {
      'housekeeping': { vm: { emulator } },
      'on-vcpu-pcpu': { vm: { emulator, pinning: { emulatorpin: '4' } } },
    }, TWO_VCPUS), DURATION)
  })

  it('on a vCPU\'s pCPU it steals from that vCPU (about its 20 % CPU share) and shows as otherTasks there', () => {
    const r = res['on-vcpu-pcpu']!
    expect(steal(r, 0) / NS).toBeGreaterThan(0.1)
    expect(steal(r, 1)).toBe(0)
    expect(pcpu(r, 4).otherTasks / NS).toBeGreaterThan(0.1)
    expect(pcpu(r, 4).otherTasks / NS).toBeLessThan(0.3)
    expect(decision(r, 'pcpu-sharing')).toBe('1 pCPU')
  })

  it('on a housekeeping CPU (emulatorpin=0) it steals nothing: its time is on CPU 0', () => {
    const r = res.housekeeping!
    expect(steal(r, 0) + steal(r, 1)).toBe(0)
    expect(pcpu(r, 0).otherTasks / NS).toBeGreaterThan(0.1)
    expect(pcpu(r, 4).otherTasks).toBe(0)
    expect(decision(r, 'pcpu-sharing')).toBe('no')
    expect(ops(r)).toBeGreaterThan(1.03 * ops(res['on-vcpu-pcpu']!))
  })
})

describe('the vhost-net worker (a host thread on its iothreadpin CPU)', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => {
    res = runAll(workloadProfile(REDIS2, {
      housekeeping: {},
      'on-vcpu-pcpu': { vm: { pinning: { iothreadpin: '4' } } },
    }, TWO_VCPUS), DURATION)
  })

  it('on its own CPU it runs its RX batches there and steals from no vCPU', () => {
    const r = res.housekeeping!
    expect(pcpu(r, 1).otherTasks / NS).toBeGreaterThan(0.1)
    expect(steal(r, 0) + steal(r, 1)).toBe(0)
    expect(r.pcpus.find((p) => p.cpu === 1)!.roles).toContain('vhost')
  })

  it('iothreadpin onto vCPU 0\'s pCPU: the worker preempts that vCPU (reschedule IPIs), which shows as steal; throughput drops', () => {
    const r = res['on-vcpu-pcpu']!
    expect(steal(r, 0) / NS).toBeGreaterThan(0.2)
    expect(steal(r, 1)).toBe(0)
    expect(pcpu(r, 4).otherTasks / NS).toBeGreaterThan(0.2)
    expect(pcpu(r, 1).otherTasks).toBe(0)
    expect(exits(r, 'EXTERNAL_INTERRUPT', 'reschedule IPI (host thread woken on this pCPU)')).toBeGreaterThan(100)
    expect(ops(r)).toBeLessThan(0.85 * ops(res.housekeeping!))
    expect(decision(r, 'pcpu-sharing')).toBe('1 pCPU')
    expect(r.vms[0]!.decisions.find((d) => d.id === 'pcpu-sharing')!.reason).toContain('shared with vm vhost')
  })
})

describe('determinism of a shared-pCPU run', () => {
  const profile = workloadProfile({ kind: 'fork-join' }, {
    shared: {
      host: { tasks: [{ name: 'hog', cpus: '4', sleepNs: 0 }, { name: 'burst', cpus: '5-6', runNs: 300_000, sleepNs: 700_000 }] },
      vm: { emulator: { wakeupsPerSec: 500 }, pinning: { vcpupin: ['4-6', '4-6', '5', '7'], emulatorpin: '7' } },
    },
  })

  it('the same seed gives identical JSON; another seed does not', () => {
    const a = resultJson(runAll(profile, 0.05)['shared']!)
    expect(rerunJson(profile, 0.05, 'shared')).toBe(a)
    expect(rerunJson(profile, 0.05, 'shared', 7)).not.toBe(a)
  })
})
