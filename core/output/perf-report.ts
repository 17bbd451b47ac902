// `perf kvm stat report --stdio` / `perf kvm stat live` table, byte for byte as
// tools/perf/builtin-kvm.c prints it: print_result() with print_vcpu_info() and
// show_timeofday(), rows ordered as sort_result() orders them.
//
// The table as each perf release printed it (print_result()/print_vcpu_info() read at the release's source):
//   3.7 – 3.11  (bcf6edcd6fdb "perf kvm: Events analysis tool"): no Min Time / Max Time columns, no live
//               mode; "Analyze events for all VCPUs:" (no VM part); Total line "%lld" (PRIu64 later: same text).
//   3.12 – 3.17 (David Ahern's 2013 series: Min/Max, and 1afe1d148491 "perf kvm: Add live mode"):
//               header "%10s " "Min Time" / "Max Time", rows "%8" PRIu64 "us " of min / 1000 and max / 1000
//               (whole µs, truncated); "all VMs, " / "pid(s) %s, " printed in live mode only.
//   3.18 – 6.3: header "%11s ", rows "%9.2fus " of min / 1e3; the VM part in report mode too (report -p).
//   6.4 on:     40-character name column (KVM_EVENT_NAME_LEN), histogram sort keys.
import { sprintf } from './c-printf.ts'
import type { CArg } from './c-printf.ts'
import type { ExitStatsTable } from '../metrics/welford.ts'

export interface PerfKvmStatRow {
  /** Decoded key, e.g. "HLT" or "hlt" (see exit-names.ts). */
  name: string
  count: number
  /** Sum of the event times; perf's u64 ns, so pass integers for exact fidelity. */
  totalNs: number
  minNs: number
  maxNs: number
  /** kvm_event_rel_stddev(), e.g. ExitStatsTable.relStddevPct(). */
  relStddevPct: number
}

/** perf kvm stat -k/--key. Before v6.4 only 'sample' and 'time' exist. */
export type PerfSortKey = 'sample' | 'time' | 'ev_name' | 'max_t' | 'min_t' | 'mean_t'

/** What print_vcpu_info() says is monitored. */
export type PerfTarget = { kind: 'system' } | { kind: 'pid'; pids: string } | { kind: 'none' }

export interface PerfKvmStatOptions {
  /** perf version, e.g. "6.4" or "5.15.0"; default: current (≥ 6.4). */
  perfVersion?: string
  /** Name column width; default KVM_EVENT_NAME_LEN (40) from v6.4, decode_str_len (20, x86) before. */
  nameWidth?: number
  /** Sort key, default 'sample'. */
  key?: PerfSortKey
  /** kvm->events_ops->name: "VM-EXIT" (default), "MMIO Access", "IO Port Access". */
  eventName?: string
  /** Default { kind: 'system' } ("all VMs, "). Printed from perf 3.18 on; 3.12 – 3.17 print it in live mode
   *  only, and perf before 3.12 never ("Analyze events for all VCPUs:"). */
  target?: PerfTarget
  /** --vcpu; -1 (default) means all VCPUs. */
  vcpu?: number
  /** Live mode (perf 3.12 and later; a RangeError for an older perfVersion): show_timeofday() text
   *  ("%H:%M:%S.%06ld") printed first; perf also puts(CONSOLE_CLEAR) before it. */
  live?: { timeOfDay: string; clearScreen?: boolean }
  /** Live mode's lost-event count (perf 3.12 and later). */
  lostEvents?: number
  /** Overrides for kvm->total_count / total_time; default the sums over rows with count > 0. */
  totalCount?: number
  totalNs?: number
}

/** First perf with Min Time / Max Time columns and `perf kvm stat live` (both in the 3.12 merge window). */
export const PERF_MIN_MAX_FIRST = { major: 3, minor: 12 } as const
/** First perf printing Min/Max with two decimals ("%9.2fus ", header "%11s ") and the VM part in report mode. */
export const PERF_MIN_MAX_DECIMALS_FIRST = { major: 3, minor: 18 } as const

export const KVM_EVENT_NAME_LEN = 40
export const LEGACY_DECODE_STR_LEN = 20
const NSEC_PER_USEC = 1000
/** tools/perf/util/top.h CONSOLE_CLEAR ("\e[H\e[2J"), written with puts(). */
const CONSOLE_CLEAR = '\x1b[H\x1b[2J'

/** True for perf v6.4 and later (histogram-based kvm stat, 40-char names). */
export function isHistsPerf(perfVersion?: string): boolean {
  return perfVersion === undefined || perfAtLeast(perfVersion, 6, 4)
}

/** True when a perf version ("6.4", "v5.15.0"; a missing minor is 0) is major.minor or newer. */
export function perfAtLeast(perfVersion: string, major: number, minor: number): boolean {
  const m = /^v?(\d+)(?:\.(\d+))?/.exec(perfVersion.trim())
  if (m === null) throw new RangeError(`bad perfVersion ${perfVersion}`)
  const maj = Number(m[1])
  return maj > major || (maj === major && Number(m[2] ?? 0) >= minor)
}

/** True when that perf's table has the Min Time / Max Time columns (3.12 and later; default: current). */
export function perfHasMinMax(perfVersion?: string): boolean {
  return perfVersion === undefined || perfAtLeast(perfVersion, PERF_MIN_MAX_FIRST.major, PERF_MIN_MAX_FIRST.minor)
}

/** True when that perf prints Min/Max with two decimals and names the VMs in report mode too (3.18 and later). */
function perfMinMaxDecimals(perfVersion?: string): boolean {
  return perfVersion === undefined || perfAtLeast(perfVersion, PERF_MIN_MAX_DECIMALS_FIRST.major, PERF_MIN_MAX_DECIMALS_FIRST.minor)
}

export function nameWidthFor(perfVersion?: string): number {
  return isHistsPerf(perfVersion) ? KVM_EVENT_NAME_LEN : LEGACY_DECODE_STR_LEN
}

/** C double division as x86 does it: 0.0/0.0 is -nan, x/0.0 is ±inf. */
function cdiv(a: number, b: number): CArg {
  if (b !== 0) return a / b
  if (a === 0 || Number.isNaN(a)) return '-nan'
  return a > 0 ? 'inf' : '-inf'
}

function times(x: CArg, k: number): CArg {
  return typeof x === 'number' ? x * k : x
}

/**
 * kvm->total_count / total_time: exact u64 sums rounded once to a double (as C's
 * `(double)total`), when all terms are safe integers; a plain float sum otherwise.
 */
function u64Sum(xs: readonly number[]): number | bigint {
  if (!xs.every(Number.isSafeInteger)) return xs.reduce((a, b) => a + b, 0)
  let sum = 0n
  for (const x of xs) sum += BigInt(x)
  return sum
}

/** u64 ns / 1000 as C divides (3.12 – 3.17 printed min and max in whole µs). */
function wholeUs(ns: number): number | bigint {
  if (Number.isSafeInteger(ns) && ns >= 0) return BigInt(ns) / 1000n
  return Math.max(0, Math.floor(ns / NSEC_PER_USEC))
}

/** get_event_mean(): stats.mean read through a u64 getter, i.e. truncated. */
function u64Mean(r: PerfKvmStatRow): number {
  return Math.trunc(r.totalNs / r.count)
}

function metric(r: PerfKvmStatRow, key: PerfSortKey, hists: boolean): number {
  switch (key) {
    case 'sample':
      return r.count
    case 'time':
      return hists ? r.totalNs : u64Mean(r) // before v6.4, 'time' compared the mean
    case 'max_t':
      return r.maxNs
    case 'min_t':
      return r.minNs
    case 'mean_t':
      return u64Mean(r)
    default:
      return 0
  }
}

function strcmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * sort_result(): rows with count 0 dropped, then descending by the key (ev_name ascending).
 * v6.4+ (hists) breaks ties by event name; older perf keeps insertion order (its hash
 * walk, i.e. ascending exit code), which here is the input order (the sort is stable).
 */
export function sortPerfRows(rows: readonly PerfKvmStatRow[], key: PerfSortKey = 'sample', perfVersion?: string): PerfKvmStatRow[] {
  const hists = isHistsPerf(perfVersion)
  if (!hists && key !== 'sample' && key !== 'time') throw new RangeError(`Unknown compare key:${key}`)
  const valid = rows.filter((r) => r.count > 0)
  return valid.sort((a, b) => {
    if (key === 'ev_name') return strcmp(a.name, b.name)
    const d = metric(b, key, hists) - metric(a, key, hists)
    if (d !== 0 || !hists) return d
    return strcmp(a.name, b.name)
  })
}

/** print_vcpu_info(); `showTarget` false: perf before 3.12 (and 3.12 – 3.17 outside live mode) named no VMs. */
function vcpuInfo(target: PerfTarget, vcpu: number, showTarget: boolean): string {
  let s = 'Analyze events for '
  if (showTarget) {
    if (target.kind === 'system') s += 'all VMs, '
    else if (target.kind === 'pid') s += sprintf('pid(s) %s, ', target.pids)
    else s += 'dazed and confused on what is monitored, '
  }
  s += vcpu === -1 ? 'all VCPUs:\n\n' : sprintf('VCPU %d:\n\n', vcpu)
  return s
}

/** print_result(): the whole report text. */
export function formatPerfKvmStat(rows: readonly PerfKvmStatRow[], opts: PerfKvmStatOptions = {}): string {
  const width = opts.nameWidth ?? nameWidthFor(opts.perfVersion)
  const minMax = perfHasMinMax(opts.perfVersion)
  const decimals = perfMinMaxDecimals(opts.perfVersion)
  if (!minMax && (opts.live !== undefined || opts.lostEvents)) {
    throw new RangeError(`perf ${opts.perfVersion} has no \`perf kvm stat live\` (nor its lost-event count): it came with perf ${PERF_MIN_MAX_FIRST.major}.${PERF_MIN_MAX_FIRST.minor}`)
  }
  const sorted = sortPerfRows(rows, opts.key ?? 'sample', opts.perfVersion)
  const totalCountU64 = opts.totalCount ?? u64Sum(sorted.map((r) => r.count))
  const totalCount = Number(totalCountU64)
  const totalTime = Number(opts.totalNs ?? u64Sum(sorted.map((r) => r.totalNs)))

  let out = ''
  if (opts.live !== undefined) {
    if (opts.live.clearScreen === true) out += CONSOLE_CLEAR + '\n'
    out += opts.live.timeOfDay
  }
  out += '\n\n'
  out += vcpuInfo(opts.target ?? { kind: 'system' }, opts.vcpu ?? -1, decimals || (minMax && opts.live !== undefined))
  out += sprintf('%*s ', width, opts.eventName ?? 'VM-EXIT')
  out += sprintf('%10s ', 'Samples')
  out += sprintf('%9s ', 'Samples%')
  out += sprintf('%9s ', 'Time%')
  if (minMax) {
    out += sprintf('%*s ', decimals ? 11 : 10, 'Min Time')
    out += sprintf('%*s ', decimals ? 11 : 10, 'Max Time')
  }
  out += sprintf('%16s ', 'Avg time')
  out += '\n\n'

  for (const r of sorted) {
    // decode_key() writes through scnprintf(decode, width, "%s", ...): at most width-1 chars.
    const decode = width > 0 ? r.name.slice(0, width - 1) : ''
    out += sprintf('%*s ', width, decode)
    out += sprintf('%10llu ', r.count)
    out += sprintf('%8.2f%% ', times(cdiv(r.count, totalCount), 100))
    out += sprintf('%8.2f%% ', times(cdiv(r.totalNs, totalTime), 100))
    if (minMax && decimals) {
      out += sprintf('%9.2fus ', r.minNs / NSEC_PER_USEC)
      out += sprintf('%9.2fus ', r.maxNs / NSEC_PER_USEC)
    } else if (minMax) {
      out += sprintf('%8lluus ', wholeUs(r.minNs))
      out += sprintf('%8lluus ', wholeUs(r.maxNs))
    }
    const avg = cdiv(r.totalNs, r.count)
    out += sprintf('%9.2fus ( +-%7.2f%% )', typeof avg === 'number' ? avg / NSEC_PER_USEC : avg, r.relStddevPct)
    out += '\n'
  }

  out += sprintf('\nTotal Samples:%lu, Total events handled time:%.2fus.\n\n', totalCountU64, totalTime / NSEC_PER_USEC)
  if (opts.lostEvents) out += sprintf('\nLost events: %lu\n\n', opts.lostEvents)
  return out
}

/** Rows for every series of an ExitStatsTable with at least one sample. */
export function perfRowsFromStats(
  table: ExitStatsTable,
  nameOf: readonly string[] | ((series: number) => string),
): PerfKvmStatRow[] {
  const rows: PerfKvmStatRow[] = []
  for (let s = 0; s < table.nSeries; s++) {
    const count = table.count(s)
    if (count === 0) continue
    rows.push({
      name: typeof nameOf === 'function' ? nameOf(s) : (nameOf[s] ?? 'UNKNOWN'),
      count,
      totalNs: table.totalNs(s),
      minNs: table.minNs(s),
      maxNs: table.maxNs(s),
      relStddevPct: table.relStddevPct(s),
    })
  }
  return rows
}
