// The terminal report of `kvmbench validate`: a block per case (source, setup, published and model figures,
// ratio, directions), then a summary table.
import { formatMetricValue, metricLabel } from './metric.ts'
import type { CaseOutcome, CaseRow, Direction } from './outcome.ts'

export const ARROW: Record<Direction, string> = { up: '↑', down: '↓', none: '=' }

export function formatPct(x: number): string {
  const s = Math.abs(x) >= 1000 ? Math.abs(x).toFixed(0) : Math.abs(x).toFixed(1)
  return `${x < 0 ? '−' : x > 0 ? '+' : '±'}${s} %`
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? 'n/a' : `${r < 0 ? '−' : ''}${Math.abs(r).toFixed(2)}`
}

const rangeText = (o: CaseOutcome): string => `${formatPct(o.minChangePct).replace(/ %$/, '')} … ${formatPct(o.maxChangePct)}`

/** The per-seed changes' range: "−6.5 … +6.4 % (3 seeds)", or "1 seed". */
export function seedRangeText(o: CaseOutcome): string {
  return o.seeds === 1 ? '1 seed' : `${rangeText(o)} (${o.seeds} seeds)`
}

/** "EXTERNAL_INTERRUPT exits/s: 11815/s → 1365/s (−88.4 %)"; over several seeds the means of the values, and the
 *  mean of the per-seed changes (what the verdict reads, not the change of the means) with the seeds' range. */
export function modelFigure(row: CaseRow): string {
  if (!row.outcome || row.c.metric === undefined) return 'waiting for a mechanism'
  const m = row.c.metric
  const o = row.outcome
  const values = `${formatMetricValue(m, o.baseline)} → ${formatMetricValue(m, o.changed)}`
  if (o.seeds === 1) return `${metricLabel(m)}: ${values} (${formatPct(o.modelChangePct)})`
  return `${metricLabel(m)}, means over ${o.seeds} seeds: ${values} (mean of the seeds' changes ${formatPct(o.modelChangePct)}, seed range ${rangeText(o)})`
}

export function directionText(row: CaseRow): string {
  return `${ARROW[row.publishedDirection]} / ${row.modelDirection ? ARROW[row.modelDirection] : '–'}`
}

export function summaryCounts(rows: CaseRow[]): string {
  const n = (v: string): number => rows.filter((r) => r.verdict === v).length
  const run = rows.length - n('waiting')
  return `${run} cases run: ${n('agrees')} agree, ${n('magnitude off')} agree in direction with the magnitude off by more than ×2, ${n('direction miss')} direction misses; ${n('waiting')} waiting for a mechanism.`
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length)
}

export function formatValidationText(rows: CaseRow[]): string {
  const out: string[] = []
  rows.forEach((row, i) => {
    const c = row.c
    out.push(`[${i + 1}] ${c.id} (${c.topic}) — ${row.verdict.toUpperCase()}`)
    out.push(`    source:    ${c.source}`)
    out.push(`    setup:     ${c.setup}`)
    out.push(`    published: ${c.published.figure}  [change ${formatPct(c.published.changePct)}]`)
    if (row.outcome) {
      out.push(`    profile:   examples/validation/profiles/${c.profile}: ${c.baseline} → ${c.changed}`)
      out.push(`    model:     ${modelFigure(row)}`)
      out.push(`    ratio:     ${formatRatio(row.ratio)} (model change / published change); direction published ${ARROW[row.publishedDirection]}, model ${ARROW[row.modelDirection ?? 'none']}`)
    } else {
      out.push(`    waiting:   ${c.waiting}`)
    }
    out.push('')
  })
  const head = ['#', 'case', 'published', 'model', 'seed range', 'ratio', 'dir pub/model', 'verdict']
  const body = rows.map((r, i) => [String(i + 1), r.c.id, formatPct(r.c.published.changePct), r.outcome ? formatPct(r.outcome.modelChangePct) : '–', r.outcome ? seedRangeText(r.outcome) : '–', r.outcome ? formatRatio(r.ratio) : '–', directionText(r), r.verdict])
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((b) => b[k]!.length)))
  const line = (cells: string[]): string => cells.map((x, k) => pad(x, widths[k]!)).join('  ').trimEnd()
  out.push(line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), '', summaryCounts(rows), '')
  return out.join('\n')
}
