// Whether the guest's idle tick may stop (kernel/time/tick-sched.c): can_stop_idle_tick() refuses when NOHZ is off
// (nohz=off, or a periodic-tick kernel: tick_nohz_enabled / NOHZ_MODE_INACTIVE), and tick_nohz_next_event() keeps
// the tick when the next timer event is due within a tick of the last one (delta <= TICK_NSEC from
// last_jiffies_update) — that is, before the next tick would fire.
export type GuestTickMode = 'nohz-idle' | 'periodic' | 'nohz-full'

/** can_stop_idle_tick() && tick_nohz_next_event(): `nextTimerNs` is the earliest timer but the tick,
 *  `nextTickNs` the next tick while it runs. */
export function tickNohzCanStopIdle(mode: GuestTickMode, nextTimerNs: number, nextTickNs: number): boolean {
  if (mode === 'periodic') return false
  return nextTimerNs > nextTickNs
}
