// The report document, built from the frozen snapshot with plain DOM calls (every text through
// textContent: nothing in a snapshot is ever parsed as HTML). Each table, chart and code block is a
// `.keep` block, which print CSS keeps on one page (break-inside: avoid).
import type { ReportSnapshot } from '../../../core/api/protocol.ts'
import { fmtInt, fmtNs, fmtRate } from '../lib/format.ts'

import { h, table } from './dom.ts'
import type { Child } from './dom.ts'
import { pinningDiagram } from './pinning.ts'
import { configLabel, decisionDiffs, deltaCell, exitDeltaTable, headlineTable } from './summary-pages.ts'

export { h } from './dom.ts'

export function fmtDate(iso: string | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (!Number.isFinite(d.getTime())) return iso
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`
}

function section(id: string, title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h('section', { id, 'data-section': id }, h('h2', {}, title), ...children)
}

/** One chart slot; main.ts draws into `.chart` elements by their data-chart name. */
function chartSlot(name: string, label: string): HTMLElement {
  return h('figure', { class: 'keep chart-figure' }, h('div', { class: 'chart', 'data-chart': name, role: 'img', 'aria-label': label }))
}

/** A command line or cpulist: wraps between tokens only, never inside one. */
function cmdlineBlock(text: string, testid?: string): HTMLElement {
  const tokens = text.split(/\s+/).filter(Boolean)
  return h('p', { class: 'code cmdline', ...(testid ? { 'data-testid': testid } : {}) }, tokens.flatMap((tok, i) => [h('span', { class: 'tok' }, tok), i < tokens.length - 1 ? ' ' : '']))
}

/** The summary (2–4 pages: what was compared, headline deltas, pinning, exit deltas, decisions that
 *  differ), then the appendix with the rest (charts, the full comparison, each configuration's command
 *  line, perf table, libvirt XML and decisions). */
export function renderReport(root: HTMLElement, s: ReportSnapshot): void {
  const configs = s.configurations
  const baselineName = s.baseline ?? '—'
  const header = h('header', { class: 'keep report-header' },
    h('p', { class: 'kicker' }, 'kvmbench comparison report'),
    h('h1', { 'data-testid': 'report-title' }, s.title),
    h('dl', { class: 'meta' },
      h('dt', {}, 'Profile'), h('dd', {}, s.title),
      h('dt', {}, 'Date'), h('dd', { 'data-testid': 'report-date' }, fmtDate(s.run.startedAt ?? s.generatedAt)),
      h('dt', {}, 'Run'), h('dd', { 'data-testid': 'report-run' }, `${s.run.runId ?? 'command line'} · status ${s.run.status}`),
      h('dt', {}, 'Baseline'), h('dd', { 'data-testid': 'report-baseline' }, `${baselineName}${s.baselineFrom === 'chosen' ? ' (the baseline chosen in kvmbench)' : ' (the first configuration)'}`),
      h('dt', {}, 'Simulated'), h('dd', {}, `${s.run.durationSec} s virtual after ${s.run.warmupSec} s warm-up · seed ${s.run.seed}${s.run.replications > 1 ? ` · ${s.run.replications} replications` : ''}`),
      h('dt', {}, 'Generated'), h('dd', {}, `${fmtDate(s.generatedAt)}${s.kvmbenchVersion ? ` by kvmbench ${s.kvmbenchVersion}` : ''}`),
    ),
  )

  const summary = section('summary', 'Summary', h('p', { class: 'summary keep', 'data-testid': 'report-summary' }, s.summary))

  const compared = section('compared', 'What was compared',
    h('div', { class: 'keep' }, table(['Host', ''], [
      ['CPU', `${s.host.cpuLabel} (${s.host.cpu}, ${s.host.vendor === 'svm' ? 'AMD SVM' : 'Intel VMX'})`],
      ['Topology', s.host.topology],
      ['Host kernel', `Linux ${s.host.kernel}, CONFIG_HZ=${s.host.hz}`],
    ], { class: 'kv' })),
    h('div', { class: 'keep' }, table(['Configuration', 'Description', 'Status'], configs.map((c) => [configLabel(s, c.name), c.description || '—', c.error ? `${c.status}: ${c.error}` : c.status]))),
    s.differences.length
      ? h('div', { class: 'keep' }, h('h3', {}, 'Differences between configurations'), table(['Setting', ...configs.map((c) => c.name)], s.differences.map((d) => [h('code', { class: 'path' }, d.path), ...d.values.map((v) => h('code', { class: 'nobreak' }, v))]), { 'data-testid': 'differences-table' }))
      : h('p', {}, configs.length > 1 ? 'The configurations have identical settings.' : 'There is only one configuration.'),
  )

  const headline = section('headline', `Headline deltas against ${baselineName}`, headlineTable(s))
  const pinning = s.pinning ? section('pinning', `Host pinning (${s.pinning.config})`, pinningDiagram(s.pinning.host, s.pinning.vms)) : null
  const exits = section('exit-deltas', 'Exit-table deltas', exitDeltaTable(s))
  const decisions = section('decision-diffs', 'Kernel decisions that differ', ...decisionDiffs(s))

  const appendix = h('section', { id: 'appendix', class: 'appendix', 'data-section': 'appendix' }, h('h1', { 'data-testid': 'appendix' }, 'Appendix'))

  const comparison = section('comparison', 'Comparison',
    s.comparison.length
      ? h('div', { class: 'keep' }, table(
        ['Configuration', 'Throughput', 'Δ', 'p99 latency', 'Δ', `${configs[0]?.eiReason ?? 'EXTERNAL_INTERRUPT'}`, 'Δ', 'Share', 'All exits', 'Δ'],
        s.comparison.map((r, i) => [
          i === 0 ? `${r.config} (baseline)` : r.config,
          `${fmtRate(r.throughputPerSec)} ${r.unit}/s`, deltaCell(r.deltas.throughput, 'higher'),
          fmtNs(r.p99Ns), deltaCell(r.deltas.p99, 'lower'),
          fmtInt(r.externalInterrupts), deltaCell(r.deltas.externalInterrupts, 'lower'),
          `${r.eiSharePct.toFixed(1)} %`,
          fmtInt(r.totalExits), deltaCell(r.deltas.totalExits, 'lower'),
        ]), { class: 'numeric', 'data-testid': 'comparison-table' }))
      : h('p', {}, 'No configuration produced a result.'),
  )

  const charts = section('charts', 'Charts',
    configs.some((c) => c.eiHistogram) ? chartSlot('ei-histogram', 'external interrupt histogram') : h('p', {}, 'No external-interrupt exits were recorded.'),
    chartSlot('throughput', 'throughput over time'),
    chartSlot('latency', 'latency percentiles'),
  )

  // A VM's libvirt XML is printed once when every configuration gives the same document.
  const base = configs.find((c) => c.name === s.baseline) ?? configs[0]
  const sameXml = (c: (typeof configs)[number], vm: string): boolean => c !== base && base?.libvirtXml?.find((x) => x.vm === vm)?.xml === c.libvirtXml?.find((x) => x.vm === vm)?.xml
  const perConfig = configs.map((c, i) => section(`config-${i}`, `Configuration ${c.name}`,
    c.description ? h('p', { class: 'description' }, c.description) : null,
    h('div', { class: 'keep' }, h('h3', {}, 'Kernel command line'), c.kernelCmdline ? cmdlineBlock(c.kernelCmdline, 'cmdline') : h('p', { 'data-testid': 'cmdline' }, '(no isolation parameters: the default command line)')),
    h('div', {}, h('h3', {}, 'libvirt domain XML'),
      c.libvirtXml?.length
        ? c.libvirtXml.map((x) => sameXml(c, x.vm)
          ? h('p', { class: 'note' }, `${x.vm}: the same document as in ${base?.name ?? 'the baseline'}.`)
          : h('div', { class: 'keep' }, c.libvirtXml!.length > 1 ? h('h4', {}, x.vm) : null, h('pre', { class: 'code xml' }, x.xml)))
        : h('p', { class: 'todo', 'data-testid': 'libvirt-todo' }, c.libvirtXmlNote ?? 'TODO: libvirt domain XML')),
    c.perfTable
      ? h('div', { class: 'keep' }, h('h3', {}, 'perf kvm stat report (all VMs)'), h('pre', { class: 'code perf', 'data-testid': 'perf-table' }, c.perfTable.replace(/^\n+/, '')))
      : h('p', { class: 'todo' }, `No result: ${c.error ?? c.status}`),
    c.vms.flatMap((v) => [
      v.printed
        ? h('div', { class: 'keep' }, h('h3', {}, `Benchmark output${c.vms.length > 1 ? ` — ${v.vm}` : ''} (${v.workload.kind})`),
          v.printed.note ? h('p', { class: 'note' }, `${v.printed.note[0]!.toUpperCase()}${v.printed.note.slice(1)}.`) : null,
          h('pre', { class: 'code bench', 'data-testid': 'benchmark-output' }, v.printed.lines.map((l) => `${l.text}${l.ci ? `   (${l.ci})` : ''}`).join('\n')))
        : null,
      v.eiCauses.length ? h('p', { class: 'causes keep' }, `${v.vm}: ${c.eiReason} exits caused by ${v.eiCauses.map((x) => `${x.cause} ${fmtInt(x.count)}`).join(', ')}.`) : null,
      v.decisions.length
        ? h('div', { class: 'keep decisions' },
          h('h3', {}, `Kernel decisions${c.vms.length > 1 ? ` — ${v.vm}` : ''}${c.decisionsFrom === 'preview' ? ' (preview: the configuration did not run)' : ''}`),
          table(['Decision', 'Value', 'Why', 'Mirrors'], v.decisions.map((d) => [d.title, d.value, d.reason, h('code', {}, d.mirrors)]), { class: 'decisions-table' }))
        : null,
    ]),
  ))

  root.replaceChildren(header, summary, compared, headline, ...(pinning ? [pinning] : []), exits, decisions, appendix, comparison, charts, ...perConfig)
}
