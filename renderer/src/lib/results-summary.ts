// What the Results page leads with (issue 16 item 2): the run's results in the order the user chose,
// the baseline first, and the comparison summary over them (core/output/report-summary.ts). Pure.
import type { ConfigResult } from '../../../core/result.ts'
import { decisionSummary, headlineDeltas } from '../../../core/output/report-summary.ts'
import type { DecisionSummary, HeadlineDelta } from '../../../core/output/report-summary.ts'
import { isExternalInterrupt } from './exit-names.ts'

/** The results in the user's order (names not in it keep the run's order, after it). */
export function orderedResults(results: readonly ConfigResult[], order: readonly string[]): ConfigResult[] {
  const rank = (r: ConfigResult): number => {
    const i = order.indexOf(r.config)
    return i < 0 ? order.length + results.indexOf(r) : i
  }
  return [...results].sort((a, b) => rank(a) - rank(b))
}

/** `order` with `config` moved one place up (-1) or down (+1). */
export function moveConfig(names: readonly string[], config: string, by: -1 | 1): string[] {
  const i = names.indexOf(config)
  const j = i + by
  if (i < 0 || j < 0 || j >= names.length) return [...names]
  const out = [...names]
  ;[out[i], out[j]] = [out[j] as string, out[i] as string]
  return out
}

export interface ResultsSummary {
  baseline: string
  rows: (HeadlineDelta & { extInt: number; extIntPct?: number })[]
  decisions: DecisionSummary
}

/** The summary with `baseline` compared first (default: the first in order); rows in the user's order. */
export function resultsSummary(ordered: readonly ConfigResult[], baseline?: string): ResultsSummary | undefined {
  const base = ordered.find((r) => r.config === baseline) ?? ordered[0]
  if (!base) return undefined
  const compared = [base, ...ordered.filter((r) => r !== base)]
  const byKey = new Map(headlineDeltas(compared).map((h) => [`${h.config}\n${h.vm}`, h]))
  const extOf = (r: ConfigResult, vm: string): number => r.vms.find((v) => v.vm === vm)?.exits.filter((e) => isExternalInterrupt(e.reason)).reduce((a, e) => a + e.count, 0) ?? 0
  const rows = ordered.flatMap((r) => r.vms.map((v) => {
    const h = byKey.get(`${r.config}\n${v.vm}`) as HeadlineDelta
    const ext = extOf(r, v.vm)
    const b = extOf(base, v.vm)
    return { ...h, extInt: ext, ...(r !== base && b > 0 ? { extIntPct: ((ext - b) / b) * 100 } : {}) }
  }))
  return { baseline: base.config, rows, decisions: decisionSummary(ordered.map((r) => ({ config: r.config, vms: r.vms.map((v) => ({ vm: v.vm, decisions: v.decisions })) }))) }
}
