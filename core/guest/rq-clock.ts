// The guest's rq clock for the fair class (kernel/sched/core.c update_rq_clock_task()): rq_clock_task(), what
// update_curr() charges, is the wall clock minus the vCPU's steal time when the guest has KVM steal time
// (paravirt_steal_rq_enabled, set by activate_jump_labels() in arch/x86/kernel/kvm.c: paravirt_steal_clock() reads the
// vCPU thread's wait on the host runqueue, St.PREEMPTED here) — a thread does not age while its vCPU waits for its
// pCPU. Without steal time it is the wall clock. Simplification: interrupt time is not subtracted (no
// IRQ_TIME_ACCOUNTING).
import { St, STATE_COUNT } from '../sim/constants.ts'
import type { ModelCore } from '../sim/model-parts.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

export class GuestRqClock {
  private readonly m: ModelCore
  private readonly v: VcpuState
  /** Per vCPU: steal time (its thread's time in St.PREEMPTED) as last read, and what the warm-up reset took away. */
  private readonly stealLast: Float64Array
  private readonly stealBase: Float64Array

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
    this.stealLast = new Float64Array(m.nV)
    this.stealBase = new Float64Array(m.nV)
  }

  /** rq_clock_task() of vCPU g: update_rq_clock_task() subtracts the steal time the host reports when the guest has
   *  steal time; else the wall clock. Monotonic across the statistics' warm-up reset of the state times. */
  clockTask(g: number): number {
    const now = this.m.engine.now
    if (!this.m.vmSpec(g).guestStealAcc) return now
    const v = this.v
    let st = v.acc[g * STATE_COUNT + St.PREEMPTED]!
    if (v.state[g] === St.PREEMPTED) st += now - v.stateSince[g]!
    if (st < this.stealLast[g]!) this.stealBase[g] = this.stealBase[g]! + this.stealLast[g]!
    this.stealLast[g] = st
    return now - this.stealBase[g]! - st
  }
}
