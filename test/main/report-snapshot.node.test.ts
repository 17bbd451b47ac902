// The report's pure parts: the one-paragraph summary of the deltas (core/output/summary.ts) and the frozen
// snapshot (core/output/report-snapshot.ts), plus the report page's IPC limit in the desktop app.
import { describe, expect, it } from 'vitest'
import { buildReportSnapshot, configurationDifferences, kernelCmdlineOf } from '../../core/output/report-snapshot.ts'
import { fmtPct, pctChange, summarizeDeltas, summaryRows } from '../../core/output/summary.ts'
import { loadProfile, resolveConfiguration } from '../../core/profile/load-profile.ts'
import { channelAllowed } from '../../main/electron/trust.ts'
import { reportExporters, reportFileName } from '../../main/services/report-service.ts'
import { makeResult } from '../helpers/results.ts'
import { readFileSync } from 'node:fs'

const example = JSON.parse(readFileSync(new URL('../../examples/posted-timer.json', import.meta.url), 'utf8')) as Record<string, unknown>

describe('summarizeDeltas', () => {
  it('states every configuration against the baseline in one paragraph', () => {
    const rows = summaryRows([
      makeResult('sw-timer', { extInt: 42916, throughput: 100_000, p99: 200_000 }),
      makeResult('posted-timer', { extInt: 6866, throughput: 103_100, p99: 190_000 }),
    ])
    const text = summarizeDeltas(rows)
    expect(text).toBe(
      'Compared with sw-timer (the baseline), posted-timer: EXTERNAL_INTERRUPT exits −84.0 % (42,916 → 6,866), their share of all exits going from 58.7 % to 18.5 %; '
      + 'all exits −49.3 % (73,095 → 37,045); redis throughput +3.1 % (100.0 k requests/s → 103.1 k requests/s); and p99 latency −5.0 % (200 µs → 190 µs). '
      + 'posted-timer has the highest redis throughput, +3.1 % over sw-timer.',
    )
    expect(text).not.toMatch(/\n/)
  })

  it('names the SVM row, unchanged values, zero bases, single results and failed configurations', () => {
    const svm = summaryRows([makeResult('a', { vendor: 'svm', extInt: 0 }), makeResult('b', { vendor: 'svm', extInt: 10, throughput: 100_000 })])
    const t = summarizeDeltas(svm, ['c'])
    expect(t).toMatch(/b: interrupt exits from 0 to 10/)
    expect(t).toMatch(/redis throughput unchanged \(100\.0 k requests\/s\)/)
    expect(t).toMatch(/No configuration improves redis throughput over a\./)
    expect(t).toMatch(/Configuration c produced no result and is not compared\.$/)
    expect(summarizeDeltas(summaryRows([makeResult('only')]))).toMatch(/^Only only produced a result: 42,916 EXTERNAL_INTERRUPT exits/)
    expect(summarizeDeltas([], ['x', 'y'])).toBe('No configuration produced a result. Configurations x, y produced no result and are not compared.')
  })

  it('formats percentages with a real minus sign', () => {
    expect(fmtPct(-84.04)).toBe('−84.0 %')
    expect(fmtPct(3.06)).toBe('+3.1 %')
    expect(fmtPct(0.01)).toBe('±0.0 %')
    expect(pctChange(0, 5)).toBeUndefined()
  })
})

describe('buildReportSnapshot', () => {
  const profile = loadProfile(example)
  if (!profile.ok) throw new Error('example does not load')

  it('compares with the baseline the UI chose: its row first, every delta against it, and it says so', () => {
    const configs = [
      { config: 'sw-timer', status: 'done', result: makeResult('sw-timer', { extInt: 40_000 }) },
      { config: 'posted-timer', status: 'done', result: makeResult('posted-timer', { extInt: 6_000 }) },
    ]
    const s = buildReportSnapshot({ profile: example, configs, generatedAt: '2026-03-04T05:06:07.000Z', baseline: 'posted-timer' })
    expect(s.baseline).toBe('posted-timer')
    expect(s.baselineFrom).toBe('chosen')
    expect(s.comparison.map((r) => r.config)).toEqual(['posted-timer', 'sw-timer'])
    expect(s.comparison[1]?.deltas.externalInterrupts).toBeCloseTo(((40_000 - 6_000) / 6_000) * 100, 5)
    expect(s.summary).toMatch(/^Compared with posted-timer \(the baseline\)/)
    expect(s.exitDeltas.find((e) => e.reason === 'EXTERNAL_INTERRUPT')?.counts).toEqual([6_000, 40_000])
    expect(s.pinning?.config).toBe('posted-timer')
    expect(buildReportSnapshot({ profile: example, configs, generatedAt: '2026-03-04T05:06:07.000Z' }).baselineFrom).toBe('first')
    expect(() => buildReportSnapshot({ profile: example, configs, generatedAt: 'x', baseline: 'nope' })).toThrow(/baseline "nope" is not a configuration with a result in this run — use one of sw-timer, posted-timer/)
  })

  it('carries what each VM\'s benchmark printed, rendered from its figures (the means with replications)', () => {
    const withLines = makeResult('sw-timer')
    withLines.vms[0]!.workload = { ...withLines.vms[0]!.workload, replications: 3, benchmark: { figures: [{ name: 'Time', unit: 's', value: 0.51234, ci95: 0.012 }], lines: [{ print: 'Time: %.3f', args: ['Time'] }] } }
    const s = buildReportSnapshot({ profile: example, configs: [{ config: 'sw-timer', status: 'done', result: withLines }, { config: 'posted-timer', status: 'done', result: makeResult('posted-timer') }], generatedAt: '2026-03-04T05:06:07.000Z' })
    expect(s.configurations[0]!.vms[0]!.printed).toEqual({ note: 'the benchmark\'s lines print the means of 3 replications, ± their 95 % CI', lines: [{ text: 'Time: 0.512', ci: '±0.012 s' }] })
    expect(s.configurations[1]!.vms[0]).not.toHaveProperty('printed')
  })

  it('freezes title, host, configurations, differences, tables, histograms, decisions and the summary', () => {
    const s = buildReportSnapshot({
      profile: example,
      configs: [
        { config: 'sw-timer', status: 'done', result: makeResult('sw-timer', { extInt: 40_000 }) },
        { config: 'posted-timer', status: 'done', result: makeResult('posted-timer', { extInt: 6_000 }) },
      ],
      generatedAt: '2026-03-04T05:06:07.000Z', runId: 'run-1', startedAt: '2026-03-04T05:00:00.000Z', seed: 1, status: 'done', kvmbenchVersion: '0.1.0',
    })
    expect(s).toMatchObject({ version: 1, title: 'posted-timer', generatedAt: '2026-03-04T05:06:07.000Z', baseline: 'sw-timer', run: { runId: 'run-1', seed: 1, status: 'done' } })
    expect(s.host).toEqual({ cpu: 'skylake-sp', cpuLabel: 'Intel Xeon Skylake-SP', vendor: 'vmx', topology: '1 socket × 16 cores × 2 threads = 32 logical CPUs', logicalCpus: 32, kernel: '5.3', hz: 1000 })
    expect(s.differences).toEqual([{ path: 'host.kvm.piInjectTimer', values: ['0', '1'] }])
    const [sw, posted] = s.configurations
    expect(sw?.kernelCmdline).toBe('nohz_full=2-15,18-31 rcu_nocbs=2-15,18-31')
    expect(sw?.libvirtXmlNote).toMatch(/^TODO: libvirt domain XML/)
    expect(sw?.perfTable).toMatch(/VM-EXIT\s+Samples\s+Samples%/)
    expect(sw?.perfTable).toMatch(/EXTERNAL_INTERRUPT\s+40000/)
    expect(sw?.eiHistogram?.length).toBeGreaterThan(3)
    expect(posted?.vms[0]?.decisions[0]?.title).toBe('LAPIC timer path')
    expect(posted?.vms[0]?.eiCauses[0]).toEqual({ cause: 'lapic-timer-hrtimer', count: 5000 })
    expect(s.comparison[1]?.deltas.externalInterrupts).toBeCloseTo(-85, 5)
    expect(s.summary).toMatch(/^Compared with sw-timer \(the baseline\), posted-timer: EXTERNAL_INTERRUPT exits −85\.0 %/)
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
    expect(reportFileName(s)).toBe('kvmbench-posted-timer-run-1-2026-03-04.pdf')
  })

  it('uses the core/formats exporters for the command line and the libvirt XML', () => {
    const s = buildReportSnapshot({ profile: example, configs: [{ config: 'posted-timer', status: 'done', result: makeResult('posted-timer') }], generatedAt: '2026-01-01T00:00:00.000Z', exporters: reportExporters() })
    const c = s.configurations[0]
    expect(c?.kernelCmdline).toMatch(/^nohz_full=2-15,18-31 rcu_nocbs=2-15,18-31/)
    expect(c?.libvirtXml?.[0]?.vm).toBe('redis-vm')
    expect(c?.libvirtXml?.[0]?.xml).toMatch(/<domain[^>]*type=.kvm./)
    expect(c?.libvirtXml?.[0]?.xml).toMatch(/<vcpupin vcpu=.0. cpuset=.4.\/>/)
  })

  it('previews the decisions of a configuration that failed and says so in the summary', () => {
    const s = buildReportSnapshot({ profile: example, configs: [{ config: 'sw-timer', status: 'done', result: makeResult('sw-timer') }, { config: 'posted-timer', status: 'failed', error: 'worker crashed' }], generatedAt: '2026-01-01T00:00:00.000Z' })
    expect(s.configurations[1]).toMatchObject({ status: 'failed', error: 'worker crashed', decisionsFrom: 'preview' })
    expect(s.configurations[1]?.vms[0]?.decisions.length).toBeGreaterThan(3)
    expect(s.run.status).toBe('partial')
    expect(s.summary).toMatch(/posted-timer produced no result/)
  })

  it('lists settings that differ, including ones only some configurations set', () => {
    const p = loadProfile({ ...example, configurations: [
      { name: 'a', overrides: {} },
      { name: 'b', overrides: { host: { kernel: { cmdline: { idle: 'poll' } } }, vms: { 'redis-vm': { kvm: { disableExits: { hlt: false } } } } } },
    ] })
    if (!p.ok) throw new Error('bad')
    const d = configurationDifferences([resolveConfiguration(p.profile, 'a'), resolveConfiguration(p.profile, 'b')])
    expect(d).toEqual([
      { path: 'host.kernel.cmdline.idle', values: ['"default"', '"poll"'] },
      { path: 'vms[redis-vm].kvm.disableExits.hlt', values: ['true', 'false'] },
    ])
    expect(kernelCmdlineOf(resolveConfiguration(p.profile, 'b'))).toBe('nohz_full=2-15,18-31 rcu_nocbs=2-15,18-31 idle=poll')
  })
})

describe('the report page over IPC (desktop app)', () => {
  it('may only read its snapshot; the app page may call every channel', () => {
    expect(channelAllowed('app://kvmbench/report.html?run=x', 'reports.snapshot')).toBe(true)
    for (const c of ['runs.start', 'profiles.remove', 'reports.pdf', 'profiles.import']) expect(channelAllowed('app://kvmbench/report.html?run=x', c)).toBe(false)
    expect(channelAllowed('app://kvmbench/index.html', 'runs.start')).toBe(true)
    expect(channelAllowed('not a url', 'app.info')).toBe(false)
  })
})
