// The types of an imported `perf kvm stat` text (perf-kvm-stat.ts reads it, perf-kvm-stat-print.ts prints it).

export interface PerfExitRow {
  name: string
  count: number
  samplesPct: number
  timePct: number
  /** null in the early layout (perf 3.7 – 3.11), which has no Min/Max Time columns; perf 3.12 – 3.17 printed whole
   *  µs (u64 ns / 1000), read here as that many µs, i.e. rounded down to the µs. */
  minNs: number | null
  maxNs: number | null
  avgNs: number
  relStddevPct: number
}

/** A line break a mail client put into a logical line: at `at` (offset in the logical line), `cut` was removed. */
export interface PerfWrap { at: number; cut: string }

export interface PerfLayout {
  /** Width of the first column (20 on x86 before perf v6.4, 40 after; whatever the header shows otherwise). */
  nameWidth: number
  /** perf ends the header with a space; mail archives strip it. */
  headerTrailingSpace: boolean
  /** Text before every line of the table (e.g. two spaces). */
  indent: string
  /** `perf kvm stat live`: the show_timeofday() line. */
  live?: { timeOfDay: string }
  /** false: the early layout (perf 3.7 – 3.11) without Min Time / Max Time. */
  minMax: boolean
  /** perf 3.12 – 3.17: Min/Max printed as whole µs ("%8" PRIu64 "us ") under "%10s " headers; absent: two decimals
   *  ("%9.2fus ") under "%11s ", as perf 3.18 and later print them. */
  minMaxWholeUs?: boolean
  /** kvm->events_ops->name: "VM-EXIT", "MMIO Access" or "IO Port Access". */
  eventName: string
  /** What print_vcpu_info() said after "Analyze events for ", e.g. "all VMs, all VCPUs"; absent when the text has no such line. */
  analyze?: string
  lostEvents?: number
  /** The table's lines in order, when they are not perf's own: "@time", "@analyze", "@header", "@row", "@total", "@lost", or a blank line's exact text. */
  skeleton?: string[]
  /** Whitespace between the fields, for lines not spaced as perf's printf spaces them (null: perf's). */
  spacing?: { header: string[] | null; rows: (string[] | null)[] }
  /** Mail-wrapped logical lines. */
  wraps?: { header?: PerfWrap[]; rows?: (PerfWrap[] | null)[]; total?: PerfWrap[] }
  /** Per printed line: the mail quote prefix ("> ", ">> ", ">") it had; absent when none had one. */
  quote?: string[]
  /** Per printed line: whether it ended in CR (CRLF text); absent when none did. */
  cr?: boolean[]
}

/** The --event= of each table name (kvm_reg_events_ops[].name → kvm_events_ops.name). */
export const PERF_EVENTS = { 'VM-EXIT': 'vmexit', 'MMIO Access': 'mmio', 'IO Port Access': 'ioport', 'MSR Access': 'msr' } as const
export type PerfEvent = (typeof PERF_EVENTS)[keyof typeof PERF_EVENTS]

export interface PerfExitTable {
  rows: PerfExitRow[]
  /** From "Total Samples:"; null when the text shows no total line (a partial table). */
  totalSamples: number | null
  totalTimeNs: number | null
  /** Whose exit names a VM-EXIT table has; arm64 tables are read but not simulated. */
  vendor: 'vmx' | 'svm' | 'arm64' | 'unknown'
  /** perf kvm stat --event= of the table. */
  event: PerfEvent
  /** --vcpu=N: the one vCPU the table covers (print_vcpu_info() "VCPU N"); absent for all VCPUs. */
  vcpu?: number
  /** Rows were cut out of the text ("[..]"): the totals cover more rows than are shown. */
  elided?: boolean
  /** 1-based line of the header in the input. */
  line: number
  layout: PerfLayout
}

export interface PerfImport {
  tables: PerfExitTable[]
  /** The text in order: lines outside the tables, and the tables. */
  segments: ({ text: string[] } | { table: number })[]
}
