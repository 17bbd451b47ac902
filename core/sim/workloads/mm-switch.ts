// switch_mm_irqs_off() between the tasks of a process-based benchmark: a vCPU that runs a task of another process
// than the last one it ran switches its mm (the idle task keeps the last mm lazily, so an idle period in between does
// not count). Threads of one process share the mm and never pay it. The switch is charged when the switched-to task's
// burst ends (GuestWorkload.threadBurstDone() knows the vCPU; the wake-up does not), on its next burst.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'

export class MmSwitches {
  private readonly m: GuestOps
  /** Per global vCPU: the process (workload-local id) whose mm it has loaded, or −1. */
  private readonly loaded: Int32Array
  readonly processes: boolean

  constructor(m: GuestOps, processes: boolean) {
    this.m = m
    this.processes = processes
    this.loaded = new Int32Array(m.inp.vcpus.length).fill(-1)
  }

  /** Process `mm` ran a burst on vCPU g: the guest time of the switch_mm() it needed (0 for the same mm, threads). */
  ranOn(g: number, mm: number): number {
    if (!this.processes) return 0
    const prev = this.loaded[g]!
    this.loaded[g] = mm
    return prev >= 0 && prev !== mm ? this.m.cost(CostId.guestSwitchMm) : 0
  }
}
