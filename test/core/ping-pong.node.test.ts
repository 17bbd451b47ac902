// The ping-pong workload (netperf TCP_RR-like): one transaction in flight per stream, the request over the VM's
// network path waking the sleeping server thread, the reply out with a TX notification. Between transactions the
// vCPUs idle, so how they idle (HLT exits and blocking, host halt polling, guest haltpoll, HLT passthrough) is on every
// transaction's round trip.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { workloadProfile, runAll, rerunJson, resultJson, exits } from '../helpers/workload-runs.ts'

const RTT = 20_000
const DURATION = 0.1
const noPoll = { host: { kvm: { haltPoll: { haltPollNs: 0 } } } }
const configs = {
  'no-polling': noPoll,
  'host-halt-poll': {},
  'guest-haltpoll': { vm: { kvm: { hintDedicated: true } } },
  'hlt-passthrough': { ...noPoll, vm: { kvm: { disableExits: { hlt: true } } } },
  'sriov-vf': { ...noPoll, vm: { io: 'sriov-vf' } },
  'four-streams': { ...noPoll, vm: { workload: { streams: 4 } } },
}
const profile = workloadProfile({ kind: 'ping-pong', networkRttNs: RTT }, configs)

describe('ping-pong (netperf TCP_RR-like)', () => {
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })
  const w = (c: string) => res[c]!.vms[0]!.workload

  it('is deterministic: the same seed gives the same result JSON, another seed another', () => {
    expect(rerunJson(profile, DURATION, 'no-polling')).toBe(resultJson(res['no-polling']!))
    expect(rerunJson(profile, DURATION, 'no-polling', 2)).not.toBe(resultJson(res['no-polling']!))
  })

  it('reports transactions per second and a round trip per transaction longer than the network RTT', () => {
    for (const c of Object.keys(configs)) {
      expect(w(c).kind).toBe('ping-pong')
      expect(w(c).unit).toBe('transactions')
      expect(w(c).latencyNs.p50).toBeGreaterThan(RTT)
    }
    // one transaction in flight per stream: throughput × mean round trip ≈ streams (Little's law, p50 for the mean)
    expect(w('no-polling').throughputPerSec * w('no-polling').latencyNs.p50 / 1e9).toBeGreaterThan(0.9)
    expect(w('no-polling').throughputPerSec * w('no-polling').latencyNs.p50 / 1e9).toBeLessThan(1.1)
    const four = w('four-streams')
    expect(four.throughputPerSec * four.latencyNs.p50 / 1e9).toBeGreaterThan(3.5)
    expect(four.throughputPerSec * four.latencyNs.p50 / 1e9).toBeLessThan(4.5)
  })

  it('virtio: every reply kicks vhost (an EPT_MISCONFIG exit per transaction); a VF transmits without one', () => {
    const tx = exits(res['no-polling']!, 'EPT_MISCONFIG', 'virtio-net TX notify (ioeventfd → vhost)')
    const n = w('no-polling').throughputPerSec * DURATION
    expect(tx / n).toBeGreaterThan(0.95)
    expect(tx / n).toBeLessThan(1.05)
    expect(exits(res['sriov-vf']!, 'EPT_MISCONFIG')).toBe(0)
  })

  it('the idle vCPUs are woken on every transaction: with HLT exits and halt_poll_ns=0 they block in between', () => {
    const r = res['no-polling']!
    expect(exits(r, 'HLT') / (w('no-polling').throughputPerSec * DURATION)).toBeGreaterThan(1.5)
    const rx = r.vms[0]!.vcpus[0]!
    expect(rx.time.blocked).toBeGreaterThan(rx.time.guestBusy)
    expect(r.vms[0]!.vcpus[0]!.time.hostPolling).toBe(0)
  })

  it('p50 round trip: HLT passthrough, guest haltpoll and host halt polling all beat HLT exits without polling', () => {
    const base = w('no-polling').latencyNs.p50
    expect(w('hlt-passthrough').latencyNs.p50).toBeLessThan(0.8 * base)
    expect(w('guest-haltpoll').latencyNs.p50).toBeLessThan(0.8 * base)
    expect(w('host-halt-poll').latencyNs.p50).toBeLessThan(0.8 * base)
    expect(w('hlt-passthrough').throughputPerSec).toBeGreaterThan(1.2 * w('no-polling').throughputPerSec)
  })

  it('the mechanisms: no HLT exits with passthrough; the host polls instead of blocking; a guest-polling vCPU needs no IPI', () => {
    expect(exits(res['hlt-passthrough']!, 'HLT')).toBe(0)
    const hp = res['host-halt-poll']!.vms[0]!.vcpus
    expect(hp[0]!.time.hostPolling).toBeGreaterThan(hp[0]!.time.blocked)
    // the softirq on vCPU 0 wakes the server on vCPU 1: an ICR write per transaction, unless vCPU 1 polls in the guest
    const icr = (c: string) => exits(res[c]!, 'MSR_WRITE', 'x2APIC ICR write (guest IPI)') / (w(c).throughputPerSec * DURATION)
    expect(icr('no-polling')).toBeGreaterThan(0.9)
    expect(icr('guest-haltpoll')).toBeLessThan(0.1)
  })
})
