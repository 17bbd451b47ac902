// Small ConfigResult fixtures for renderer tests (shapes as core/result.ts defines them).
import type { ConfigResult, ExitRow, HistogramBucket, TimeAccounting } from '../../core/result.ts'

export function exitRow(reason: string, count: number, meanNs: number, causes: Record<string, number> = {}): ExitRow {
  return { reason, count, totalNs: count * meanNs, minNs: meanNs / 2, maxNs: meanNs * 20, meanNs, relStddevPct: 1.09, causes }
}

export function log2Buckets(counts: number[], firstNs = 128): HistogramBucket[] {
  return counts.map((count, i) => ({ lowNs: firstNs * 2 ** i, highNs: firstNs * 2 ** (i + 1), count }))
}

const time = (busy: number): TimeAccounting => ({
  guestBusy: busy, guestIdle: 1e8, exitHandling: 2e7, hostPolling: 1e7, blocked: 0, preempted: 0, otherTasks: 0, hostIrq: 1e6, idle: 1e9 - busy - 1.31e8,
})

export interface FixtureOpts { extInt?: number; throughput?: number; p99?: number; vendor?: 'vmx' | 'svm' }

export function makeResult(config: string, o: FixtureOpts = {}): ConfigResult {
  const ext = o.vendor === 'svm' ? 'interrupt' : 'EXTERNAL_INTERRUPT'
  const exits = [
    exitRow(ext, o.extInt ?? 42916, 710, { 'host-tick': 1000, 'lapic-timer-hrtimer': (o.extInt ?? 42916) - 1000 }),
    exitRow('MSR_WRITE', 30000, 2620, { 'tsc-deadline': 30000 }),
    exitRow('HLT', 179, 10_123_400, { idle: 179 }),
  ]
  const histograms = [{ reason: ext, buckets: log2Buckets([0, 3, 40, 900, 300, 20, 0, 1, 0]) }]
  return {
    config,
    seed: 1,
    virtualNs: 1e9,
    events: 123456,
    wallMs: 850,
    vendor: o.vendor ?? 'vmx',
    vms: [
      {
        vm: 'vm0',
        exits,
        histograms,
        workload: {
          kind: 'redis',
          unit: 'requests',
          throughputPerSec: o.throughput ?? 100_000,
          meanLatencyNs: 70_000,
          latencyNs: { p50: 60_000, p90: 90_000, p99: o.p99 ?? 200_000, p999: 400_000, max: 900_000 },
          latencyHistogram: log2Buckets([1, 2, 3]),
          series: { intervalNs: 1e8, perSec: [99_000, 100_000, 101_000, 100_500] },
        },
        vcpus: [0, 1].map((v) => ({ vcpu: v, pcpu: v + 2, exitsPerSec: 20_000 + v * 1000, time: time(6e8) })),
        decisions: [{ id: 'timer-path', title: 'LAPIC timer path', value: 'sw hrtimer', reason: 'nohz_full is off', mirrors: 'kvm_can_post_timer_interrupt()' }],
      },
    ],
    allVms: { exits, histograms },
    pcpus: [0, 1, 2, 3].map((cpu) => ({ cpu, roles: cpu < 2 ? ['housekeeping'] : ['isolated'], time: time(cpu * 1e8) })),
  }
}
