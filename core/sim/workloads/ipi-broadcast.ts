// A multicast/broadcast IPI microbenchmark (model.md §3), as the ipi_benchmark test module (Yury Norov, 2017) that
// the PV IPI commit 4180bf1b655a measured with: smp_call_function_many(mask, handle_ipi, NULL, wait = 1) in a loop
// on vCPU 0 — send_IPI_mask() to every target (one ICR write per target in x2APIC physical mode, or one PV IPI
// hypercall: core/kvm/irq-delivery.ts queueMulticast()), then csd_lock_wait(): the sender busy-waits until each
// target's IPI handler has run handle_ipi() and unlocked its csd. The targets idle between calls as the guest's
// idle is configured (halted: an HLT exit, host polling, blocking; or HLT in guest mode) — the module runs on an
// otherwise idle guest. Prints the total for `loops` calls as the module does ("Broadcast IPI: <ns> ns") and the
// time per call. Simplifications: the sender's wait spins without PAUSE-loop exits (csd_lock_wait()'s PAUSE, PLE and
// the pause filter are issue 13 item 3's); the handler costs the guest's IPI handler time (guestIpiHandler).
import type { GuestOps } from './guest-ops.ts'
import type { IpiBroadcastSpec } from '../model-inputs.ts'
import { GuestWorkload } from './workload.ts'
import type { WorkloadReport } from './workload.ts'
import { OpStats, SPIN_FOREVER_NS } from './op-stats.ts'

export class IpiBroadcastWorkload extends GuestWorkload {
  readonly kind = 'ipi-broadcast'
  readonly unit = 'calls'
  readonly w: IpiBroadcastSpec
  readonly stats: OpStats
  firstThread = 0
  readonly sender: number
  readonly targets: Int32Array
  /** Per vCPU of the VM: its csd is still locked (its handler has not run for the current call). */
  private readonly csdLocked: Uint8Array
  private pending = 0
  /** When the current call began (−1: none yet). */
  private sentAt = -1

  constructor(m: GuestOps, v: number, w: IpiBroadcastSpec) {
    super(m, v)
    this.w = w
    const vm = m.inp.vms[v]!
    this.sender = vm.firstVcpu
    this.targets = new Int32Array(w.targets)
    for (let i = 0; i < w.targets; i++) this.targets[i] = vm.firstVcpu + 1 + i
    this.csdLocked = new Uint8Array(vm.vcpus)
    this.stats = new OpStats(1, m.inp.warmupNs)
  }

  override threadCount(): number {
    return 1
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    this.m.startThread(firstThread, this.sender, 0)
    this.m.pinThread(firstThread)
  }

  /** The sender's wait ended (every csd unlocked), or the module starts: the next smp_call_function_many(). */
  override threadBurstDone(_g: number, tid: number): void {
    const m = this.m
    const now = m.engine.now
    if (this.pending === 0 && this.sentAt >= 0) {
      this.stats.record(0, now - this.sentAt, now)
      m.complete(this.v, now - this.sentAt)
    }
    const first = m.inp.vms[this.v]!.firstVcpu
    for (let i = 0; i < this.targets.length; i++) this.csdLocked[this.targets[i]! - first] = 1
    this.pending = this.targets.length
    this.sentAt = now
    m.queueMulticastIpi(this.sender, this.targets, this.targets.length)
    m.threadContinue(tid, SPIN_FOREVER_NS)
  }

  /** A target's IPI handler ran handle_ipi() and csd_unlock(): the last one ends the sender's csd_lock_wait(). */
  override ipiHandled(g: number): void {
    const i = g - this.m.inp.vms[this.v]!.firstVcpu
    if (!this.csdLocked[i]) return
    this.csdLocked[i] = 0
    if (--this.pending === 0) this.m.cutBurst(this.firstThread)
  }

  override report(): WorkloadReport {
    const n = this.stats.count[0]!
    const all = this.targets.length === this.m.inp.vms[this.v]!.vcpus - 1
    const name = all ? 'Broadcast IPI' : `Multicast IPI (${this.targets.length} targets)`
    if (n === 0) return { output: [`${name}: no call completed after warm-up`], figures: {} }
    const per = this.stats.mean(0)
    const total = Math.round(per * this.w.loops)
    return {
      output: [`${name}: ${String(total).padStart(18)} ns`, `(${this.w.loops} calls at the simulated ${Math.round(per)} ns per call, mean of ${n} simulated calls)`],
      figures: { 'ns per call': Math.round(per), 'total ns': total },
    }
  }
}
