// A guest TLB shootdown (munmap/mprotect in the VM's multithreaded process): a vCPU running the process calls
// flush_tlb_mm_range() → native_flush_tlb_multi() (native_flush_tlb_others() before 5.10), which calls
// smp_call_function_many(mask, flush_tlb_func, info, wait = 1) on the other vCPUs of mm_cpumask(): the sender spins in
// csd_lock_wait() until each has flushed (csd-lock-wait.ts). Before 4.20 the mask includes idle vCPUs in lazy TLB mode
// (a halted one must be woken to flush); from 4.20 they are skipped (flushIpisLazyCpus()). With PV TLB flush,
// kvm_flush_tlb_multi() drops every vCPU whose steal-time `preempted` the host set (KVM_VCPU_FLUSH_TLB instead) — it
// reads steal time itself, not vcpu_is_preempted() (PreemptedReaders.tlbFlush). Simplifications: the initiator is a
// random vCPU of the VM running task-level work; every vCPU of the VM has run the process (mm_cpumask is all of them).
import { Ev } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import type { StealTime } from '../kvm/steal-time.ts'
import { kvmFlushTlbMultiSkips } from './csd-lock-wait.ts'

export class GuestTlbFlush {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly steal: StealTime
  private irq!: Parts['irq']
  private csd!: Parts['csd']

  constructor(m: ModelCore, steal: StealTime) {
    this.m = m
    this.v = m.vcpu
    this.steal = steal
  }

  link(p: Parts): void {
    this.irq = p.irq
    this.csd = p.csd
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

  /** flush_tlb_mm_range() from vCPU src for its VM's process: the flush mask (lazy vCPUs by guest version, preempted
   *  ones dropped by PV TLB flush), then smp_call_function_many() with wait. Returns the number of targets. */
  flushTlbMm(src: number, dispatch: boolean): number {
    const v = this.v
    const vm = this.m.vmSpec(src)
    const pv = vm.preemptedReaders.tlbFlush
    const preempted = this.steal.preempted
    const q = this.irq.mcastQ
    const base = src * this.irq.ipiCap
    const end = vm.firstVcpu + vm.vcpus
    let n = 0
    for (let g = vm.firstVcpu; g < end; g++) {
      if (g === src) continue
      if (v.idle[g] && !vm.tlbFlushIpisLazy) continue
      if (kvmFlushTlbMultiSkips(pv, preempted[g] === 1)) continue
      q[base + n++] = g
    }
    this.csd.callFunctionMany(src, n, true, true, dispatch)
    return n
  }
}
