// --perf-version: the perf release whose `perf kvm stat report` layout the exit tables are printed in.
import { UsageError } from './args.ts'
import { perfAtLeast } from '../../core/output/perf-report.ts'

/** The first release with `perf kvm stat`: torvalds/linux commit bcf6edcd6fdb8965290f0b635a530fa3c6c212e1
 *  "perf kvm: Events analysis tool" (Xiao Guangrong, 2012) added the `stat` subcommand to tools/perf/builtin-kvm.c
 *  (kvm_events_report(), print_result()); it was merged for Linux 3.7. Before it, `perf kvm` only profiled guests
 *  (perf kvm top/record/report, lwn.net/Articles/383923), so no perf printed an exit table. */
export const PERF_KVM_STAT_FIRST = { major: 3, minor: 7 } as const

const FLOOR = `${PERF_KVM_STAT_FIRST.major}.${PERF_KVM_STAT_FIRST.minor}`

/** The option's value checked: a version (5.3, v6.8, 5.15.0) of a perf that has `perf kvm stat`, or undefined. */
export function perfVersionOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!/^v?\d+(?:\.\d+){0,2}$/.test(value)) throw new UsageError(`--perf-version ${JSON.stringify(value)} is not a version — write it like 5.3 or 6.8`)
  if (!perfAtLeast(value, PERF_KVM_STAT_FIRST.major, PERF_KVM_STAT_FIRST.minor)) {
    throw new UsageError(`--perf-version ${JSON.stringify(value)} is older than perf ${FLOOR}, the first release with \`perf kvm stat\` — write ${FLOOR} or later (e.g. 5.3 or 6.8), or leave the option out for the current layout`)
  }
  return value
}
