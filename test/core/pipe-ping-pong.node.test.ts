// The strict pipe ping-pong (perf bench sched pipe, lmbench lat_ctx, UnixBench's pipe-based context switching): one
// token passed back and forth between two tasks through two pipes. Every pass is a sync wake-up of a task blocked in
// read(); on another, idle vCPU that is a reschedule IPI (an ICR-write exit without IPIv) and a halted vCPU's
// wake-up; on one vCPU it is a context switch, with switch_mm() between two processes.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { formatConfigReport } from '../../core/index.ts'
import { COST_TABLES } from '../../core/costs/cost-tables.ts'
import { workloadProfile, runAll, rerunJson, resultJson, exits } from '../helpers/workload-runs.ts'

const DURATION = 0.03
const ICR = 'x2APIC ICR write (guest IPI)'
const spr = (kvm: Record<string, unknown> = {}) => ({ cpu: 'sapphirerapids', kvm: { haltPoll: { haltPollNs: 0 }, ...kvm } })
const oneVcpu = { vcpus: 1, pinning: { vcpupin: ['4'], emulatorpin: '0', iothreadpin: '1' } }
const configs = {
  'no-ipiv': { host: spr({ enableIpiv: false }) },
  'ipiv': { host: spr() },
  'guest-haltpoll': { host: spr({ enableIpiv: false }), vm: { kvm: { hintDedicated: true } } },
  'one-vcpu-processes': { host: spr(), vm: oneVcpu },
  'one-vcpu-threads': { host: spr(), vm: { ...oneVcpu, workload: { mode: 'thread' } } },
}
const profile = workloadProfile({ kind: 'ping-pong', transport: 'pipe' }, configs)

describe('pipe ping-pong (perf bench sched pipe)', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })
  const w = (c: string) => res[c]!.vms[0]!.workload
  const fig = (c: string, name: string) => w(c).benchmark!.figures.find((f) => f.name === name)!.value

  it('is deterministic: the same seed gives the same result JSON, another seed another', () => {
    expect(rerunJson(profile, DURATION, 'no-ipiv')).toBe(resultJson(res['no-ipiv']!))
    expect(rerunJson(profile, DURATION, 'no-ipiv', 5)).not.toBe(resultJson(res['no-ipiv']!))
  })

  it('reports round trips and perf\'s lines: usecs/op = 10⁶ / ops/sec, Total time = loops × usecs/op', () => {
    const t = COST_TABLES.sapphirerapids
    for (const c of Object.keys(configs)) {
      expect(w(c).unit).toBe('round trips')
      expect(fig(c, 'usecs/op')).toBeCloseTo(1e6 / w(c).throughputPerSec, 3)
      expect(fig(c, 'ops/sec')).toBeCloseTo(w(c).throughputPerSec, 0)
      expect(fig(c, 'Total time')).toBeCloseTo(1_000_000 * fig(c, 'usecs/op') / 1e6, 3)
      // a round trip is at least two writes and two reads; the mean latency is the round trip
      expect(w(c).latencyNs.p50).toBeGreaterThan(2 * (t.guestPipeWrite.minNs + t.guestPipeRead.minNs))
      expect(w(c).meanLatencyNs).toBeCloseTo(fig(c, 'usecs/op') * 1000, -2)
    }
    const text = formatConfigReport(res['ipiv']!)
    expect(text).toMatch(/Total time: \d+\.\d{3} \[sec\]\n/)
    expect(text).toMatch(/ +\d+\.\d{6} usecs\/op\n/)
    expect(text).toMatch(/ +\d+ ops\/sec\n/)
  })

  it('on two vCPUs every pass wakes an idle vCPU: an ICR-write exit per pass without IPIv, none with IPIv', () => {
    const ops = w('no-ipiv').throughputPerSec * DURATION
    // two passes a round trip, each an IPI to the halted reader (the first seconds' ops were before warm-up)
    expect(exits(res['no-ipiv']!, 'MSR_WRITE', ICR) / ops).toBeGreaterThan(1.5)
    expect(exits(res['ipiv']!, 'MSR_WRITE', ICR)).toBe(0)
    // each pass also halts the writer's vCPU: about two HLT exits a round trip
    expect(exits(res['ipiv']!, 'HLT') / (w('ipiv').throughputPerSec * DURATION)).toBeGreaterThan(1.5)
    // (the round trip itself barely moves: the IPI leaves at the ICR write, so the exit is after it, off the path)
  })

  it('a reader polling in guest idle (cpuidle-haltpoll) is woken without an IPI and sooner than from HLT', () => {
    expect(exits(res['guest-haltpoll']!, 'MSR_WRITE', ICR)).toBeLessThan(0.1 * exits(res['no-ipiv']!, 'MSR_WRITE', ICR))
    expect(fig('guest-haltpoll', 'usecs/op')).toBeLessThan(fig('no-ipiv', 'usecs/op'))
  })

  it('on one vCPU (taskset -c 0) there is no IPI, and two processes pay switch_mm() that two threads (-T) do not', () => {
    expect(exits(res['one-vcpu-processes']!, 'MSR_WRITE', ICR)).toBe(0)
    const d = fig('one-vcpu-processes', 'usecs/op') - fig('one-vcpu-threads', 'usecs/op')
    // two switches per round trip, each a guestSwitchMm (mean 0.4 µs at 2.4 GHz, less at Sapphire Rapids' clock)
    expect(d).toBeGreaterThan(0.3)
    expect(d).toBeLessThan(2)
    // the one-vCPU round trip is cheaper than waking another vCPU from HLT
    expect(fig('one-vcpu-threads', 'usecs/op')).toBeLessThan(fig('no-ipiv', 'usecs/op'))
  })
})
