// Interrupts into the guest (arch/x86/kvm/lapic.c __apic_accept_irq() → kvm_vcpu_kick() / the posted-interrupt
// doorbell) and the guest's IPI sends. A posted interrupt (APICv / AVIC) reaches a running vCPU without an exit and
// wakes one halted in guest mode; otherwise kvm_vcpu_kick() forces an exit and the interrupt is injected at entry; a
// blocked vCPU is woken (kvm_vcpu_wake_up()). The guest's IPI send paths: one ICR write per target (an exit unless
// IPIv / AVIC deliver it — AVIC only to a target whose IsRunning is set), or one PV IPI hypercall for a whole mask
// (kvm_pv_send_ipi()). ipi-setup.ts decides each VM's paths.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { St, Irq, Act, After } from '../sim/constants.ts'
import type { ModelCore, Parts, IrqDelivery as IrqDeliveryPart } from '../sim/model-parts.ts'
import { IntRings } from '../sim/int-rings.ts'
import { avicIsRunning } from './avic.ts'
import type { VcpuState } from './vcpu.ts'

/** A queued IPI entry is the target vCPU, plus: sent for a guest TLB shootdown (cause), and one send of a multicast
 *  (the VM's multicast exit and cost rather than the unicast ones). */
export const IPI_TLB = 1 << 24
export const IPI_MULTI = 1 << 25
const IPI_TARGET = (1 << 24) - 1

export class IrqDelivery implements IrqDeliveryPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private halt!: Parts['halt']
  private run!: Parts['run']
  private work!: Parts['work']
  /** Guest IPIs each vCPU is about to send (each an ICR write), in order. */
  private readonly ipiQ: IntRings
  /** The targets of a pending PV IPI hypercall (Act.SEND_MULTI), per vCPU: at most its VM's other vCPUs. */
  readonly mcastQ: Int32Array
  readonly mcastLen: Int32Array
  /** Per vCPU: its pending PV IPI is a TLB shootdown's (the exit's cause). */
  readonly mcastTlb: Uint8Array
  readonly ipiCap: number
  /** Per VM: exit-cause ids of a unicast guest IPI send and of a guest TLB-shootdown IPI. */
  private readonly ipiCause: Int32Array
  private readonly guestTlbCause: Int32Array

  constructor(m: ModelCore, ipiCause: Int32Array, guestTlbCause: Int32Array) {
    this.m = m
    this.v = m.vcpu
    this.ipiQ = new IntRings(m.nV, 16)
    this.ipiCap = m.inp.vms.reduce((n, vm) => Math.max(n, vm.vcpus), 1)
    this.mcastQ = new Int32Array(m.nV * this.ipiCap)
    this.mcastLen = new Int32Array(m.nV)
    this.mcastTlb = new Uint8Array(m.nV)
    this.ipiCause = ipiCause
    this.guestTlbCause = guestTlbCause
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.run = p.run
    this.work = p.work
  }

  /** An interrupt for the guest: posted (no exit) or injected at the next entry after a kick. */
  deliverGuestIrq(g: number, bit: number, posted: boolean): void {
    const v = this.v
    v.pendIrq[g]! |= bit
    const s = v.state[g]!
    if (s === St.RUN) {
      if (posted) {
        if (!v.inIrq[g]) { this.work.suspendWork(g); this.work.dispatchNext(g) }
      } else {
        this.kick(g)
      }
      return
    }
    if (s === St.GUEST_HLT || s === St.GUEST_POLL) {
      if (!posted && s === St.GUEST_HLT) { this.kick(g); return }
      this.halt.wakeVcpu(g)
      return
    }
    if (s === St.BLOCKED || s === St.HOST_POLL) this.halt.wakeVcpu(g)
    // EXIT, WAKING, PREEMPTED: delivered at entry
  }

  /** kvm_vcpu_kick(): an IPI forces an exit; the interrupt is injected at entry. */
  private kick(g: number): void {
    this.run.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, this.m.causeIds.kick, this.m.cost(CostId.exitExternalInterrupt) + this.m.cost(CostId.hostIpiHandler), After.ENTRY)
  }

  /** vCPU g will send a guest IPI (`entry`: the target and IPI_* flags) before going on. */
  queueIpi(g: number, entry: number): void {
    this.ipiQ.push(g, entry)
    this.v.actions[g]! |= Act.SEND_IPI
  }

  /** Act.SEND_IPI: the next queued ICR write — an exit on the VM's send path, or none (IPIv, AVIC to a running
   *  target: avic_vcpu_put() clears IsRunning when the target blocks or is scheduled out, and before 5.17 while it
   *  halt-polls: core/kvm/avic.ts). */
  sendIpi(g: number): void {
    const v = this.v
    const entry = this.ipiQ.shift(g)
    if (this.ipiQ.len[g] === 0) v.actions[g] = v.actions[g]! & ~Act.SEND_IPI
    const vm = this.m.vmSpec(g)
    const target = entry & IPI_TARGET
    const multi = (entry & IPI_MULTI) !== 0
    let reason = multi ? vm.ipiMulticastExit : vm.ipiUnicastExit
    if (reason >= 0 && vm.ipiExitsIfTargetNotRunning && avicIsRunning(v.state[target]!, vm.avicRunningWhileHaltPolling)) reason = -1
    this.deliverGuestIrq(target, Irq.IPI, vm.postedInterrupts)
    if (reason < 0) { this.work.dispatchNext(g); return }
    const cause = entry & IPI_TLB ? this.guestTlbCause[v.vmOf[g]!]! : this.ipiCause[v.vmOf[g]!]!
    this.run.beginExit(g, reason, cause, this.m.cost(multi ? vm.ipiMulticastCost : vm.ipiUnicastCost), After.ENTRY)
  }

  /** Act.SEND_MULTI: PV IPI (kvm_send_ipi_mask → KVM_HC_SEND_IPI): one hypercall delivers to every target
   *  (kvm_pv_send_ipi()). */
  sendPvIpi(g: number): void {
    const v = this.v
    v.actions[g] = v.actions[g]! & ~Act.SEND_MULTI
    const vm = this.m.vmSpec(g)
    const n = this.mcastLen[g]!
    this.mcastLen[g] = 0
    for (let i = 0; i < n; i++) this.deliverGuestIrq(this.mcastQ[g * this.ipiCap + i]!, Irq.IPI, vm.postedInterrupts)
    const cause = this.mcastTlb[g] ? this.guestTlbCause[v.vmOf[g]!]! : this.m.causeIds.pvIpi
    this.run.beginExit(g, vm.ipiMulticastExit, cause, this.m.cost(vm.ipiMulticastCost) + n * this.m.cost(CostId.pvIpiPerTarget), After.ENTRY)
  }
}
