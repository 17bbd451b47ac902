// The report document, built from the frozen snapshot with plain DOM calls (every text through
// textContent: nothing in a snapshot is ever parsed as HTML). Each table, chart and code block is a
// `.keep` block, which print CSS keeps on one page (break-inside: avoid).
import type { ReportSnapshot } from '../../../core/api/protocol.ts'
import { fmtInt, fmtNs, fmtRate } from '../lib/format.ts'

type Child = Node | string | null | undefined | false
type Attrs = Record<string, string | undefined>

export function h(tag: string, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v)
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === 'string' ? document.createTextNode(c) : c)
  }
  return el
}

function table(head: string[], rows: (string | HTMLElement)[][], attrs: Attrs = {}): HTMLElement {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  )
}

export function fmtDate(iso: string | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (!Number.isFinite(d.getTime())) return iso
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`
}

function pct(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return '—'
  const r = Math.round(p * 10) / 10
  return `${r > 0 ? '+' : r < 0 ? '−' : '±'}${Math.abs(r).toFixed(1)} %`
}

function tone(p: number | undefined, better: 'higher' | 'lower'): string | undefined {
  if (p === undefined || Math.abs(p) < 1) return undefined
  return (better === 'higher') === p > 0 ? 'good' : 'bad'
}

function deltaCell(p: number | undefined, better: 'higher' | 'lower'): HTMLElement {
  return h('span', { class: `delta ${tone(p, better) ?? ''}`.trim() }, pct(p))
}

function section(id: string, title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h('section', { id, 'data-section': id }, h('h2', {}, title), ...children)
}

/** One chart slot; main.ts draws into `.chart` elements by their data-chart name. */
function chartSlot(name: string, label: string): HTMLElement {
  return h('figure', { class: 'keep chart-figure' }, h('div', { class: 'chart', 'data-chart': name, role: 'img', 'aria-label': label }))
}

export function renderReport(root: HTMLElement, s: ReportSnapshot): void {
  const configs = s.configurations
  const header = h('header', { class: 'keep report-header' },
    h('p', { class: 'kicker' }, 'kvmbench comparison report'),
    h('h1', { 'data-testid': 'report-title' }, s.title),
    s.description ? h('p', { class: 'description' }, s.description) : null,
    h('dl', { class: 'meta' },
      h('dt', {}, 'Date'), h('dd', { 'data-testid': 'report-date' }, fmtDate(s.run.startedAt ?? s.generatedAt)),
      h('dt', {}, 'Run'), h('dd', {}, `${s.run.runId ?? 'command line'} · status ${s.run.status}`),
      h('dt', {}, 'Simulated'), h('dd', {}, `${s.run.durationSec} s virtual after ${s.run.warmupSec} s warm-up · seed ${s.run.seed}${s.run.replications > 1 ? ` · ${s.run.replications} replications` : ''}`),
      h('dt', {}, 'Generated'), h('dd', {}, `${fmtDate(s.generatedAt)}${s.kvmbenchVersion ? ` by kvmbench ${s.kvmbenchVersion}` : ''}`),
    ),
  )

  const summary = section('summary', 'Summary', h('p', { class: 'summary keep', 'data-testid': 'report-summary' }, s.summary))

  const host = section('host', 'Host and configurations',
    h('div', { class: 'keep' }, table(['Host', ''], [
      ['CPU', `${s.host.cpuLabel} (${s.host.cpu}, ${s.host.vendor === 'svm' ? 'AMD SVM' : 'Intel VMX'})`],
      ['Topology', s.host.topology],
      ['Host kernel', `Linux ${s.host.kernel}, CONFIG_HZ=${s.host.hz}`],
    ], { class: 'kv' })),
    h('div', { class: 'keep' }, table(['Configuration', 'Description', 'Status'], configs.map((c) => [c.name, c.description || '—', c.error ? `${c.status}: ${c.error}` : c.status]))),
  )

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

  const differences = section('differences', 'Differences between configurations',
    s.differences.length
      ? h('div', { class: 'keep' }, table(['Setting', ...configs.map((c) => c.name)], s.differences.map((d) => [h('code', {}, d.path), ...d.values.map((v) => h('code', {}, v))]), { 'data-testid': 'differences-table' }))
      : h('p', {}, configs.length > 1 ? 'The configurations have identical settings.' : 'There is only one configuration.'),
  )

  const charts = section('charts', 'Charts',
    configs.some((c) => c.eiHistogram) ? chartSlot('ei-histogram', 'external interrupt histogram') : h('p', {}, 'No external-interrupt exits were recorded.'),
    chartSlot('throughput', 'throughput over time'),
    chartSlot('latency', 'latency percentiles'),
  )

  const perConfig = configs.map((c, i) => section(`config-${i}`, `Configuration ${c.name}`,
    c.description ? h('p', { class: 'description' }, c.description) : null,
    h('div', { class: 'keep' }, h('h3', {}, 'Kernel command line'), h('pre', { class: 'code', 'data-testid': 'cmdline' }, c.kernelCmdline || '(no isolation parameters: the default command line)')),
    h('div', { class: 'keep' }, h('h3', {}, 'libvirt domain XML'),
      c.libvirtXml?.length
        ? c.libvirtXml.map((x) => h('div', { class: 'keep' }, c.libvirtXml!.length > 1 ? h('h4', {}, x.vm) : null, h('pre', { class: 'code xml' }, x.xml)))
        : h('p', { class: 'todo', 'data-testid': 'libvirt-todo' }, c.libvirtXmlNote ?? 'TODO: libvirt domain XML')),
    c.perfTable
      ? h('div', { class: 'keep' }, h('h3', {}, 'perf kvm stat report (all VMs)'), h('pre', { class: 'code perf', 'data-testid': 'perf-table' }, c.perfTable.replace(/^\n+/, '')))
      : h('p', { class: 'todo' }, `No result: ${c.error ?? c.status}`),
    c.vms.flatMap((v) => [
      v.eiCauses.length ? h('p', { class: 'causes keep' }, `${v.vm}: ${c.eiReason} exits caused by ${v.eiCauses.map((x) => `${x.cause} ${fmtInt(x.count)}`).join(', ')}.`) : null,
      v.decisions.length
        ? h('div', { class: 'keep decisions' },
          h('h3', {}, `Kernel decisions${c.vms.length > 1 ? ` — ${v.vm}` : ''}${c.decisionsFrom === 'preview' ? ' (preview: the configuration did not run)' : ''}`),
          table(['Decision', 'Value', 'Why', 'Mirrors'], v.decisions.map((d) => [d.title, d.value, d.reason, h('code', {}, d.mirrors)]), { class: 'decisions-table' }))
        : null,
    ]),
  ))

  root.replaceChildren(header, summary, host, comparison, differences, charts, ...perConfig)
}
