// Interrupts into the guest (arch/x86/kvm/lapic.c __apic_accept_irq() → kvm_vcpu_kick() / the posted-interrupt
// doorbell) and the guest's IPI sends. A posted interrupt (APICv / AVIC) reaches a running vCPU without an exit and
// wakes one halted in guest mode; otherwise kvm_vcpu_kick() forces an exit and the interrupt is injected at entry; a
// blocked vCPU is woken (kvm_vcpu_wake_up()). The guest's IPI send paths: one ICR write per target (an exit unless
// IPIv / AVIC deliver it — AVIC only to a target whose IsRunning is set), one per cluster of targets with the cluster
// x2APIC driver (core/guest/x2apic.ts), or one PV IPI hypercall for a whole mask (kvm_pv_send_ipi()). ipi-setup.ts
// decides each VM's paths.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { St, Irq, Act, After, Work } from '../sim/constants.ts'
import type { ModelCore, Parts, IrqDelivery as IrqDeliveryPart } from '../sim/model-parts.ts'
import { IntRings } from '../sim/int-rings.ts'
import { avicIsRunning } from './avic.ts'
import type { VcpuState } from './vcpu.ts'
import { pvIpiFirstHypercallTargets } from '../guest/x2apic.ts'

/** A queued IPI entry is the target vCPU, plus: sent for a guest TLB shootdown (cause), and one send of a multicast
 *  (the VM's multicast exit and cost rather than the unicast ones). */
export const IPI_TLB = 1 << 24
export const IPI_MULTI = 1 << 25
/** Delivered by the ICR write of the entry before it (cluster mode: one logical-mode write per cluster). */
export const IPI_SAME_WRITE = 1 << 26
const IPI_TARGET = (1 << 24) - 1

/** Kernel spinlocks taken with interrupts off: a vCPU holding — or waiting for — one has IF = 0. Lock ids from
 *  `irqsOffLockBase` (GuestSpinlocks.rqLockBase) on:
 *  - the guest's rq->lock (rq-lock.ts), in every guest version the model runs: try_to_wake_up() takes p->pi_lock with
 *    raw_spin_lock_irqsave() (3.0+) before ttwu_queue() → rq_lock() / ttwu_do_activate(), and __schedule() runs
 *    local_irq_disable() before rq_lock() (raw_spin_lock_irq(&rq->lock) before 4.x) until finish_task_switch()'s
 *    raw_spin_unlock_irq() (rq_unlock_irq() when it picks prev again) — so its waker, its own __schedule() and the
 *    holder of either all mask interrupts;
 *  - a workload's kernel spinlock (GuestOps.spinLock(), from wlLockBase: ebizzy's page LRU lock — pagevec_lru_move_fn()
 *    and release_pages() take it with spin_lock_irqsave() in 4.x, lock_page_lruvec_irqsave() /
 *    relock_page_lruvec_irqsave() from 5.11, folio_lruvec_lock_irqsave() later: irqsave in every version).
 *  __raw_spin_lock_irqsave() disables them before the slowpath, and qspinlock's arch_spin_lock_flags() is
 *  arch_spin_lock(): the waiter spins, and halts in pv_wait() (kvm_wait(): halt(), not safe_halt(), when interrupts
 *  are off — the same before and after f4e61f0c9add, 5.12), with IF = 0. An interrupt sent to it stays pending (the
 *  PIR / IRR) and is taken at the unlock — it does not lengthen the hold, and it does not end a pv_wait() halt
 *  (kvm_vcpu_has_events() wants kvm_arch_interrupt_allowed(); only the unlock's KVM_HC_KICK_CPU, pv_unhalted, does;
 *  its kvm_vcpu_kick() still wakes a blocked vCPU thread: KvmHalt.wakeVcpu()). The generic contention model's locks
 *  (below rqLockBase) take interrupts. */
export function irqsDisabledIn(kind: number, arg: number, irqsOffLockBase: number): boolean {
  return (kind === Work.LOCK_CS || kind === Work.SPIN) && arg >= irqsOffLockBase
}

export class IrqDelivery implements IrqDeliveryPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private halt!: Parts['halt']
  private run!: Parts['run']
  private work!: Parts['work']
  private locks!: Parts['locks']
  /** Guest IPIs each vCPU is about to send (each an ICR write), in order. */
  private readonly ipiQ: IntRings
  /** The targets of a pending PV IPI hypercall (Act.SEND_MULTI), per vCPU: at most its VM's other vCPUs. */
  readonly mcastQ: Int32Array
  readonly mcastLen: Int32Array
  /** Per vCPU: its pending PV IPI is a TLB shootdown's (the exit's cause). */
  readonly mcastTlb: Uint8Array
  readonly ipiCap: number
  /** Scratch for queueMulticast(): targets of the mask already queued with their cluster's write. */
  private readonly inWrite: Uint8Array
  /** Scratch for sendPvIpi(): the APIC IDs of the mask's targets. */
  private readonly idScratch: Int32Array
  /** Per VM: exit-cause ids of a unicast guest IPI send and of a guest TLB-shootdown IPI. */
  private readonly ipiCause: Int32Array
  private readonly guestTlbCause: Int32Array
  /** Per VM: multicast sends (a PV IPI hypercall, or one ICR write of a mask: per target in physical mode, per
   *  cluster in cluster mode) and the targets they delivered to — for the scenario tests. */
  readonly mcastSends: Float64Array
  readonly mcastTargets: Float64Array
  /** An ICR write without an exit is IPIv's (VMX): the CPU posts it; on SVM it is AVIC's to a running target. */
  private readonly ipivPosts: boolean

  constructor(m: ModelCore, ipiCause: Int32Array, guestTlbCause: Int32Array) {
    this.m = m
    this.v = m.vcpu
    this.ipiQ = new IntRings(m.nV, 16)
    this.ipiCap = m.inp.vms.reduce((n, vm) => Math.max(n, vm.vcpus), 1)
    this.mcastQ = new Int32Array(m.nV * this.ipiCap)
    this.mcastLen = new Int32Array(m.nV)
    this.mcastTlb = new Uint8Array(m.nV)
    this.inWrite = new Uint8Array(this.ipiCap)
    this.idScratch = new Int32Array(this.ipiCap)
    this.ipiCause = ipiCause
    this.guestTlbCause = guestTlbCause
    this.mcastSends = new Float64Array(m.inp.vms.length)
    this.mcastTargets = new Float64Array(m.inp.vms.length)
    this.ipivPosts = m.inp.vendor === 'vmx'
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.run = p.run
    this.work = p.work
    this.locks = p.locks
  }

  /** An interrupt for the guest: posted (no exit) or injected at the next entry after a kick. `waker`: the vCPU
   *  whose exit sends it (a guest IPI: __apic_accept_irq() and kvm_vcpu_kick() / the posted-interrupt path's
   *  kvm_vcpu_wake_up() run there, so a blocked target's wake-up is placed from that vCPU's pCPU), −1 for an interrupt
   *  from elsewhere (timer, device, or an IPI the CPU posts without KVM). */
  deliverGuestIrq(g: number, bit: number, posted: boolean, waker = -1): void {
    const v = this.v
    v.pendIrq[g]! |= bit
    const s = v.state[g]!
    if (s === St.RUN) {
      // interrupts off under an rq->lock or an irqsave lock: pending until the unlock (lockRelease() → dispatchNext())
      if (posted && irqsDisabledIn(this.work.curKind[g]!, this.work.curArg[g]!, this.locks.rqLockBase)) return
      if (posted) {
        if (!v.inIrq[g]) { this.work.suspendWork(g); this.work.dispatchNext(g) }
      } else {
        this.kick(g)
      }
      return
    }
    // halted in pv_wait() with interrupts off (an rq->lock's or irqsave lock's waiter): kvm_vcpu_kick() may wake a
    // blocked thread, which halts on; only the unlock's kick ends the halt (KvmHalt.irqToIrqsOffWaiter())
    if (this.halt.irqsOffInPvWait(g)) { this.halt.irqToIrqsOffWaiter(g, posted, waker); return }
    if (s === St.GUEST_HLT || s === St.GUEST_POLL) {
      if (!posted && s === St.GUEST_HLT) { this.kick(g); return }
      this.halt.wakeVcpu(g)
      return
    }
    if (s === St.BLOCKED || s === St.HOST_POLL) this.halt.wakeVcpu(g, false, waker)
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

  /** __x2apic_send_IPI_mask() (x2apic_phys.c / x2apic_cluster.c): the ICR writes of vCPU src's multicast to the n
   *  targets at mcastQ[src·ipiCap…] — one per target in physical mode; in cluster mode one per cluster, which carries
   *  every target of the mask in that cluster ("collapse cpus in a cluster so a single IPI per cluster is sent"),
   *  the cluster's first target in mask order first. `flag`: IPI_TLB or 0. */
  queueMulticast(src: number, n: number, flag: number): void {
    const q = this.mcastQ
    const base = src * this.ipiCap
    const vm = this.m.vmSpec(src)
    const vi = this.v.vmOf[src]!
    this.mcastTargets[vi] = this.mcastTargets[vi]! + n
    if (!vm.ipiCluster) {
      this.mcastSends[vi] = this.mcastSends[vi]! + n
      for (let i = 0; i < n; i++) this.queueIpi(src, q[base + i]! | flag | IPI_MULTI)
      return
    }
    const cl = vm.apicCluster
    const first = vm.firstVcpu
    const done = this.inWrite
    for (let i = 0; i < n; i++) done[i] = 0
    for (let i = 0; i < n; i++) {
      if (done[i]) continue
      const t = q[base + i]!
      const c = cl[t - first]!
      this.mcastSends[vi]!++
      this.queueIpi(src, t | flag | IPI_MULTI)
      for (let j = i + 1; j < n; j++) {
        const u = q[base + j]!
        if (!done[j] && cl[u - first] === c) { done[j] = 1; this.queueIpi(src, u | flag | IPI_MULTI | IPI_SAME_WRITE) }
      }
    }
  }

  /** Act.SEND_IPI: the next queued ICR write — an exit on the VM's send path, or none (IPIv, AVIC to a running
   *  target: avic_vcpu_put() clears IsRunning when the target blocks or is scheduled out, and before 5.17 while it
   *  halt-polls: core/kvm/avic.ts). */
  sendIpi(g: number): void {
    const v = this.v
    const q = this.ipiQ
    const entry = q.shift(g)
    const vm = this.m.vmSpec(g)
    const target = entry & IPI_TARGET
    const multi = (entry & IPI_MULTI) !== 0
    let reason = multi ? vm.ipiMulticastExit : vm.ipiUnicastExit
    if (reason >= 0 && vm.ipiExitsIfTargetNotRunning && avicIsRunning(v.state[target]!, vm.avicRunningWhileHaltPolling)) reason = -1
    const ipiv = reason < 0 && this.ipivPosts
    this.deliverIpi(target, ipiv, vm.postedInterrupts, g)
    // cluster mode: the same logical-mode write reaches the mask's other targets in the cluster, each one more
    // kvm_apic_set_irq() in kvm_irq_delivery_to_apic_fast()'s loop over the destination bitmap
    let more = 0
    while (q.len[g]! > 0 && (q.at(g, 0) & IPI_SAME_WRITE) !== 0) {
      this.deliverIpi(q.shift(g) & IPI_TARGET, ipiv, vm.postedInterrupts, g)
      more++
    }
    if (q.len[g] === 0) v.actions[g] = v.actions[g]! & ~Act.SEND_IPI
    if (reason < 0) { this.work.dispatchNext(g); return }
    const cause = entry & IPI_TLB ? this.guestTlbCause[v.vmOf[g]!]! : this.ipiCause[v.vmOf[g]!]!
    let ns = this.m.cost(multi ? vm.ipiMulticastCost : vm.ipiUnicastCost)
    for (let k = 0; k < more; k++) ns += this.m.cost(CostId.pvIpiPerTarget)
    this.run.beginExit(g, reason, cause, ns, After.ENTRY)
  }

  /** A guest IPI to vCPU t. Sent by IPIv (`ipiv`: the CPU posts it, KVM does not run) to a target blocked in pv_wait()
   *  with interrupts off, it only stays pending: vmx_vcpu_pi_put() arms the wakeup vector (pi_enable_wakeup_handler())
   *  only when !vmx_interrupt_blocked(), so no pi_wakeup_handler() → kvm_vcpu_wake_up() follows (IPIv is host 5.19+).
   *  Sender g's exit wakes a blocked target (its pCPU places the wake-up); an IPIv post does not exit: the wakeup
   *  vector's pi_wakeup_handler() runs on the pCPU the target blocked on, so that wake-up is placed as if made there. */
  private deliverIpi(t: number, ipiv: boolean, posted: boolean, g: number): void {
    if (ipiv && this.halt.irqsOffInPvWait(t)) { this.v.pendIrq[t]! |= Irq.IPI; return }
    this.deliverGuestIrq(t, Irq.IPI, posted, ipiv ? -1 : g)
  }

  /** Act.SEND_MULTI: PV IPI (kvm_send_ipi_mask() → __send_ipi_mask()): one KVM_HC_SEND_IPI hypercall per 128-APIC-ID
   *  window of the mask (pvIpiFirstHypercallTargets()); kvm_pv_send_ipi() delivers to each target of its bitmap
   *  (kvm_apic_set_irq(), `pvIpiPerTarget` each). A mask left over keeps Act.SEND_MULTI for the next hypercall. The
   *  model delivers a hypercall's targets at its start. */
  sendPvIpi(g: number): void {
    const v = this.v
    const vm = this.m.vmSpec(g)
    const n = this.mcastLen[g]!
    const q = this.mcastQ
    const base = g * this.ipiCap
    const ids = this.idScratch
    for (let i = 0; i < n; i++) ids[i] = vm.apicId[q[base + i]! - vm.firstVcpu]!
    const k = pvIpiFirstHypercallTargets(ids, n)
    const vi = v.vmOf[g]!
    this.mcastSends[vi]!++
    this.mcastTargets[vi] = this.mcastTargets[vi]! + k
    for (let i = 0; i < k; i++) this.deliverGuestIrq(q[base + i]!, Irq.IPI, vm.postedInterrupts, g)
    if (k < n) q.copyWithin(base, base + k, base + n)
    else v.actions[g] = v.actions[g]! & ~Act.SEND_MULTI
    this.mcastLen[g] = n - k
    const cause = this.mcastTlb[g] ? this.guestTlbCause[vi]! : this.m.causeIds.pvIpi
    this.run.beginExit(g, vm.ipiMulticastExit, cause, this.m.cost(vm.ipiMulticastCost) + k * this.m.cost(CostId.pvIpiPerTarget), After.ENTRY)
  }
}
