// A multicast/broadcast IPI microbenchmark (model.md §3), as the ipi_benchmark test module (Yury Norov, 2017) that
// the PV IPI commit 4180bf1b655a measured with: smp_call_function_many(mask, handle_ipi, NULL, wait = 1) in a loop
// on vCPU 0, each call timed with ktime_get() around it. The call is the guest's one cross-call path,
// GuestOps.callFunctionMany() (core/guest/csd-lock-wait.ts): the csds queued, the IPIs sent as the VM sends them (one
// ICR write per target in x2APIC physical mode, or one PV IPI hypercall: kvm_send_ipi_mask()), then csd_lock_wait():
// the sender spins with PAUSE — PAUSE exits under PLE or the pause filter — until each target's IPI handler ran
// handle_ipi() and unlocked its csd. The targets idle between calls as the guest's idle is configured (halted: an
// HLT exit, host polling, blocking; or HLT in guest mode) — the module runs on an otherwise idle guest. Prints the
// total for `loops` calls as the module does ("Broadcast IPI: <ns> ns") and the time per call. Simplifications: the
// handler costs the guest's IPI handler time (guestIpiHandler); the loop's own instructions and ktime_get() are free.
import type { GuestOps } from './guest-ops.ts'
import type { IpiBroadcastSpec } from '../model-inputs.ts'
import { GuestWorkload } from './workload.ts'
import { BenchmarkPrintout } from './workload.ts'
import type { WorkloadBenchmark } from '../../result.ts'
import { OpStats } from './op-stats.ts'

export class IpiBroadcastWorkload extends GuestWorkload {
  readonly kind = 'ipi-broadcast'
  readonly unit = 'calls'
  readonly w: IpiBroadcastSpec
  readonly stats: OpStats
  firstThread = 0
  readonly sender: number
  /** The call's cpumask: the first `targets` other vCPUs; null for all of them (cpu_online_mask, the sender dropped). */
  readonly mask: Int32Array | null
  /** When the current call began (−1: none yet). */
  private sentAt = -1

  constructor(m: GuestOps, v: number, w: IpiBroadcastSpec) {
    super(m, v)
    this.w = w
    const vm = m.inp.vms[v]!
    this.sender = vm.firstVcpu
    if (w.targets === vm.vcpus - 1) this.mask = null
    else {
      this.mask = new Int32Array(w.targets)
      for (let i = 0; i < w.targets; i++) this.mask[i] = vm.firstVcpu + 1 + i
    }
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

  /** The ipi_benchmark module's loop runs in the guest kernel (a kernel thread: smp_call_function_many()): CPL 0
   *  wherever kvm_arch_vcpu_put() finds it. */
  override threadInKernel(): boolean {
    return true
  }

  /** The module starts, or the previous call returned (its csd_lock_wait() ended and the thread runs again): the call's
   *  time is counted and the next smp_call_function_many() begins — its sends and wait run before the thread's next
   *  (empty) burst. */
  override threadBurstDone(g: number, tid: number): void {
    const m = this.m
    const now = m.engine.now
    if (this.sentAt >= 0) {
      this.stats.record(0, now - this.sentAt, now)
      m.complete(this.v, now - this.sentAt)
    }
    this.sentAt = now
    if (m.callFunctionMany(g, true, this.mask, this.w.targets) === 0) { m.threadSleep(tid); return }
    m.threadContinue(tid, 0)
  }

  /** The module's pr_info() of the total, "Broadcast IPI: %18llu ns" (or Multicast with a mask), and the time per call.
   *  Figures: ns per call, total ns (× loops), calls (simulated after warm-up). */
  override benchmark(): WorkloadBenchmark {
    const out = new BenchmarkPrintout()
    const n = this.stats.count[0]!
    const name = this.mask === null ? 'Broadcast IPI' : `Multicast IPI (${this.w.targets} targets)`
    if (n === 0) return out.line(`${name}: no call completed after warm-up`)
    const per = this.stats.mean(0)
    out.line(`${name}: %18ld ns`, out.figure('total ns', 'ns', Math.round(per * this.w.loops)))
    return out.line(`(${this.w.loops} calls at the simulated %.0f ns per call, mean of %ld simulated calls)`, out.figure('ns per call', 'ns', Math.round(per)), out.figure('calls', 'calls', n))
  }
}
