// kvm-unit-tests x86/vmexit.c microbenchmarks (model.md §3): one test loops on the boot vCPU and the time per iteration
// is printed in TSC cycles, "<test> <cycles>" (do_test(): (t2 − t1) / iterations).
// - ipi: on_cpu(1, nop, 0) — vCPU 0 writes the ICR (an exit unless IPIv/AVIC virtualizes it: the VM's IPI send path,
//   core/kvm/ipi.ts) and busy-waits (`while (!ipi_done);`) until vCPU 1's IPI handler has run nop() and set ipi_done;
//   the next iteration starts at once. vCPU 1 between IPIs: 'halted' idles as the guest's idle is configured
//   (kvm-unit-tests' APs HLT: an HLT exit, host halt polling, blocking — or HLT in guest mode), 'idle-polling' polls
//   in guest mode (guest idle=poll, set in setup), 'running' runs a busy loop the IPI interrupts. The delivery is
//   the model's (core/kvm/irq-delivery.ts: posted, kick, wake-up); nothing here re-models it. With back-to-back IPIs
//   a halting target is often still in its HLT exit when the next one comes; ipi_halt: on_cpu(1, nop, 0), then a
//   2000-cycle busy-wait so that vCPU 1 really halts (polls or blocks) before the next — the iteration includes it.
// - tscdeadline: wrmsr(MSR_IA32_TSCDEADLINE, rdtsc() + 3000), busy-wait for the interrupt: each iteration is the
//   TSC-deadline write (MSR_WRITE exit), the wait, the timer's delivery on its path (core/kvm/lapic-timer.ts) and
//   the ISR. tscdeadline_immed: the deadline is rdtsc() — already past when KVM sees the write, so the interrupt is
//   injected at the entry after it.
// Here the ISR arms the next deadline (the model's guest writes the TSC deadline right after the timer interrupt, as
// the loop's next wrmsr follows the ISR): an iteration is the time from one ISR to the next, with one TSC-deadline
// write each. The loop's rdtsc() comes after the ISR, right before the wrmsr: the deadline counts from the write
// (GuestOps.armTimerFnAtWrite()), so tscdeadline_immed's deadline is already past when the write exits.
// Simplifications: the ISR costs the guest's timer-interrupt time (guestTimerIrq, a Linux hrtimer_interrupt(), more
// than kvm-unit-tests' x++ and EOI); the guest's own tick and housekeeping timers still run (kvm-unit-tests has none) —
// they add an interrupt per guest tick.
import type { GuestOps } from './guest-ops.ts'
import type { VmexitSpec } from '../model-inputs.ts'
import { GuestWorkload, BenchmarkPrintout, literal } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'
import type { WorkloadBenchmark } from '../../result.ts'
import { OpStats, SPIN_FOREVER_NS } from './op-stats.ts'

/** ipi_halt's busy-wait after each on_cpu(): `t = rdtsc() + 2000`. */
const IPI_HALT_WAIT_CYCLES = 2000

export class VmexitWorkload extends GuestWorkload {
  readonly kind = 'vmexit'
  readonly unit = 'iterations'
  readonly w: VmexitSpec
  readonly stats: OpStats
  firstThread = 0
  /** vCPU 0 (the BSP, runs the test) and vCPU 1 (the IPI target). */
  readonly bsp: number
  readonly ap: number
  /** ipi: when the current on_cpu() began, and whether the BSP waits for ipi_done. */
  private sentAt = 0
  private waiting = false
  /** ipi_halt: the BSP is in its 2000-cycle wait after on_cpu(). */
  private pausing = false
  /** tscdeadline: the previous ISR (−1: none yet). */
  private lastIsr = -1

  constructor(m: GuestOps, v: number, w: VmexitSpec) {
    super(m, v)
    this.w = w
    const vm = m.inp.vms[v]!
    this.bsp = vm.firstVcpu
    this.ap = vm.firstVcpu + (vm.vcpus > 1 ? 1 : 0)
    this.stats = new OpStats(1, m.inp.warmupNs)
  }

  override threadCount(): number {
    return this.isIpi() && this.w.target === 'running' ? 2 : 1
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const m = this.m
    // the test's main() on the BSP: its first burst (0) ends at once and starts the loop
    m.startThread(firstThread, this.bsp, 0)
    m.pinThread(firstThread)
    if (this.threadCount() === 2) {
      m.startThread(firstThread + 1, this.ap, SPIN_FOREVER_NS)
      m.pinThread(firstThread + 1)
    }
  }

  /** kvm-unit-tests run their tests at CPL 0 (the test is its own kernel): get_cpl() == 0 in kvm_arch_vcpu_put(). */
  override threadInKernel(): boolean {
    return true
  }

  override threadBurstDone(_g: number, tid: number): void {
    const m = this.m
    if (tid !== this.firstThread) { m.threadContinue(tid, SPIN_FOREVER_NS); return }
    const now = m.engine.now
    if (!this.isIpi()) {
      // the first wrmsr; afterwards the BSP busy-waits while the ISRs chain the deadlines
      if (this.lastIsr < 0) m.armTimerFnAtWrite(this.bsp, this.deadlineDelta(), 0)
      m.threadContinue(tid, SPIN_FOREVER_NS)
      return
    }
    if (this.waiting) {
      // ipi_done seen: one on_cpu() is over (ipi_halt: then `t = rdtsc() + 2000; while (rdtsc() < t);`)
      this.waiting = false
      if (this.w.test === 'ipi_halt') { this.pausing = true; m.threadContinue(tid, IPI_HALT_WAIT_CYCLES / m.inp.tscGhz); return }
      this.op(now - this.sentAt, now)
    } else if (this.pausing) {
      this.pausing = false
      this.op(now - this.sentAt, now)
    }
    // the next on_cpu(1, nop, 0): the ICR write, then `while (!ipi_done);`
    this.sentAt = now
    this.waiting = true
    m.queueIpi(this.bsp, this.ap)
    m.threadContinue(tid, SPIN_FOREVER_NS)
  }

  /** vCPU 1's IPI handler ran nop() and set ipi_done: the BSP's busy-wait ends. */
  override ipiHandled(g: number): void {
    if (g !== this.ap || !this.waiting || !this.isIpi()) return
    this.m.cutBurst(this.firstThread)
  }

  /** The TSC-deadline ISR: one iteration since the previous ISR; the next deadline is written. */
  override timerFn(_g: number, _arg: number): number {
    const now = this.m.engine.now
    if (this.lastIsr >= 0) this.op(now - this.lastIsr, now)
    this.lastIsr = now
    this.m.armTimerFnAtWrite(this.bsp, this.deadlineDelta(), 0)
    return 0
  }

  /** The deadline past the loop's rdtsc(), which comes right before its wrmsr — the write after the ISR: 3000 cycles
   *  for tscdeadline, none for tscdeadline_immed. */
  private deadlineDelta(): number {
    return this.w.test === 'tscdeadline' ? this.w.deadlineCycles / this.m.inp.tscGhz : 0
  }

  private isIpi(): boolean {
    return this.w.test === 'ipi' || this.w.test === 'ipi_halt'
  }

  private op(ns: number, now: number): void {
    this.stats.record(0, ns, now)
    this.m.complete(this.v, ns)
  }

  /** do_test()'s printf("%s %d\n", test->name, (t2 − t1) / iterations), and for ipi "  ipi %s %d" (tsc_ipi: the
   *  same on_cpu() interval measured around the call). */
  override benchmark(ctx: WorkloadReportContext): WorkloadBenchmark {
    const out = new BenchmarkPrintout()
    const n = this.stats.count[0]!
    const name = literal(this.w.test)
    if (n === 0) return out.line(`${name} (no iteration completed)`)
    const cycles = out.figure(this.w.test, 'cycles', Math.trunc(this.stats.mean(0) * ctx.tscGhz))
    out.line(`${name} %ld`, cycles)
    if (this.w.test === 'ipi') out.line(`  ipi ${name} %ld`, cycles)
    return out
  }
}
