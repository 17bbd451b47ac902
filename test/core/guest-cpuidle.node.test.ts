// The guest idle loop's decisions per driver and guest version: which cpuidle driver registers
// (cpuidle_register_driver()), whether the idle tick stops (tick_nohz_next_event()/can_stop_idle_tick()), and the
// governors' select/reflect (haltpoll_select(), menu_select(), teo_select()).
import { describe, it, expect } from 'vitest'
import { resolveCpuidle, selectBeforeTickStop, CpuidleDriver, CpuidleGovernor } from '../../core/guest/cpuidle-driver.ts'
import type { CpuidleInputs } from '../../core/guest/cpuidle-driver.ts'
import { haltpollSelect, haltpollResidencyNs } from '../../core/guest/haltpoll.ts'
import { tickNohzCanStopIdle, idlePollStopsTick } from '../../core/guest/tick-stop.ts'
import { MenuGovernor, whichBucket } from '../../core/guest/cpuidle-menu.ts'
import { TeoGovernor } from '../../core/guest/cpuidle-teo.ts'
import { mwaitStates, pollTimeNs } from '../../core/guest/cpuidle-states.ts'

const inp = (o: Partial<CpuidleInputs> = {}): CpuidleInputs => ({
  guestVersion: '6.8', driver: 'auto', governor: 'menu', mwaitExposed: false, vendor: 'vmx', haltpollLoads: false, haltpollReason: 'no KVM_HINTS_REALTIME', idlePoll: false, ...o,
})

// intel_idle skx_cstates: C1 2/2, C1E 10/20, C6 133/600 µs (exit latency / target residency)
const skx = mwaitStates([
  { exitLatencyNs: 2_000, targetResidencyNs: 2_000 },
  { exitLatencyNs: 10_000, targetResidencyNs: 20_000 },
  { exitLatencyNs: 133_000, targetResidencyNs: 600_000 },
])

describe('cpuidle_register_driver(): the guest\'s driver', () => {
  it('no MWAIT, no cpuidle-haltpoll: none — cpuidle_idle_call() takes default_idle_call()', () => {
    const r = resolveCpuidle(inp())
    expect(r).toMatchObject({ ok: true, driver: CpuidleDriver.NONE, value: 'none' })
    expect(r.reason).toContain('default_idle_call()')
  })
  it('haltpoll_init() loads (5.4+, KVM_HINTS_REALTIME): cpuidle-haltpoll', () => {
    expect(resolveCpuidle(inp({ haltpollLoads: true })).driver).toBe(CpuidleDriver.HALTPOLL)
  })
  it('MWAIT exposed on Intel: intel_idle registers first (drivers/idle/ links before drivers/cpuidle/), cpuidle-haltpoll gets -EBUSY', () => {
    const r = resolveCpuidle(inp({ mwaitExposed: true, haltpollLoads: true }))
    expect(r.driver).toBe(CpuidleDriver.INTEL_IDLE)
    expect(r.value).toBe('intel_idle + menu')
  })
  it('MWAIT on AMD: no intel_idle; cpuidle-haltpoll or none', () => {
    expect(resolveCpuidle(inp({ mwaitExposed: true, vendor: 'svm' })).driver).toBe(CpuidleDriver.NONE)
    expect(resolveCpuidle(inp({ mwaitExposed: true, vendor: 'svm', haltpollLoads: true })).driver).toBe(CpuidleDriver.HALTPOLL)
  })
  it('teo from guest 5.1 ("cpuidle: New timer events oriented governor for tickless systems"); older guests run menu', () => {
    expect(resolveCpuidle(inp({ mwaitExposed: true, governor: 'teo', guestVersion: '5.1' })).governor).toBe(CpuidleGovernor.TEO)
    const old = resolveCpuidle(inp({ mwaitExposed: true, governor: 'teo', guestVersion: '5.0' }))
    expect(old.governor).toBe(CpuidleGovernor.MENU)
    expect(old.reason).toContain('only from guest 5.1')
  })
  it('idle=poll: no driver; cpuidle.off=1 ("none") wins over everything', () => {
    expect(resolveCpuidle(inp({ idlePoll: true, mwaitExposed: true })).value).toContain('idle=poll')
    expect(resolveCpuidle(inp({ driver: 'none', mwaitExposed: true, haltpollLoads: true })).driver).toBe(CpuidleDriver.NONE)
  })
  it('acpi_idle only when the profile says the guest registers it (C1 = HLT, menu or teo); never chosen by "auto"', () => {
    const r = resolveCpuidle(inp({ driver: 'acpi_idle', haltpollLoads: true }))
    expect(r).toMatchObject({ ok: true, driver: CpuidleDriver.ACPI_IDLE, value: 'acpi_idle + menu' })
    expect(resolveCpuidle(inp({ driver: 'acpi_idle', governor: 'teo' })).governor).toBe(CpuidleGovernor.TEO)
    for (const mwaitExposed of [false, true]) expect(resolveCpuidle(inp({ mwaitExposed, vendor: 'svm' })).driver).not.toBe(CpuidleDriver.ACPI_IDLE)
  })
  it('a driver the guest cannot register is refused with the reason and the fix', () => {
    const i = resolveCpuidle(inp({ driver: 'intel_idle' }))
    expect(i.ok).toBe(false)
    expect(i.reason).toContain('MWAIT')
    const h = resolveCpuidle(inp({ driver: 'haltpoll' }))
    expect(h.ok).toBe(false)
    expect(h.reason).toContain('KVM_HINTS_REALTIME')
    expect(h.fix).toContain('hintDedicated')
  })
  it('cpuidle_idle_call(): the governor chooses before the tick stops from 4.17 ("sched: idle: Do not stop the tick upfront in the idle loop")', () => {
    expect(selectBeforeTickStop('4.16')).toBe(false)
    expect(selectBeforeTickStop('4.17')).toBe(true)
    expect(resolveCpuidle(inp({ mwaitExposed: true, guestVersion: '4.14' })).reason).toContain('before 4.17')
  })
})

describe('tick_nohz_next_event() / can_stop_idle_tick() (kernel/time/tick-sched.c)', () => {
  it('stops the tick only when no timer is due before the next tick', () => {
    expect(tickNohzCanStopIdle('nohz-idle', 5_000_000, 1_000_000)).toBe(true)
    expect(tickNohzCanStopIdle('nohz-idle', 900_000, 1_000_000)).toBe(false)
    expect(tickNohzCanStopIdle('nohz-idle', Infinity, 1_000_000)).toBe(true)
  })
  it('nohz=off (periodic): never', () => {
    expect(tickNohzCanStopIdle('periodic', Infinity, 1_000_000)).toBe(false)
  })
})

describe('do_idle() with idle=poll (kernel/sched/idle.c): cpu_idle_poll() and the tick', () => {
  it('before 4.17 tick_nohz_idle_enter() stops the tick on idle entry, polling included; from 4.17 tick_nohz_idle_restart_tick() keeps it (2aaf709a518d)', () => {
    expect(idlePollStopsTick(selectBeforeTickStop('4.10'))).toBe(true)
    expect(idlePollStopsTick(selectBeforeTickStop('4.16'))).toBe(true)
    expect(idlePollStopsTick(selectBeforeTickStop('4.17'))).toBe(false)
    expect(idlePollStopsTick(selectBeforeTickStop('5.2'))).toBe(false)
  })
})

describe('haltpoll_select() / haltpoll_reflect() (drivers/cpuidle/governors/haltpoll.c)', () => {
  it('a zero per-CPU limit halts and lets the tick stop', () => {
    expect(haltpollSelect(0, 1, false)).toEqual({ state: 1, stopTick: true })
  })
  it('after a halt: poll, the tick kept', () => {
    expect(haltpollSelect(50_000, 1, false)).toEqual({ state: 0, stopTick: false })
  })
  it('after a poll that ran out its window (poll_time_limit): halt, the tick may stop', () => {
    expect(haltpollSelect(50_000, 0, true)).toEqual({ state: 1, stopTick: true })
  })
  it('after a poll ended by an event: poll again, the tick kept', () => {
    expect(haltpollSelect(50_000, 0, false)).toEqual({ state: 0, stopTick: false })
  })
  it('the halt residency reaches adjust_poll_limit() in µs before 5.7 ("cpuidle: Use nanoseconds as the unit of time"), in ns after', () => {
    expect(haltpollResidencyNs(123_456.7, false)).toBe(123_000)
    expect(haltpollResidencyNs(123_456.7, true)).toBe(123_456)
  })
})

/** A menu governor whose history (intervals[], correction factors) holds idles that lasted until their 5 ms timer:
 *  a fresh one has zero intervals, and get_typical_interval() then predicts 0 as on a just-booted CPU. */
function trainedMenu(): MenuGovernor {
  const m = new MenuGovernor(1)
  for (let i = 0; i < 10; i++) { const idx = m.select(0, skx, 5_000_000, 800_000, false, 1000); m.reflect(0, idx, 5_000_000, false, false) }
  return m
}

describe('menu_select() / menu_update() (drivers/cpuidle/governors/menu.c)', () => {
  it('menu_enable_device() zeroes the interval history: the typical interval of 8 zero idles predicts 0 (the poll state)', () => {
    const m = new MenuGovernor(1)
    expect(m.select(0, skx, 5_000_000, 800_000, false, 1000)).toBe(0)
    expect(m.stopTick).toBe(false)
  })
  it('which_bucket(): decades of the next timer event', () => {
    expect([5, 50, 500, 5_000, 50_000, 500_000].map(whichBucket)).toEqual([0, 1, 2, 3, 4, 5])
  })
  it('a next timer event below C1\'s target residency: the poll state, the tick kept', () => {
    const m = new MenuGovernor(1)
    expect(m.select(0, skx, 1_500, 1_500, false, 1000)).toBe(0)
    expect(m.stopTick).toBe(false)
  })
  it('a long predicted idle (next timer 5 ms, unity correction): the deepest state (C6), the tick stops', () => {
    const m = trainedMenu()
    expect(m.select(0, skx, 5_000_000, 800_000, false, 1000)).toBe(3)
    expect(m.stopTick).toBe(true)
  })
  it('a predicted idle shorter than a tick keeps the tick and a state that fits before it (C1E for 50 µs)', () => {
    const m = trainedMenu()
    expect(m.select(0, skx, 50_000, 50_000, false, 1000)).toBe(2)
    expect(m.stopTick).toBe(false)
  })
  it('the correction factor learns early wake-ups: idles of 30 µs against a 5 ms timer pull the choice to a shallow state', () => {
    const m = trainedMenu()
    expect(m.select(0, skx, 5_000_000, 800_000, false, 1000)).toBe(3)
    m.reflect(0, 3, 5_000_000, false, false)
    for (let i = 0; i < 40; i++) {
      const idx = m.select(0, skx, 5_000_000, 800_000, false, 1000)
      m.reflect(0, idx, 30_000, false, false)
    }
    const idx = m.select(0, skx, 5_000_000, 800_000, false, 1000)
    expect(idx).toBeLessThan(3)
    expect(m.stopTick).toBe(false)
  })
  it('with the tick already stopped a short prediction falls back to the next event (no shallow state for long)', () => {
    const m = trainedMenu()
    for (let i = 0; i < 40; i++) { const idx = m.select(0, skx, 5_000_000, 5_000_000, true, 1000); m.reflect(0, idx, 30_000, false, false) }
    expect(m.select(0, skx, 5_000_000, 5_000_000, true, 1000)).toBe(3)
  })
})

describe('teo_select() / teo_update() (drivers/cpuidle/governors/teo.c, v5.1+)', () => {
  it('the sleep length sets the candidate: 5 ms ⇒ C6 with the tick stopped; below C1\'s residency ⇒ poll with the tick kept', () => {
    const t = new TeoGovernor(1)
    expect(t.select(0, skx, 5_000_000, 800_000, false, 1_000_000)).toBe(3)
    expect(t.stopTick).toBe(true)
    expect(t.select(0, skx, 1_000, 1_000, false, 1_000_000)).toBe(0)
    expect(t.stopTick).toBe(false)
  })
  it('intercepts (idles ending well before the timer) move the choice to a shallower state', () => {
    const t = new TeoGovernor(1)
    for (let i = 0; i < 30; i++) {
      const idx = t.select(0, skx, 5_000_000, 800_000, false, 1_000_000)
      t.reflect(0, idx, 30_000, 31_000, false, false, 1_000_000)
    }
    expect(t.select(0, skx, 5_000_000, 800_000, false, 1_000_000)).toBeLessThan(3)
  })
})

describe('cpuidle_poll_time()', () => {
  it('the poll state polls up to the first real state\'s target residency (TICK_NSEC without one)', () => {
    expect(pollTimeNs(skx, 1e6)).toBe(2_000)
    expect(pollTimeNs(mwaitStates([]), 1e6)).toBe(1e6)
  })
})
