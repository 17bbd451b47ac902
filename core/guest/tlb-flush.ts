// A guest TLB shootdown (munmap/mprotect in the VM's multithreaded process): a vCPU running the process calls
// flush_tlb_mm_range() → native_flush_tlb_multi() (native_flush_tlb_others() before 5.10), which calls
// smp_call_function_many(mask, flush_tlb_func, info, wait = 1) on the other vCPUs of mm_cpumask(): the sender spins in
// csd_lock_wait() until each has flushed (csd-lock-wait.ts). A vCPU in its idle loop is in lazy TLB mode: the guest
// skips it from 4.20 (tlb_is_not_lazy) and, with PCID, in 4.14–4.19 (it already switched to init_mm); otherwise the
// first shootdown of its idle period IPIs it (a halted one must be woken) and takes it out of mm_cpumask() until a
// task runs there again (lazy-tlb.ts shootdownIpisLazyOnce()). With PV TLB flush,
// kvm_flush_tlb_multi() drops every vCPU whose steal-time `preempted` the host set (KVM_VCPU_FLUSH_TLB instead) — it
// reads steal time itself, not vcpu_is_preempted() (PreemptedReaders.tlbFlush). Simplifications: the initiator is a
// random vCPU of the VM running task-level work; every vCPU of the VM has run the process (mm_cpumask is all of them).
import { Ev } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import type { StealTime } from '../kvm/steal-time.ts'
import { kvmFlushTlbMultiSkips } from './csd-lock-wait.ts'

export class GuestTlbFlush {
  private readonly m: ModelCore
  private readonly steal: StealTime
  private irq!: Parts['irq']
  private csd!: Parts['csd']
  private idle!: Parts['idle']
  /** Per vCPU: the idle period (idle.loopExits) in which a shootdown IPI found it lazy and leave_mm() /
   *  switch_mm_irqs_off(NULL, &init_mm) took it out of mm_cpumask(); -1 before any. */
  private readonly leftMaskIn: Float64Array

  constructor(m: ModelCore, steal: StealTime) {
    this.m = m
    this.steal = steal
    this.leftMaskIn = new Float64Array(m.nV).fill(-1)
  }

  link(p: Parts): void {
    this.irq = p.irq
    this.csd = p.csd
    this.idle = p.idle
  }

  /** Ev.GUEST_TLB: one shootdown in VM vi, from a random vCPU that can call it now. */
  onShootdown(vi: number): void {
    const m = this.m
    const vm = m.inp.vms[vi]!
    m.engine.schedule(m.rng.exponential(1e9 / vm.guestTlbShootdownsPerSec), Ev.GUEST_TLB, vi)
    const first = vm.firstVcpu
    const end = first + vm.vcpus
    const csd = this.csd
    let busy = 0
    for (let g = first; g < end; g++) if (csd.canCall(g)) busy++
    if (busy === 0) return
    let k = m.rng.int(busy)
    let src = first
    for (let g = first; g < end; g++) if (csd.canCall(g) && k-- === 0) { src = g; break }
    this.flushTlbMm(src, true)
  }

  /** flush_tlb_mm_range() from vCPU src for its VM's process: the flush mask, then smp_call_function_many() with
   *  wait. Returns the number of targets. */
  flushTlbMm(src: number, dispatch: boolean): number {
    const n = this.flushMask(src)
    this.csd.callFunctionMany(src, n, true, true, dispatch)
    return n
  }

  /** The targets of src's shootdown into irq.mcastQ: mm_cpumask() without src — lazy vCPUs by guest version (a lazy
   *  one taken out of the mask by this IPI is marked), preempted ones dropped by PV TLB flush. Returns their number. */
  flushMask(src: number): number {
    const idle = this.idle
    const v = this.m.vcpu
    const vm = this.m.vmSpec(src)
    const pv = vm.preemptedReaders.tlbFlush
    const preempted = this.steal.preempted
    const q = this.irq.mcastQ
    const base = src * this.irq.ipiCap
    const end = vm.firstVcpu + vm.vcpus
    let n = 0
    for (let g = vm.firstVcpu; g < end; g++) {
      if (g === src) continue
      // in an idle state: lazy TLB mode — skipped (tlb_is_not_lazy, or already on init_mm), or IPI'd once per idle
      // period (the idle loop's interrupt handlers count as not lazy: a simplification)
      const lazy = v.idle[g] === 1
      if (lazy && (!vm.tlbFlushIpisLazy || this.leftMaskIn[g] === idle.loopExits[g])) continue
      if (kvmFlushTlbMultiSkips(pv, preempted[g] === 1)) continue
      q[base + n++] = g
      if (lazy) this.leftMaskIn[g] = idle.loopExits[g]!
    }
    return n
  }
}
