// The `perf kvm stat report` table as rows the UI can sort: the same arithmetic and cell text as perf's
// print_result() (Samples% and Time% against the totals of all exits; times in µs with two decimals).
import type { ExitRow } from '../../../core/result.ts'
import { formatFixed, sprintf } from '../../../core/output/c-printf.ts'

export type PerfSortKey = 'reason' | 'count' | 'samplesPct' | 'timePct' | 'minNs' | 'maxNs' | 'meanNs'
export type SortDir = 'asc' | 'desc'

/** An exit row with perf's two percentage columns. */
export interface PerfRow extends ExitRow {
  samplesPct: number
  timePct: number
}

export interface PerfColumn { key: PerfSortKey; label: string; numeric: boolean }

/** Columns in perf's order, with perf's header text. */
export const PERF_COLUMNS: readonly PerfColumn[] = [
  { key: 'reason', label: 'VM-EXIT', numeric: false },
  { key: 'count', label: 'Samples', numeric: true },
  { key: 'samplesPct', label: 'Samples%', numeric: true },
  { key: 'timePct', label: 'Time%', numeric: true },
  { key: 'minNs', label: 'Min Time', numeric: true },
  { key: 'maxNs', label: 'Max Time', numeric: true },
  { key: 'meanNs', label: 'Avg time', numeric: true },
]

export function perfRows(exits: readonly ExitRow[]): PerfRow[] {
  const totalCount = exits.reduce((a, r) => a + r.count, 0)
  const totalTime = exits.reduce((a, r) => a + r.totalNs, 0)
  return exits.map((r) => ({
    reason: r.reason,
    count: r.count,
    samplesPct: totalCount ? (r.count / totalCount) * 100 : 0,
    timePct: totalTime ? (r.totalNs / totalTime) * 100 : 0,
    minNs: r.minNs,
    maxNs: r.maxNs,
    meanNs: r.count ? r.totalNs / r.count : 0,
    relStddevPct: r.relStddevPct,
    totalNs: r.totalNs,
    causes: r.causes,
  }))
}

/** Sorted copy; ties keep perf's default order (samples, descending), then the name. */
export function sortPerfRows(rows: readonly PerfRow[], key: PerfSortKey, dir: SortDir): PerfRow[] {
  const sign = dir === 'asc' ? 1 : -1
  return [...rows].sort((a, b) => {
    const c = key === 'reason' ? a.reason.localeCompare(b.reason) : a[key] - b[key]
    if (c !== 0) return sign * c
    return b.count - a.count || a.reason.localeCompare(b.reason)
  })
}

const us = (ns: number): string => `${formatFixed(ns / 1000, 2)}us`

/** The cells of one row as perf prints them, rounded as glibc's printf does (without perf's padding). */
export function perfCells(r: PerfRow): Record<PerfSortKey, string> {
  return {
    reason: r.reason,
    count: String(r.count),
    samplesPct: `${formatFixed(r.samplesPct, 2)}%`,
    timePct: `${formatFixed(r.timePct, 2)}%`,
    minNs: us(r.minNs),
    maxNs: us(r.maxNs),
    meanNs: `${us(r.meanNs)} ${sprintf('( +-%7.2f%% )', r.relStddevPct)}`,
  }
}

/** Hover text for a row: its causes, largest first, with counts and shares. */
export function causesTitle(r: Pick<PerfRow, 'reason' | 'count' | 'causes'>): string {
  const entries = Object.entries(r.causes).sort((a, b) => b[1] - a[1])
  if (entries.length === 0) return `${r.reason}: no cause recorded`
  const total = entries.reduce((a, [, n]) => a + n, 0) || 1
  return [`${r.reason} caused by:`, ...entries.map(([c, n]) => `  ${c}: ${n} (${((n / total) * 100).toFixed(1)}%)`)].join('\n')
}

/** perf's footer line. */
export function perfTotals(rows: readonly PerfRow[]): string {
  const count = rows.reduce((a, r) => a + r.count, 0)
  const time = rows.reduce((a, r) => a + r.totalNs, 0)
  return sprintf('Total Samples:%d, Total events handled time:%.2fus.', count, time / 1000)
}
