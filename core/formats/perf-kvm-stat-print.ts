// Printing an imported (or built) `perf kvm stat` table as tools/perf/builtin-kvm.c print_result() prints
// it, with the layout the input had: indent, spacing, mail wraps, quote prefixes and CRs, blank lines.
import { sprintf } from '../output/c-printf.ts'
import type { PerfExitRow, PerfExitTable, PerfImport, PerfLayout, PerfWrap } from './perf-kvm-stat-types.ts'

const f2 = (x: number): string => sprintf('%.2f', x)
/** perf 3.12 – 3.17's min / 1000 of a u64 ns. */
const wholeUs = (ns: number | null): number => Math.max(0, Math.floor((ns ?? 0) / 1000))

export function headerBody(l: PerfLayout): string {
  let s = sprintf('%*s ', l.nameWidth, l.eventName) + sprintf('%10s ', 'Samples') + sprintf('%9s ', 'Samples%') + sprintf('%9s ', 'Time%')
  const w = l.minMaxWholeUs === true ? 10 : 11
  if (l.minMax) s += sprintf('%*s ', w, 'Min Time') + sprintf('%*s ', w, 'Max Time')
  s += sprintf('%16s ', 'Avg time')
  return l.headerTrailingSpace ? s : s.trimEnd()
}

function headerSpaced(l: PerfLayout, g: string[]): string {
  const words = [l.eventName, 'Samples', 'Samples%', 'Time%', ...(l.minMax ? ['Min Time', 'Max Time'] : []), 'Avg time']
  return words.map((w, i) => g[i]! + w).join('') + g[words.length]!
}

/** print_result()'s row, with perf's field widths. */
export function rowBody(r: PerfExitRow, l: PerfLayout): string {
  const name = l.nameWidth > 0 ? r.name.slice(0, l.nameWidth - 1) : ''
  let s = sprintf('%*s ', l.nameWidth, name) + sprintf('%10llu ', r.count) + sprintf('%8.2f%% ', r.samplesPct) + sprintf('%8.2f%% ', r.timePct)
  if (l.minMax && l.minMaxWholeUs === true) s += sprintf('%8lluus ', wholeUs(r.minNs)) + sprintf('%8lluus ', wholeUs(r.maxNs))
  else if (l.minMax) s += sprintf('%9.2fus ', (r.minNs ?? 0) / 1000) + sprintf('%9.2fus ', (r.maxNs ?? 0) / 1000)
  return s + sprintf('%9.2fus ( +-%7.2f%% )', r.avgNs / 1000, r.relStddevPct)
}

function rowSpaced(r: PerfExitRow, l: PerfLayout, g: string[]): string {
  const fields = [r.name, String(r.count), `${f2(r.samplesPct)}%`, `${f2(r.timePct)}%`]
  if (l.minMax && l.minMaxWholeUs === true) fields.push(`${wholeUs(r.minNs)}us`, `${wholeUs(r.maxNs)}us`)
  else if (l.minMax) fields.push(`${f2((r.minNs ?? 0) / 1000)}us`, `${f2((r.maxNs ?? 0) / 1000)}us`)
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
export function canonicalSkeleton(t: PerfExitTable): string[] {
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

/** A table's lines with the mail quote prefixes and CRs they had in the input. */
function framed(t: PerfExitTable): string[] {
  const lines = printPerfTable(t)
  const { quote, cr } = t.layout
  if ((quote && quote.length !== lines.length) || (cr && cr.length !== lines.length)) return lines
  return lines.map((l, i) => (quote?.[i] ?? '') + l + (cr?.[i] ? '\r' : ''))
}

/** The whole text back: the lines around the tables as they were, each table in perf's format. */
export function printPerfImport(p: PerfImport): string {
  const lines: string[] = []
  for (const s of p.segments) {
    if ('text' in s) lines.push(...s.text)
    else lines.push(...framed(p.tables[s.table]!))
  }
  return lines.join('\n')
}
