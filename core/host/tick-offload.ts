// The residual 1 Hz scheduler tick of a nohz_full CPU (kernel/sched/core.c): from v4.17 ("sched/isolation: Offload
// residual 1Hz scheduler tick") housekeeping_init() calls sched_tick_offload_init() and the 1 Hz work runs remotely on a
// housekeeping CPU's workqueue; before, the nohz_full CPU kept a local 1 Hz tick.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

/** sched_tick_offload_init() (kernel/sched/core.c, v4.17): whether the residual 1 Hz tick stays on the nohz_full CPU. */
export function residualTickLocal(hostVersion: string): boolean {
  return !versionAtLeast(hostVersion, '4.17')
}
