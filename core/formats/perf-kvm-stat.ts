// `perf kvm stat report --stdio` and `perf kvm stat live` text → measured exit tables, and back.
// Reads every layout of perf-kvm-stat-format.md: 20- and 40-character name columns, the early table
// without Min/Max Time, VMX and SVM names, text indented as a whole, rows broken across lines by a
// mail client, trailing spaces stripped, hand-respaced columns, several tables with prose around them.
// The text outside the tables (prompts, prose) and every layout detail are kept, so printPerfImport()
// prints a parsed text back byte for byte; a table built without a layout prints as perf prints it.
import { fieldError } from '../field-error.ts'
import { sprintf } from '../output/c-printf.ts'
import { VMX_EXIT_REASONS, SVM_EXIT_REASONS } from '../output/exit-names.ts'
import { guardInput, ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'

export const MAX_PERF_CHARS = 4 * 1024 * 1024
/** Longer lines are never table lines (and never reach a regular expression). */
const MAX_LINE = 2000
const MAX_TABLES = 10_000

export interface PerfExitRow {
  name: string
  count: number
  samplesPct: number
  timePct: number
  /** null in the early layout, which has no Min/Max Time columns. */
  minNs: number | null
  maxNs: number | null
  avgNs: number
  relStddevPct: number
}

/** A line break a mail client put into a logical line: at `at` (offset in the logical line), `cut` was removed. */
export interface PerfWrap { at: number; cut: string }

export interface PerfLayout {
  /** Width of the first column (20 on x86 before perf v6.4, 40 after; whatever the header shows otherwise). */
  nameWidth: number
  /** perf ends the header with a space; mail archives strip it. */
  headerTrailingSpace: boolean
  /** Text before every line of the table (e.g. two spaces). */
  indent: string
  /** `perf kvm stat live`: the show_timeofday() line. */
  live?: { timeOfDay: string }
  /** false: the early (≈v3.7) layout without Min Time / Max Time. */
  minMax: boolean
  /** kvm->events_ops->name: "VM-EXIT", "MMIO Access" or "IO Port Access". */
  eventName: string
  /** What print_vcpu_info() said after "Analyze events for ", e.g. "all VMs, all VCPUs"; absent when the text has no such line. */
  analyze?: string
  lostEvents?: number
  /** The table's lines in order, when they are not perf's own: "@time", "@analyze", "@header", "@row", "@total", "@lost", or a blank line's exact text. */
  skeleton?: string[]
  /** Whitespace between the fields, for lines not spaced as perf's printf spaces them (null: perf's). */
  spacing?: { header: string[] | null; rows: (string[] | null)[] }
  /** Mail-wrapped logical lines. */
  wraps?: { header?: PerfWrap[]; rows?: (PerfWrap[] | null)[]; total?: PerfWrap[] }
}

export interface PerfExitTable {
  rows: PerfExitRow[]
  /** From "Total Samples:"; null when the text shows no total line (a partial table). */
  totalSamples: number | null
  totalTimeNs: number | null
  vendor: 'vmx' | 'svm' | 'unknown'
  /** 1-based line of the header in the input. */
  line: number
  layout: PerfLayout
}

export interface PerfImport {
  tables: PerfExitTable[]
  /** The text in order: lines outside the tables, and the tables. */
  segments: ({ text: string[] } | { table: number })[]
}

const EVENT = '(VM-EXIT|MMIO Access|IO Port Access)'
const HEADER_RE = new RegExp(`^(\\s*)${EVENT}(\\s+)Samples(\\s+)Samples%(\\s+)Time%(?:(\\s+)Min Time(\\s+)Max Time)?(\\s+)Avg time(\\s*)$`)
const HEADER_START = new RegExp(`^\\s*${EVENT}\\s+Samples\\b`)
const NUM = '(\\d+\\.\\d+)'
const ROW_RE = new RegExp(`^(\\s*)(\\S(?:.*?\\S)?)(\\s+)(\\d+)(\\s+)${NUM}%(\\s+)${NUM}%(?:(\\s+)${NUM}us(\\s+)${NUM}us)?(\\s+)${NUM}us(\\s+)\\((\\s*)\\+-(\\s*)${NUM}%(\\s*)\\)(\\s*)$`)
const ROW_START = /^\s*\S.*?\s+\d+\s+\d+\.\d+%/
const TOTAL_RE = /^Total Samples:(\d+), Total events handled time:(\d+\.\d+)us\.$/
const TOTAL_START = /^\s*Total Samples:\d+/
const TIME_RE = /^(\s*)(\d\d:\d\d:\d\d\.\d{6})$/
const ANALYZE_RE = /^(\s*)Analyze events for (.*):$/
const LOST_RE = /^(\s*)Lost events: (\d+)$/

const f2 = (x: number): string => sprintf('%.2f', x)
const usToNs = (s: string): number => Math.round(Number(s) * 1000)

// ---------------------------------------------------------------- printing

function headerBody(l: PerfLayout): string {
  let s = sprintf('%*s ', l.nameWidth, l.eventName) + sprintf('%10s ', 'Samples') + sprintf('%9s ', 'Samples%') + sprintf('%9s ', 'Time%')
  if (l.minMax) s += sprintf('%11s ', 'Min Time') + sprintf('%11s ', 'Max Time')
  s += sprintf('%16s ', 'Avg time')
  return l.headerTrailingSpace ? s : s.trimEnd()
}

function headerSpaced(l: PerfLayout, g: string[]): string {
  const words = [l.eventName, 'Samples', 'Samples%', 'Time%', ...(l.minMax ? ['Min Time', 'Max Time'] : []), 'Avg time']
  return words.map((w, i) => g[i]! + w).join('') + g[words.length]!
}

/** print_result()'s row, with perf's field widths. */
function rowBody(r: PerfExitRow, l: PerfLayout): string {
  const name = l.nameWidth > 0 ? r.name.slice(0, l.nameWidth - 1) : ''
  let s = sprintf('%*s ', l.nameWidth, name) + sprintf('%10llu ', r.count) + sprintf('%8.2f%% ', r.samplesPct) + sprintf('%8.2f%% ', r.timePct)
  if (l.minMax) s += sprintf('%9.2fus ', (r.minNs ?? 0) / 1000) + sprintf('%9.2fus ', (r.maxNs ?? 0) / 1000)
  return s + sprintf('%9.2fus ( +-%7.2f%% )', r.avgNs / 1000, r.relStddevPct)
}

function rowSpaced(r: PerfExitRow, l: PerfLayout, g: string[]): string {
  const fields = [r.name, String(r.count), `${f2(r.samplesPct)}%`, `${f2(r.timePct)}%`]
  if (l.minMax) fields.push(`${f2((r.minNs ?? 0) / 1000)}us`, `${f2((r.maxNs ?? 0) / 1000)}us`)
  fields.push(`${f2(r.avgNs / 1000)}us`, '(', '+-', `${f2(r.relStddevPct)}%`, ')')
  return fields.map((f, i) => g[i]! + f).join('') + g[fields.length]!
}

function totalBody(t: PerfExitTable): string {
  return sprintf('Total Samples:%lu, Total events handled time:%.2fus.', t.totalSamples ?? 0, (t.totalTimeNs ?? 0) / 1000)
}

function wrap(line: string, wraps: PerfWrap[] | null | undefined): string[] {
  if (!wraps || !wraps.length) return [line]
  const out: string[] = []
  let from = 0
  for (const w of wraps) {
    out.push(line.slice(from, w.at))
    from = w.at + w.cut.length
  }
  out.push(line.slice(from))
  return out
}

/** perf's own line order (without the two blank lines perf prints before a report and the one after the total). */
function canonicalSkeleton(t: PerfExitTable): string[] {
  const l = t.layout
  const s: string[] = l.live ? ['@time', ''] : []
  if (l.analyze !== undefined) s.push('@analyze', '')
  s.push('@header', '', ...t.rows.map(() => '@row'))
  if (t.totalSamples !== null) s.push('', '@total')
  if (l.lostEvents) s.push('', '', '@lost')
  return s
}

/** The lines of one table as perf prints it (with the parsed layout: indent, wraps, spacing, blank lines). */
export function printPerfTable(t: PerfExitTable): string[] {
  const l = t.layout
  const out: string[] = []
  let row = 0
  for (const el of l.skeleton ?? canonicalSkeleton(t)) {
    switch (el) {
      case '@time': out.push(l.indent + (l.live?.timeOfDay ?? '')); break
      case '@analyze': out.push(`${l.indent}Analyze events for ${l.analyze ?? 'all VMs, all VCPUs'}:`); break
      case '@header': {
        const g = l.spacing?.header
        out.push(...wrap(g ? headerSpaced(l, g) : l.indent + headerBody(l), l.wraps?.header))
        break
      }
      case '@row': {
        const r = t.rows[row]!
        const g = l.spacing?.rows[row]
        out.push(...wrap(g ? rowSpaced(r, l, g) : l.indent + rowBody(r, l), l.wraps?.rows?.[row]))
        row++
        break
      }
      case '@total': out.push(...wrap(l.indent + totalBody(t), l.wraps?.total)); break
      case '@lost': out.push(`${l.indent}Lost events: ${l.lostEvents ?? 0}`); break
      default: out.push(el)
    }
  }
  return out
}

/** The whole text back: the lines around the tables as they were, each table in perf's format. */
export function printPerfImport(p: PerfImport): string {
  const lines: string[] = []
  for (const s of p.segments) {
    if ('text' in s) lines.push(...s.text)
    else lines.push(...printPerfTable(p.tables[s.table]!))
  }
  return lines.join('\n')
}

// ---------------------------------------------------------------- parsing

interface Logical { text: string; next: number; wraps: PerfWrap[] }

/** The logical line at i: the line itself if `full` matches, else it joined with up to two following lines. */
function logical(lines: string[], i: number, full: RegExp, start: RegExp): Logical | null {
  const first = lines[i]!
  if (first.length > MAX_LINE) return null
  if (full.test(first)) return { text: first, next: i + 1, wraps: [] }
  if (!start.test(first)) return null
  // Try: joined as is (the break kept the spaces), or with the one space the mail client replaced.
  let best: Logical | null = null
  const attempt = (text: string, next: number, wraps: PerfWrap[], depth: number): void => {
    if (best || next >= lines.length || depth > 2) return
    const nextLine = lines[next]!
    if (nextLine.trim() === '' || text.length + nextLine.length > MAX_LINE) return
    for (const cut of ['', ' ']) {
      const joined = text + cut + nextLine
      const w = [...wraps, { at: text.length, cut }]
      if (full.test(joined)) { best = { text: joined, next: next + 1, wraps: w }; return }
    }
    for (const cut of ['', ' ']) attempt(text + cut + nextLine, next + 1, [...wraps, { at: text.length, cut }], depth + 1)
  }
  attempt(first, i + 1, [], 1)
  return best
}

function nameVendor(names: string[], width: number): PerfExitTable['vendor'] {
  const vmx = new Set([...Object.values(VMX_EXIT_REASONS), 'PENDING_INTERRUPT'])
  const svm = new Set(Object.values(SVM_EXIT_REASONS))
  const known = (set: Set<string>, n: string): boolean => set.has(n) || (n.length === width - 1 && [...set].some((s) => s.startsWith(n)))
  const v = names.filter((n) => known(vmx, n)).length
  const s = names.filter((n) => known(svm, n)).length
  if (v === 0 && s === 0) return 'unknown'
  return v >= s ? 'vmx' : 'svm'
}

export function importPerfKvmStat(text: string): FormatResult<PerfImport> {
  const guard = guardInput(text, 'perf kvm stat', MAX_PERF_CHARS, 'paste the output of `perf kvm stat report --stdio` or `perf kvm stat live`')
  if (guard) return failed([guard])
  const lines = text.split('\n')
  const warnings: string[] = []
  const tables: PerfExitTable[] = []
  const segments: PerfImport['segments'] = []
  let textStart = 0
  let i = 0
  while (i < lines.length) {
    const h = logical(lines, i, HEADER_RE, HEADER_START)
    if (!h) { i++; continue }
    if (tables.length >= MAX_TABLES) return failed([fieldError(`perf kvm stat line ${i + 1}`, lines[i]!.slice(0, 40), `has more than ${MAX_TABLES} tables`, 'give one report, or a shorter live capture')])
    const hm = HEADER_RE.exec(h.text)!
    // Backwards: blank lines, "Analyze events for …:", blank lines, the live time of day.
    let start = i
    let analyze: RegExpExecArray | null = null
    let time: RegExpExecArray | null = null
    let k = i - 1
    while (k >= textStart && lines[k]!.trim() === '' && lines[k]!.length < MAX_LINE) k--
    if (k >= textStart && (analyze = ANALYZE_RE.exec(lines[k]!)) !== null) {
      start = k
      k--
      while (k >= textStart && lines[k]!.trim() === '' && lines[k]!.length < MAX_LINE) k--
    }
    if (k >= textStart && (time = TIME_RE.exec(lines[k]!)) !== null) start = k
    // Forwards: blank lines, rows, blank lines, the total, blank lines, lost events.
    const skeleton: string[] = []
    for (let j = start; j < i; j++) skeleton.push(j === start && time ? '@time' : lines[j]!.trim() === '' ? lines[j]! : '@analyze')
    skeleton.push('@header')
    let j = h.next
    const pendingBlank = (): string[] => {
      const b: string[] = []
      let m = j
      while (m < lines.length && lines[m]!.trim() === '' && lines[m]!.length < MAX_LINE) b.push(lines[m++]!)
      return b
    }
    const rowTexts: Logical[] = []
    let blanks = pendingBlank()
    let m = j + blanks.length
    for (;;) {
      if (m >= lines.length) break
      const r = logical(lines, m, ROW_RE, ROW_START)
      if (!r || TOTAL_START.test(lines[m]!)) break
      skeleton.push(...blanks, '@row')
      blanks = []
      rowTexts.push(r)
      m = r.next
      j = m
      if (m < lines.length && lines[m]!.trim() === '') break
    }
    blanks = pendingBlank()
    m = j + blanks.length
    let total: Logical | null = null
    let end = j
    const totalFull = new RegExp(`^${escapeRe(indentGuess(h.text, hm, analyze, time))}${TOTAL_RE.source.slice(1)}`)
    if (m < lines.length && (total = logical(lines, m, totalFull, TOTAL_START)) !== null) {
      skeleton.push(...blanks, '@total')
      end = total.next
      j = end
      blanks = pendingBlank()
      m = j + blanks.length
    }
    let lost: RegExpExecArray | null = null
    if (total && m < lines.length && (lost = LOST_RE.exec(lines[m]!)) !== null) {
      skeleton.push(...blanks, '@lost')
      end = m + 1
    }
    if (rowTexts.length === 0) warnings.push(`perf kvm stat line ${i + 1}: a table header without rows`)
    else if (!total) warnings.push(`perf kvm stat line ${i + 1}: the table has no "Total Samples" line — a partial table; totals unknown`)
    if (rowTexts.length && !total) end = rowTexts[rowTexts.length - 1]!.next
    // a non-blank line right after the rows that looks like a row but does not parse
    const after = lines[end]
    if (after !== undefined && !total && ROW_START.test(after) && after.length < MAX_LINE) warnings.push(`perf kvm stat line ${end + 1}: ${JSON.stringify(after.slice(0, 60))} looks like a row but does not parse; kept as text`)

    const indent = indentGuess(h.text, hm, analyze, time)
    const layout = buildLayout(h, hm, indent, analyze, time, lost)
    const rows: PerfExitRow[] = []
    const rowSpacing: (string[] | null)[] = []
    const rowWraps: (PerfWrap[] | null)[] = []
    for (const rt of rowTexts) {
      const g = ROW_RE.exec(rt.text)!
      const minMax = g[9] !== undefined
      if (minMax !== layout.minMax) warnings.push(`perf kvm stat: a row ${minMax ? 'with' : 'without'} Min/Max Time under a header ${layout.minMax ? 'with' : 'without'} them`)
      const row: PerfExitRow = {
        name: g[2]!, count: Number(g[4]), samplesPct: Number(g[6]), timePct: Number(g[8]),
        minNs: minMax ? usToNs(g[10]!) : null, maxNs: minMax ? usToNs(g[12]!) : null,
        avgNs: usToNs(g[14]!), relStddevPct: Number(g[18]),
      }
      for (const n of [g[6], g[8], g[10], g[12], g[14], g[18]]) if (n !== undefined && !/\.\d\d$/.test(n)) warnings.push(`perf kvm stat: ${n} in row ${row.name} is not written with two decimals as perf prints it`)
      rows.push(row)
      const gaps = minMax ? [g[1], g[3], g[5], g[7], g[9], g[11], g[13], g[15], g[16], g[17], g[19], g[20]] : [g[1], g[3], g[5], g[7], g[13], g[15], g[16], g[17], g[19], g[20]]
      const probe: PerfLayout = { ...layout, minMax }
      rowSpacing.push(rt.text === layout.indent + rowBody(row, probe) ? null : gaps.map((x) => x ?? ''))
      rowWraps.push(rt.wraps.length ? rt.wraps : null)
    }
    const table: PerfExitTable = {
      rows, totalSamples: null, totalTimeNs: null, vendor: 'unknown', line: i + 1, layout,
    }
    if (total) {
      const tm = new RegExp(TOTAL_RE.source.slice(1)).exec(total.text.slice(indent.length))!
      table.totalSamples = Number(tm[1])
      table.totalTimeNs = usToNs(tm[2]!)
      if (total.wraps.length) (layout.wraps ??= {}).total = total.wraps
    }
    if (layout.eventName === 'VM-EXIT') {
      table.vendor = nameVendor(rows.map((r) => r.name), layout.nameWidth)
      const unknown = rows.filter((r) => nameVendor([r.name], layout.nameWidth) === 'unknown' && r.name !== 'UNKNOWN')
      if (unknown.length) warnings.push(`perf kvm stat line ${i + 1}: ${unknown.map((r) => r.name).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a VMX or SVM exit name perf prints`)
    }
    if (rowSpacing.some((s) => s !== null) || layout.spacing) layout.spacing = { header: layout.spacing?.header ?? null, rows: rowSpacing }
    if (rowWraps.some((w) => w !== null)) (layout.wraps ??= {}).rows = rowWraps
    if (skeleton.join('\n') !== canonicalSkeleton(table).join('\n')) layout.skeleton = skeleton
    if (start > textStart) segments.push({ text: lines.slice(textStart, start) })
    segments.push({ table: tables.length })
    tables.push(table)
    textStart = end
    i = end
  }
  if (textStart < lines.length) segments.push({ text: lines.slice(textStart) })
  if (!tables.length) return failed([fieldError('perf kvm stat', text.slice(0, 40), 'has no table header ("VM-EXIT    Samples  Samples%     Time% …")', 'paste the output of `perf kvm stat report --stdio` (the TUI shows no text table) or `perf kvm stat live`')])
  return ok({ tables, segments }, warnings)
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The indent of a table: from a left-aligned line (time, analyze), else from the header's right-aligned name. */
function indentGuess(_h: string, hm: RegExpExecArray, analyze: RegExpExecArray | null, time: RegExpExecArray | null): string {
  if (analyze) return analyze[1]!
  if (time) return time[1]!
  const lead = hm[1]!
  const end = lead.length + hm[2]!.length
  for (const w of [40, 20]) if (end >= w && /^ *$/.test(lead)) return lead.slice(0, end - w)
  return ''
}

function buildLayout(h: Logical, hm: RegExpExecArray, indent: string, analyze: RegExpExecArray | null, time: RegExpExecArray | null, lost: RegExpExecArray | null): PerfLayout {
  const eventName = hm[2]!
  const minMax = hm[6] !== undefined
  const lead = hm[1]!
  let nameWidth = lead.startsWith(indent) ? lead.length - indent.length + eventName.length : 20
  if (nameWidth < eventName.length) nameWidth = 20
  const layout: PerfLayout = { nameWidth, headerTrailingSpace: hm[9]!.length > 0, indent, minMax, eventName }
  if (time) layout.live = { timeOfDay: time[2]! }
  if (analyze) layout.analyze = analyze[2]!
  if (lost) layout.lostEvents = Number(lost[2])
  if (h.text !== indent + headerBody(layout)) {
    // not perf's spacing: keep the gaps, and take the nearest real width for the rows
    if (nameWidth !== 20 && nameWidth !== 40) layout.nameWidth = nameWidth > 30 ? 40 : 20
    const gaps = minMax ? [hm[1], hm[3], hm[4], hm[5], hm[6], hm[7], hm[8], hm[9]] : [hm[1], hm[3], hm[4], hm[5], hm[8], hm[9]]
    layout.spacing = { header: gaps.map((x) => x ?? ''), rows: [] }
  }
  if (h.wraps.length) layout.wraps = { header: h.wraps }
  return layout
}
