// The report's first pages (issue 16 item 3): the headline deltas of each VM with their 95 % confidence
// intervals, the exit-table deltas and the kernel decisions that differ between configurations — each
// against the baseline the UI chose. Plain DOM over the frozen snapshot (core/output/report-summary.ts).
import type { ReportSnapshot } from '../../../core/api/protocol.ts'
import { equivalenceText } from '../../../core/output/report-summary.ts'
import { fmtInt, fmtNs, fmtRate } from '../lib/format.ts'
import { h, table } from './dom.ts'
import { seriesColor } from './charts.ts'

export function pct(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return '—'
  const r = Math.round(p * 10) / 10
  return `${r > 0 ? '+' : r < 0 ? '−' : '±'}${Math.abs(r).toFixed(1)} %`
}

function tone(p: number | undefined, better: 'higher' | 'lower', ci?: number): string | undefined {
  if (p === undefined || Math.abs(p) < 1) return undefined
  // Within its confidence interval a change is not told apart from noise: no colour.
  if (ci !== undefined && Math.abs(p) <= ci) return undefined
  return (better === 'higher') === p > 0 ? 'good' : 'bad'
}

export function deltaCell(p: number | undefined, better: 'higher' | 'lower', ci?: number): HTMLElement {
  return h('span', { class: `delta ${tone(p, better, ci) ?? ''}`.trim() }, ci !== undefined && p !== undefined ? `${pct(p)} ± ${ci.toFixed(1)}` : pct(p))
}

/** A configuration's name with its colour swatch (the same colour in every chart). */
export function configLabel(s: ReportSnapshot, name: string): HTMLElement {
  const i = s.configurations.findIndex((c) => c.name === name)
  return h('span', { class: 'cfg' }, h('span', { class: 'swatch', style: `background: ${seriesColor(s, Math.max(0, i), 0)}` }), name)
}

export function headlineTable(s: ReportSnapshot): HTMLElement {
  const reps = s.run.replications
  const rows = s.headline.map((r) => [
    h('span', {}, configLabel(s, r.config), r.config === s.baseline ? ' (baseline)' : ''),
    h('span', { class: 'nobreak-soft' }, r.vm),
    `${fmtRate(r.throughputPerSec)} ${r.unit}/s`,
    r.config === s.baseline ? '—' : deltaCell(r.throughputPct, 'higher', r.throughputCiPct),
    fmtNs(r.p99Ns),
    r.config === s.baseline ? '—' : deltaCell(r.p99Pct, 'lower', r.p99CiPct),
  ])
  return h('div', { class: 'keep' },
    table(['Configuration', 'VM', 'Throughput', 'Δ (95 % CI)', 'p99 latency', 'Δ (95 % CI)'], rows, { class: 'numeric', 'data-testid': 'headline-table' }),
    h('p', { class: 'note' }, reps > 1
      ? `Means over ${reps} replications; ± is the half-width of the 95 % confidence interval of the change (percentage points). A change within it is not coloured.`
      : 'One replication: no confidence interval (set run.replications to 2 or more for one). Changes under 1 % are not coloured.'),
  )
}

export function exitDeltaTable(s: ReportSnapshot): HTMLElement {
  const names = s.comparison.map((r) => r.config)
  if (!s.exitDeltas.length) return h('p', {}, 'No exits were recorded.')
  return h('div', { class: 'keep' }, table(
    ['Exit reason (all VMs)', ...names.flatMap((n, i) => (i === 0 ? [`${n} (baseline)`] : [n, 'Δ']))],
    s.exitDeltas.map((e) => [h('code', { class: 'nobreak' }, e.reason), ...e.counts.flatMap((c, i) => (i === 0 ? [fmtInt(c)] : [fmtInt(c), deltaCell(e.pcts[i] ?? undefined, 'lower')]))]),
    { class: 'numeric', 'data-testid': 'exit-deltas' },
  ))
}

export function decisionDiffs(s: ReportSnapshot): HTMLElement[] {
  const d = s.decisions
  const names = s.comparison.map((r) => r.config)
  const out: HTMLElement[] = []
  for (const g of d.equivalent) out.push(h('p', { class: 'summary keep', 'data-testid': 'equivalent' }, equivalenceText(g)))
  if (!d.differences.length) {
    out.push(h('p', {}, names.length > 1 ? `None of the ${d.compared} kernel decisions differs between the configurations.` : 'There is only one configuration.'))
    return out
  }
  const multiVm = new Set(d.differences.map((x) => x.vm)).size > 1 || s.headline.some((x) => x.vm !== s.headline[0]?.vm)
  out.push(h('div', { class: 'keep' }, table(
    [...(multiVm ? ['VM'] : []), 'Decision', ...names, 'Mirrors'],
    d.differences.map((x) => [...(multiVm ? [h('span', { class: 'nobreak-soft' }, x.vm)] : []), x.title, ...x.values.map((v) => h('span', { class: 'nobreak-soft' }, v)), h('code', {}, x.mirrors)]),
    { class: 'decision-diffs', 'data-testid': 'decision-diffs' },
  ), h('p', { class: 'note' }, `${d.differences.length} of ${d.compared} decisions differ; the appendix lists them all per configuration.`)))
  return out
}
