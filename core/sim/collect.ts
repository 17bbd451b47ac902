// From the model's counters to the JSON result (core/result.ts).
import type { WorkloadBenchmark, ConfigResult, ExitRow, ExitHistogram, VmResult, TimeAccounting, PcpuResult, LatencyPercentiles, HistogramBucket } from '../result.ts'
import { EXIT_REASON_COUNT, exitName } from '../output/exit-names.ts'
import type { ExitReasonId } from '../output/exit-names.ts'
import { ExitStatsTable } from '../metrics/welford.ts'
import { LogHistogram } from '../metrics/log-histogram.ts'
import type { HostModel } from './host-model.ts'
import { St, STATE_COUNT, PCPU_TIME_COUNT, PcpuTime } from './constants.ts'
import type { SetupResult } from './setup.ts'

const R = EXIT_REASON_COUNT
const BINS_PER_DECADE = 20

type Setup = Extract<SetupResult, { ok: true }>

export function collectResult(m: HostModel, setup: Setup, config: string, wallMs: number): ConfigResult {
  const inp = m.inp
  const vendor = inp.vendor
  const durationSec = inp.durationNs / 1e9
  const all = new ExitStatsTable(R)
  const allHist: LogHistogram[] = Array.from({ length: R }, () => new LogHistogram())
  const C = m.stats.nCauses
  const allCauses = new Float64Array(R * C)
  const vms: VmResult[] = inp.vms.map((vm, v) => {
    const per = new ExitStatsTable(R)
    for (let r = 0; r < R; r++) {
      const s = v * R + r
      mergeSeries(per, r, m.stats.exitStats, s)
      mergeSeries(all, r, m.stats.exitStats, s)
      allHist[r]!.merge(m.stats.exitHist[s]!)
      for (let c = 0; c < C; c++) allCauses[r * C + c]! += m.stats.causeCounts[s * C + c]!
    }
    const exits = exitRows(per, (r) => m.stats.causeCounts.subarray((v * R + r) * C, (v * R + r + 1) * C), m, vendor)
    const histograms = histogramsOf((r) => m.stats.exitHist[v * R + r]!, per, vendor)
    const lat = m.stats.latency[v]!
    const perBin = m.stats.series.length / m.nVm
    const nBins = Math.ceil(inp.durationNs / m.stats.seriesIntervalNs)
    const series: number[] = []
    for (let b = 0; b < nBins; b++) series.push(round2(m.stats.series[v * perBin + b]! * (1e9 / m.stats.seriesIntervalNs)))
    const vcpus = []
    for (let g = vm.firstVcpu; g < vm.firstVcpu + vm.vcpus; g++) {
      vcpus.push({ vcpu: g - vm.firstVcpu, pcpu: m.pcpuOf[g]!, exitsPerSec: round2(m.stats.exitsAfterWarmup[g]! / durationSec), time: vcpuTime(m, g) })
    }
    return {
      vm: vm.name,
      exits,
      histograms,
      workload: {
        kind: m.workloads[v]!.kind,
        unit: m.workloads[v]!.unit,
        throughputPerSec: round2(m.stats.completed[v]! / durationSec),
        meanLatencyNs: round2(lat.count > 0 ? lat.mean : 0),
        latencyNs: percentiles(lat),
        latencyHistogram: lat.toLog10Bins(BINS_PER_DECADE).map(roundBucket),
        series: { intervalNs: m.stats.seriesIntervalNs, perSec: series },
      },
      vcpus,
      decisions: vm.decisions,
    }
  })
  const allExits = exitRows(all, (r) => allCauses.subarray(r * C, (r + 1) * C), m, vendor)
  const pcpus = pcpuResults(m, setup)
  // the benchmark's own printout (kvm-unit-tests, cyclictest, hackbench, …), when the workload prints one
  vms.forEach((vm, v) => {
    // %c0 counts the vCPUs' polling in guest idle (idle=poll, cpuidle-haltpoll) as busy: the pCPU stays in C0
    let guestPollNs = 0
    const spec = inp.vms[v]!
    for (let g = spec.firstVcpu; g < spec.firstVcpu + spec.vcpus; g++) guestPollNs += m.acc[g * STATE_COUNT + St.GUEST_POLL]!
    const w = vm.workload
    const rep = m.workloads[v]!.benchmark({ tscGhz: inp.tscGhz, pcpuBusyShare: vmPcpuBusyShare(pcpus, vm.vm, guestPollNs), perSec: m.stats.completed[v]! / durationSec, meanLatencyNs: w.meanLatencyNs })
    if (rep) w.benchmark = plainBenchmark(rep)
  })
  return {
    config,
    seed: inp.seed,
    virtualNs: inp.durationNs,
    events: m.engine.events,
    wallMs,
    vendor,
    vms,
    allVms: { exits: allExits, histograms: histogramsOf((r) => allHist[r]!, all, vendor) },
    pcpus,
  }
}

/** Busy share of the pCPUs whose roles name one of VM `name`'s vCPUs (busy: guest running, exit handling, host
 *  polling, other tasks; guest idle and host idle are not busy) — turbostat's Busy% / %c0 of them. `guestPollNs` of the
 *  guest idle time (polling in guest mode, which keeps the pCPU in C0) counts as busy too. */
export function vmPcpuBusyShare(pcpus: readonly PcpuResult[], name: string, guestPollNs = 0): number {
  const tag = `vCPU ${name}/`
  let busy = guestPollNs
  let total = 0
  for (const p of pcpus) {
    if (!p.roles.some((x) => x.startsWith(tag))) continue
    const t = p.time
    const b = t.guestBusy + t.exitHandling + t.hostPolling + t.otherTasks
    busy += b
    total += b + t.guestIdle + t.idle
  }
  return total ? busy / total : 0
}

/** The printout as plain JSON; a fractional figure is kept to 6 significant digits (whole ones as they are: a
 *  printed total of ns or cycles keeps every digit). */
function plainBenchmark(b: WorkloadBenchmark): WorkloadBenchmark {
  return {
    figures: b.figures.map((f) => ({ name: f.name, unit: f.unit, value: Number.isInteger(f.value) ? f.value : Number(f.value.toPrecision(6)) })),
    lines: b.lines.map((l) => ({ print: l.print, args: [...l.args] })),
  }
}

/** Adds series s of `from` into series r of `into` (exact n/total/min/max; Chan et al. for M2). */
function mergeSeries(into: ExitStatsTable, r: number, from: ExitStatsTable, s: number): void {
  if (from.count(s) === 0) return
  const z = (): number[] => new Array<number>(R).fill(0)
  const snap = { nSeries: R, n: z(), mean: z(), m2: z(), min: new Array<number>(R).fill(Infinity), max: z(), total: z() }
  snap.n[r] = from.count(s)
  snap.mean[r] = from.mean(s)
  snap.m2[r] = from.m2Of(s)
  snap.min[r] = from.minNs(s)
  snap.max[r] = from.maxNs(s)
  snap.total[r] = from.totalNs(s)
  into.merge(ExitStatsTable.fromSnapshot(snap))
}

function exitRows(t: ExitStatsTable, causesOf: (r: number) => Float64Array, m: HostModel, vendor: 'vmx' | 'svm'): ExitRow[] {
  const rows: ExitRow[] = []
  for (let r = 0; r < R; r++) {
    const n = t.count(r)
    if (n === 0) continue
    const causes: Record<string, number> = {}
    const cs = causesOf(r)
    for (let c = 0; c < cs.length; c++) if (cs[c]! > 0) causes[m.causes.name(c)] = cs[c]!
    rows.push({
      reason: exitName(r as ExitReasonId, vendor),
      count: n,
      totalNs: t.totalNs(r),
      minNs: t.minNs(r),
      maxNs: t.maxNs(r),
      meanNs: round2(t.totalNs(r) / n),
      relStddevPct: round4(t.relStddevPct(r)),
      causes,
    })
  }
  rows.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
  return rows
}

function histogramsOf(h: (r: number) => LogHistogram, t: ExitStatsTable, vendor: 'vmx' | 'svm'): ExitHistogram[] {
  const out: ExitHistogram[] = []
  for (let r = 0; r < R; r++) if (t.count(r) > 0) out.push({ reason: exitName(r as ExitReasonId, vendor), buckets: h(r).toLog10Bins(BINS_PER_DECADE).map(roundBucket) })
  return out
}

function percentiles(h: LogHistogram): LatencyPercentiles {
  if (h.count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }
  return { p50: Math.round(h.percentile(50)), p90: Math.round(h.percentile(90)), p99: Math.round(h.percentile(99)), p999: Math.round(h.percentile(99.9)), max: Math.round(h.max) }
}

function emptyTime(): TimeAccounting {
  return { guestBusy: 0, guestIdle: 0, exitHandling: 0, hostPolling: 0, blocked: 0, preempted: 0, otherTasks: 0, hostIrq: 0, idle: 0 }
}

function vcpuTime(m: HostModel, g: number): TimeAccounting {
  const a = (s: number) => Math.round(m.acc[g * STATE_COUNT + s]!)
  const t = emptyTime()
  t.guestBusy = a(St.RUN)
  t.guestIdle = a(St.GUEST_HLT) + a(St.GUEST_POLL)
  t.exitHandling = a(St.EXIT)
  t.hostPolling = a(St.HOST_POLL)
  t.blocked = a(St.BLOCKED) + a(St.WAKING)
  t.preempted = a(St.PREEMPTED)
  return t
}

function pcpuResults(m: HostModel, setup: Setup): PcpuResult[] {
  const inp = m.inp
  const hk = setup.hk
  const out: PcpuResult[] = []
  for (let c = 0; c < inp.nrCpus; c++) {
    const roles: string[] = []
    if (hk.nohzFullCpus[c]) roles.push('nohz_full')
    else roles.push('housekeeping')
    if (hk.isolatedDomainCpus[c]) roles.push('isolcpus')
    if (hk.rcuNocbsCpus[c]) roles.push('rcu_nocbs')
    if (hk.irqAffinity[c]) roles.push('irqaffinity')
    const g = m.pcpuVcpu[c]!
    if (g >= 0) roles.push(`vCPU ${inp.vms[inp.vcpus[g]!.vm]!.name}/${inp.vcpus[g]!.index}`)
    const a = (k: number): number => Math.round(m.pcpuAcc[c * PCPU_TIME_COUNT + k]!)
    const time = emptyTime()
    time.guestBusy = a(PcpuTime.GUEST_BUSY)
    time.guestIdle = a(PcpuTime.GUEST_IDLE)
    time.exitHandling = a(PcpuTime.EXIT)
    time.hostPolling = a(PcpuTime.HOST_POLL)
    // kworkers and host tasks; on a pCPU no thread of the model runs on, the host work its interrupts stand for
    time.otherTasks = a(PcpuTime.OTHER_TASKS) + (g < 0 && !m.mayShare[c] ? Math.round(m.pcpuBusy[c]!) : 0)
    time.hostIrq = g >= 0 || m.mayShare[c] ? Math.round(m.pcpuBusy[c]!) : 0
    const used = time.guestBusy + time.guestIdle + time.exitHandling + time.hostPolling + time.otherTasks
    time.idle = Math.max(0, inp.durationNs - used)
    if (inp.vms.some((vm) => vm.vhostPcpu === c)) roles.push('vhost')
    out.push({ cpu: c, roles, time })
  }
  return out
}

function roundBucket(b: HistogramBucket): HistogramBucket {
  return { lowNs: round2(b.lowNs), highNs: round2(b.highNs), count: b.count }
}

const round2 = (x: number): number => Math.round(x * 100) / 100
const round4 = (x: number): number => Math.round(x * 10000) / 10000
