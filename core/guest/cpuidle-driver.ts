// Which cpuidle driver and governor a guest's idle loop runs (drivers/cpuidle/driver.c cpuidle_register_driver():
// one driver per system, the first to register wins), resolved per VM at setup:
// - intel_idle (drivers/idle/, registered before drivers/cpuidle/ in link order) when MWAIT is exposed to an Intel
//   guest: its C-state table of the CPU model, chosen by the menu or teo governor;
// - cpuidle-haltpoll when haltpoll_init() loads it (core/guest/haltpoll.ts), with the haltpoll governor;
// - none otherwise: QEMU declares no _CST for its vCPUs and acpi_idle is assumed to register nothing, and
//   cpuidle_idle_call() takes default_idle_call() with tick_nohz_idle_stop_tick() on every idle entry;
// - acpi_idle only when the profile says the guest registers it (C1 = HLT, governed by menu or teo): guests whose
//   firmware gives acpi_processor_power_init() a C-state (Dapeng Mi's "cpuidle: Move cpuidle driver forward before
//   acpi driver in Makefile", July 2022, reports acpi_idle taking the slot before cpuidle-haltpoll).
import { atLeast } from '../kernel-version.ts'

export const CpuidleDriver = { NONE: 0, HALTPOLL: 1, INTEL_IDLE: 2, ACPI_IDLE: 3 } as const
export const CpuidleGovernor = { MENU: 0, TEO: 1 } as const

export interface CpuidleInputs {
  guestVersion: string
  /** The profile's choice: 'auto' = what the guest kernel registers. */
  driver: 'auto' | 'none' | 'haltpoll' | 'intel_idle' | 'acpi_idle'
  governor: 'menu' | 'teo'
  /** MONITOR/MWAIT in the guest CPUID (passed through, or exposed and emulated). */
  mwaitExposed: boolean
  vendor: 'vmx' | 'svm'
  /** haltpoll_init() would load cpuidle-haltpoll. */
  haltpollLoads: boolean
  haltpollReason: string
  /** Guest idle=poll: cpu_idle_poll(), no driver. */
  idlePoll: boolean
}

export interface CpuidleResolution {
  ok: boolean
  driver: number
  governor: number
  /** The idle loop selects a state before it stops the tick (cpuidle_select() returns stop_tick), v4.17+. */
  selectBeforeTickStop: boolean
  value: string
  reason: string
  /** When !ok: why the profile's driver cannot run in this guest, and the fix. */
  fix: string
}

/** intel_idle_init() in a guest: it needs MWAIT (CPUID leaf 5) on an Intel CPU model it knows. */
function intelIdleLoads(i: CpuidleInputs): boolean {
  return i.mwaitExposed && i.vendor === 'vmx'
}

/** cpuidle_idle_call() order since "sched: idle: Do not stop the tick upfront in the idle loop" (Rafael Wysocki,
 *  v4.17): the governor's select says whether to stop the tick; before, do_idle() stopped it on entry. */
export function selectBeforeTickStop(guestVersion: string): boolean {
  return atLeast(guestVersion, '4.17')
}

/** The guest's cpuidle driver and governor. teo exists from v5.1 ("cpuidle: New timer events oriented governor for
 *  tickless systems"); asked for on an older guest, cpuidle.governor= is unknown and menu runs. */
export function resolveCpuidle(i: CpuidleInputs): CpuidleResolution {
  const sel = selectBeforeTickStop(i.guestVersion)
  const res = (driver: number, value: string, reason: string): CpuidleResolution => ({ ok: true, driver, governor: CpuidleGovernor.MENU, selectBeforeTickStop: sel, value, reason, fix: '' })
  const refuse = (reason: string, fix: string): CpuidleResolution => ({ ok: false, driver: CpuidleDriver.NONE, governor: CpuidleGovernor.MENU, selectBeforeTickStop: sel, value: '', reason, fix })
  if (i.idlePoll) return res(CpuidleDriver.NONE, 'none (idle=poll)', sel
    ? 'idle=poll: do_idle() spins in cpu_idle_poll() with the tick running (tick_nohz_idle_restart_tick(), 4.17+); no cpuidle driver runs'
    : 'idle=poll: do_idle() spins in cpu_idle_poll(); before 4.17 its tick_nohz_idle_enter() has stopped the tick first (unless nohz=off or a timer is due within a tick), and tick_nohz_idle_exit() restarts it when a task runs — a TSC-deadline write each way; no cpuidle driver runs')
  const want = i.driver
  if (want === 'none') return res(CpuidleDriver.NONE, 'none', 'no cpuidle driver (cpuidle.off=1 in the profile): default_idle_call(), the tick stopped on each idle entry unless a timer is due within a tick (tick_nohz_idle_stop_tick())')
  if (want === 'intel_idle' && !intelIdleLoads(i)) return refuse('intel_idle needs MWAIT in the guest CPUID on an Intel host', 'expose MWAIT (kvm.exposeMwait or disableExits.mwait) on an Intel CPU, or set the driver to "auto"')
  if (want === 'haltpoll' && !i.haltpollLoads) return refuse(`cpuidle-haltpoll does not load: ${i.haltpollReason}`, 'give the guest kvm.hintDedicated (or guest.haltpoll.enabled "force" on 5.7+), or set the driver to "auto"')
  const teo = i.governor === 'teo' && atLeast(i.guestVersion, '5.1')
  const gov = teo ? 'teo' : 'menu'
  const govWhy = `the ${gov} governor picks one per idle${i.governor === 'teo' && !teo ? ' (teo asked for, but it exists only from guest 5.1)' : ''}${sel ? '' : '; before 4.17 the tick is stopped on idle entry, before the governor runs'}`
  if (want === 'intel_idle' || (want === 'auto' && intelIdleLoads(i))) {
    const r = res(CpuidleDriver.INTEL_IDLE, `intel_idle + ${gov}`, `MWAIT is in the guest CPUID on an Intel host: intel_idle registers the CPU model's C-states (before cpuidle-haltpoll, which then finds the driver slot taken), and ${govWhy}`)
    r.governor = teo ? CpuidleGovernor.TEO : CpuidleGovernor.MENU
    return r
  }
  if (want === 'acpi_idle') {
    // acpi_processor_power_init() with C1 only (acpi_processor_get_power_info_default(): ACPI_CSTATE_HALT), registered
    // before cpuidle-haltpoll where ACPI_PROCESSOR is built in (drivers/acpi/ links before drivers/cpuidle/)
    const r = res(CpuidleDriver.ACPI_IDLE, `acpi_idle + ${gov}`, `acpi_idle with the poll state and C1 (HLT), as when the guest's ACPI tables let acpi_processor_power_init() register it (it then takes the driver slot before cpuidle-haltpoll), and ${govWhy}`)
    r.governor = teo ? CpuidleGovernor.TEO : CpuidleGovernor.MENU
    return r
  }
  if (i.haltpollLoads) return res(CpuidleDriver.HALTPOLL, 'cpuidle-haltpoll', 'haltpoll_init() registers the driver and the haltpoll governor: poll up to the per-CPU limit (adjust_poll_limit() after each halt), then HLT; the tick stops only before a halt')
  return res(CpuidleDriver.NONE, 'none', `no cpuidle driver: no cpuidle-haltpoll (${i.haltpollReason}), no MWAIT for intel_idle, and QEMU's ACPI gives acpi_idle no C-states — default_idle_call(), the tick stopped on each idle entry unless a timer is due within a tick`)
}
