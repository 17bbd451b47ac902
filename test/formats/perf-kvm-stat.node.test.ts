import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importPerfKvmStat, printPerfImport, printPerfTable } from '../../core/formats/perf-kvm-stat.ts'
import type { PerfImport, PerfExitTable } from '../../core/formats/perf-kvm-stat.ts'
import { formatPerfKvmStat } from '../../core/output/perf-report.ts'

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')
const WANPENG = fixture('wanpeng-li-0c5f81dad46c.txt')
const LEO = fixture('leo-yan-perf-kvm-v1-00-14.txt')

const parse = (text: string): { value: PerfImport; warnings: string[] } => {
  const r = importPerfKvmStat(text)
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return r
}

describe('perf kvm stat: two published real outputs', () => {
  it('Leo Yan 2023 (indented report and live): parses and prints back byte for byte', () => {
    const { value, warnings } = parse(LEO)
    expect(warnings).toEqual([])
    expect(value.tables).toHaveLength(2)
    const [report, live] = value.tables as [PerfExitTable, PerfExitTable]
    expect(report.layout).toMatchObject({ nameWidth: 20, indent: '  ', headerTrailingSpace: true, minMax: true, analyze: 'all VMs, all VCPUs' })
    expect(report.totalSamples).toBe(866)
    expect(report.totalTimeNs).toBe(1815367450)
    expect(report.vendor).toBe('vmx')
    expect(report.rows.map((r) => r.name)).toEqual(['MSR_WRITE', 'HLT', 'EXTERNAL_INTERRUPT', 'EPT_MISCONFIG', 'PREEMPTION_TIMER', 'INTERRUPT_WINDOW', 'MSR_READ'])
    expect(report.rows[1]).toEqual({ name: 'HLT', count: 179, samplesPct: 20.67, timePct: 99.82, minNs: 64530, maxNs: 17159690, avgNs: 10123400, relStddevPct: 4.68 })
    expect(live.layout.live).toEqual({ timeOfDay: '12:10:10.786799' })
    expect(live.totalSamples).toBe(181)
    expect(live.rows).toHaveLength(5)
    expect(printPerfImport(value)).toBe(LEO)
  })

  it('Wanpeng Li 2019 (hand-respaced partial tables inside prose): parses and prints back byte for byte', () => {
    const { value, warnings } = parse(WANPENG)
    expect(value.tables).toHaveLength(2)
    expect(value.tables.map((t) => t.rows[0])).toEqual([
      { name: 'EXTERNAL_INTERRUPT', count: 42916, samplesPct: 49.43, timePct: 39.3, minNs: 470, maxNs: 106090, avgNs: 710, relStddevPct: 1.09 },
      { name: 'EXTERNAL_INTERRUPT', count: 6871, samplesPct: 9.29, timePct: 2.96, minNs: 440, maxNs: 57880, avgNs: 720, relStddevPct: 4.02 },
    ])
    expect(value.tables[0]!.totalSamples).toBeNull()
    expect(warnings.join('\n')).toMatch(/partial table/)
    expect(value.segments.filter((s) => 'text' in s)).toHaveLength(3)
    expect(printPerfImport(value)).toBe(WANPENG)
  })

  it('a table without a source layout prints exactly as formatPerfKvmStat() prints perf', () => {
    const perf = formatPerfKvmStat([
      { name: 'HLT', count: 3, totalNs: 3_000_000, minNs: 500_000, maxNs: 1_500_000, relStddevPct: 33.33 },
      { name: 'MSR_WRITE', count: 1, totalNs: 1000, minNs: 1000, maxNs: 1000, relStddevPct: 0 },
    ], { perfVersion: '5.15' })
    const { value } = parse(perf)
    const t = value.tables[0]!
    expect(t.layout.skeleton).toBeUndefined()
    expect(t.layout.spacing).toBeUndefined()
    // perf's own framing: two blank lines before the report, one after the total
    expect(['', '', ...printPerfTable(t), '', ''].join('\n')).toBe(perf)
    expect(printPerfImport(value)).toBe(perf)
  })
})

describe('perf kvm stat: every layout', () => {
  const rows = [
    { name: 'EXTERNAL_INTERRUPT', count: 71, totalNs: 1_246_406, minNs: 1160, maxNs: 79630, relStddevPct: 10.92 },
    { name: 'HLT', count: 179, totalNs: 1_812_087_973, minNs: 64530, maxNs: 17_159_690, relStddevPct: 4.68 },
  ]
  it('40-character name column (perf ≥ 6.4) and live mode with the screen clear', () => {
    const text = formatPerfKvmStat(rows, { live: { timeOfDay: '09:00:00.000001', clearScreen: true } })
    const { value } = parse(text)
    expect(value.tables[0]!.layout.nameWidth).toBe(40)
    expect(value.tables[0]!.layout.live?.timeOfDay).toBe('09:00:00.000001')
    expect(printPerfImport(value)).toBe(text)
  })

  it('SVM names, including ones with a space ("PF excp") and ones truncated to the column', () => {
    const text = formatPerfKvmStat([
      { name: 'hlt', count: 10, totalNs: 10_000_000, minNs: 1000, maxNs: 2_000_000, relStddevPct: 5 },
      { name: 'PF excp', count: 4, totalNs: 8000, minNs: 1000, maxNs: 3000, relStddevPct: 2 },
      { name: 'avic_unaccelerated_access', count: 2, totalNs: 4000, minNs: 2000, maxNs: 2000, relStddevPct: 0 },
    ], { perfVersion: '6.1' })
    const { value, warnings } = parse(text)
    expect(warnings).toEqual([])
    expect(value.tables[0]!.vendor).toBe('svm')
    expect(value.tables[0]!.rows.map((r) => r.name)).toEqual(['hlt', 'PF excp', 'avic_unaccelerated_'])
    expect(printPerfImport(value)).toBe(text)
  })

  it('the early (≈v3.7) layout without Min/Max Time', () => {
    const text = [
      '', '', 'Analyze events for all VCPUs:', '',
      '             VM-EXIT    Samples  Samples%     Time%         Avg time ', '',
      '                 HLT       1226    54.54%    99.51%   6290.56us ( +-   7.39% )',
      '  EXTERNAL_INTERRUPT        502    22.33%     0.12%     18.44us ( +-  14.06% )', '',
      'Total Samples:1728, Total events handled time:7754133.79us.', '', '',
    ].join('\n')
    const { value } = parse(text)
    const t = value.tables[0]!
    expect(t.layout.minMax).toBe(false)
    expect(t.layout.analyze).toBe('all VCPUs')
    expect(t.rows[0]).toEqual({ name: 'HLT', count: 1226, samplesPct: 54.54, timePct: 99.51, minNs: null, maxNs: null, avgNs: 6290560, relStddevPct: 7.39 })
    expect(printPerfImport(value)).toBe(text)
  })

  it('reads back the early table formatPerfKvmStat() prints for perf 3.7 – 3.11 (a round trip)', () => {
    const old = [
      { name: 'HLT', count: 179, totalNs: 1812087973, minNs: 64530, maxNs: 17159690, relStddevPct: 4.68 },
      { name: 'MSR_WRITE', count: 520, totalNs: 1361525, minNs: 740, maxNs: 16920, relStddevPct: 2.66 },
      { name: 'EXTERNAL_INTERRUPT', count: 71, totalNs: 1246406, minNs: 1160, maxNs: 79630, relStddevPct: 10.92 },
    ]
    const text = formatPerfKvmStat(old, { perfVersion: '3.7' })
    const { value, warnings } = parse(text)
    expect(warnings).toEqual([])
    const t = value.tables[0]!
    expect(t.layout).toMatchObject({ minMax: false, nameWidth: 20, analyze: 'all VCPUs', headerTrailingSpace: true })
    expect(t.rows).toEqual([
      { name: 'MSR_WRITE', count: 520, samplesPct: 67.53, timePct: 0.08, minNs: null, maxNs: null, avgNs: 2620, relStddevPct: 2.66 },
      { name: 'HLT', count: 179, samplesPct: 23.25, timePct: 99.86, minNs: null, maxNs: null, avgNs: 10123400, relStddevPct: 4.68 },
      { name: 'EXTERNAL_INTERRUPT', count: 71, samplesPct: 9.22, timePct: 0.07, minNs: null, maxNs: null, avgNs: 17560, relStddevPct: 10.92 },
    ])
    expect([t.totalSamples, t.totalTimeNs]).toEqual([770, 1814695900])
    expect(printPerfImport(value)).toBe(text)
    // a table built from those rows without a layout of its own prints as that perf did
    expect(['', '', ...printPerfTable({ ...t, layout: { nameWidth: 20, headerTrailingSpace: true, indent: '', minMax: false, eventName: 'VM-EXIT', analyze: 'all VCPUs' } }), '', ''].join('\n')).toBe(text)
  })

  it('reads back the whole-µs Min/Max table of perf 3.12 – 3.17 (a round trip), min and max rounded down to the µs', () => {
    const old = [
      { name: 'HLT', count: 179, totalNs: 1812087973, minNs: 64530, maxNs: 17159690, relStddevPct: 4.68 },
      { name: 'MSR_WRITE', count: 520, totalNs: 1361525, minNs: 740, maxNs: 16920, relStddevPct: 2.66 },
    ]
    for (const live of [undefined, { timeOfDay: '12:10:10.786799' }]) {
      const text = formatPerfKvmStat(old, { perfVersion: '3.12', ...(live ? { live } : {}) })
      const { value, warnings } = parse(text)
      expect(warnings).toEqual([])
      const t = value.tables[0]!
      expect(t.layout).toMatchObject({ minMax: true, minMaxWholeUs: true, analyze: live ? 'all VMs, all VCPUs' : 'all VCPUs' })
      expect(t.layout.spacing).toBeUndefined()
      expect(t.rows.map((r) => [r.name, r.minNs, r.maxNs, r.avgNs])).toEqual([['MSR_WRITE', 0, 16000, 2620], ['HLT', 64000, 17159000, 10123400]])
      expect(printPerfImport(value)).toBe(text)
    }
    // a two-decimal value under that layout is named
    const mixed = formatPerfKvmStat(old, { perfVersion: '3.12' }).replace('      64us ', '   64.53us ')
    expect(parse(mixed).warnings).toEqual(['perf kvm stat: 64.53 in row HLT is not written in whole µs as perf 3.12 – 3.17 print Min/Max Time'])
  })

  it('mail-wrapped rows (a row broken across two lines) and a stripped trailing space', () => {
    const perf = formatPerfKvmStat(rows, { perfVersion: '6.8' })
    const wrapAt = (line: string, width: number): string[] => {
      if (line.length <= width) return [line]
      const cut = line.lastIndexOf(' ', width)
      return [line.slice(0, cut), line.slice(cut + 1)]
    }
    const mailed = perf.split('\n').map((l) => l.trimEnd()).flatMap((l) => (/us \(/.test(l) ? wrapAt(l, 78) : [l])).join('\n')
    expect(mailed.split('\n').length).toBeGreaterThan(perf.split('\n').length)
    const { value } = parse(mailed)
    const t = value.tables[0]!
    expect(t.layout.headerTrailingSpace).toBe(false)
    expect(t.rows.map((r) => [r.name, r.count, r.avgNs])).toEqual([['HLT', 179, 10123400], ['EXTERNAL_INTERRUPT', 71, 17560]])
    expect(t.layout.wraps?.rows?.every((w) => w !== null)).toBe(true)
    expect(printPerfImport(value)).toBe(mailed)
  })

  it('text indented as a whole, with a tab', () => {
    const perf = formatPerfKvmStat(rows, { perfVersion: '5.10' })
    const indented = perf.split('\n').map((l) => (l === '' ? l : `\t${l}`)).join('\n')
    const { value } = parse(indented)
    expect(value.tables[0]!.layout.indent).toBe('\t')
    expect(printPerfImport(value)).toBe(indented)
  })

  it('text with no table is an error that says what to paste', () => {
    const r = importPerfKvmStat('perf: command not found\n')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/no table header.*perf kvm stat report --stdio/)
  })
})
