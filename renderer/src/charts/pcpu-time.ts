// Time accounting per pCPU for one configuration: stacked shares of virtual time.
import type { ConfigResult, TimeAccounting } from '../../../core/result.ts'
import { baseOption, type ChartOption, type ChartStyle } from './common.ts'
import { toCsv } from './csv.ts'

export const TIME_KEYS: readonly { key: keyof TimeAccounting; label: string; color: string }[] = [
  { key: 'guestBusy', label: 'guest busy', color: '#59a14f' },
  { key: 'guestIdle', label: 'guest idle', color: '#a0cbe8' },
  { key: 'exitHandling', label: 'exit handling', color: '#e15759' },
  { key: 'hostPolling', label: 'host polling', color: '#f28e2b' },
  { key: 'hostIrq', label: 'host IRQ', color: '#b07aa1' },
  { key: 'otherTasks', label: 'other tasks', color: '#9c755f' },
  { key: 'preempted', label: 'preempted', color: '#ff9da7' },
  { key: 'blocked', label: 'blocked', color: '#bab0ac' },
  { key: 'idle', label: 'idle', color: 'rgba(128,128,128,0.25)' },
]

/** Share of a CPU's time that is not idle, in percent. */
export function busyPct(t: TimeAccounting): number {
  const total = TIME_KEYS.reduce((a, k) => a + t[k.key], 0)
  return total > 0 ? ((total - t.idle) / total) * 100 : 0
}

/**
 * Per pCPU the share of each category in percent. Only CPUs busy at least `minBusyPct` of the time are
 * shown (all of them when none is), so a 256-CPU host shows the CPUs that matter.
 */
export function pcpuShares(r: ConfigResult, minBusyPct = 0.5): { cpus: string[]; shares: Record<string, number[]> } {
  const busy = r.pcpus.filter((p) => busyPct(p.time) >= minBusyPct)
  const pcpus = busy.length ? busy : r.pcpus
  const shares: Record<string, number[]> = {}
  for (const k of TIME_KEYS) shares[k.key] = []
  for (const p of pcpus) {
    const total = TIME_KEYS.reduce((a, k) => a + p.time[k.key], 0) || 1
    for (const k of TIME_KEYS) (shares[k.key] as number[]).push((p.time[k.key] / total) * 100)
  }
  return { cpus: pcpus.map((p) => `CPU ${p.cpu}`), shares }
}

export function pcpuTimeOption(r: ConfigResult, opts: { fileName: string; style: ChartStyle }): ChartOption {
  const { cpus, shares } = pcpuShares(r)
  return {
    ...baseOption(`Time per busy pCPU — ${r.config}`, opts.fileName, opts.style),
    legend: { bottom: 0, type: 'scroll' },
    grid: { left: 56, right: 24, top: 60, bottom: 64 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: ((v: unknown) => `${Number(v).toFixed(2)} %`) as never },
    xAxis: { type: 'category', data: cpus },
    yAxis: { type: 'value', max: 100, name: '% of time', nameGap: 14 },
    series: TIME_KEYS.map((k) => ({ type: 'bar' as const, name: k.label, stack: 'time', color: k.color, data: shares[k.key] as number[] })),
  }
}

export function pcpuTimeCsv(r: ConfigResult): string {
  return toCsv(['config', 'cpu', 'roles', ...TIME_KEYS.map((k) => `${k.key}_ns`)], r.pcpus.map((p) => [r.config, p.cpu, p.roles.join(' '), ...TIME_KEYS.map((k) => p.time[k.key])]))
}
