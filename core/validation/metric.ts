// Reads a case's metric from a configuration's result: the figure the published result reports, as close as
// the bench's outputs come to it.
import type { ConfigResult, HistogramBucket, VmResult } from '../result.ts'
import type { Metric } from './case-schema.ts'
import { vmPcpuBusyShare } from '../sim/collect.ts'

export class MetricError extends Error {}

function vmOf(r: ConfigResult, m: Metric): VmResult {
  const vm = m.vm === undefined ? r.vms[0] : r.vms.find((v) => v.vm === m.vm)
  if (!vm) throw new MetricError(`configuration ${r.config} has no VM ${JSON.stringify(m.vm)} — use one of ${r.vms.map((v) => v.vm).join(', ')}`)
  return vm
}

/** Mean of a latency histogram, each bucket at its midpoint (an estimate while results carry no mean). */
export function histogramMean(buckets: HistogramBucket[]): number {
  let n = 0
  let sum = 0
  for (const b of buckets) {
    n += b.count
    sum += b.count * (b.lowNs + b.highNs) / 2
  }
  return n ? sum / n : 0
}

const perSec = (count: number, r: ConfigResult): number => (r.virtualNs > 0 ? count / (r.virtualNs / 1e9) : count)

/** The metric's value in one configuration's result (exits per simulated second, ns, ops/s or a share 0…1). */
export function metricValue(r: ConfigResult, m: Metric): number {
  const vm = vmOf(r, m)
  switch (m.kind) {
    case 'throughput':
      return vm.workload.throughputPerSec
    case 'time-per-op':
      return vm.workload.throughputPerSec > 0 ? 1e9 / vm.workload.throughputPerSec : 0
    case 'latency': {
      const p = m.percentile ?? 'p50'
      if (p === 'mean') {
        const own = (vm.workload.latencyNs as unknown as Record<string, unknown>).mean
        return typeof own === 'number' ? own : histogramMean(vm.workload.latencyHistogram)
      }
      return vm.workload.latencyNs[p]
    }
    case 'exit-count':
      return perSec(vm.exits.find((e) => e.reason === m.reason)?.count ?? 0, r)
    case 'exit-share': {
      const all = vm.exits.reduce((a, e) => a + e.count, 0)
      return all ? (vm.exits.find((e) => e.reason === m.reason)?.count ?? 0) / all : 0
    }
    case 'exit-mean':
      return vm.exits.find((e) => e.reason === m.reason)?.meanNs ?? 0
    case 'exits-total':
      return perSec(vm.exits.reduce((a, e) => a + e.count, 0), r)
    case 'pcpu-busy':
      return vmPcpuBusyShare(r.pcpus, vm.vm)
    case 'figure': {
      const figures = vm.workload.benchmark?.figures ?? []
      const f = figures.find((x) => x.name === m.figure)
      if (f === undefined) throw new MetricError(`configuration ${r.config}: the ${vm.workload.kind} workload prints no figure ${JSON.stringify(m.figure)} — use one of ${figures.map((x) => x.name).join(', ') || '(none: this workload prints no figures)'}`)
      return f.value
    }
  }
}

/** The metric in words, for the table: "EXTERNAL_INTERRUPT exits/s", "latency p50", … */
export function metricLabel(m: Metric): string {
  const vm = m.vm ? ` (${m.vm})` : ''
  switch (m.kind) {
    case 'throughput': return `throughput${vm}`
    case 'time-per-op': return `time per operation${vm}`
    case 'latency': return `latency ${m.percentile}${vm}`
    case 'exit-count': return `${m.reason} exits/s${vm}`
    case 'exit-share': return `${m.reason} share of exits${vm}`
    case 'exit-mean': return `${m.reason} avg time${vm}`
    case 'exits-total': return `all exits/s${vm}`
    case 'pcpu-busy': return `vCPU pCPUs busy share${vm}`
    case 'figure': return `printed ${m.figure}${vm}`
  }
}

/** A metric value as the table prints it, with its unit. */
export function formatMetricValue(m: Metric, v: number): string {
  switch (m.kind) {
    case 'latency':
    case 'exit-mean':
    case 'time-per-op':
      return v >= 10_000 ? `${(v / 1000).toFixed(1)} µs` : v >= 1000 ? `${(v / 1000).toFixed(2)} µs` : `${v.toFixed(0)} ns`
    case 'exit-share':
    case 'pcpu-busy':
      return `${(v * 100).toFixed(2)} %`
    case 'figure':
      return Number.isInteger(v) ? String(v) : v.toPrecision(4)
    case 'throughput':
    case 'exit-count':
    case 'exits-total':
      return v >= 100 ? `${Math.round(v)}/s` : `${v.toFixed(1)}/s`
  }
}
