// The workload interface: what the host model asks of a workload and what a workload may call back.
// A workload is one object per VM, created by createWorkload() (index.ts) from its VmSpec. It owns its event kinds
// (allocated from the model, dispatched back to onEvent()), its work items queued on vCPUs (Work.ITEM), its device
// interrupt (Work.DEVICE_IRQ) and its guest threads (Work.THREAD bursts, placed by the guest scheduler). It reports
// completions through GuestOps.complete(), which keeps throughput, the latency histogram and the series.
import type { GuestOps } from './guest-ops.ts'
import type { BenchmarkFigure, BenchmarkLine, WorkloadBenchmark } from '../../result.ts'
import { benchmarkLineIssue, figureOf } from '../../output/benchmark-lines.ts'

/** What benchmark() is given at the end of a run (after warm-up, statistics closed). */
export interface WorkloadReportContext {
  /** The host's TSC frequency (kvm-unit-tests report rdtsc() cycles). */
  tscGhz: number
  /** Busy share (0…1) of the pCPUs running this VM's vCPUs (%c0): guest running, polling in guest idle, exit handling,
   *  host polling, other tasks. */
  pcpuBusyShare: number
  /** The run's completions per second and their mean latency (ns). */
  perSec: number
  meanLatencyNs: number
}

/** The benchmark's printout as a workload declares it: each figure once (name, unit, value), then each line as the
 *  benchmark's printf format with its arguments — a figure's name, or a constant of the run. The printed text is
 *  rendered from the figures (core/output/benchmark-lines.ts), so with replications it shows their means. */
export class BenchmarkPrintout implements WorkloadBenchmark {
  readonly figures: BenchmarkFigure[] = []
  readonly lines: BenchmarkLine[] = []

  /** Declares a figure; returns its name, for a line's arguments. */
  figure(name: string, unit: string, value: number): string {
    this.figures.push({ name, unit, value })
    return name
  }

  /** A line: its format and arguments (figure names, or constants), one per conversion. Throws (RangeError, naming
   *  the line) on a name of no figure declared before it, a count out of step, or a '*' width or precision. */
  line(print: string, ...args: (string | number)[]): this {
    const issue = benchmarkLineIssue(print, args, (name) => figureOf(this, name) !== undefined)
    if (issue) throw new RangeError(issue)
    this.lines.push({ print, args })
    return this
  }

  /** A figure printed alone on its line. */
  printed(name: string, unit: string, value: number, print: string): this {
    return this.line(print, this.figure(name, unit, value))
  }
}

/** Text to be printed as it is inside a printf format (its % doubled). */
export function literal(s: string): string {
  return s.replace(/%/g, '%%')
}

export abstract class GuestWorkload {
  /** Result kind, e.g. "redis", "fork-join". */
  abstract readonly kind: string
  /** Unit of throughputPerSec and of each latency sample: ops, iterations, transactions, wake-ups, messages. */
  abstract readonly unit: string
  readonly m: GuestOps
  /** The VM index. */
  readonly v: number
  /** First event kind allocated to this workload (its local kind k is evBase + k). */
  evBase = 0

  constructor(m: GuestOps, v: number) {
    this.m = m
    this.v = v
  }

  /** Guest threads this workload needs (allocated by the model before start()). */
  threadCount(): number {
    return 0
  }

  /** Event kinds this workload needs (allocated by the model before start()). */
  eventKinds(): number {
    return 0
  }

  /** Called once at virtual time 0, after the vCPUs are started. `firstThread` is the global id of its thread 0. */
  abstract start(firstThread: number): void

  /** One of its events (local kind). */
  onEvent(_local: number, _target: number, _tok: number): void {}

  /** Guest CPU time of the queued work item `arg` that vCPU g starts now. */
  itemNs(_g: number, _arg: number): number {
    return 0
  }

  /** Work item `arg` finished on vCPU g. */
  itemDone(_g: number, _arg: number): void {}

  /** Guest CPU time of the device interrupt and its softirq on vCPU g. */
  deviceIrqNs(_g: number): number {
    return 0
  }

  /** The device interrupt's softirq finished on vCPU g. */
  deviceIrqDone(_g: number): void {}

  /** The running thread `tid`'s burst finished (or was cut) on vCPU g: continue it (GuestOps.threadContinue) or put
   *  it to sleep (GuestOps.threadSleep). */
  threadBurstDone(_g: number, _tid: number): void {}

  /** Whether thread `tid`, with `leftNs` of its running burst still to run, executes guest kernel code (CPL 0) now:
   *  what kvm_arch_vcpu_in_kernel() reads for a vCPU preempted in it (vcpu->arch.preempted_in_kernel, set from
   *  get_cpl() in kvm_arch_vcpu_put()). By default a burst is user code; a workload whose bursts include system calls
   *  or page faults says where they are. */
  threadInKernel(_tid: number, _leftNs: number): boolean {
    return false
  }

  /** An IPI handler finished on vCPU g (generic_smp_call_function_single_interrupt(): every call function queued on
   *  that CPU has run, and its csd is unlocked). */
  ipiHandled(_g: number): void {}

  /** The workload's hrtimer `arg` (GuestOps.armTimerFn) expired on vCPU g: its callback runs at the start of the timer
   *  interrupt (hardirq context). Returns the callback's guest CPU time. */
  timerFn(_g: number, _arg: number): number {
    return 0
  }

  /** The benchmark's own printout at the end of the run — its figures and lines — when it prints one (kvm-unit-tests,
   *  cyclictest, hackbench's Time, perf bench sched pipe's usecs/op, ebizzy's records/s). */
  benchmark(_ctx: WorkloadReportContext): WorkloadBenchmark | undefined {
    return undefined
  }
}
