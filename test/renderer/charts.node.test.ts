import { describe, expect, it } from 'vitest'
import { makeResult, log2Buckets } from '../helpers/results.ts'
import { histogramCsv, histogramOption, histogramRange, histogramSeries, histogramTooltip, stepPoints } from '../../renderer/src/charts/histogram.ts'
import { throughputCsv, throughputOption, throughputSeries } from '../../renderer/src/charts/throughput.ts'
import { fmtNs } from '../../renderer/src/lib/format.ts'
import { latencyCsv, latencyOption, latencySeries } from '../../renderer/src/charts/latency.ts'
import { vcpuExits, vcpuExitsCsv } from '../../renderer/src/charts/vcpu-exits.ts'
import { pcpuShares, pcpuTimeCsv } from '../../renderer/src/charts/pcpu-time.ts'
import { toCsv } from '../../renderer/src/charts/csv.ts'
import { externalInterruptReason } from '../../renderer/src/lib/exit-names.ts'

const style = { dark: false }
const results = [makeResult('sw-timer'), makeResult('posted-timer', { extInt: 6871 })]

describe('histogram chart', () => {
  it('draws step points from the first to the last non-empty bucket, closing at its upper bound', () => {
    const pts = stepPoints(log2Buckets([0, 3, 0, 5, 0]))
    expect(pts.map((p) => p[0])).toEqual([256, 512, 1024, 2048])
    expect(pts.map((p) => p[2])).toEqual([3, 0, 5, 0])
    // empty buckets are drawn below the log axis minimum (1), never as 0 (log(0) is undefined)
    expect(pts.every((p) => p[1] > 0)).toBe(true)
  })

  it('has log x and log y axes, one series per configuration, and a PNG export', () => {
    const s = histogramSeries(results, (r) => externalInterruptReason(r.vendor))
    const o = histogramOption(s, { title: 'EXTERNAL_INTERRUPT', fileName: 'f', style })
    expect((o.xAxis as { type: string }).type).toBe('log')
    expect((o.yAxis as { type: string }).type).toBe('log')
    expect((o.series as { name: string }[]).map((x) => x.name)).toEqual(['sw-timer', 'posted-timer'])
    expect((o.toolbox as { feature: { saveAsImage: { type: string } } }).feature.saveAsImage.type).toBe('png')
    expect(JSON.stringify(o)).not.toContain('"window"')
  })

  it('shares one power-of-ten range across configurations', () => {
    const r = histogramRange(histogramSeries(results, () => 'EXTERNAL_INTERRUPT'))
    expect(r.xMin).toBe(100)
    expect(r.xMax).toBe(100_000)
    expect(r.yMax).toBe(10_000)
  })

  it('shows real counts in the tooltip and exports buckets as CSV', () => {
    expect(histogramTooltip([{ seriesName: 'a', color: 'red', data: [1024, 0.5, 0, 2048] }])).toContain('a: 0 exits in [1.02 µs, 2.05 µs)')
    const csv = histogramCsv(histogramSeries(results.slice(0, 1), () => 'EXTERNAL_INTERRUPT'))
    expect(csv.split('\r\n')[0]).toBe('config,low_ns,high_ns,count')
    expect(csv).toContain('sw-timer,1024,2048,900')
  })

  it('uses the SVM name of the row on AMD', () => {
    const amd = makeResult('amd', { vendor: 'svm' })
    expect(histogramSeries([amd], (r) => externalInterruptReason(r.vendor))[0]?.buckets.length).toBe(9)
  })
})

describe('other charts', () => {
  it('throughput: one line per configuration over virtual seconds, LTTB sampling', () => {
    const s = throughputSeries(results)
    const o = throughputOption(s, { fileName: 'f', style })
    const series = o.series as { sampling: string; data: [number, number][] }[]
    expect(series).toHaveLength(2)
    expect(series[0]?.sampling).toBe('lttb')
    expect(series[0]?.data[0]).toEqual([0.1, 99_000])
    expect(throughputCsv(s)).toContain('sw-timer,0.4,100500')
  })

  it('latency: five percentiles in µs on a linear axis from 0, each bar labelled', () => {
    const o = latencyOption(latencySeries(results), { fileName: 'f', style })
    expect((o.xAxis as { data: string[] }).data).toEqual(['p50', 'p90', 'p99', 'p99.9', 'max'])
    expect(o.yAxis).toMatchObject({ type: 'value', min: 0 })
    expect((o.series as { label: { show: boolean; formatter: (p: { value: number }) => string } }[])[0]?.label.show).toBe(true)
    expect((o.series as { label: { formatter: (p: { value: number }) => string } }[])[0]?.label.formatter({ value: 565 })).toBe(fmtNs(565_000))
    expect((o.series as { data: number[] }[])[0]?.data).toEqual([60, 90, 200, 400, 900])
    expect(latencyCsv(latencySeries(results)).split('\r\n')[1]).toBe('sw-timer,60000,90000,200000,400000,900000')
  })

  it('vCPU exits: one category per vCPU, one series per configuration', () => {
    const d = vcpuExits(results)
    expect(d.categories).toEqual(['vCPU 0', 'vCPU 1'])
    expect(d.series.map((s) => s.values)).toEqual([[20000, 21000], [20000, 21000]])
    expect(vcpuExitsCsv(d).split('\r\n')[0]).toBe('vcpu,sw-timer,posted-timer')
  })

  it('pCPU time: shares add up to 100 % per CPU', () => {
    const { cpus, shares } = pcpuShares(results[0]!)
    expect(cpus).toHaveLength(4)
    for (let i = 0; i < cpus.length; i++) {
      const sum = Object.values(shares).reduce((a, v) => a + (v[i] ?? 0), 0)
      expect(sum).toBeCloseTo(100, 6)
    }
    expect(pcpuTimeCsv(results[0]!).split('\r\n')[1]).toMatch(/^sw-timer,0,housekeeping,/)
  })

  it('CSV quotes cells with commas, quotes and newlines', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [null, 1.5]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n,1.5\r\n')
  })
})

describe('deltas chart', async () => {
  const { deltasOption, deltasCsv, TONE_COLORS } = await import('../../renderer/src/charts/deltas.ts')
  const { comparisonRows } = await import('../../renderer/src/lib/compare.ts')
  it('draws one bar per metric for each configuration but the baseline, coloured by tone', () => {
    const rows = comparisonRows(results, undefined)
    const o = deltasOption(rows, { fileName: 'f', style })
    const series = o.series as { name: string; data: { value: number; itemStyle: { color: string } }[] }[]
    expect(series.map((s) => s.name)).toEqual(['posted-timer'])
    expect(series[0]?.data[2]?.value).toBeCloseTo(-83.99, 1)
    expect(series[0]?.data[2]?.itemStyle.color).toBe(TONE_COLORS.good)
    expect(deltasCsv(rows).split('\r\n')).toHaveLength(4)
  })
})
