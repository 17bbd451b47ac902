// The metrics a sweep keeps per point: numbers at paths of the run's result (ConfigResult), e.g.
// vms[0].workload.throughputPerSec. A path that gives no number is an error of the spec, found on the
// first result and named (metricIssues), not a column of nulls.
import type { ConfigResult } from '../result.ts'
import type { Issue } from '../schema/schema.ts'
import { getPath, parsePath } from './json-path.ts'

export function pickMetrics(r: ConfigResult, metrics: readonly string[]): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const m of metrics) {
    const steps = parsePath(m)
    const v = steps ? getPath(r, steps) : undefined
    out[m] = typeof v === 'number' && Number.isFinite(v) ? v : null
  }
  return out
}

export function metricIssues(r: ConfigResult, metrics: readonly string[]): Issue[] {
  const got = pickMetrics(r, metrics)
  return metrics.flatMap((m, i) => got[m] === null
    ? [{ path: `metrics[${i}]`, value: JSON.stringify(m), message: 'is not a number in the result', fix: 'name a numeric field of the result JSON (kvmbench run --json -), e.g. vms[0].workload.throughputPerSec or vms[0].workload.latencyNs.p99' }]
    : [])
}
