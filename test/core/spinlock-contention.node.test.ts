// Spinlock contention as a mechanism (model.md §2 "Guest spinlocks", §3; kernel/locking/qspinlock.c, virt/kvm/kvm_main.c kvm_vcpu_on_spin()): a fork-join guest with
// a hot kernel lock, pinned 1:1 or two vCPUs per pCPU, under each lock kind kvm_spinlock_init() can pick, with PLE /
// the pause filter on or off. The real core runs; the tests check the direction of each effect and its exit causes.
import { describe, it, expect } from 'vitest'
import { runAll, resultJson } from '../helpers/workload-runs.ts'
import type { ConfigResult } from '../../core/index.ts'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'

const pins = (n: number, perCpu: number): string[] => Array.from({ length: n }, (_, i) => String(2 + Math.floor(i / perCpu)))

function profile(configurations: Record<string, Record<string, unknown>>, host: Record<string, unknown> = {}): unknown {
  return {
    schemaVersion: 1,
    name: 'spinlock test',
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 16, threadsPerCore: 1 }, kernel: { version: '6.1', cmdline: { nohzFull: '2-15', rcuNocbs: '2-15' } }, ...host },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 },
      pinning: { vcpupin: pins(8, 1), emulatorpin: '0', iothreadpin: '1' },
      workload: { kind: 'fork-join', workNs: 200_000, spinNs: 0 },
      contention: { spinlock: { acquisitionsPerSec: 20_000, holdNs: 5_000 } },
    }],
    run: { durationSec: 0.1, warmupSec: 0.02, seed: 1 },
    configurations: Object.entries(configurations).map(([name, overrides]) => ({ name, overrides })),
  }
}

const exits = (r: ConfigResult, reason: string): number => r.vms[0]!.exits.find((e) => e.reason === reason)?.count ?? 0
const causes = (r: ConfigResult, reason: string): Record<string, number> => r.vms[0]!.exits.find((e) => e.reason === reason)?.causes ?? {}
const rate = (r: ConfigResult): number => r.vms[0]!.workload.throughputPerSec
const decision = (r: ConfigResult, id: string): string => r.vms[0]!.decisions.find((d) => d.id === id)?.value ?? ''
// native qspinlock by `nopvspin` (not the REALTIME hint, which would also load cpuidle-haltpoll)
const native = { guest: { nopvspin: true } }
const overcommit = { pinning: { vcpupin: pins(8, 2) } }

describe('spinlocks and PAUSE under 1:1 pinning', () => {
  const r = runAll(profile({
    native: { vm: native },
    'native-no-ple': { vm: { ...native, kvm: { disableExits: { pause: true } } } },
    'native-ple-gap-0': { vm: native, host: { kvm: { pleGap: 0 } } },
    pv: {},
    'hlt-passthrough': { vm: { kvm: { disableExits: { hlt: true } } } },
  }), 0.1)

  it('PLE exits a waiter\'s CPL-0 PAUSE loop (PAUSE_INSTRUCTION), unless DISABLE_EXITS_PAUSE or ple_gap=0 turn it off', () => {
    expect(exits(r.native!, 'PAUSE_INSTRUCTION')).toBeGreaterThan(100)
    expect(Object.keys(causes(r.native!, 'PAUSE_INSTRUCTION'))).toEqual(['spinlock PAUSE loop (PLE window exceeded)'])
    expect(exits(r['native-no-ple']!, 'PAUSE_INSTRUCTION')).toBe(0)
    expect(exits(r['native-ple-gap-0']!, 'PAUSE_INSTRUCTION')).toBe(0)
    expect(decision(r['native-no-ple']!, 'ple')).toBe('off')
  })

  it('with every vCPU on its own pCPU, directed yield finds nobody and PLE exits are pure overhead', () => {
    expect(rate(r.native!)).toBeLessThan(rate(r['native-no-ple']!))
    expect(r.native!.vms[0]!.vcpus.every((v) => v.time.preempted === 0)).toBe(true)
  })

  it('pvqspinlock waiters on Skylake almost never reach pv_wait(): 2^15 PAUSEs of ~140 cycles (≈1.9 ms) outlast the queue', () => {
    expect(decision(r.pv!, 'pvspinlock')).toBe('pvqspinlock')
    expect(exits(r.pv!, 'PAUSE_INSTRUCTION')).toBeGreaterThan(100)
    expect(causes(r.pv!, 'HLT')['pvqspinlock pv_wait() (waiter halts)'] ?? 0).toBeLessThan(exits(r.pv!, 'PAUSE_INSTRUCTION') / 20)
  })

  it('HLT passthrough hides PV_UNHALT: the guest falls back to test-and-set, nobody halts or kicks', () => {
    expect(decision(r['hlt-passthrough']!, 'pvspinlock')).toBe('test-and-set')
    expect(exits(r['hlt-passthrough']!, 'VMCALL')).toBe(0)
    expect(exits(r['hlt-passthrough']!, 'HLT')).toBe(0)
  })
})

describe('spinlocks under 2:1 overcommit', () => {
  // 8 busy redis I/O threads on 8 vCPUs, two per pCPU: a holder preempted at the end of its slice stalls its waiters
  const busy = { ...overcommit, workload: { kind: 'redis', serverThreads: 8, connections: 64 }, contention: { spinlock: { acquisitionsPerSec: 50_000, holdNs: 3_000 } } }
  const noPause = { disableExits: { pause: true } }
  const r = runAll(profile({
    native: { vm: { ...busy, ...native } },
    'native-no-ple': { vm: { ...busy, ...native, kvm: noPause } },
    'pv-no-ple': { vm: { ...busy, kvm: noPause } },
    'tas-no-ple': { vm: { ...busy, kvm: { ...noPause, pv: { pvUnhalt: false } } } },
    // 0.2 s: without PAUSE exits the rates swing between collapse and recovery in whole 12 ms host slices
  }), 0.2)

  it('waiting for the pCPU shows as steal time', () => {
    for (const k of Object.keys(r)) expect(r[k]!.vms[0]!.vcpus.reduce((a, v) => a + v.time.preempted, 0)).toBeGreaterThan(100e6)
  })

  it('PLE + directed yield rescue native qspinlock from lock-holder preemption: without PAUSE exits it collapses', () => {
    expect(exits(r.native!, 'PAUSE_INSTRUCTION')).toBeGreaterThan(100)
    expect(causes(r.native!, 'EXTERNAL_INTERRUPT')['reschedule IPI (host thread woken on this pCPU)'] ?? 0).toBeGreaterThan(0)
    expect(rate(r['native-no-ple']!)).toBeLessThan(rate(r.native!) / 2)
  })

  it('without PLE, pvqspinlock waiters halt in pv_wait() and give their pCPU up, kicked later by hypercall — far better than native', () => {
    expect(causes(r['pv-no-ple']!, 'HLT')['pvqspinlock pv_wait() (waiter halts)']).toBeGreaterThan(10)
    expect(causes(r['pv-no-ple']!, 'VMCALL')['pvqspinlock pv_kick() (KVM_HC_KICK_CPU)']).toBeGreaterThan(10)
    expect(exits(r['native-no-ple']!, 'VMCALL')).toBe(0)
    expect(rate(r['pv-no-ple']!)).toBeGreaterThan(rate(r['native-no-ple']!) * 1.5)
  })

  it('test-and-set (virt_spin_lock) has no FIFO: a running spinner takes the lock, so a preempted waiter stalls nobody', () => {
    // far above native qspinlock's strict FIFO; of the order of pvqspinlock, whose released lock a running waiter may
    // steal while the halted head waits for its kick (host 6.1: a kicked waiter woken onto an idle pCPU is on its wake
    // list, so the kick's yield_to() passes it over). Seed 1, 0.2 s: 87,245 against 173,905 ops/s (0.50; 0.71 while
    // the refill after an entry was charged before the work's first instruction); the rates swing with whole host slices
    expect(rate(r['tas-no-ple']!)).toBeGreaterThan(rate(r['native-no-ple']!) * 5)
    expect(rate(r['tas-no-ple']!)).toBeGreaterThan(rate(r['pv-no-ple']!) * 0.4)
    expect(exits(r['tas-no-ple']!, 'VMCALL')).toBe(0)
  })
})

describe('user-space spin loops and the vendors', () => {
  const user = { contention: { spinlock: { userSpace: true } }, ...native }
  // kvm_amd.pause_filter_count=128 (the default 3000 PAUSEs outlast most waits here); kvm_intel.ple_window likewise
  const shortWindow = { kvm: { pleWindow: 128 } }
  it('VMX PLE ignores a CPL-3 loop; the SVM pause filter counts PAUSE at any CPL', () => {
    const vmx = runAll(profile({ user: { vm: user } }, shortWindow), 0.05).user!
    const svm = runAll(profile({ user: { vm: user } }, { cpu: 'milan', ...shortWindow }), 0.05).user!
    expect(exits(vmx, 'PAUSE_INSTRUCTION')).toBe(0)
    expect(exits(svm, 'pause')).toBeGreaterThan(50)
  })

  it('SVM before 5.8 ignores DISABLE_EXITS_PAUSE (fixed by 830f01b089b1): pause exits stay; from 5.8 they are gone', () => {
    const off = { vm: { ...native, kvm: { disableExits: { pause: true } } } }
    const old = runAll(profile({ off }, { cpu: 'milan', ...shortWindow, kernel: { version: '5.4', cmdline: { nohzFull: '2-15', rcuNocbs: '2-15' } } }), 0.05).off!
    const fixed = runAll(profile({ off }, { cpu: 'milan', ...shortWindow }), 0.05).off!
    expect(exits(old, 'pause')).toBeGreaterThan(50)
    expect(exits(fixed, 'pause')).toBe(0)
  })
})

describe('the SVM pause filter against VMX PLE (backend table: pause_filter_count 3000 PAUSEs vs ple_window 4096 cycles)', () => {
  const milan = { cpu: 'milan' }
  // 50 µs critical sections: waits of tens of µs, past VMX's 1.7 µs window and around SVM's 3000 PAUSEs (≈70 µs on Zen)
  const long = { vm: { ...native, contention: { spinlock: { acquisitionsPerSec: 5_000, holdNs: 50_000 } } } }
  // 0.2 s: the 3000-vs-4096 ratio (~1.3–1.4) needs a few hundred exits per run to clear 1.3 at any seed
  const r = {
    vmx: runAll(profile({ native: long }), 0.2).native!,
    svm: runAll(profile({ native: long }, milan), 0.2).native!,
    svm4096: runAll(profile({ native: long }, { ...milan, kvm: { pleWindow: 4096 } }), 0.2).native!,
  }

  it('each vendor starts from its own module default: 4096 TSC cycles (≈1.7 µs) on VMX, 3000 PAUSEs on SVM', () => {
    expect(r.vmx.vms[0]!.decisions.find((d) => d.id === 'ple')!.reason).toMatch(/starts at 4096 TSC cycles \(kvm_intel\.ple_window\)/)
    expect(r.svm.vms[0]!.decisions.find((d) => d.id === 'ple')!.reason).toMatch(/starts at 3000 PAUSEs \(kvm_amd\.pause_filter_count\).*at most 65535/)
  })

  it('the same kernel-lock contention exits far more often on VMX than through the SVM pause filter; SVM\'s 3000 exits more than 4096', () => {
    expect(exits(r.vmx, 'PAUSE_INSTRUCTION')).toBeGreaterThan(3 * exits(r.svm, 'pause'))
    expect(exits(r.svm, 'pause')).toBeGreaterThan(100)
    // seed 1: 1,053 against 811 (1.30)
    expect(exits(r.svm, 'pause')).toBeGreaterThan(1.2 * exits(r.svm4096, 'pause'))
  })

  it('the gap test: a loop body longer than ple_gap restarts the count at every PAUSE (no exits); SVM < 5.8 with thresh 0 filters by count alone', () => {
    const slowLoop = { costs: { spinLoopGap: { minNs: 90, meanNs: 100 } } } // 240 cycles between PAUSEs at 2.4 GHz
    const vmxSlow = runAll(profile({ native: { vm: native } }, slowLoop), 0.05).native!
    expect(exits(vmxSlow, 'PAUSE_INSTRUCTION')).toBe(0)
    expect(decision(vmxSlow, 'ple')).toBe('off')
    const old = { kernel: { version: '5.4', cmdline: { nohzFull: '2-15', rcuNocbs: '2-15' } } }
    const short = { pleWindow: 128 }
    const svmThresh = runAll(profile({ native: { vm: native } }, { ...milan, ...old, ...slowLoop, kvm: short }), 0.05).native!
    const svmCountOnly = runAll(profile({ native: { vm: native } }, { ...milan, ...old, ...slowLoop, kvm: { ...short, pleGap: 0 } }), 0.05).native!
    expect(exits(svmThresh, 'pause')).toBe(0)
    expect(exits(svmCountOnly, 'pause')).toBeGreaterThan(50)
  })

  it('kvm_amd\'s parameters are unsigned shorts: a count above 65535 is refused, naming the parameter', () => {
    const p = loadProfile(profile({ native: { vm: native } }, { ...milan, kvm: { pleWindow: 70_000 } }))
    if (!p.ok) throw new Error('profile')
    const s = setupModel(resolveConfiguration(p.profile, 'native'), 1, 0.01)
    expect(s.ok).toBe(false)
    if (!s.ok) expect(s.issues).toContainEqual(expect.objectContaining({ path: 'host.kvm.pleWindow', value: '70000', message: expect.stringMatching(/kvm_amd\.pause_filter_count is an unsigned short/) }))
    const q = loadProfile(profile({ native: { vm: native } }, { kvm: { pleWindow: 70_000 } }))
    if (!q.ok) throw new Error('profile')
    expect(setupModel(resolveConfiguration(q.profile, 'native'), 1, 0.01).ok).toBe(true)
  })
})

describe('idle gaps and determinism', () => {
  it('idle gaps put threads to sleep on guest hrtimers: more timer programming and HLT exits', () => {
    const r = runAll(profile({ none: { vm: native }, gaps: { vm: { ...native, contention: { idleGaps: { perSec: 2000, meanNs: 100_000 } } } } }), 0.05)
    // TSC-deadline writes per iteration (barrier idles stop and restart the tick too, and ICR writes are MSR_WRITEs)
    const tscWrites = (c: ConfigResult): number => (causes(c, 'MSR_WRITE')['TSC-deadline write (guest timer programming)'] ?? 0) / rate(c)
    expect(tscWrites(r.gaps!)).toBeGreaterThan(1.2 * tscWrites(r.none!))
    // per iteration, like the writes: the gaps slow the barrier loop (fewer iterations), and each iteration halts more
    expect(exits(r.gaps!, 'HLT') / rate(r.gaps!)).toBeGreaterThan(exits(r.none!, 'HLT') / rate(r.none!))
  })

  it('a contended run is deterministic for a seed', () => {
    const p = profile({ pv: { vm: overcommit } })
    const a = runAll(p, 0.03).pv!
    const b = runAll(p, 0.03).pv!
    expect(resultJson(a)).toBe(resultJson(b))
    expect(resultJson(runAll(p, 0.03, { seed: 2 }).pv!)).not.toBe(resultJson(a))
  })
})
