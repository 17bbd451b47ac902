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

/** idle=poll and the idle tick: before v4.17 do_idle() stopped the tick on entry (tick_nohz_idle_enter() →
 *  __tick_nohz_idle_enter()) whatever the idle state, cpu_idle_poll() included; since "sched: idle: Do not stop the
 *  tick upfront in the idle loop" (2aaf709a518d, v4.17) do_idle() calls tick_nohz_idle_restart_tick() before
 *  cpu_idle_poll(), so a polling CPU keeps its tick. `selectBeforeTickStop`: the guest is 4.17 or later. */
export function idlePollStopsTick(selectBeforeTickStop: boolean): boolean {
  return !selectBeforeTickStop
}
