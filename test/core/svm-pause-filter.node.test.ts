// The SVM pause filter per host version (core/kvm/svm-pause-filter.ts): before 4.17 a fixed count of 3000 PAUSEs with
// no threshold and no kvm_amd parameters; from 4.17 (8566ac8b8e7c) the count grows on a PAUSE exit and shrinks on a
// schedule-in — until 5.8 (830f01b089b1) only with pause_filter_thresh set. The real core runs for the model-level
// checks.
import { describe, it, expect } from 'vitest'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { SVM, VMX } from '../../core/kvm/backend.ts'
import { svmPauseFilterAdapts, svmPauseFilterParams, svmHasPauseFilterParams, SVM_FIXED_PAUSE_FILTER_COUNT } from '../../core/kvm/svm-pause-filter.ts'
import { pleEnabled, pleShrinksOnLoad } from '../../core/kvm/ple.ts'
import { ExitReason } from '../../core/output/exit-names.ts'
import { startedModel, vmExitCount } from '../helpers/model-runs.ts'

const pins = (n: number): string[] => Array.from({ length: n }, (_, i) => String(2 + i))

function profile(version: string, kvm: Record<string, unknown> = {}): Profile {
  const r = loadProfile({
    schemaVersion: 1,
    name: 'svm pause filter',
    host: { cpu: 'milan', topology: { sockets: 1, coresPerSocket: 16, threadsPerCore: 1 }, kernel: { version, cmdline: { nohzFull: '2-15', rcuNocbs: '2-15' } }, kvm },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 },
      pinning: { vcpupin: pins(8), emulatorpin: '0', iothreadpin: '1' },
      guest: { nopvspin: true },
      workload: { kind: 'fork-join', workNs: 200_000, spinNs: 0 },
      // 100 µs critical sections: many waits outlast the 3000-PAUSE count (≈70 µs on Zen), so the count decides how
      // often a wait exits — a fixed count on every such wait, a grown one on fewer (at 50 µs the waits sit at the
      // count and which side they fall on turns with every guest cost)
      contention: { spinlock: { acquisitionsPerSec: 5_000, holdNs: 100_000 } },
    }],
    run: { durationSec: 0.1, warmupSec: 0.02, seed: 1 },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

/** Runs the model in 20 µs steps and returns its pause exits and the largest pause-filter count any vCPU reached. */
function run(version: string, kvm: Record<string, unknown> = {}): { exits: number; maxCount: number; minCount: number } {
  const m = startedModel(profile(version, kvm), 'base', 0.05)
  let maxCount = 0
  let minCount = Infinity
  for (let t = 0; t < m.endNs; t += 20_000) {
    m.engine.run({ until: Math.min(t + 20_000, m.endNs) })
    for (const w of m.ple.pleWindow) { maxCount = Math.max(maxCount, w); minCount = Math.min(minCount, w) }
  }
  m.finish()
  return { exits: vmExitCount(m, 0, ExitReason.PAUSE_INSTRUCTION), maxCount, minCount }
}

describe('svm-pause-filter: the eras of svm.c', () => {
  it('kvm_amd has pause_filter_* parameters from 4.17 (8566ac8b8e7c); before, init_vmcb() uses a fixed 3000 and no threshold', () => {
    expect(svmHasPauseFilterParams('4.16')).toBe(false)
    expect(svmHasPauseFilterParams('4.17')).toBe(true)
    const asked = { ...SVM.pleDefaults, gap: 500, window: 128 }
    expect(svmPauseFilterParams('4.16.18', asked)).toEqual({ ...asked, gap: 0, window: SVM_FIXED_PAUSE_FILTER_COUNT })
    expect(svmPauseFilterParams('4.17', asked)).toEqual(asked)
    expect(SVM.pleParamsFor('4.4', asked).window).toBe(3000)
    expect(VMX.pleParamsFor('4.4', { ...VMX.pleDefaults, window: 128 }).window).toBe(128)
  })

  it('the count adapts: never before 4.17; 4.17–5.7 only `if (pause_filter_thresh)`; from 5.8 (and 5.7.13, 830f01b089b1) always', () => {
    expect(svmPauseFilterAdapts('4.16', 128)).toBe(false)
    expect(svmPauseFilterAdapts('4.17', 128)).toBe(true)
    expect(svmPauseFilterAdapts('4.17', 0)).toBe(false)
    expect(svmPauseFilterAdapts('5.7', 0)).toBe(false)
    expect(svmPauseFilterAdapts('5.7.13', 0)).toBe(true)
    expect(svmPauseFilterAdapts('5.8', 0)).toBe(true)
    expect(SVM.pleAdapts('4.16', SVM.pleDefaults)).toBe(false)
    expect(SVM.pleAdapts('5.4', { ...SVM.pleDefaults, gap: 0 })).toBe(false)
    expect(VMX.pleAdapts('4.4', VMX.pleDefaults)).toBe(true)
  })

  it('before 4.17 the pause filter is on whatever the profile asks (no parameters to turn it off), and no schedule-in shrinks it', () => {
    expect(pleEnabled({ vendor: 'svm', pleGap: 0, pauseInGuest: false, hostVersion: '4.16', pauseFilterCount: 3000, loopGapCycles: 1e6 })).toMatchObject({ enabled: true, reason: expect.stringMatching(/fixed count of 3000 and no threshold/) })
    expect(pleShrinksOnLoad({ vendor: 'svm', hostVersion: '4.16', afterScheduleOut: true, pauseInGuest: false, pleGap: 128 })).toBe(false)
    expect(pleShrinksOnLoad({ vendor: 'svm', hostVersion: '4.17', afterScheduleOut: true, pauseInGuest: false, pleGap: 128 })).toBe(true)
  })
})

describe('the model: a PAUSE exit grows the count only where the host adapts it', () => {
  const fixed = run('4.16')
  const dynamic = run('4.17')
  const threshZero = run('5.4', { pleGap: 0 })
  const current = run('6.8')
  const dynamicThreshZero = run('4.17', { pleGap: 0 })

  it('host 4.16 keeps every vCPU at 3000 PAUSEs through its pause exits; 4.17 and 6.8 grow it (×2 per exit, up to 65535)', () => {
    expect(fixed.exits).toBeGreaterThan(50)
    expect(fixed.maxCount).toBe(3000)
    expect(fixed.minCount).toBe(3000)
    expect(dynamic.maxCount).toBeGreaterThanOrEqual(6000)
    expect(current.maxCount).toBeGreaterThanOrEqual(6000)
  })

  it('4.17–5.7 with pause_filter_thresh=0: count-only filtering at a fixed count', () => {
    expect(threshZero.exits).toBeGreaterThan(50)
    expect(threshZero.maxCount).toBe(3000)
  })

  it('on the same host (4.17), a count held fixed by pause_filter_thresh=0 exits more often than one that grows after each exit', () => {
    expect(dynamicThreshZero.maxCount).toBe(3000)
    expect(dynamicThreshZero.exits).toBeGreaterThan(1.3 * dynamic.exits)
  })

  it('the decision says why the count stays, and the run warns of pause_filter_* values a 4.16 kvm_amd ignores', () => {
    const s = setupModel(resolveConfiguration(profile('4.16', { pleWindow: 70_000, pleGap: 500 }), 'base'), 1, 0.01)
    if (!s.ok) throw new Error(JSON.stringify(s.issues))
    expect(s.inputs.ple).toMatchObject({ window: 3000, gap: 0 })
    expect(s.warnings).toContainEqual(expect.stringMatching(/host\.kvm\.pleGap, host\.kvm\.pleWindow: kvm_amd on host 4\.16 has no pause_filter_\* parameters .*8566ac8b8e7c/))
    const t = setupModel(resolveConfiguration(profile('4.17', { pleWindow: 70_000 }), 'base'), 1, 0.01)
    expect(t.ok).toBe(false)
  })
})
