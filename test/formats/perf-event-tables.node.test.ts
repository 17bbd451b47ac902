// perf kvm stat as engineers paste it: every event table mainline perf prints (vmexit, mmio, ioport,
// msr), report and live mode with --vcpu, CRLF line ends, quoted in a mail reply with rows wrapped by the
// mail client, rows elided with "[..]", arm64 hosts, and tables this reader does not know.
// Fixtures: perf-<event>-report.txt and perf-<event>-live-vcpu2.txt are print_result() output (perf 6.8,
// 40-character names) of realistic tables; perf-vmexit-mail-quoted.txt is a reply quoting a perf 6.1
// report wrapped at 72 columns; perf-arm64-report.txt is perf 5.15 on an arm64 host (20-character names).
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importPerfKvmStat, printPerfImport } from '../../core/formats/perf-kvm-stat.ts'
import type { PerfImport } from '../../core/formats/perf-kvm-stat.ts'

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')
const parse = (text: string): { value: PerfImport; warnings: string[] } => {
  const r = importPerfKvmStat(text)
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return { value: r.value, warnings: r.warnings }
}
const crlf = (t: string): string => t.replace(/\n/g, '\r\n')
const summary = (p: PerfImport): unknown => p.tables.map((t) => ({ event: t.event, vcpu: t.vcpu, rows: t.rows, totalSamples: t.totalSamples, totalTimeNs: t.totalTimeNs, vendor: t.vendor }))

const EVENTS = [
  { event: 'vmexit', header: 'VM-EXIT', first: 'MSR_WRITE', rows: 6, total: 77225 },
  { event: 'mmio', header: 'MMIO Access', first: '0xfee00300:W', rows: 5, total: 31566 },
  { event: 'ioport', header: 'IO Port Access', first: '0x608:PIN', rows: 5, total: 3932 },
  { event: 'msr', header: 'MSR Access', first: '0x830:W', rows: 5, total: 47213 },
] as const

describe('perf kvm stat: every event table, report and live', () => {
  for (const e of EVENTS) {
    it(`--event=${e.event} report: the "${e.header}" table, its totals, and the text back byte for byte`, () => {
      const text = fixture(`perf-${e.event}-report.txt`)
      const { value, warnings } = parse(text)
      expect(warnings).toEqual([])
      expect(value.tables).toHaveLength(1)
      const t = value.tables[0]!
      expect(t.event).toBe(e.event)
      expect(t.layout.eventName).toBe(e.header)
      expect(t.rows).toHaveLength(e.rows)
      expect(t.rows[0]!.name).toBe(e.first)
      expect(t.totalSamples).toBe(e.total)
      expect(t.rows.reduce((a, r) => a + r.count, 0)).toBe(e.total)
      expect(t.vendor).toBe(e.event === 'vmexit' ? 'vmx' : 'unknown')
      expect(t.vcpu).toBeUndefined()
      expect(printPerfImport(value)).toBe(text)
    })

    it(`--event=${e.event} live --vcpu=2: the time of day, VCPU 2, and the text back byte for byte`, () => {
      const text = fixture(`perf-${e.event}-live-vcpu2.txt`)
      const { value, warnings } = parse(text)
      expect(warnings).toEqual([])
      const t = value.tables[0]!
      expect(t.event).toBe(e.event)
      expect(t.vcpu).toBe(2)
      expect(t.layout.live?.timeOfDay).toBe('14:03:27.511842')
      expect(t.layout.analyze).toBe('all VMs, VCPU 2')
      expect(t.totalSamples).toBe(t.rows.reduce((a, r) => a + r.count, 0))
      expect(printPerfImport(value)).toBe(text)
    })

    it(`--event=${e.event} with CRLF line ends: the same tables and totals, no false "partial table"`, () => {
      for (const name of [`perf-${e.event}-report.txt`, `perf-${e.event}-live-vcpu2.txt`]) {
        const lf = parse(fixture(name))
        const text = crlf(fixture(name))
        const { value, warnings } = parse(text)
        expect(warnings).toEqual([])
        expect(summary(value)).toEqual(summary(lf.value))
        expect(value.tables[0]!.totalSamples).not.toBeNull()
        expect(value.tables[0]!.layout.analyze).toBe(lf.value.tables[0]!.layout.analyze)
        expect(printPerfImport(value)).toBe(text)
      }
    })
  }
})

describe('perf kvm stat: pasted from a mail', () => {
  const mail = fixture('perf-vmexit-mail-quoted.txt')
  const expected = ['MSR_WRITE', 'HLT', 'EXTERNAL_INTERRUPT', 'EPT_MISCONFIG', 'PREEMPTION_TIMER']

  it('strips the "> " quote prefix, joins the rows the mail client wrapped, and keeps the total', () => {
    const { value, warnings } = parse(mail)
    expect(warnings).toEqual([])
    const t = value.tables[0]!
    expect(t.rows.map((r) => r.name)).toEqual(expected)
    expect(t.rows[1]).toEqual({ name: 'HLT', count: 20455, samplesPct: 26.52, timePct: 99.86, minNs: 1890, maxNs: 48_002_110, avgNs: 2_410_000, relStddevPct: 1.92 })
    expect(t.totalSamples).toBe(77128)
    expect(t.layout.nameWidth).toBe(20)
    expect(t.layout.wraps?.rows?.every((w) => w !== null)).toBe(true)
    expect(t.layout.quote?.every((q) => q === '>' || q === '> ')).toBe(true)
    expect(printPerfImport(value)).toBe(mail)
  })

  it('the same mail with CRLF line ends', () => {
    const text = crlf(mail)
    const { value, warnings } = parse(text)
    expect(warnings).toEqual([])
    expect(summary(value)).toEqual(summary(parse(mail).value))
    expect(printPerfImport(value)).toBe(text)
  })

  it('a reply quoting the quote (">> ", "> > ")', () => {
    for (const extra of ['>', '> ']) {
      const text = mail.split('\n').map((l) => (l.startsWith('>') ? `${extra}${l}` : l)).join('\n')
      const { value, warnings } = parse(text)
      expect(warnings).toEqual([])
      expect(value.tables[0]!.rows.map((r) => r.name)).toEqual(expected)
      expect(printPerfImport(value)).toBe(text)
    }
  })
})

describe('perf kvm stat: elided rows, arm64, and tables it does not know', () => {
  it('a "Total Samples" line after a "[..]" elision belongs to its table; the warning says rows are cut', () => {
    const text = fixture('perf-vmexit-elided.txt')
    const { value, warnings } = parse(text)
    const t = value.tables[0]!
    expect(t.rows.map((r) => r.name)).toEqual(['MSR_WRITE', 'HLT'])
    expect(t.totalSamples).toBe(77128)
    expect(t.elided).toBe(true)
    expect(warnings).toEqual(['perf kvm stat line 10: rows are cut out ("[..]"): the 2 rows shown have 68665 of the 77128 samples'])
    expect(warnings.join('\n')).not.toMatch(/partial table/)
    expect(printPerfImport(value)).toBe(text)
    expect(printPerfImport(parse(crlf(text)).value)).toBe(crlf(text))
  })

  it('arm64 exit names are read and named "arm64 — not simulated", not "not a VMX or SVM exit name"', () => {
    const text = fixture('perf-arm64-report.txt')
    const { value, warnings } = parse(text)
    expect(value.tables[0]!.vendor).toBe('arm64')
    expect(value.tables[0]!.rows.map((r) => r.name)).toEqual(['WFx', 'IRQ', 'DABT_LOW', 'SYS64', 'HVC64'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^perf kvm stat line 5: WFx, IRQ, DABT_LOW, SYS64, … are arm64 exit names \(arm64 — not simulated\)/)
    expect(warnings[0]).not.toMatch(/VMX or SVM/)
    // the older perf that printed the exception type itself
    const older = text.replace(/ {2}WFx/, ' TRAP').replace('DABT_LOW', '   TRAP')
    expect(parse(older).value.tables[0]!.vendor).toBe('arm64')
  })

  it('a table it does not recognise says so: alone it is an error, beside a known table a warning naming the line', () => {
    const known = fixture('perf-msr-report.txt')
    const unknown = known.replace('MSR Access', 'TRAP-EVENT').replace('--event=msr', '--event=trap')
    const r = importPerfKvmStat(unknown)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/^perf kvm stat line 5: "TRAP-EVENT +Samples.*is a table this reader does not recognise \(it reads VM-EXIT, MMIO Access, IO Port Access, MSR Access tables\)/)
    const both = `${known}\n${unknown}`
    const { value, warnings } = parse(both)
    expect(value.tables).toHaveLength(1)
    expect(warnings.some((w) => /^perf kvm stat line \d+: "TRAP-EVENT .*does not recognise or cannot parse.*kept as text, not read$/.test(w))).toBe(true)
    // its rows are named too: nothing that looks like a table is passed over silently
    expect(warnings.filter((w) => /looks like a row/.test(w))).toHaveLength(5)
  })

  it('a row whose columns were edited by hand is named, not silently kept as text', () => {
    const text = fixture('perf-vmexit-report.txt').replace('    1204     1.56%', '    1204     1.56 ')
    const { warnings } = parse(text)
    expect(warnings.join('\n')).toMatch(/EPT_MISCONFIG.*does not parse|looks like a row/)
  })
})
