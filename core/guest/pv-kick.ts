// pv_kick() (arch/x86/kernel/kvm.c kvm_kick_cpu()): the unlocker of a pvqspinlock wakes a waiter halted in pv_wait()
// with KVM_HC_KICK_CPU — a VMCALL exit on the unlocker. The host's kvm_pv_kick_cpu_op() sets pv_unhalted and wakes the
// halted vCPU (kvm_vcpu_kick()); from host 5.3 kvm_emulate_hypercall() then calls kvm_sched_yield() to it
// (266e85a5ec91, core/kvm/pv-sched-yield.ts), and from 5.13 not when the unlocker is alone on its pCPU (72b268a8e930).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { St, After } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import { kickCpuYields, kvmSchedYieldHypercall, directYieldBailsOutWhenAlone } from '../kvm/pv-sched-yield.ts'
import { yieldKind } from '../host/sched-yield.ts'

export class PvKick {
  private readonly m: ModelCore
  private halt!: Parts['halt']
  private run!: Parts['run']
  private sched!: Parts['sched']
  /** KVM_HC_KICK_CPU yields to the kicked vCPU (host ≥ 5.3), with yield_task_fair() of the host version. */
  private readonly kickYields: boolean
  private readonly yieldKind: number
  private readonly yieldBailsOutWhenAlone: boolean
  /** Per VM: KVM_HC_KICK_CPU hypercalls, and those whose kvm_sched_yield() boosted the kicked vCPU with another
   *  thread waiting on the unlocker's pCPU (its schedule() may still pick the unlocker again: descheduleVcpu()). */
  readonly kicks: Float64Array
  readonly kickYieldsTaken: Float64Array

  constructor(m: ModelCore) {
    this.m = m
    this.kickYields = kickCpuYields(m.inp.hostVersion, m.inp.hostReverted)
    this.yieldBailsOutWhenAlone = directYieldBailsOutWhenAlone(m.inp.hostVersion)
    this.yieldKind = yieldKind(m.inp.hostVersion)
    this.kicks = new Float64Array(m.inp.vms.length)
    this.kickYieldsTaken = new Float64Array(m.inp.vms.length)
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.run = p.run
    this.sched = p.sched
  }

  /** The unlocker g kicks halted waiter w: kvm_pv_kick_cpu_op(), then (host ≥ 5.3) kvm_sched_yield() to it if it
   *  waits for a pCPU; the VMCALL exit ends g's unlock. */
  kick(g: number, w: number): void {
    const m = this.m
    this.halt.pvUnhalted[w] = 1
    const s = m.vcpu.state[w]!
    // kvm_vcpu_kick() runs in the unlocker's exit on its pCPU (wake_affine(); a wake-up onto another LLC goes through
    // the wake list)
    if (s === St.HOST_POLL || s === St.BLOCKED) this.halt.wakeVcpu(w, false, g)
    const after = this.kickYields ? kvmSchedYieldHypercall(m, this.sched, g, w, this.yieldKind, this.yieldBailsOutWhenAlone) : After.ENTRY
    const vmi = m.vcpu.vmOf[g]!
    this.kicks[vmi]!++
    if (after === After.RESCHED) this.kickYieldsTaken[vmi]!++
    this.run.beginExit(g, ExitReason.VMCALL, m.causeIds.pvKick, m.cost(CostId.exitVmcall), after)
  }
}
