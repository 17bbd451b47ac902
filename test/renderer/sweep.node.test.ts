// The Sweep tab's pure parts under Node: knobs as axes (paths, suggested values, parsing with the knob's
// schema), the analysis (grid means over seeds, sensitivity with a CI from the seeds, the Pareto front),
// a point added as a configuration, and the chart options built from them.
import { describe, expect, it } from 'vitest'
import type { SweepAxisInfo, SweepPointLine } from '../../core/api/protocol.ts'
import { KNOBS } from '../../renderer/src/lib/config-knobs.ts'
import { overrideAt, configNames } from '../../renderer/src/lib/config-edit.ts'
import { SWEEP_KNOBS, addPointConfiguration, parseSeeds, parseValues, suggestedValues, sweepPath } from '../../renderer/src/lib/sweep-axes.ts'
import { gridPoints, housekeepingCpus, paretoPoints, sensitivity } from '../../renderer/src/lib/sweep-analysis.ts'
import { heatmapOption, metricName, paretoOption, parallelOption, sensitivityOption, gridCsv } from '../../renderer/src/charts/sweep.ts'

const k = (id: string) => KNOBS.get(id)!
const HP = 'host.kvm.haltPoll.haltPollNs'
const HLT = 'vms[0].kvm.disableExits.hlt'
const THR = 'vms[0].workload.throughputPerSec'
const P99 = 'vms[0].workload.latencyNs.p99'
const axes: SweepAxisInfo[] = [{ path: HP, label: HP, values: [0, 200000] }, { path: HLT, label: HLT, values: [false, true] }]
const style = { dark: false }

/** 2 × 2 grid × 2 seeds: halt polling moves p99 by 100 µs, the HLT exit by 1 µs within a ±2 µs seed spread. */
function lines(): SweepPointLine[] {
  const out: SweepPointLine[] = []
  ;[0, 200000].forEach((hp, i) => [false, true].forEach((hlt, j) => [1, 2].forEach((seed) => {
    const index = i * 2 + j
    const p99 = 500_000 - (hp ? 100_000 : 0) + (hlt ? 1000 : 0) + (seed === 1 ? -2000 : 2000)
    out.push({ key: `k${index}-${seed}`, index, seed, values: { [HP]: hp, [HLT]: hlt }, metrics: { [THR]: 90_000 + (hp ? 5000 : 0) - (hlt ? 8000 : 0), [P99]: p99 } })
  })))
  return out
}

describe('knobs as sweep axes', () => {
  it('offers the knobs an engineer tunes, with paths of the resolved configuration', () => {
    const ids = SWEEP_KNOBS.map((x) => x.id)
    for (const id of ['host.kvm.haltPoll.haltPollNs', 'vm.kvm.disableExits.hlt', 'vm.kvm.disableExits.pause', 'vm.kvm.disableExits.mwait', 'host.kvm.piInjectTimer', 'vm.guest.haltpoll.enabled', 'vm.kvm.hintDedicated', 'host.kernel.cmdline.nohzFull']) expect(ids).toContain(id)
    expect(sweepPath(k('vm.kvm.disableExits.hlt'), 1)).toBe('vms[1].kvm.disableExits.hlt')
    expect(sweepPath(k('host.kvm.piInjectTimer'))).toBe('host.kvm.piInjectTimer')
    expect(suggestedValues(k('vm.kvm.disableExits.hlt'), true)).toEqual([false, true])
    expect(suggestedValues(k(HP), 200000)).toEqual([0, 200000])
  })

  it('parses typed values with the knob’s schema and names a refused value', () => {
    expect(parseValues(k(HP), '0, 50000, 200000')).toEqual({ ok: true, values: [0, 50000, 200000] })
    expect(parseValues(k('vm.kvm.disableExits.hlt'), 'false, true')).toEqual({ ok: true, values: [false, true] })
    expect(parseValues(k('host.kernel.cmdline.nohzFull'), '2-15; 4-15,18')).toEqual({ ok: true, values: ['2-15', '4-15,18'] })
    const bad = parseValues(k(HP), '0, -5')
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.problem).toContain('-5')
    expect(parseValues(k(HP), '0, 0').ok).toBe(false)
    expect(parseSeeds('1, 2 3')).toEqual({ ok: true, seeds: [1, 2, 3] })
    expect(parseSeeds('1, x').ok).toBe(false)
  })

  it('adds a point as a copy of the swept configuration with the point’s values as overrides', () => {
    const json = { schemaVersion: 1, name: 'p', configurations: [{ name: 'base', description: '', overrides: { host: { kvm: { piInjectTimer: 1 } } } }] }
    const r = addPointConfiguration(json, 'base', { index: 3, values: { [HP]: 0, [HLT]: true } }, { [HP]: { knob: k(HP) }, [HLT]: { knob: k('vm.kvm.disableExits.hlt'), vm: 'web' } })
    expect(r.name).toBe('sweep-3')
    expect(configNames(r.json)).toEqual(['base', 'sweep-3'])
    expect(overrideAt(r.json, 'sweep-3', ['host', 'kvm', 'piInjectTimer'])).toBe(1)
    expect(overrideAt(r.json, 'sweep-3', ['host', 'kvm', 'haltPoll', 'haltPollNs'])).toBe(0)
    expect(overrideAt(r.json, 'sweep-3', ['vms', 'web', 'kvm', 'disableExits', 'hlt'])).toBe(true)
    expect(addPointConfiguration(r.json, 'base', { index: 3, values: {} }, {}).name).toBe('sweep-3-2')
  })
})

describe('sweep analysis', () => {
  it('averages each grid point over its seeds with a CI', () => {
    const g = gridPoints(lines(), [THR, P99])
    expect(g.map((x) => x.index)).toEqual([0, 1, 2, 3])
    expect(g[0]!.stats[P99]!.mean).toBe(500_000)
    expect(g[0]!.stats[P99]!.ci95).toBeGreaterThan(0)
  })

  it('says which knob matters: halt polling beyond the seeds’ spread, the HLT exit within it', () => {
    const s = sensitivity(lines(), axes, P99)
    expect(s[0]!.axis).toBe(HP)
    expect(s[0]!.range).toBeCloseTo(100_000)
    expect(s[0]!.matters).toBe(true)
    expect(s[1]!.axis).toBe(HLT)
    expect(s[1]!.range).toBeCloseTo(1000)
    expect(s[1]!.matters).toBe(false)
    // one seed: no CI, and no verdict
    const one = sensitivity(lines().filter((l) => l.seed === 1), axes, P99)
    expect(one[0]!.ci95).toBeNull()
    expect(one[0]!.matters).toBeNull()
  })

  it('marks the Pareto front of throughput (max) vs p99 (min), and counts housekeeping CPUs when isolation varies', () => {
    const front = paretoPoints(gridPoints(lines(), [THR, P99]), { throughput: THR, p99: P99, axes, nrCpus: 16 })
    // point 2 (halt polling on, HLT exiting) has the most throughput and the lowest p99: it alone is on the front
    expect(front.filter((p) => p.front).map((p) => p.index)).toEqual([2])
    expect(housekeepingCpus('2-15', 16)).toBe(2)
    expect(housekeepingCpus('', 16)).toBe(16)
    expect(housekeepingCpus('managed_irq,domain,4-15', 16)).toBe(4)
  })
})

describe('sweep chart options', () => {
  const grid = gridPoints(lines(), [THR, P99])
  it('heat map: one cell per grid point at its two axis values, coloured by the metric', () => {
    const o = heatmapOption(grid, [axes[0]!, axes[1]!], P99, { fileName: 'h', style }) as { xAxis: { data: string[] }; yAxis: { data: string[] }; series: { type: string; data: { value: number[]; index: number }[] }[]; visualMap: { min: number; max: number } }
    expect(o.xAxis.data).toEqual(['0', '200000'])
    expect(o.yAxis.data).toEqual(['false', 'true'])
    expect(o.series[0]!.type).toBe('heatmap')
    expect(o.series[0]!.data.find((c) => c.index === 3)!.value).toEqual([1, 1, 401_000])
    expect(o.visualMap.min).toBe(400_000)
    expect(o.visualMap.max).toBe(501_000)
    // latencies read in µs, as everywhere else in the app; other metrics as they are
    const label = (o.series[0] as unknown as { label: { formatter: (p: { value: number[] }) => string } }).label.formatter
    expect(label({ value: [1, 1, 401_000] })).toBe('401 µs')
    const t = heatmapOption(grid, [axes[0]!, axes[1]!], THR, { fileName: 'h', style }) as unknown as { series: { label: { formatter: (p: { value: number[] }) => string } }[] }
    expect(t.series[0]!.label.formatter({ value: [0, 0, 12_345] })).toBe('12,345')
  })
  it('parallel coordinates: one axis per knob and metric, one line per point', () => {
    const o = parallelOption(grid, axes, [THR, P99], { fileName: 'p', style, colorBy: P99 }) as { parallelAxis: { name: string }[]; series: { data: unknown[][] }[] }
    expect(o.parallelAxis).toHaveLength(4)
    expect(o.series[0]!.data).toHaveLength(4)
    expect(o.series[0]!.data[0]).toEqual(['0', 'false', 90_000, 500])
    expect(o.parallelAxis.map((a) => a.name).slice(2)).toEqual(['vms[0] throughput (/s)', 'vms[0] p99 latency (µs)'])
  })
  it('sensitivity: bars by range with CI whiskers; Pareto: the front as its own series', () => {
    const s = sensitivityOption(sensitivity(lines(), axes, P99), P99, { fileName: 's', style }) as { series: { data: unknown[] }[]; yAxis: { data: string[] } }
    expect(s.yAxis.data).toEqual(['haltPoll.haltPollNs', 'disableExits.hlt'])
    expect(s.series[1]!.data).toHaveLength(2)
    // the ranges read in µs like the heat map: halt polling moves p99 by 100 µs
    const bars = s.series[0]!.data as { value: number }[]
    expect(bars[0]!.value).toBe(100)
    const knobLabel = (s.yAxis as unknown as { axisLabel: { formatter: (v: string, i: number) => string } }).axisLabel.formatter
    expect(knobLabel('haltPoll.haltPollNs', 0)).toMatch(/^haltPoll\.haltPollNs\n100 µs ± [\d.]+ µs$/)
    const pts = paretoPoints(grid, { throughput: THR, p99: P99, axes, nrCpus: 16 })
    const p = paretoOption(pts, { fileName: 'f', style, throughputName: 'thr', p99Name: 'p99' }) as { series: { name: string; data: { value: number[] }[] }[] }
    expect(p.series[1]!.name).toBe('Pareto front')
    expect(p.series[1]!.data.map((d) => d.value[3])).toEqual([2])
    expect(p.series[0]!.data).toHaveLength(3)
    expect(gridCsv(grid, axes, [P99]).split('\r\n')[1]).toMatch(/^0,0,false,500000,/)
  })
})

describe('metric names', () => {
  it('name the VM and the unit a user reads', () => {
    expect(metricName(P99, ['web', 'db'])).toBe('web p99 latency (µs)')
    expect(metricName('vms[1].workload.throughputPerSec', ['web', 'db'])).toBe('db throughput (/s)')
    expect(metricName('vms[1].workload.latencyNs.mean')).toBe('vms[1] mean latency (µs)')
    expect(metricName('vms[0].workload.figures.x', ['web'])).toBe('web figures.x')
  })
})
