// The guest's idle path by cpuidle driver, end to end on the halt-polling example (redis at 20,000 requests/s
// open loop, 4 vCPUs idling between requests): without a driver every idle period stops and restarts the tick
// (two TSC-deadline writes) unless a timer is due within a tick; cpuidle-haltpoll polls first and halts less; with
// MWAIT passed through, intel_idle's menu governor puts long idles in deep C-states and pays their exit latency.
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { loadProfile, runConfiguration, resolveConfiguration } from '../../core/index.ts'
import type { ConfigResult } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { HostModel } from '../../core/sim/host-model.ts'
import { St } from '../../core/sim/constants.ts'

const base = JSON.parse(readFileSync(new URL('../../examples/halt-polling.json', import.meta.url), 'utf8')) as Record<string, unknown>

const MWAIT_PASS = { mwait: true, hlt: true, pause: false, cstate: false }

function profileWith(vm: Record<string, unknown>, opts: { workload?: Record<string, unknown> } = {}): unknown {
  const p = structuredClone(base) as { vms: { workload: Record<string, unknown> }[]; configurations: unknown[] }
  // no hrtimers from the requests: what stops the tick is the idle loop alone
  const w = opts.workload ?? {}
  p.vms[0]!.workload = w.kind === undefined || w.kind === 'redis' ? { ...p.vms[0]!.workload, guestTimersPerRequest: 0, ...w } : w
  p.configurations = [{ name: 'c', overrides: { host: { kvm: { haltPoll: { haltPollNs: 0 } } }, vm } }]
  return p
}

function run(vm: Record<string, unknown>, opts: { workload?: Record<string, unknown> } = {}): ConfigResult {
  const r = loadProfile(profileWith(vm, opts))
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return runConfiguration(r.profile, 'c', { durationSec: 0.2 })
}

const count = (r: ConfigResult, reason: string): number => r.allVms.exits.find((e) => e.reason === reason)?.count ?? 0
const decision = (r: ConfigResult, id: string): string => r.vms[0]!.decisions.find((d) => d.id === id)?.value ?? ''

describe('guest idle without a cpuidle driver (default_idle_call(), tick_nohz_idle_stop_tick() on every idle entry)', () => {
  it('each idle period pays two TSC-deadline writes: the tick stop and tick_nohz_idle_exit()\'s restart', () => {
    const r = run({})
    expect(decision(r, 'guest-cpuidle')).toBe('none')
    const hlt = count(r, 'HLT')
    const msr = count(r, 'MSR_WRITE')
    expect(hlt).toBeGreaterThan(1000)
    // idle periods ≈ HLT exits (a few halts end in an interrupt that wakes nothing and halt again)
    expect(msr / hlt).toBeGreaterThan(1.6)
    expect(msr / hlt).toBeLessThan(2.2)
  })
  it('nohz=off: the tick never stops, so idle periods write no deadline (the tick interrupts write one each instead)', () => {
    const nohz = run({})
    const periodic = run({ guest: { tickMode: 'periodic' } })
    expect(count(periodic, 'MSR_WRITE')).toBeLessThan(count(nohz, 'MSR_WRITE') / 2)
  })
  it('a guest hrtimer due within a tick keeps the tick running (tick_nohz_next_event()): fewer writes per idle', () => {
    const quiet = run({})
    const timers = run({}, { workload: { guestTimersPerRequest: 1, guestTimerDelayNs: 300_000 } })
    const perHlt = (r: ConfigResult): number => count(r, 'MSR_WRITE') / count(r, 'HLT')
    expect(perHlt(timers)).toBeLessThan(perHlt(quiet))
  })
})

describe('guest idle=poll and the tick per version (do_idle(): tick_nohz_idle_enter() before 4.17, tick_nohz_idle_restart_tick() after)', () => {
  it('a 4.16 guest stops the tick on each idle entry even though it polls: a TSC-deadline write per idle entry and one per exit; a 4.17 guest keeps the tick and writes far fewer', () => {
    const old = run({ guest: { kernelVersion: '4.16', idlePoll: true } })
    const cur = run({ guest: { kernelVersion: '4.17', idlePoll: true } })
    expect(count(old, 'HLT') + count(cur, 'HLT')).toBe(0)
    expect(count(old, 'MSR_WRITE')).toBeGreaterThan(1.5 * count(cur, 'MSR_WRITE'))
  })
})

describe('guest acpi_idle (C1 = HLT) with menu', () => {
  it('menu keeps the tick for idles shorter than a tick: far fewer TSC-deadline writes than without a driver, the same HLTs', () => {
    const none = run({})
    const acpi = run({ guest: { cpuidle: { driver: 'acpi_idle' } } })
    expect(decision(acpi, 'guest-cpuidle')).toBe('acpi_idle + menu')
    expect(count(acpi, 'MSR_WRITE')).toBeLessThan(count(none, 'MSR_WRITE') / 2)
    expect(count(acpi, 'HLT')).toBeGreaterThan(count(none, 'HLT') / 2)
  })
})

/** Steps the bare model and samples, after every event, each vCPU's state and GuestIdle.pollingNrflag(). */
function pollingSamples(vm: Record<string, unknown>): { pollingInPoll: number; pollingOutside: number; pollingWhileHalted: number } {
  const r = loadProfile(profileWith(vm))
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  const s = setupModel(resolveConfiguration(r.profile, 'c'), 1, 0.05)
  if (!s.ok) throw new Error(JSON.stringify(s.issues))
  const m = new HostModel(s.inputs)
  m.start()
  const out = { pollingInPoll: 0, pollingOutside: 0, pollingWhileHalted: 0 }
  while (m.engine.step() && m.engine.now < m.endNs) {
    for (let g = 0; g < m.nV; g++) {
      if (!m.idle.pollingNrflag(g)) continue
      const st = m.vcpu.state[g]
      if (st === St.GUEST_POLL) out.pollingInPoll++
      else out.pollingOutside++
      if (st === St.GUEST_HLT || st === St.BLOCKED) out.pollingWhileHalted++
    }
  }
  return out
}

describe('TIF_POLLING_NRFLAG for the guest scheduler (GuestIdle.pollingNrflag())', () => {
  it('set while cpuidle-haltpoll polls (and while an interrupt is handled inside the poll), never while halted', () => {
    const hp = pollingSamples({ kvm: { hintDedicated: true } })
    expect(hp.pollingInPoll).toBeGreaterThan(1000)
    expect(hp.pollingWhileHalted).toBe(0)
  })
  it('never set without a driver: default_idle_call() clears it before HLT', () => {
    const none = pollingSamples({})
    expect(none.pollingInPoll + none.pollingOutside).toBe(0)
  })
})

describe('guest cpuidle-haltpoll (haltpoll governor)', () => {
  it('polls before halting: far fewer HLT exits than without a driver, and no tick stop for the idles a poll catches', () => {
    const none = run({})
    const hp = run({ kvm: { hintDedicated: true } })
    expect(decision(hp, 'guest-cpuidle')).toBe('cpuidle-haltpoll')
    expect(count(hp, 'HLT')).toBeLessThan(count(none, 'HLT') / 4)
    expect(count(hp, 'MSR_WRITE')).toBeLessThan(count(none, 'MSR_WRITE') / 2)
  })
})

describe('guest intel_idle with MWAIT passed through (menu governor)', () => {
  it('long idles go to deep C-states: requests that wake an idle vCPU wait for C6\'s exit latency, unlike MWAIT C1 without a driver', () => {
    const load = { workload: { ratePerSec: 2_000 } }
    const menu = run({ kvm: { disableExits: MWAIT_PASS } }, load)
    const c1 = run({ kvm: { disableExits: MWAIT_PASS }, guest: { cpuidle: { driver: 'none' } } }, load)
    expect(decision(menu, 'guest-cpuidle')).toBe('intel_idle + menu')
    expect(count(menu, 'HLT') + count(menu, 'MWAIT_INSTRUCTION')).toBe(0)
    // skx C6 exits in 133 µs against C1's 2 µs: the median request latency grows by most of it
    expect(menu.vms[0]!.workload.latencyNs.p50 - c1.vms[0]!.workload.latencyNs.p50).toBeGreaterThan(60_000)
  })
  it('short idles stay shallow: at 50,000 requests/s the gap to MWAIT C1 is far smaller', () => {
    const load = { workload: { ratePerSec: 50_000 } }
    const menu = run({ kvm: { disableExits: MWAIT_PASS } }, load)
    const c1 = run({ kvm: { disableExits: MWAIT_PASS }, guest: { cpuidle: { driver: 'none' } } }, load)
    expect(menu.vms[0]!.workload.latencyNs.p50 - c1.vms[0]!.workload.latencyNs.p50).toBeLessThan(30_000)
  })
})

describe('intel_idle: the governor and the guest version', () => {
  it('teo (guest 5.1+) counts intercepts: when most idle periods end well before the next timer (interrupt-driven\n' +
    'wake-ups) it stays shallower than menu, whose correction factor averages them with the long ones', () => {
    const load = { workload: { ratePerSec: 2_000 } }
    const teo = run({ kvm: { disableExits: MWAIT_PASS }, guest: { cpuidle: { governor: 'teo' } } }, load)
    const menu = run({ kvm: { disableExits: MWAIT_PASS } }, load)
    expect(decision(teo, 'guest-cpuidle')).toBe('intel_idle + teo')
    expect(teo.vms[0]!.workload.latencyNs.p50).toBeLessThan(menu.vms[0]!.workload.latencyNs.p50 / 2)
  })
  it('idles that end at their timer (threads sleeping 5 ms in clock_nanosleep()) are hits: menu and teo both pick C6', () => {
    const timer = { kind: 'timer', intervalUs: 5_000 }
    const p50 = (vm: Record<string, unknown>): number => run(vm, { workload: timer }).vms[0]!.workload.latencyNs.p50
    const c1 = p50({ kvm: { disableExits: MWAIT_PASS }, guest: { cpuidle: { driver: 'none' } } })
    expect(c1).toBeLessThan(50_000)
    for (const governor of ['menu', 'teo']) expect(p50({ kvm: { disableExits: MWAIT_PASS }, guest: { cpuidle: { governor } } })).toBeGreaterThan(c1 + 100_000)
  })
  it('short idles: from 4.17 menu keeps the tick (no TSC-deadline writes for them); before 4.17 it is stopped on every idle entry', () => {
    const load = { workload: { ratePerSec: 50_000 } }
    const v68 = run({ kvm: { disableExits: MWAIT_PASS } }, load)
    const v414 = run({ kvm: { disableExits: MWAIT_PASS }, guest: { kernelVersion: '4.14' } }, load)
    expect(decision(v414, 'guest-cpuidle')).toBe('intel_idle + menu')
    expect(count(v414, 'MSR_WRITE')).toBeGreaterThan(count(v68, 'MSR_WRITE') * 2)
  })
})
