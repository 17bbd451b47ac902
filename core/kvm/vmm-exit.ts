// Experimental (the 2023 Woodhouse RFC): idle exits that return to the VMM (KVM_EXIT_HLT / KVM_EXIT_MWAIT) and an emulated MWAIT
// that calls yield(). The VMM runs its own work in the vCPU thread and, unless it sleeps in its own poll(), calls
// KVM_RUN again within the exit; userspace-exits.ts decides its step. Before 5.19 kvm_arch_vcpu_put() on the way out
// sets the steal-time preempted flag (cleared at the next entry).
import { CostId } from '../costs/cost-tables.ts'
import { After } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import { yieldKind } from '../host/sched-yield.ts'
import type { StealTime } from './steal-time.ts'
import { SPREADS } from '../sim/spreads.ts'


export class VmmExit {
  private readonly m: ModelCore
  private readonly steal: StealTime
  private run!: Parts['run']
  private sched!: Parts['sched']
  /** yield_task_fair() of the host version (core/host/sched-yield.ts). */
  readonly yieldKind: number

  constructor(m: ModelCore, steal: StealTime) {
    this.m = m
    this.steal = steal
    this.yieldKind = yieldKind(m.inp.hostVersion)
  }

  link(p: Parts): void {
    this.run = p.run
    this.sched = p.sched
    p.run.setHandler(After.YIELD, (g) => this.mwaitYield(g))
  }

  /** The exit returns to the VMM, which runs its work in the vCPU thread and, with `reenter`, calls KVM_RUN again
   *  within the exit. */
  exitToVmm(g: number, reason: number, cause: number, handlerNs: number, reenter: boolean, after: number): void {
    const vm = this.m.vmSpec(g)
    let ns = handlerNs + this.m.cost(CostId.userspaceExit) + this.m.rng.lognormal(vm.vmmWorkNs, SPREADS.vmmWork)
    if (reenter) ns += this.m.cost(CostId.userspaceEntry)
    this.steal.onUserspaceExit(g, vm)
    this.run.beginExit(g, reason, cause, ns, after)
  }

  /** yield() at the end of an emulated MWAIT. If the host scheduler picks another thread waiting on the pCPU, it runs
   *  and the vCPU thread waits behind it; otherwise back into the guest, as with the NOP. */
  private mwaitYield(g: number): void {
    const v = this.m.vcpu
    v.exitHandler[g] = After.ENTRY
    const c = v.pcpuOf[g]!
    if (this.m.hrq.cur[c] === g && this.m.hrq.yieldCurr(c, this.m.engine.now, this.yieldKind)) { this.sched.descheduleVcpu(g); return }
    this.run.exitDone(g)
  }
}
