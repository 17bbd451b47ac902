// The JSON result of a run (issue 3): what the CLI writes with --json, what the app charts and stores.

/** 2: WorkloadResult.benchmark holds figures and lines (1 had benchmark.output/figures and figures[]; a saved v1
 *  result is read through core/result-v1.ts). */
export const RESULT_SCHEMA_VERSION = 2

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

/** One figure the benchmark prints, by name: hackbench's "Time" (s), cyclictest's "Max" (µs), kvm-unit-tests' "ipi"
 *  (cycles), ebizzy's "records/s". A workload declares each once; its printed lines are rendered from them. */
export interface BenchmarkFigure {
  name: string
  unit: string
  /** The value (with replications: the mean over them). */
  value: number
  /** Across replications: the 95 % confidence half-width of the mean. */
  ci95?: number
}

/** One line as the benchmark prints it: its printf format (core/output/c-printf.ts) and the arguments — a string is a
 *  figure's name (its value is printed), a number a constant of the run (a thread number, a priority). */
export interface BenchmarkLine {
  print: string
  args: (string | number)[]
}

/** What the benchmark itself prints: its figures, and its lines rendered from them (core/output/benchmark-lines.ts). */
export interface WorkloadBenchmark {
  figures: BenchmarkFigure[]
  lines: BenchmarkLine[]
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
  /** What the benchmark itself prints (kvm-unit-tests' "ipi 5094", cyclictest's "T: 0 …" lines, hackbench's
   *  "Time: 1.234"): its figures and the lines rendered from them; absent when it prints nothing of its own. */
  benchmark?: WorkloadBenchmark
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
