// kvm-unit-tests x86/tscdeadline_latency.c, the APIC timer latency test (model.md §3): the guest programs the
// TSC-deadline timer delta cycles ahead; its ISR reads the TSC first thing and records now − deadline ("latency: N",
// one line per interrupt, in TSC cycles), then writes the next deadline, now + delta. Between interrupts the vCPU
// halts (the test today: `while (…) hlt`) or busy-waits (the variant the published figures of ce7a058a2117 and the
// lapic_timer_advance_ns auto-tuning patch measured: "the test busy waits"). The latency is the model's timer path from
// the deadline to the guest's interrupt entry: the VMX preemption timer exit, the sw hrtimer's interrupt and kick, a
// posted timer interrupt, or the wake-up of a halted vCPU (core/kvm/lapic-timer.ts, halt.ts) — nothing re-modelled.
// Simplifications: as vmexit.ts (the guest's own tick and housekeeping timers still run).
import type { GuestOps } from './guest-ops.ts'
import type { TscdeadlineLatencySpec } from '../model-inputs.ts'
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'
import type { WorkloadBenchmark } from '../../result.ts'
import { OpStats, SPIN_FOREVER_NS } from './op-stats.ts'

/** Interrupts whose latency is printed line by line before the summary (the test prints all of them). */
const LINES = 5

export class TscdeadlineLatencyWorkload extends GuestWorkload {
  readonly kind = 'tscdeadline-latency'
  readonly unit = 'interrupts'
  readonly w: TscdeadlineLatencySpec
  readonly stats: OpStats
  firstThread = 0
  readonly bsp: number
  /** The programmed deadline (exptime); −1 before the first. */
  private exptime = -1

  constructor(m: GuestOps, v: number, w: TscdeadlineLatencySpec) {
    super(m, v)
    this.w = w
    this.bsp = m.inp.vms[v]!.firstVcpu
    this.stats = new OpStats(1, m.inp.warmupNs, LINES)
  }

  override threadCount(): number {
    return 1
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    this.m.startThread(firstThread, this.bsp, 0)
    this.m.pinThread(firstThread)
  }

  /** kvm-unit-tests run their tests at CPL 0 (the test is its own kernel): get_cpl() == 0 in kvm_arch_vcpu_put(). */
  override threadInKernel(): boolean {
    return true
  }

  /** main(): start_tsc_deadline_timer(), then hlt (the thread sleeps: the vCPU idles) or busy-wait. */
  override threadBurstDone(_g: number, tid: number): void {
    const m = this.m
    if (this.exptime < 0) {
      this.exptime = m.engine.now + this.deltaNs()
      m.armTimerFn(this.bsp, this.exptime, 0)
    }
    if (this.w.wait === 'busy') m.threadContinue(tid, SPIN_FOREVER_NS)
    else m.threadSleep(tid)
  }

  /** tsc_deadline_timer_isr(): now − exptime, then wrmsr(MSR_IA32_TSCDEADLINE, now + delta). */
  override timerFn(_g: number, _arg: number): number {
    const m = this.m
    const now = m.engine.now
    // the hrtimer expires within 1 ns of its deadline (hrtimer_interrupt()'s tolerance in the model)
    const lat = Math.max(0, now - this.exptime)
    this.stats.record(0, lat, now)
    m.complete(this.v, lat)
    this.exptime = now + this.deltaNs()
    m.armTimerFn(this.bsp, this.exptime, 0)
    return 0
  }

  private deltaNs(): number {
    return this.w.deltaCycles / this.m.inp.tscGhz
  }

  /** The test's "latency: N" lines (the first few), then min/mean/max as the octave script at its top computes them. */
  override benchmark(ctx: WorkloadReportContext): WorkloadBenchmark {
    const out = new BenchmarkPrintout()
    const s = this.stats
    const n = s.count[0]!
    if (n === 0) return out.line('no timer interrupt after warm-up')
    const cyc = (ns: number): number => Math.trunc(ns * ctx.tscGhz)
    for (let i = 0; i < Math.min(n, LINES); i++) out.line('latency: %ld', out.figure(`latency ${i + 1}`, 'cycles', cyc(s.first[i]!)))
    const interrupts = out.figure('interrupts', 'interrupts', n)
    if (n > LINES) out.line('… (%ld latency lines in all)', interrupts)
    return out.line('min(latency) = %ld, mean(latency) = %ld, max(latency) = %ld (cycles, %ld interrupts)',
      out.figure('latency min', 'cycles', cyc(s.min[0]!)), out.figure('latency avg', 'cycles', cyc(s.mean(0))), out.figure('latency max', 'cycles', cyc(s.max[0]!)), interrupts)
  }
}
