// A guest cpuidle driver's state table as the governors read it (struct cpuidle_driver.states[]): state 0 is the
// polling state (cpuidle_poll_state_init(): poll_idle(), CPUIDLE_FLAG_POLLING, 0 latency and residency) and the
// others are the driver's — intel_idle's table of the CPU model (MWAIT hints), acpi_idle's _CST entries, or
// cpuidle-haltpoll's single "haltpoll idle" (HLT, 1 µs / 1 µs).
export interface CpuidleStates {
  count: number
  targetResidencyUs: Float64Array
  exitLatencyUs: Float64Array
}

/** The states of intel_idle/acpi_idle in the guest: the poll state, then the CPU model's C-states. */
export function mwaitStates(cstates: readonly { exitLatencyNs: number; targetResidencyNs: number }[]): CpuidleStates {
  const n = cstates.length + 1
  const tr = new Float64Array(n)
  const el = new Float64Array(n)
  cstates.forEach((c, i) => { tr[i + 1] = c.targetResidencyNs / 1000; el[i + 1] = c.exitLatencyNs / 1000 })
  return { count: n, targetResidencyUs: tr, exitLatencyUs: el }
}

/** poll_idle()'s time limit, cpuidle_poll_time(): the per-CPU limit when a governor set one (haltpoll, v5.4+), else
 *  the target residency of the first enabled state after the poll state (TICK_NSEC when there is none). */
export function pollTimeNs(s: CpuidleStates, tickNs: number): number {
  return s.count > 1 ? s.targetResidencyUs[1]! * 1000 : tickNs
}
