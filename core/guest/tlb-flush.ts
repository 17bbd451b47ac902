// A guest TLB shootdown (munmap/mprotect in the VM's multithreaded process): a vCPU running the process calls
// flush_tlb_mm_range() → native_flush_tlb_multi(), which IPIs the other vCPUs running it — not the idle ones, which
// are in lazy TLB mode. With PV TLB flush, kvm_flush_tlb_multi() drops the vCPUs the guest sees preempted
// (KVM_VCPU_FLUSH_TLB instead; pv-tlb-flush.ts). smp_call_function_many_cond() sends one target a single IPI
// (apic->send_IPI, the unicast path) and several a mask (send_IPI_mask: one PV IPI hypercall, or one ICR write per
// target). Simplifications: the initiator is a random busy vCPU; it does not wait for the flushes to complete (the
// real smp_call_function_many() does); the local flush and the targets' flush handlers cost the IPI handler time.
import { Ev, St, Act } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import { IPI_TLB, IPI_MULTI } from '../kvm/irq-delivery.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

export class GuestTlbFlush {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private irq!: Parts['irq']
  private work!: Parts['work']

  constructor(m: ModelCore) {
    this.m = m
    this.v = m.vcpu
  }

  link(p: Parts): void {
    this.irq = p.irq
    this.work = p.work
  }

  /** Ev.GUEST_TLB: one shootdown in VM vi. */
  onShootdown(vi: number): void {
    const m = this.m
    const v = this.v
    const vm = m.inp.vms[vi]!
    m.engine.schedule(m.rng.exponential(1e9 / vm.guestTlbShootdownsPerSec), Ev.GUEST_TLB, vi)
    const first = vm.firstVcpu
    const end = first + vm.vcpus
    let busy = 0
    for (let g = first; g < end; g++) if (v.state[g] === St.RUN && !v.idle[g]) busy++
    if (busy === 0) return
    let k = m.rng.int(busy)
    let src = first
    for (let g = first; g < end; g++) if (v.state[g] === St.RUN && !v.idle[g] && k-- === 0) { src = g; break }
    if (this.flushTlbMm(src) === 0) return
    // the sender leaves what it was doing to send them (its work resumes after)
    if (!v.inIrq[src]) { this.work.suspendWork(src); this.work.dispatchNext(src) }
  }

  /** flush_tlb_mm_range() from vCPU src for its VM's process: the flush IPIs to the other vCPUs running it, queued on
   *  src (sent at its next dispatch). Returns the number of targets (0: none, or src's previous PV IPI is unsent). */
  flushTlbMm(src: number): number {
    const m = this.m
    const v = this.v
    const irq = this.irq
    const vm = m.inp.vms[m.inp.vcpus[src]!.vm]!
    if (v.actions[src]! & Act.SEND_MULTI) return 0 // its previous shootdown's hypercall is still to be sent
    const q = irq.mcastQ
    const base = src * irq.ipiCap
    const first = vm.firstVcpu
    const end = first + vm.vcpus
    let n = 0
    for (let g = first; g < end; g++) {
      if (g === src || v.idle[g]) continue
      if (vm.pvTlbFlush && m.rq.preempted[g]) continue
      q[base + n++] = g
    }
    if (n === 1) irq.queueIpi(src, q[base]! | IPI_TLB)
    else if (n > 1 && vm.ipiMulticastBatched) { irq.mcastLen[src] = n; v.actions[src]! |= Act.SEND_MULTI }
    else for (let i = 0; i < n; i++) irq.queueIpi(src, q[base + i]! | IPI_TLB | IPI_MULTI)
    return n
  }
}
