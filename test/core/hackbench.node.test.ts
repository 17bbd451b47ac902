// The hackbench workload (message passing, threads mode): senders write every receiver of their group in turn; a
// write to a sleeping receiver wakes it (a WF_SYNC wake-up through select_task_rq_fair()), and on an idle vCPU that is a
// reschedule IPI — an ICR write, an MSR_WRITE exit unless IPI virtualization — and a halted vCPU's wake-up.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { COST_TABLES } from '../../core/costs/cost-tables.ts'
import { workloadProfile, runAll, rerunJson, resultJson, exits } from '../helpers/workload-runs.ts'
import { pipeMessages, socketMessages } from '../../core/sim/workloads/hackbench.ts'
import { formatConfigReport, loadProfile } from '../../core/index.ts'
import { finishedModel } from '../helpers/model-runs.ts'

const DURATION = 0.05
const ICR = 'x2APIC ICR write (guest IPI)'
const spr = (kvm: Record<string, unknown> = {}) => ({ cpu: 'sapphirerapids', kvm: { haltPoll: { haltPollNs: 0 }, ...kvm } })
const configs = {
  'socket': { host: spr({ enableIpiv: false }) },
  'pipe': { host: spr({ enableIpiv: false }), vm: { workload: { pipe: true } } },
  'ipiv': { host: spr() },
  'guest-haltpoll': { host: spr({ enableIpiv: false }), vm: { kvm: { hintDedicated: true } } },
  'oversubscribed': { host: spr({ enableIpiv: false }), vm: { workload: { groups: 2, fds: 4 } } },
}
const profile = workloadProfile({ kind: 'hackbench', groups: 1, fds: 2, mode: 'thread' }, configs)

describe('hackbench (message passing)', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })
  const w = (c: string) => res[c]!.vms[0]!.workload

  it('is deterministic: the same seed gives the same result JSON, another seed another', () => {
    expect(rerunJson(profile, DURATION, 'socket')).toBe(resultJson(res['socket']!))
    expect(rerunJson(profile, DURATION, 'socket', 3)).not.toBe(resultJson(res['socket']!))
  })

  it('reports messages per second; a message\'s latency covers at least its read', () => {
    const t = COST_TABLES.sapphirerapids
    for (const c of Object.keys(configs)) {
      expect(w(c).kind).toBe('hackbench')
      expect(w(c).unit).toBe('messages')
      expect(w(c).throughputPerSec).toBeGreaterThan(100_000)
    }
    expect(w('socket').latencyNs.p50).toBeGreaterThan(t.guestUnixRecv.minNs)
    expect(w('pipe').latencyNs.p50).toBeGreaterThan(t.guestPipeRead.minNs)
    // pipe_write()/pipe_read() are cheaper than unix_stream_sendmsg()/recvmsg(): more messages per second
    expect(w('pipe').throughputPerSec).toBeGreaterThan(w('socket').throughputPerSec)
  })

  it('full buffers block the writers and the reader wakes them: 16 threads on 4 vCPUs keep running, with queueing delay', () => {
    const o = w('oversubscribed')
    for (const perSec of o.series.perSec) expect(perSec).toBeGreaterThan(0)
    // messages wait behind a filled socket buffer (≈277 of them) for part of the time
    expect(o.latencyNs.p99).toBeGreaterThan(100 * COST_TABLES.sapphirerapids.guestUnixRecv.minNs)
  })

  it('without IPI virtualization each wake-up of an idle receiver is an ICR-write MSR_WRITE exit on the sender; with IPIv none', () => {
    const n = w('socket').throughputPerSec * DURATION
    expect(exits(res['socket']!, 'MSR_WRITE', ICR) / n).toBeGreaterThan(0.01)
    expect(exits(res['ipiv']!, 'MSR_WRITE', ICR)).toBe(0)
    // the ICR writes are most of the difference (both pay the guest's TSC-deadline writes of the idle tick)
    expect(exits(res['socket']!, 'MSR_WRITE') - exits(res['ipiv']!, 'MSR_WRITE')).toBeGreaterThan(0.5 * exits(res['socket']!, 'MSR_WRITE', ICR))
    // the senders stop paying the exits: more messages per second
    expect(w('ipiv').throughputPerSec).toBeGreaterThan(1.1 * w('socket').throughputPerSec)
  })

  it('receivers polling in the guest (cpuidle-haltpoll) are woken without an IPI (set_nr_if_polling())', () => {
    // per wake-up, well under half the IPIs: those left reach a receiver still switching to idle under its rq->lock
    // (__schedule(), core/guest/rq-lock.ts) — do_idle() sets TIF_POLLING_NRFLAG only once the idle task runs
    const loaded = loadProfile(profile)
    if (!loaded.ok) throw new Error('profile')
    const perWake = (c: string) => {
      const m = finishedModel(loaded.profile, c, DURATION)
      return exits(res[c]!, 'MSR_WRITE', ICR) / m.gsched.wakeups[0]!
    }
    expect(perWake('guest-haltpoll')).toBeLessThan(0.5 * perWake('socket'))
  })
})

describe('hackbench as rt-tests runs it: -P/-T, -p, -g/-f/-l/-s and "Time:"', () => {
  const D = 0.05
  const p = workloadProfile({ kind: 'hackbench' }, {
    'defaults': {},
    'defaults-pipe': { vm: { workload: { pipe: true } } },
    // switch_mm() made long enough to stand out of the seeds' spread (the cost table's 0.4 µs moves the rate by ~0.2 %)
    'process': { host: { costs: { guestSwitchMm: { minNs: 20_000, meanNs: 20_000, sigma: 0 } } } },
    'thread': { host: { costs: { guestSwitchMm: { minNs: 20_000, meanNs: 20_000, sigma: 0 } } }, vm: { workload: { mode: 'thread' } } },
    'short-runs': { vm: { workload: { groups: 1, fds: 2, loops: 5, mode: 'thread' } } },
    'own-vcpu-process': { vm: { workload: { groups: 1, fds: 2 } } },
    'own-vcpu-thread': { vm: { workload: { groups: 1, fds: 2, mode: 'thread' } } },
  })
  let r: Record<string, ConfigResult>
  beforeAll(() => { r = runAll(p, D) })
  const w = (c: string) => r[c]!.vms[0]!.workload
  const time = (c: string) => w(c).benchmark!.figures.find((f) => f.name === 'Time')!.value

  it('buffer capacities follow the message size: 640 100-byte messages a pipe (16 pages × 40), 277 a socket', () => {
    expect(pipeMessages(100)).toBe(640)
    expect(pipeMessages(4096)).toBe(16)
    expect(pipeMessages(10_000)).toBe(5)
    expect(socketMessages(100)).toBe(277)
    expect(socketMessages(4096)).toBeLessThan(socketMessages(100))
  })

  it('"Time:" is the time of one run: groups × fds receivers × fds × loops messages at the measured rate, printed as hackbench does', () => {
    // the defaults: 10 groups × 20 fds × 100 loops = 400,000 messages a run
    expect(time('defaults')).toBeCloseTo(400_000 / w('defaults').throughputPerSec, 6)
    expect(formatConfigReport(r['defaults']!)).toMatch(/\n {2}\| Time: \d+\.\d{3}\n/)
    // 400 tasks on 4 vCPUs: a fraction of a second, as hackbench's defaults take on a small machine
    expect(time('defaults')).toBeGreaterThan(0.05)
    expect(time('defaults')).toBeLessThan(2)
  })

  it('pipes are cheaper than AF_UNIX sockets: the default run takes less time with -p', () => {
    expect(time('defaults-pipe')).toBeLessThan(0.9 * time('defaults'))
  })

  it('processes (-P) pay a switch_mm() on every switch between tasks: slower than threads (-T)', () => {
    // one seed's 0.05 s swings by several % either way: over three seeds (the same -g/-f/-l, so "Time:" is the inverse
    // of the message rate), with hackbench's defaults (400 tasks on 4 vCPUs: nearly every switch is to another
    // process's task) and a 20 µs switch_mm() in both runs — only processes pay it; the table's 0.4 µs alone moves the
    // rate by less than the seeds' spread, so the comparison with it rested on the seeds' luck
    const rate = (c: string) => [1, 2, 3].reduce((a, seed) => a + runAll(p, D, { seed, names: [c] })[c]!.vms[0]!.workload.throughputPerSec, 0)
    expect(rate('process')).toBeLessThan(rate('thread'))
  })

  it('with one task per vCPU there is no switch between processes (idle keeps the mm lazily): -P and -T run alike', () => {
    expect(resultJson(r['own-vcpu-process']!).replace(/own-vcpu-process/g, '')).toBe(resultJson(r['own-vcpu-thread']!).replace(/own-vcpu-thread/g, ''))
  })

  it('runs follow each other: with -l 5 the run restarts every 20 messages per receiver and messages keep flowing', () => {
    const s = w('short-runs')
    expect(s.throughputPerSec).toBeGreaterThan(100_000)
    for (const perSec of s.series.perSec) expect(perSec).toBeGreaterThan(0)
    expect(time('short-runs')).toBeCloseTo((2 * 2 * 5) / s.throughputPerSec, 9)
  })
})
