// Issue 4's headline scenario (virt/kvm/kvm_main.c kvm_sched_out(), x86.c kvm_steal_time_set_preempted()): with HLT exits on a host before 5.19, KVM marks every
// HLT-blocked vCPU preempted (kvm_arch_vcpu_put() → kvm_steal_time_set_preempted()); the guest's
// available_idle_cpu() then passes those vCPUs over, select_idle_sibling()'s LLC scan (select_idle_cpu()) finds no
// idle one, and woken fork-join threads queue behind busy vCPUs. A host ≥ 5.19 does not mark them, and a
// 48-socket × 1-core guest has no LLC scan at all (per_cpu(sd_llc) is NULL), so neither slows down.
import { readFileSync } from 'node:fs'
import { describe, it, expect, beforeAll } from 'vitest'
import { finishedModel } from '../helpers/model-runs.ts'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import type { ConfigResult, Profile } from '../../core/index.ts'

const example = JSON.parse(readFileSync(new URL('../../examples/preempted-hlt.json', import.meta.url), 'utf8')) as unknown
const DURATION = 0.1

function load(): Profile {
  const r = loadProfile(example)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

/** Runs a configuration on the bare model to read the guest scheduler's counters. */
function schedCounters(p: Profile, config: string): { wakeups: number; migrations: number; stacked: number } {
  const m = finishedModel(p, config, DURATION)
  return { wakeups: m.wakeups[0]!, migrations: m.migrations[0]!, stacked: m.stackedWakeups[0]! }
}

const ips = (r: ConfigResult): number => r.vms[0]!.workload.throughputPerSec
const decision = (r: ConfigResult, id: string): string => r.vms[0]!.decisions.find((d) => d.id === id)!.value

describe('examples/preempted-hlt.json: fork-join, 48 vCPUs pinned 1:1, HLT exits on', () => {
  const res: Record<string, ConfigResult> = {}
  let p: Profile
  beforeAll(() => {
    p = load()
    for (const c of ['host-5.15', 'host-6.1', 'hlt-passthrough', 'flat-5.15', 'flat-6.1']) res[c] = runConfiguration(p, c, { durationSec: DURATION })
  })

  it('reports iterations: throughput per second and the time per iteration', () => {
    const w = res['host-6.1']!.vms[0]!.workload
    expect(w.kind).toBe('fork-join')
    expect(w.unit).toBe('iterations')
    expect(w.throughputPerSec).toBeGreaterThan(0)
    // one iteration per p50 time, roughly
    expect(w.throughputPerSec * w.latencyNs.p50 / 1e9).toBeGreaterThan(0.8)
    expect(w.throughputPerSec * w.latencyNs.p50 / 1e9).toBeLessThan(1.25)
  })

  it('2 sockets × 24 cores: slower on a 5.15 host than on a 6.1 host', () => {
    expect(ips(res['host-5.15']!)).toBeLessThan(0.9 * ips(res['host-6.1']!))
    expect(decision(res['host-5.15']!, 'idle-vcpu-available')).toBe('HLT-blocked vCPUs look preempted')
    expect(decision(res['host-6.1']!, 'idle-vcpu-available')).toBe('available')
  })

  it('HLT passthrough on the 5.15 host removes the slowdown (no HLT block, no preempted flag)', () => {
    expect(ips(res['hlt-passthrough']!)).toBeGreaterThan(0.97 * ips(res['host-6.1']!))
  })

  it('48 sockets × 1 core: no difference between the hosts (within 3 %) — no LLC scan', () => {
    const ratio = ips(res['flat-5.15']!) / ips(res['flat-6.1']!)
    expect(ratio).toBeGreaterThan(0.97)
    expect(ratio).toBeLessThan(1.03)
    expect(decision(res['flat-5.15']!, 'llc-scan')).toBe('none (one vCPU per LLC)')
  })

  it('the mechanism: on 5.15 wakees are moved off their preempted prev and queue behind running threads; not on 6.1 nor flat', () => {
    const old = schedCounters(p, 'host-5.15')
    const neu = schedCounters(p, 'host-6.1')
    const flat = schedCounters(p, 'flat-5.15')
    expect(old.migrations).toBeGreaterThan(0)
    expect(old.stacked / old.wakeups).toBeGreaterThan(0.05)
    expect(neu.stacked).toBe(0)
    expect(neu.migrations).toBe(0)
    expect(flat.stacked).toBe(0)
    expect(flat.migrations).toBe(0)
  })
})

describe('workload schema', () => {
  it('rejects an unknown workload kind, naming the field and the known kinds', () => {
    const bad = JSON.parse(JSON.stringify(example)) as { vms: { workload: { kind: string } }[] }
    bad.vms[0]!.workload.kind = 'forkjoin'
    const r = loadProfile(bad)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.issues[0]!.path).toBe('vms[0].workload.kind')
      expect(r.issues[0]!.fix).toContain('"fork-join"')
    }
  })
  it('fills the fork-join defaults (threads 0 = one per vCPU)', () => {
    const r = loadProfile({ schemaVersion: 1, vms: [{ workload: { kind: 'fork-join' } }] })
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.profile.vms[0]!.workload).toEqual({ kind: 'fork-join', threads: 0, workNs: 100_000, workSigma: 0.3, spinNs: 20_000 })
  })
})
