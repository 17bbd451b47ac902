// Exits per second per vCPU, grouped bars per configuration.
import type { ConfigResult } from '../../../core/result.ts'
import { baseOption, colorOf, type ChartOption, type ChartStyle } from './common.ts'
import { toCsv } from './csv.ts'
import { fmtRate } from '../lib/format.ts'

export interface VcpuExits { categories: string[]; series: { name: string; index: number; values: (number | null)[] }[] }

/** Categories `vm/vCPU n` in order of first appearance; a configuration without that vCPU gets null. */
export function vcpuExits(results: readonly ConfigResult[]): VcpuExits {
  const categories: string[] = []
  const seen = new Set<string>()
  const label = (vm: string, vcpu: number, multi: boolean): string => (multi ? `${vm} vCPU ${vcpu}` : `vCPU ${vcpu}`)
  const multi = results.some((r) => r.vms.length > 1)
  for (const r of results) for (const vm of r.vms) for (const v of vm.vcpus) {
    const c = label(vm.vm, v.vcpu, multi)
    if (!seen.has(c)) { seen.add(c); categories.push(c) }
  }
  const series = results.map((r, index) => {
    const m = new Map<string, number>()
    for (const vm of r.vms) for (const v of vm.vcpus) m.set(label(vm.vm, v.vcpu, multi), v.exitsPerSec)
    return { name: r.config, index, values: categories.map((c) => m.get(c) ?? null) }
  })
  return { categories, series }
}

export function vcpuExitsOption(d: VcpuExits, opts: { fileName: string; style: ChartStyle }): ChartOption {
  return {
    ...baseOption('VM exits per second per vCPU', opts.fileName, opts.style),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: ((v: unknown) => `${fmtRate(Number(v))} exits/s`) as never },
    xAxis: { type: 'category', data: d.categories },
    yAxis: { type: 'value', name: 'exits/s', axisLabel: { formatter: (v: number) => fmtRate(v) } },
    series: d.series.map((s) => ({ type: 'bar' as const, name: s.name, color: colorOf(s.index), data: s.values })),
  }
}

export function vcpuExitsCsv(d: VcpuExits): string {
  return toCsv(['vcpu', ...d.series.map((s) => s.name)], d.categories.map((c, i) => [c, ...d.series.map((s) => s.values[i])]))
}
