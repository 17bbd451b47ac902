// Simulated vs measured exit tables: a `perf kvm stat` table pasted from a real host beside a
// configuration's simulated one, per exit reason: share of exits (%) and mean handling time, with deltas.
import type { ExitRow } from '@core/result.ts'
import type { PerfExitTable } from '@core/formats/index.ts'

export interface PerfDeltaRow {
  reason: string
  simSharePct: number | null
  measSharePct: number | null
  /** measured − simulated, in percentage points. */
  shareDeltaPts: number | null
  simMeanNs: number | null
  measMeanNs: number | null
  /** (measured − simulated) / simulated, in %. */
  meanDeltaPct: number | null
}

/** Reasons match case-insensitively (perf prints VMX names upper case, SVM lower case). */
const key = (s: string): string => s.trim().toUpperCase()

export function comparePerf(simulated: readonly ExitRow[], measured: PerfExitTable): PerfDeltaRow[] {
  const simTotal = simulated.reduce((a, r) => a + r.count, 0)
  const measTotal = measured.rows.reduce((a, r) => a + r.count, 0)
  const rows = new Map<string, PerfDeltaRow>()
  const rowOf = (name: string): PerfDeltaRow => {
    let r = rows.get(key(name))
    if (!r) {
      r = { reason: name, simSharePct: null, measSharePct: null, shareDeltaPts: null, simMeanNs: null, measMeanNs: null, meanDeltaPct: null }
      rows.set(key(name), r)
    }
    return r
  }
  for (const s of simulated) {
    const r = rowOf(s.reason)
    r.simSharePct = simTotal ? (s.count / simTotal) * 100 : 0
    r.simMeanNs = s.count ? s.totalNs / s.count : 0
  }
  for (const m of measured.rows) {
    const r = rowOf(m.name)
    r.measSharePct = measTotal ? (m.count / measTotal) * 100 : m.samplesPct
    r.measMeanNs = m.avgNs
  }
  for (const r of rows.values()) {
    if (r.simSharePct !== null && r.measSharePct !== null) r.shareDeltaPts = r.measSharePct - r.simSharePct
    if (r.simMeanNs !== null && r.measMeanNs !== null && r.simMeanNs > 0) r.meanDeltaPct = ((r.measMeanNs - r.simMeanNs) / r.simMeanNs) * 100
  }
  return [...rows.values()].sort((a, b) => Math.max(b.simSharePct ?? 0, b.measSharePct ?? 0) - Math.max(a.simSharePct ?? 0, a.measSharePct ?? 0) || a.reason.localeCompare(b.reason))
}

export function fmtPct(v: number | null): string {
  return v === null ? '—' : `${v.toFixed(2)} %`
}

export function fmtPts(v: number | null): string {
  return v === null ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)} pts`
}

export function fmtMeanUs(ns: number | null): string {
  return ns === null ? '—' : `${(ns / 1000).toFixed(2)} µs`
}

export function fmtRelPct(v: number | null): string {
  return v === null ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)} %`
}
