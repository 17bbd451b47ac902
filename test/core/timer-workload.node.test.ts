// The timer workload (cyclictest-like): threads pinned one per vCPU sleep in clock_nanosleep(TIMER_ABSTIME); the
// guest LAPIC timer's interrupt expires their hrtimer and wakes them; latency = when the thread runs − its deadline.
// How far the idle vCPU's pCPU went (C-states after an HLT block, C1 under HLT passthrough, none with idle=poll) is
// what the latency shows.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { workloadProfile, runAll, rerunJson, resultJson, exits } from '../helpers/workload-runs.ts'

const DURATION = 0.1
const noPoll = { host: { kvm: { haltPoll: { haltPollNs: 0 } } } }
const configs = {
  'deep-cstates': noPoll,
  'hlt-passthrough': { ...noPoll, vm: { kvm: { disableExits: { hlt: true } } } },
  'host-idle-poll': { host: { kernel: { cmdline: { idle: 'poll' } }, kvm: { haltPoll: { haltPollNs: 0 } } } },
  'max-cstate-1': { host: { kernel: { cmdline: { intelIdleMaxCstate: 1 } }, kvm: { haltPoll: { haltPollNs: 0 } } } },
  'two-threads-d500': { ...noPoll, vm: { workload: { threads: 2, intervalUs: 1000, distanceUs: 500 } } },
  'eight-threads': { ...noPoll, vm: { workload: { threads: 8, intervalUs: 200 } } },
}
const profile = workloadProfile({ kind: 'timer' }, configs)

describe('timer (cyclictest-like)', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })
  const w = (c: string) => res[c]!.vms[0]!.workload

  it('is deterministic: the same seed gives the same result JSON, another seed another', () => {
    expect(rerunJson(profile, DURATION, 'deep-cstates')).toBe(resultJson(res['deep-cstates']!))
    expect(rerunJson(profile, DURATION, 'deep-cstates', 7)).not.toBe(resultJson(res['deep-cstates']!))
  })

  it('wakes each thread once per interval: threads × duration / interval wake-ups (-d adds to each thread\'s interval)', () => {
    // default: one thread per vCPU (4), -i 1000 µs
    expect(w('deep-cstates').kind).toBe('timer')
    expect(w('deep-cstates').unit).toBe('wake-ups')
    expect(w('deep-cstates').throughputPerSec).toBeGreaterThan(0.98 * 4 * 1000)
    expect(w('deep-cstates').throughputPerSec).toBeLessThan(1.02 * 4 * 1000)
    // -t 2 -i 1000 -d 500: 1000 + 666.7 per second
    expect(w('two-threads-d500').throughputPerSec).toBeGreaterThan(0.98 * (1000 + 1e6 / 1500))
    expect(w('two-threads-d500').throughputPerSec).toBeLessThan(1.02 * (1000 + 1e6 / 1500))
    // -t 8 on 4 vCPUs: one thread per vCPU at most
    expect(w('eight-threads').throughputPerSec).toBeGreaterThan(0.98 * 4 * 5000)
    expect(w('eight-threads').throughputPerSec).toBeLessThan(1.02 * 4 * 5000)
  })

  it('latency is never negative and includes at least the way back to user space', () => {
    for (const c of Object.keys(configs)) {
      const lat = w(c).latencyNs
      expect(lat.p50).toBeGreaterThan(400) // guestNanosleepExit's floor (200 ns) + the timer interrupt's (300 ns)
      expect(w(c).latencyHistogram[0]!.lowNs).toBeGreaterThanOrEqual(0)
      expect(lat.max).toBeGreaterThanOrEqual(lat.p99)
    }
  })

  it('p99 latency: much higher when the blocked vCPUs\' pCPUs sit in deep C-states than with HLT passthrough or host idle=poll', () => {
    const deep = w('deep-cstates').latencyNs.p99
    expect(deep).toBeGreaterThan(5 * w('hlt-passthrough').latencyNs.p99)
    expect(deep).toBeGreaterThan(5 * w('host-idle-poll').latencyNs.p99)
    // C6's 133 µs exit latency is in it: intel_idle.max_cstate=1 takes it out
    expect(deep).toBeGreaterThan(133_000)
    expect(w('max-cstate-1').latencyNs.p99).toBeLessThan(50_000)
  })

  it('the mechanism: each period is an HLT exit, a block and a wake-up with HLT exits; none with passthrough', () => {
    const n = w('deep-cstates').throughputPerSec * DURATION
    expect(exits(res['deep-cstates']!, 'HLT') / n).toBeGreaterThan(0.9)
    expect(exits(res['hlt-passthrough']!, 'HLT')).toBe(0)
    for (const v of res['deep-cstates']!.vms[0]!.vcpus) expect(v.time.blocked).toBeGreaterThan(0.9 * DURATION * 1e9)
    // arming the next period's hrtimer reprograms the TSC deadline: at least one MSR_WRITE per period
    expect(exits(res['deep-cstates']!, 'MSR_WRITE', 'TSC-deadline write (guest timer programming)') / n).toBeGreaterThan(0.9)
  })
})
