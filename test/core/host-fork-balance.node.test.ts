// A host task's first wake-up is its fork: wake_up_new_task() → select_task_rq_fair(SD_BALANCE_FORK) →
// find_idlest_cpu() places it on the least loaded allowed CPU (HostScheduler.selectNewTaskCpu()), not on the first CPU
// of its mask. Two CPU hogs allowed on every pCPU of a host whose pCPUs all run busy vCPU threads then start on two
// different pCPUs — before, both queued on pCPU 0 and stayed there until a pCPU went idle and pulled one, which made
// the first 0.1–0.5 s of an overcommitted ebizzy run (boost-ready-vcpus) a start-up transient ten times faster than
// the steady state.
import { describe, it, expect } from 'vitest'
import { loadProfile } from '../../core/index.ts'
import { finishedModel } from '../helpers/model-runs.ts'

const profile = {
  schemaVersion: 1,
  name: 'fork-balance',
  host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 }, kernel: { version: '5.4', hz: 1000, cmdline: {} } },
  vms: [{
    name: 'busy',
    vcpus: 8,
    guestTopology: { sockets: 1, cores: 8, threads: 1 },
    pinning: { vcpupin: ['0-7', '0-7', '0-7', '0-7', '0-7', '0-7', '0-7', '0-7'], emulatorpin: '0-7', iothreadpin: '0' },
    guest: { kernelVersion: '5.4' },
    // ebizzy's default malloc mode: copies and searches in user space, nothing sleeps, no vCPU ever idles
    workload: { kind: 'ebizzy', memory: 'malloc' },
  }],
  run: { durationSec: 0.03, warmupSec: 0.01, seed: 1 },
  configurations: [{
    name: 'hogs',
    overrides: { host: { tasks: [{ name: 'hog a', cpus: '0-7', perCpu: false, runNs: 100_000_000, sleepNs: 0 }, { name: 'hog b', cpus: '0-7', perCpu: false, runNs: 100_000_000, sleepNs: 0 }] } },
  }],
}

describe('fork balancing of host tasks (find_idlest_cpu())', () => {
  it('two CPU hogs forked onto a host whose pCPUs all run vCPU threads start on two different pCPUs, each beside one vCPU thread', () => {
    const r = loadProfile(profile)
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const m = finishedModel(r.profile, 'hogs', 0.03)
    const thread = (name: string): number => m.nV + m.inp.tasks.findIndex((t) => t.name === name)
    const hogA = thread('hog a')
    const hogB = thread('hog b')
    expect(Math.min(hogA, hogB)).toBeGreaterThanOrEqual(m.nV)
    const a = m.hrq.cpu[hogA]!
    const b = m.hrq.cpu[hogB]!
    expect(a).not.toBe(b)
    // no pCPU holds more than two runnable threads: the 10 threads spread 2, 2, 1 × 6
    for (let c = 0; c < 8; c++) expect(m.hrq.nrRunning(c)).toBeLessThanOrEqual(2)
  })
})
