// The frozen snapshot the PDF report page renders: everything the report shows, computed once from a
// finished run (profile + results), so the report never reads live UI state. Pure: the same inputs give
// the same snapshot. Built by the report service (app, browser host) and by `kvmbench report`.
import { CPU_FEATURES } from '../costs/cpu-presets.ts'
import { loadProfile, resolveConfiguration } from '../profile/load-profile.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import type { Host, Profile, Vm } from '../profile/profile-schema.ts'
import type { ConfigResult, Decision, HistogramBucket, LatencyPercentiles } from '../result.ts'
import { previewDecisions } from '../sim/preview.ts'
import { perfTable } from './text-report.ts'
import { printedLines, linesNote } from './benchmark-lines.ts'
import type { PrintedLine } from './benchmark-lines.ts'
import { pctChange, summarizeDeltas, summaryRows } from './summary.ts'
import type { SummaryRow } from './summary.ts'
import { decisionSummary, exitDeltas, headlineDeltas } from './report-summary.ts'
import type { DecisionSummary, ExitDelta, HeadlineDelta } from './report-summary.ts'

export const REPORT_SNAPSHOT_VERSION = 1

export interface ReportVm {
  vm: string
  workload: { kind: string; unit: string; throughputPerSec: number; latencyNs: LatencyPercentiles; series: { intervalNs: number; perSec: number[] }; ci95?: { throughputPerSec: number; p99: number } }
  decisions: Decision[]
  /** What caused this VM's external-interrupt exits, most first. */
  eiCauses: { cause: string; count: number }[]
  /** The lines its benchmark printed, rendered from its figures (with replications: their means, ± beside, and the
   *  note saying so); absent when it printed none. */
  printed?: { note: string; lines: PrintedLine[] }
}

export interface ReportConfiguration {
  name: string
  description: string
  status: string
  error?: string
  /** The host kernel command line of this configuration (isolation parameters). */
  kernelCmdline: string
  /** One libvirt domain document per VM; absent until an exporter is wired (see libvirtXmlNote). */
  libvirtXml?: { vm: string; xml: string }[]
  libvirtXmlNote?: string
  /** `perf kvm stat report` of all VMs, as perf prints it. */
  perfTable?: string
  vendor: 'vmx' | 'svm'
  eiReason: string
  /** The system-wide external-interrupt handling-time histogram. */
  eiHistogram?: HistogramBucket[]
  virtualNs?: number
  events?: number
  seed?: number
  vms: ReportVm[]
  /** Kernel decisions (from the run; from a preview when the configuration has no result). */
  decisionsFrom: 'run' | 'preview' | 'none'
}

export interface ReportDifference {
  /** Setting path, e.g. `host.kvm.piInjectTimer` or `vms[redis-vm].kvm.disableExits.hlt`. */
  path: string
  /** The value in each configuration, in configuration order (JSON text). */
  values: string[]
}

export interface ReportCompareRow {
  config: string
  throughputPerSec: number
  unit: string
  p99Ns: number
  externalInterrupts: number
  eiSharePct: number
  totalExits: number
  /** Percent changes against the baseline (undefined for the baseline or a zero base). */
  deltas: { throughput?: number; p99?: number; externalInterrupts?: number; totalExits?: number }
}

export interface ReportSnapshot {
  version: typeof REPORT_SNAPSHOT_VERSION
  title: string
  description: string
  /** When the snapshot was made (ISO). */
  generatedAt: string
  run: { runId?: string; startedAt?: string; seed: number; durationSec: number; warmupSec: number; replications: number; status: string }
  kvmbenchVersion?: string
  host: { cpu: string; cpuLabel: string; vendor: 'vmx' | 'svm'; topology: string; logicalCpus: number; kernel: string; hz: number }
  configurations: ReportConfiguration[]
  differences: ReportDifference[]
  baseline?: string
  /** Whether the baseline was chosen (the UI's pinned one) or is the first configuration with a result. */
  baselineFrom?: 'chosen' | 'first'
  comparison: ReportCompareRow[]
  summary: string
  /** Each VM of each configuration against the baseline, with 95 % CIs when there are replications. */
  headline: HeadlineDelta[]
  /** The largest exit reasons (all VMs), per configuration (baseline first). */
  exitDeltas: ExitDelta[]
  /** The kernel decisions that differ between configurations, and the equivalent configurations. */
  decisions: DecisionSummary
  /** The host and VMs of the baseline configuration, for the pinning diagram. */
  pinning?: { config: string; host: Host; vms: Vm[] }
}

export interface ReportExporters {
  /** The kernel command line of a resolved configuration (default: kernelCmdlineOf). */
  kernelCmdline?: (c: ResolvedConfiguration) => string
  /** A libvirt `<domain>` document for one VM of a resolved configuration. */
  libvirtXml?: (c: ResolvedConfiguration, vm: string) => string
}

export interface ReportInput {
  /** The profile as run (JSON as written). */
  profile: unknown
  /** Configurations in the order of the run, with their status and result (if any). */
  configs: { config: string; status: string; error?: string; result?: ConfigResult }[]
  generatedAt: string
  runId?: string
  startedAt?: string
  seed?: number
  status?: string
  kvmbenchVersion?: string
  exporters?: ReportExporters
  /** The configuration to compare with (the UI's pinned baseline); default the first with a result. */
  baseline?: string
}

/** `nohz_full=… isolcpus=… rcu_nocbs=… irqaffinity=… idle=… intel_idle.max_cstate=…` from the cmdline fields. */
export function kernelCmdlineOf(c: ResolvedConfiguration): string {
  const k = c.host.kernel.cmdline
  const parts: string[] = []
  if (k.nohzFull) parts.push(`nohz_full=${k.nohzFull}`)
  if (k.isolcpus) parts.push(`isolcpus=${k.isolcpus}`)
  if (k.rcuNocbs) parts.push(`rcu_nocbs=${k.rcuNocbs}`)
  if (k.irqaffinity) parts.push(`irqaffinity=${k.irqaffinity}`)
  if (k.idle !== 'default') parts.push(`idle=${k.idle}`)
  if (k.intelIdleMaxCstate >= 0) parts.push(`intel_idle.max_cstate=${k.intelIdleMaxCstate}`)
  return parts.join(' ')
}

/** Flattens a value into `path → JSON text` leaves (arrays of scalars stay one leaf). */
function flatten(v: unknown, path: string, out: Map<string, string>): void {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>)
    if (!entries.length) out.set(path, '{}')
    for (const [k, x] of entries) flatten(x, path ? `${path}.${k}` : k, out)
  } else if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)) {
    v.forEach((x, i) => flatten(x, `${path}[${i}]`, out))
    if (!v.length) out.set(path, '[]')
  } else {
    out.set(path, JSON.stringify(v))
  }
}

function settingsOf(c: ResolvedConfiguration): Map<string, string> {
  const out = new Map<string, string>()
  flatten(c.host, 'host', out)
  for (const vm of c.vms) flatten(vm, `vms[${vm.name}]`, out)
  flatten(c.run, 'run', out)
  return out
}

/** The settings whose values differ between the resolved configurations (every path any of them has). */
export function configurationDifferences(configs: readonly ResolvedConfiguration[]): ReportDifference[] {
  const maps = configs.map(settingsOf)
  const paths = new Set<string>()
  for (const m of maps) for (const p of m.keys()) paths.add(p)
  const out: ReportDifference[] = []
  for (const p of paths) {
    const values = maps.map((m) => m.get(p) ?? '(not set)')
    if (values.some((x) => x !== values[0])) out.push({ path: p, values })
  }
  return out
}

function topologyText(p: Profile): { text: string; cpus: number } {
  const t = p.host.topology
  const cpus = t.sockets * t.coresPerSocket * t.threadsPerCore
  return { text: `${t.sockets} socket${t.sockets > 1 ? 's' : ''} × ${t.coresPerSocket} cores × ${t.threadsPerCore} thread${t.threadsPerCore > 1 ? 's' : ''} = ${cpus} logical CPUs${t.numaNodesPerSocket > 1 ? `, ${t.numaNodesPerSocket} NUMA nodes per socket` : ''}`, cpus }
}

function compareRowsOf(rows: readonly SummaryRow[]): ReportCompareRow[] {
  const base = rows[0]
  return rows.map((r, i) => ({
    config: r.config, throughputPerSec: r.throughputPerSec, unit: r.unit, p99Ns: r.p99Ns, externalInterrupts: r.externalInterrupts, eiSharePct: r.eiSharePct, totalExits: r.totalExits,
    deltas: i === 0 || !base ? {} : {
      ...opt('throughput', pctChange(base.throughputPerSec, r.throughputPerSec)),
      ...opt('p99', pctChange(base.p99Ns, r.p99Ns)),
      ...opt('externalInterrupts', pctChange(base.externalInterrupts, r.externalInterrupts)),
      ...opt('totalExits', pctChange(base.totalExits, r.totalExits)),
    },
  }))
}

function opt<K extends string>(k: K, v: number | undefined): { [P in K]?: number } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: number }
}

/** Builds the report snapshot; throws when the profile does not load (a run's profile always does). */
export function buildReportSnapshot(input: ReportInput): ReportSnapshot {
  const loaded = loadProfile(input.profile)
  if (!loaded.ok) throw new Error(`the profile of this run is not valid: ${loaded.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
  const profile = loaded.profile
  const cmdline = input.exporters?.kernelCmdline ?? kernelCmdlineOf
  const features = CPU_FEATURES[profile.host.cpu]
  const vendor = input.configs.find((c) => c.result)?.result?.vendor ?? features.vendor
  const eiReason = vendor === 'svm' ? 'interrupt' : 'EXTERNAL_INTERRUPT'
  const known = input.configs.filter((c) => profile.configurations.some((x) => x.name === c.config))
  const resolved = known.map((c) => resolveConfiguration(profile, c.config))

  const configurations: ReportConfiguration[] = known.map((c, i) => {
    const rc = resolved[i] as ResolvedConfiguration
    const r = c.result
    let libvirt: Pick<ReportConfiguration, 'libvirtXml' | 'libvirtXmlNote'>
    if (input.exporters?.libvirtXml) {
      const make = input.exporters.libvirtXml
      try {
        libvirt = { libvirtXml: rc.vms.map((vm) => ({ vm: vm.name, xml: make(rc, vm.name) })) }
      } catch (e) {
        libvirt = { libvirtXmlNote: `The libvirt XML could not be generated: ${e instanceof Error ? e.message : String(e)}` }
      }
    } else {
      libvirt = { libvirtXmlNote: 'TODO: libvirt domain XML — the exporter (core/formats) is not available in this build.' }
    }
    let vms: ReportVm[]
    let decisionsFrom: ReportConfiguration['decisionsFrom'] = 'none'
    if (r) {
      decisionsFrom = 'run'
      vms = r.vms.map((v) => {
        const ei = v.exits.find((e) => e.reason === eiReason)
        return {
          vm: v.vm,
          workload: { kind: v.workload.kind, unit: v.workload.unit, throughputPerSec: v.workload.throughputPerSec, latencyNs: v.workload.latencyNs, series: v.workload.series, ...(v.workload.ci95 ? { ci95: v.workload.ci95 } : {}) },
          decisions: v.decisions,
          eiCauses: Object.entries(ei?.causes ?? {}).map(([cause, count]) => ({ cause, count })).sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause)),
          ...(v.workload.benchmark?.lines.length ? { printed: { note: linesNote(v.workload), lines: printedLines(v.workload) } } : {}),
        }
      })
    } else {
      const pv = previewDecisions(profile, c.config)
      if (pv.ok) decisionsFrom = 'preview'
      vms = pv.ok ? pv.vms.map((v) => ({ vm: v.vm, workload: { kind: '', unit: '', throughputPerSec: 0, latencyNs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }, series: { intervalNs: 0, perSec: [] } }, decisions: v.decisions, eiCauses: [] })) : []
    }
    const eiHist = r?.allVms.histograms.find((h) => h.reason === eiReason)
    return {
      name: c.config,
      description: profile.configurations.find((x) => x.name === c.config)?.description ?? '',
      status: c.status,
      ...(c.error ? { error: c.error } : {}),
      kernelCmdline: cmdline(rc),
      ...libvirt,
      ...(r ? { perfTable: perfTable(r.allVms.exits), virtualNs: r.virtualNs, events: r.events, seed: r.seed } : {}),
      vendor,
      eiReason,
      ...(eiHist ? { eiHistogram: eiHist.buckets } : {}),
      vms,
      decisionsFrom,
    }
  })

  const ran = known.flatMap((c) => (c.result ? [c.result] : []))
  // The baseline first: every delta is against it.
  const chosen = input.baseline !== undefined ? ran.find((r) => r.config === input.baseline) : undefined
  if (input.baseline !== undefined && !chosen) throw new Error(`the baseline ${JSON.stringify(input.baseline)} is not a configuration with a result in this run — use one of ${ran.map((r) => r.config).join(', ')}`)
  const results = chosen ? [chosen, ...ran.filter((r) => r !== chosen)] : ran
  const rows = summaryRows(results)
  const byName = new Map(configurations.map((c) => [c.name, c]))
  const baseResolved = resolved[known.findIndex((c) => c.config === results[0]?.config)]
  const failed = known.filter((c) => !c.result).map((c) => c.config)
  const topo = topologyText(profile)
  return {
    version: REPORT_SNAPSHOT_VERSION,
    title: profile.name,
    description: profile.description,
    generatedAt: input.generatedAt,
    run: {
      ...(input.runId ? { runId: input.runId } : {}),
      ...(input.startedAt ? { startedAt: input.startedAt } : {}),
      seed: input.seed ?? results[0]?.seed ?? profile.run.seed,
      durationSec: profile.run.durationSec,
      warmupSec: profile.run.warmupSec,
      replications: profile.run.replications,
      status: input.status ?? (failed.length ? (results.length ? 'partial' : 'failed') : 'done'),
    },
    ...(input.kvmbenchVersion ? { kvmbenchVersion: input.kvmbenchVersion } : {}),
    host: { cpu: profile.host.cpu, cpuLabel: features.label, vendor, topology: topo.text, logicalCpus: topo.cpus, kernel: profile.host.kernel.version, hz: profile.host.kernel.hz },
    configurations,
    differences: configurationDifferences(resolved),
    ...(rows[0] ? { baseline: rows[0].config, baselineFrom: chosen ? 'chosen' as const : 'first' as const } : {}),
    comparison: compareRowsOf(rows),
    summary: summarizeDeltas(rows, failed),
    headline: headlineDeltas(results),
    exitDeltas: exitDeltas(results),
    decisions: decisionSummary(results.map((r) => ({ config: r.config, vms: byName.get(r.config)?.vms ?? [] }))),
    ...(baseResolved ? { pinning: { config: baseResolved.name, host: baseResolved.host, vms: baseResolved.vms } } : {}),
  }
}
