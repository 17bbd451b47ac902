// The JSON result of a run (issue 3): what the CLI writes with --json, what the app charts and stores.

export const RESULT_SCHEMA_VERSION = 1

export interface ExitRow {
  /** Exit reason as perf prints it for the host's vendor (VMX upper case, SVM lower case). */
  reason: string
  count: number
  totalNs: number
  minNs: number
  maxNs: number
  meanNs: number
  /** perf's `( +- x% )`: 100·s/(√n·mean). */
  relStddevPct: number
  /** What caused the exits of this row, e.g. { "host-tick": 12, "lapic-timer-hrtimer": 40 }. */
  causes: Record<string, number>
}

export interface HistogramBucket { lowNs: number; highNs: number; count: number }

export interface ExitHistogram { reason: string; buckets: HistogramBucket[] }

export interface LatencyPercentiles { p50: number; p90: number; p99: number; p999: number; max: number }

/** One figure as the benchmark itself prints it: hackbench's "Time: 1.234", `perf bench sched pipe`'s usecs/op and
 *  ops/sec, ebizzy's records/s. `print` is the benchmark's own printf format of the line (one %-conversion). */
export interface BenchmarkFigure {
  name: string
  unit: string
  value: number
  print: string
  /** Across replications: the 95 % confidence half-width of the mean. */
  ci95?: number
}

/** 95 % confidence half-widths (Student t) of the means over replications. */
export interface WorkloadCi95 { throughputPerSec: number; meanLatencyNs: number; p50: number; p90: number; p99: number; p999: number; max: number }

export interface WorkloadResult {
  kind: string
  /** Unit of throughput: operations, transactions, wake-ups, messages or iterations. */
  unit: string
  throughputPerSec: number
  /** Mean latency of the completions (the sum over the count, exact), beside the percentiles. */
  meanLatencyNs: number
  latencyNs: LatencyPercentiles
  latencyHistogram: HistogramBucket[]
  /** Completed operations per interval, over virtual time after warm-up. */
  series: { intervalNs: number; perSec: number[] }
  /** What the benchmark itself prints (kvm-unit-tests' "ipi 5094", cyclictest's "T: 0 …" lines) and the figures
   *  in it by name (e.g. "ipi" cycles, "Max" µs), when the workload prints something of its own. */
  benchmark?: { output: string[]; figures: Record<string, number> }
  /** The benchmark's own output figures (absent for workloads that print none of their own). */
  figures?: BenchmarkFigure[]
  /** With run.replications > 1: how many; every figure above is then the mean over them (core/sim/replications.ts). */
  replications?: number
  /** Across replications, when there is more than one: 95 % confidence half-widths of the means. */
  ci95?: WorkloadCi95
}

/** Where a CPU's (or a vCPU thread's) time went, in ns of virtual time after warm-up. */
export interface TimeAccounting {
  guestBusy: number
  guestIdle: number
  exitHandling: number
  hostPolling: number
  blocked: number
  preempted: number
  otherTasks: number
  hostIrq: number
  idle: number
}

export interface VcpuResult {
  vcpu: number
  pcpu: number
  exitsPerSec: number
  time: TimeAccounting
}

export interface PcpuResult {
  cpu: number
  roles: string[]
  time: TimeAccounting
}

/** One kernel decision, as data and in words: "the reason behind every difference". */
export interface Decision {
  id: string
  title: string
  value: string
  reason: string
  /** The kernel function (or QEMU/guest function) the decision mirrors. */
  mirrors: string
}

export interface VmResult {
  vm: string
  exits: ExitRow[]
  histograms: ExitHistogram[]
  workload: WorkloadResult
  vcpus: VcpuResult[]
  decisions: Decision[]
}

export interface ConfigResult {
  config: string
  seed: number
  virtualNs: number
  events: number
  wallMs: number
  vendor: 'vmx' | 'svm'
  vms: VmResult[]
  /** All VMs together, as `perf kvm stat` prints it system-wide. */
  allVms: { exits: ExitRow[]; histograms: ExitHistogram[] }
  pcpus: PcpuResult[]
}

export interface RunResultJson {
  schemaVersion: number
  profile: string
  results: ConfigResult[]
}
