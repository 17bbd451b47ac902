// `perf kvm stat report --stdio` and `perf kvm stat live` text → measured exit tables, and back.
// Reads every event table mainline perf prints (tools/perf/arch/x86/util/kvm-stat.c kvm_reg_events_ops:
// vmexit "VM-EXIT", mmio "MMIO Access", ioport "IO Port Access", msr "MSR Access"), in report and live
// mode, for all VCPUs or one (--vcpu), in every layout perf has printed (tools/perf/builtin-kvm.c): 20- and 40-character
// name columns, the early table without Min/Max Time (perf 3.7 – 3.11), 3.12 – 3.17's whole-µs Min/Max, VMX, SVM and arm64 names, text indented as a whole,
// quoted in a mail ("> "), rows broken across lines by a mail client, CRLF line ends, trailing spaces
// stripped, hand-respaced columns, rows elided with "[..]", several tables with prose around them. A
// table-like line it cannot read is named in a warning.
// The text outside the tables (prompts, prose) and every layout detail are kept, so printPerfImport()
// prints a parsed text back byte for byte; a table built without a layout prints as perf prints it.
import { fieldError, showValue } from '../field-error.ts'
import { VMX_EXIT_REASONS, SVM_EXIT_REASONS } from '../output/exit-names.ts'
import { guardInput, ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'
import { PERF_EVENTS } from './perf-kvm-stat-types.ts'
import type { PerfExitRow, PerfExitTable, PerfImport, PerfLayout, PerfWrap } from './perf-kvm-stat-types.ts'
import { headerBody, rowBody, canonicalSkeleton } from './perf-kvm-stat-print.ts'

export { PERF_EVENTS } from './perf-kvm-stat-types.ts'
export type { PerfEvent, PerfExitRow, PerfExitTable, PerfImport, PerfLayout, PerfWrap } from './perf-kvm-stat-types.ts'
export { printPerfTable, printPerfImport } from './perf-kvm-stat-print.ts'

export const MAX_PERF_CHARS = 4 * 1024 * 1024
/** Longer lines are never table lines (and never reach a regular expression). */
const MAX_LINE = 2000
const MAX_TABLES = 10_000
/** Lines kept as text that look like tables are named one by one up to this many, then counted. */
const MAX_UNREAD_NOTES = 20

const EVENT = '(VM-EXIT|MMIO Access|IO Port Access|MSR Access)'
const HEADER_RE = new RegExp(`^(\\s*)${EVENT}(\\s+)Samples(\\s+)Samples%(\\s+)Time%(?:(\\s+)Min Time(\\s+)Max Time)?(\\s+)Avg time(\\s*)$`)
const HEADER_START = new RegExp(`^\\s*${EVENT}\\s+Samples\\b`)
const NUM = '(\\d+\\.\\d+)'
/** Min/Max: two decimals (perf 3.18 on) or whole µs (perf 3.12 – 3.17, "%8" PRIu64 "us "). */
const MINMAX = '(\\d+(?:\\.\\d+)?)'
const ROW_RE = new RegExp(`^(\\s*)(\\S(?:.*?\\S)?)(\\s+)(\\d+)(\\s+)${NUM}%(\\s+)${NUM}%(?:(\\s+)${MINMAX}us(\\s+)${MINMAX}us)?(\\s+)${NUM}us(\\s+)\\((\\s*)\\+-(\\s*)${NUM}%(\\s*)\\)(\\s*)$`)
/** Words separated by single spaces ("PF excp"), so that a long run of spaces costs linear time. */
const ROW_START = /^\s*\S+(?: \S+)*\s+\d+\s+\d+\.\d+%/
const TOTAL_RE = /^Total Samples:(\d+), Total events handled time:(\d+\.\d+)us\.$/
const TOTAL_START = /^\s*Total Samples:\d+/
const TIME_RE = /^(\s*)(\d\d:\d\d:\d\d\.\d{6})$/
const ANALYZE_RE = /^(\s*)Analyze events for (.*):$/
const LOST_RE = /^(\s*)Lost events: (\d+)$/
/** A header of any kvm_events_ops name: to tell the tables this reader does not know. */
const ANY_HEADER = /^\s*(\S+(?: \S+)*)\s+Samples\s+Samples%\s+Time%/
/** Where a mail or a person cut rows out: "[..]", "[...]", "[…]", "[snip]", "...". */
const ELIDED_RE = /^\s*(\[\s*(\.{2,3}|…|snip|cut)\s*\]|\.{3}|…)\s*$/i
/** A mail quote prefix: ">", "> ", ">> ", "> > ". */
const QUOTE_RE = /^(?:> ?)+/

/** arm64 names (tools/perf/arch/arm64/util/arm64_exception_types.h): kvm_arm_exception_type, and the
 *  ESR_ELx exception classes perf prints for TRAP exits since it decodes esr_ec. */
const ARM64_NAMES = new Set(['IRQ', 'SERROR', 'TRAP', 'ILLEGAL', 'HYP_GONE', 'UNKNOWN', 'WFx', 'CP15_32', 'CP15_64', 'CP14_MR', 'CP14_LS', 'FP_ASIMD',
  'CP10_ID', 'PAC', 'CP14_64', 'SVC64', 'HVC64', 'SMC64', 'SYS64', 'SVE', 'IMP_DEF', 'IABT_LOW', 'IABT_CUR', 'PC_ALIGN', 'DABT_LOW', 'DABT_CUR',
  'SP_ALIGN', 'FP_EXC32', 'FP_EXC64', 'BREAKPT_LOW', 'BREAKPT_CUR', 'SOFTSTP_LOW', 'SOFTSTP_CUR', 'WATCHPT_LOW', 'WATCHPT_CUR', 'BKPT32', 'VECTOR32', 'BRK64'])

const usToNs = (s: string): number => Math.round(Number(s) * 1000)

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

const VMX_NAMES = new Set([...Object.values(VMX_EXIT_REASONS), 'PENDING_INTERRUPT'])
const SVM_NAMES = new Set(Object.values(SVM_EXIT_REASONS))

function nameVendor(names: string[], width: number): PerfExitTable['vendor'] {
  const known = (set: Set<string>, n: string): boolean => set.has(n) || (n.length === width - 1 && [...set].some((s) => s.startsWith(n)))
  const v = names.filter((n) => known(VMX_NAMES, n)).length
  const s = names.filter((n) => known(SVM_NAMES, n)).length
  // UNKNOWN is an arm64 class and VMX's name for a reason it cannot decode: it decides nothing
  const a = names.filter((n) => n !== 'UNKNOWN' && ARM64_NAMES.has(n)).length
  if (v === 0 && s === 0 && a === 0) return 'unknown'
  if (a > v && a > s) return 'arm64'
  return v >= s ? 'vmx' : 'svm'
}

export function importPerfKvmStat(text: string): FormatResult<PerfImport> {
  const guard = guardInput(text, 'perf kvm stat', MAX_PERF_CHARS, 'paste the output of `perf kvm stat report --stdio` or `perf kvm stat live`')
  if (guard) return failed([guard])
  // Mail quote prefixes and CRs are taken off for reading and put back when a table is printed.
  const raw = text.split('\n')
  const quotes = raw.map((l) => (l.length > MAX_LINE ? '' : QUOTE_RE.exec(l)?.[0] ?? ''))
  const crs = raw.map((l) => l.endsWith('\r'))
  const lines = raw.map((l, k) => l.slice(quotes[k]!.length, crs[k] ? l.length - 1 : l.length))
  const warnings: string[] = []
  const unreadNotes: string[] = []
  const unread = (from: number, to: number): void => noteUnread(lines, from, to, unreadNotes)
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
    // "[..]": rows cut out between the rows shown and the total
    let elidedAt = -1
    if (rowTexts.length && m < lines.length && ELIDED_RE.test(lines[m]!)) {
      skeleton.push(...blanks, lines[m]!)
      elidedAt = m
      j = m + 1
      blanks = pendingBlank()
      m = j + blanks.length
    }
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
    if (rowTexts.length && !total) end = elidedAt >= 0 ? elidedAt + 1 : rowTexts[rowTexts.length - 1]!.next
    // a non-blank line right after the rows that looks like a row but does not parse

    const indent = indentGuess(h.text, hm, analyze, time)
    // perf 3.12 – 3.17 printed Min/Max in whole µs under 10-wide headers: told by the first row, or by perf's header gaps
    const first = rowTexts.length ? ROW_RE.exec(rowTexts[0]!.text) : null
    const wholeUs = hm[6] !== undefined && (first ? first[10] !== undefined && !first[10].includes('.') : hm[6] === '   ' && hm[7] === '   ')
    const layout = buildLayout(h, hm, indent, analyze, time, lost, wholeUs)
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
      const whole = layout.minMaxWholeUs === true
      for (const [k, n] of [g[6], g[8], g[10], g[12], g[14], g[18]].entries()) {
        if (n === undefined) continue
        if ((k === 2 || k === 3) && whole) {
          if (!/^\d+$/.test(n)) warnings.push(`perf kvm stat: ${n} in row ${row.name} is not written in whole µs as perf 3.12 – 3.17 print Min/Max Time`)
        } else if (!/\.\d\d$/.test(n)) warnings.push(`perf kvm stat: ${n} in row ${row.name} is not written with two decimals as perf prints it`)
      }
      rows.push(row)
      const gaps = minMax ? [g[1], g[3], g[5], g[7], g[9], g[11], g[13], g[15], g[16], g[17], g[19], g[20]] : [g[1], g[3], g[5], g[7], g[13], g[15], g[16], g[17], g[19], g[20]]
      const probe: PerfLayout = { ...layout, minMax }
      rowSpacing.push(rt.text === layout.indent + rowBody(row, probe) ? null : gaps.map((x) => x ?? ''))
      rowWraps.push(rt.wraps.length ? rt.wraps : null)
    }
    const table: PerfExitTable = {
      rows, totalSamples: null, totalTimeNs: null, vendor: 'unknown', event: PERF_EVENTS[layout.eventName as keyof typeof PERF_EVENTS], line: i + 1, layout,
    }
    const vcpu = layout.analyze !== undefined ? /(?:^|, )VCPU (\d+)$/.exec(layout.analyze) : null
    if (vcpu) table.vcpu = Number(vcpu[1])
    if (total) {
      const tm = new RegExp(TOTAL_RE.source.slice(1)).exec(total.text.slice(indent.length))!
      table.totalSamples = Number(tm[1])
      table.totalTimeNs = usToNs(tm[2]!)
      if (total.wraps.length) (layout.wraps ??= {}).total = total.wraps
    }
    if (elidedAt >= 0) {
      table.elided = true
      const shown = rows.reduce((a, r) => a + r.count, 0)
      warnings.push(`perf kvm stat line ${elidedAt + 1}: rows are cut out ("${lines[elidedAt]!.trim()}"): the ${rows.length} rows shown have ${shown}${table.totalSamples === null ? '' : ` of the ${table.totalSamples}`} samples`)
    }
    if (layout.eventName === 'VM-EXIT') {
      table.vendor = nameVendor(rows.map((r) => r.name), layout.nameWidth)
      if (table.vendor === 'arm64') warnings.push(`perf kvm stat line ${i + 1}: ${rows.slice(0, 4).map((r) => r.name).join(', ')}${rows.length > 4 ? ', …' : ''} are arm64 exit names (arm64 — not simulated): the table is read, but no simulated configuration compares with it`)
      else {
        const unknown = rows.filter((r) => nameVendor([r.name], layout.nameWidth) === 'unknown' && r.name !== 'UNKNOWN')
        if (unknown.length) warnings.push(`perf kvm stat line ${i + 1}: ${unknown.map((r) => showValue(r.name)).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a VMX, SVM or arm64 exit name perf prints`)
      }
    }
    const q = quotes.slice(start, end)
    if (q.some((x) => x !== '')) layout.quote = q
    const c = crs.slice(start, end)
    if (c.some(Boolean)) layout.cr = c
    if (rowSpacing.some((s) => s !== null) || layout.spacing) layout.spacing = { header: layout.spacing?.header ?? null, rows: rowSpacing }
    if (rowWraps.some((w) => w !== null)) (layout.wraps ??= {}).rows = rowWraps
    if (skeleton.join('\n') !== canonicalSkeleton(table).join('\n')) layout.skeleton = skeleton
    if (start > textStart) { segments.push({ text: raw.slice(textStart, start) }); unread(textStart, start) }
    segments.push({ table: tables.length })
    tables.push(table)
    textStart = end
    i = end
  }
  if (textStart < lines.length) { segments.push({ text: raw.slice(textStart) }); unread(textStart, lines.length) }
  warnings.push(...unreadNotes.slice(0, MAX_UNREAD_NOTES))
  if (unreadNotes.length > MAX_UNREAD_NOTES) warnings.push(`perf kvm stat: ${unreadNotes.length - MAX_UNREAD_NOTES} more lines look like a table or a row but are kept as text, not read`)
  if (!tables.length) {
    const other = lines.findIndex((l) => l.length < MAX_LINE && ANY_HEADER.test(l))
    if (other >= 0) return failed([fieldError(`perf kvm stat line ${other + 1}`, lines[other]!.trim(), `is a table this reader does not recognise (it reads ${Object.keys(PERF_EVENTS).join(', ')} tables)`, 'paste a table of `perf kvm stat report --stdio --event=vmexit|mmio|ioport|msr`, unchanged')])
    return failed([fieldError('perf kvm stat', text.slice(0, 40), 'has no table header ("VM-EXIT    Samples  Samples%     Time% …")', 'paste the output of `perf kvm stat report --stdio` (the TUI shows no text table) or `perf kvm stat live`')])
  }
  return ok({ tables, segments }, warnings)
}

/** Lines kept as text that look like a table header or a row: each is named, never passed over silently. */
function noteUnread(lines: string[], from: number, to: number, warnings: string[]): void {
  for (let k = from; k < to; k++) {
    const l = lines[k]!
    if (l.length >= MAX_LINE) continue
    const h = ANY_HEADER.exec(l)
    if (h) warnings.push(`perf kvm stat line ${k + 1}: ${showValue(l.trim(), 60)} is a table this reader does not recognise or cannot parse (it reads ${Object.keys(PERF_EVENTS).join(', ')} tables as perf prints them); kept as text, not read`)
    else if (ROW_START.test(l) && /us\b/.test(l)) warnings.push(`perf kvm stat line ${k + 1}: ${showValue(l.trim(), 60)} looks like a row but is not in a table or does not parse; kept as text, not read`)
  }
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

function buildLayout(h: Logical, hm: RegExpExecArray, indent: string, analyze: RegExpExecArray | null, time: RegExpExecArray | null, lost: RegExpExecArray | null, wholeUs: boolean): PerfLayout {
  const eventName = hm[2]!
  const minMax = hm[6] !== undefined
  const lead = hm[1]!
  let nameWidth = lead.startsWith(indent) ? lead.length - indent.length + eventName.length : 20
  if (nameWidth < eventName.length) nameWidth = 20
  const layout: PerfLayout = { nameWidth, headerTrailingSpace: hm[9]!.length > 0, indent, minMax, eventName }
  if (wholeUs) layout.minMaxWholeUs = true
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
