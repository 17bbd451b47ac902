// The four idle/timer validation cases the model once missed, run from their own profiles (examples/validation/
// profiles/): the direction each now takes and the mechanism behind it — where the vCPU is when its timer expires
// (halted and blocked, or in guest mode), how the expiry reaches it (PREEMPTION_TIMER, EXTERNAL_INTERRUPT, posted),
// the VM-entry after kvm_wait_lapic_expire(), and host halt polling's window on an idle 250 Hz guest.
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import type { ConfigResult, Profile } from '../../core/index.ts'
import { metricValue } from '../../core/validation/metric.ts'

function profile(file: string, edit: (p: Record<string, any>) => void = () => {}): Profile {
  const raw = JSON.parse(readFileSync(new URL(`../../examples/validation/profiles/${file}`, import.meta.url), 'utf8')) as Record<string, any>
  edit(raw)
  const r = loadProfile(raw)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}
const run = (p: Profile, c: string, durationSec = 0.2): ConfigResult => runConfiguration(p, c, { durationSec })
/** A case's baseline and changed configurations from its profile (edited first when `edit` is given). */
function pair(file: string, base: string, changed: string, edit?: (p: Record<string, any>) => void): [ConfigResult, ConfigResult] {
  const p = profile(file, edit)
  return [run(p, base), run(p, changed)]
}
const mean = (r: ConfigResult) => r.vms[0]!.workload.meanLatencyNs
const busy = (r: ConfigResult) => metricValue(r, { kind: 'pcpu-busy' })
const exitCount = (r: ConfigResult, reason: string) => r.allVms.exits.find((e) => e.reason === reason)?.count ?? 0

describe('hv-timer-cyclictest (ce7a058a2117): the preemption timer helps only a vCPU in guest mode at the expiry', () => {
  it('guest idle=poll (the profile): PREEMPTION_TIMER exits replace the hrtimer\'s EXTERNAL_INTERRUPT exits and the mean latency falls', () => {
    const [sw, hv] = pair('hv-timer-ce7a058a2117.json', 'sw-timer', 'hv-timer')
    expect(exitCount(hv, 'PREEMPTION_TIMER')).toBeGreaterThan(500)
    expect(exitCount(hv, 'EXTERNAL_INTERRUPT')).toBeLessThan(0.1 * exitCount(sw, 'EXTERNAL_INTERRUPT'))
    expect(mean(hv)).toBeLessThan(0.97 * mean(sw))
  })
  it('with HLT exits the vCPU blocks, vmx_pre_block() switches to an hrtimer, and the C-state exit sets the latency: no change (the commit: <1 % when the test halts)', () => {
    const [sw, hv] = pair('hv-timer-ce7a058a2117.json', 'sw-timer', 'hv-timer', (j) => { j.vms[0].guest.idlePoll = false })
    expect(mean(sw)).toBeGreaterThan(50_000)
    expect(Math.abs(mean(hv) / mean(sw) - 1)).toBeLessThan(0.01)
  })
})

describe('timer-advance-cyclictest: the dropped vmentry_advance_ns patch (experimental knob)', () => {
  it('ending kvm_wait_lapic_expire() 300 ns early lands the interrupt after the VM-entry at the deadline: a lower mean, no extra TSC-deadline writes', () => {
    const [base, patched] = pair('timer-advance-cyclictest.json', 'host-5.2', 'vmentry-advance')
    expect(mean(patched)).toBeLessThan(mean(base) - 150)
    expect(exitCount(patched, 'MSR_WRITE')).toBeLessThan(1.05 * exitCount(base, 'MSR_WRITE'))
  })
})

describe('did-interrupt-latency: posted timer interrupts against delivery through the host, a running vCPU', () => {
  it('the expiry-to-handler latency of tscdeadline_latency falls by most of its length: no exit on the vCPU', () => {
    const [host, direct] = pair('did-timer-latency.json', 'via-host', 'direct')
    expect(exitCount(host, 'EXTERNAL_INTERRUPT')).toBeGreaterThan(1000)
    expect(exitCount(direct, 'EXTERNAL_INTERRUPT')).toBe(0)
    expect(mean(direct)).toBeLessThan(0.5 * mean(host))
  })
})

describe('halt-poll-dynamic-idle (aca6ff29c406): an idle 250 Hz guest under adaptive halt polling', () => {
  const busyPair = (bgPerSec?: number): [number, number] => {
    const p = profile('halt-poll-idle-aca6ff29c406.json', (j) => { if (bgPerSec !== undefined) j.vms[0].guest.backgroundTimersPerSec = bgPerSec })
    return [busy(run(p, 'no-poll', 1)), busy(run(p, 'dynamic-poll', 1))]
  }
  it('tick halts alone (4 ms, longer than halt_poll_ns) keep the window at 0: no poll, the busy share does not move', () => {
    const [off, dyn] = busyPair(0)
    expect(dyn).toBe(off)
  })
  it('the housekeeping timers\' short halts grow the window (0 → 10 µs) and the next halt polls: a small rise, larger with more of them', () => {
    const [off, dyn] = busyPair()
    expect(dyn / off - 1).toBeGreaterThan(0.005)
    expect(dyn / off - 1).toBeLessThan(0.05)
    const [off200, dyn200] = busyPair(200)
    expect(dyn200 / off200 - 1).toBeGreaterThan(dyn / off - 1)
  })
})
