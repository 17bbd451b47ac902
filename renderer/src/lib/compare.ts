// The comparison summary: one row per configuration with its headline numbers and the deltas against
// the baseline (the first configuration, or a pinned run's configuration). Pure functions.
import type { ConfigResult } from '../../../core/result.ts'
import { throughputGroups } from '../../../core/output/text-report.ts'
import { externalInterruptReason } from './exit-names.ts'

export interface ConfigSummary {
  config: string
  /** Throughput per second of the first VM's workload, summed over the VMs running the same workload in the same
   *  unit (core/output/text-report.ts throughputGroups()): a timer VM's wake-ups are never added to redis ops. */
  throughput: number
  unit: string
  /** VMs whose throughput this is, when other VMs run another workload (their figures are in the per-VM rows). */
  throughputVms: string[] | null
  /** Worst p99 latency over the VMs, ns. */
  p99Ns: number
  /** EXTERNAL_INTERRUPT (SVM `interrupt`) exits over all VMs. */
  extIntCount: number
  totalExits: number
}

export type Tone = 'good' | 'bad' | 'neutral'
export type Better = 'higher' | 'lower'

export interface Delta { pct: number; tone: Tone }

export interface ComparisonRow extends ConfigSummary {
  isBaseline: boolean
  deltas: { throughput: Delta; p99Ns: Delta; extIntCount: Delta; totalExits: Delta }
}

export function summarizeResult(r: ConfigResult): ConfigSummary {
  const ext = externalInterruptReason(r.vendor)
  const groups = throughputGroups(r)
  return {
    config: r.config,
    throughput: groups[0]?.perSec ?? 0,
    unit: groups[0]?.unit ?? 'ops',
    throughputVms: groups.length > 1 ? groups[0]!.vms : null,
    p99Ns: r.vms.reduce((a, v) => Math.max(a, v.workload.latencyNs.p99), 0),
    extIntCount: r.allVms.exits.find((e) => e.reason === ext)?.count ?? 0,
    totalExits: r.allVms.exits.reduce((a, e) => a + e.count, 0),
  }
}

/** Relative change in percent of `value` against `base`, with a tone: changes under `thresholdPct` are neutral. */
export function delta(base: number, value: number, better: Better, thresholdPct = 1): Delta {
  if (base === 0) return { pct: value === 0 ? 0 : Infinity, tone: value === 0 ? 'neutral' : better === 'higher' ? 'good' : 'bad' }
  const pct = ((value - base) / Math.abs(base)) * 100
  if (Math.abs(pct) < thresholdPct) return { pct, tone: 'neutral' }
  const improved = better === 'higher' ? pct > 0 : pct < 0
  return { pct, tone: improved ? 'good' : 'bad' }
}

/**
 * Rows with deltas. `baseline` is one result every row compares with, or a function giving each row its
 * own (a pinned run: the same-named configuration); when absent, the first result is the baseline.
 */
export function comparisonRows(
  results: readonly ConfigResult[],
  baseline: ConfigResult | undefined | ((r: ConfigResult) => ConfigResult | undefined),
): ComparisonRow[] {
  const baseOf = (r: ConfigResult): ConfigResult | undefined => (typeof baseline === 'function' ? baseline(r) : (baseline ?? results[0]))
  return results.map((r) => {
    const s = summarizeResult(r)
    const baseResult = baseOf(r)
    const b = baseResult ? summarizeResult(baseResult) : s
    return {
      ...s,
      isBaseline: baseResult === r,
      deltas: {
        throughput: delta(b.throughput, s.throughput, 'higher'),
        p99Ns: delta(b.p99Ns, s.p99Ns, 'lower'),
        extIntCount: delta(b.extIntCount, s.extIntCount, 'lower'),
        totalExits: delta(b.totalExits, s.totalExits, 'lower'),
      },
    }
  })
}
