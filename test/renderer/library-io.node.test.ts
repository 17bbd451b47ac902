// The pure parts of the library and the imports/exports in the app: import previews (diff of fields,
// warnings, problems), filtering, store reports, the per-configuration exports and measured-vs-simulated.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fieldDiff, mergeJson, previewImport } from '../../renderer/src/lib/import-preview.ts'
import { allTags, describeStoreReport, filterProfiles, parseTags, pdfFileName } from '../../renderer/src/lib/library.ts'
import { CONFIG_EXPORTS, exportConfiguration, resultsJson } from '../../renderer/src/lib/config-exports.ts'
import { comparePerf, fmtPts } from '../../renderer/src/lib/perf-compare.ts'
import { loadProfile } from '../../core/index.ts'
import { importPerfKvmStat } from '../../core/formats/index.ts'
import { lscpuText } from '../helpers/lscpu.ts'

const example = JSON.parse(readFileSync(join(import.meta.dirname, '../../examples/posted-timer.json'), 'utf8')) as Record<string, unknown>

describe('fieldDiff', () => {
  it('lists changed, added and removed leaves by path', () => {
    expect(fieldDiff({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { b: 2, c: [1] }, e: true })).toEqual([
      { path: 'a.b', before: '1', after: '2' },
      { path: 'e', before: undefined, after: 'true' },
      { path: 'a.c[1]', before: '2', after: undefined },
      { path: 'd', before: '"x"', after: undefined },
    ])
    expect(fieldDiff({ a: 1 }, { a: 1 })).toEqual([])
  })

  it('mergeJson merges objects and replaces arrays', () => {
    expect(mergeJson({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] })
  })
})

describe('previewImport', () => {
  it('lscpu: replaces host.topology and shows the changed fields', () => {
    const p = previewImport(example, 'lscpu', lscpuText(2, 8, 2))
    if (!p.ok) throw new Error(JSON.stringify(p.problems))
    expect(p.changes.map((c) => c.path)).toContain('host.topology.sockets')
    expect(p.changes.find((c) => c.path === 'host.topology.sockets')).toMatchObject({ before: '1', after: '2' })
    expect(p.changes.find((c) => c.path === 'host.topology.coresPerSocket')).toMatchObject({ before: '16', after: '8' })
    expect((p.next as { host: { topology: unknown } }).host.topology).toMatchObject({ sockets: 2, coresPerSocket: 8, threadsPerCore: 2 })
    // the input is not changed
    expect((example.host as { topology: { sockets: number } }).topology.sockets).toBe(1)
  })

  it('lscpu: a bad line is a problem with its line, value and fix', () => {
    const p = previewImport(example, 'lscpu', '# CPU,Core,Socket,Node\n0,0,0,0\n1,x,0,0\n')
    expect(p.ok).toBe(false)
    if (p.ok) return
    expect(p.problems[0]?.where).toMatch(/line 3/)
    expect(p.problems[0]?.value).toBe('x')
    expect(p.problems[0]?.fix).not.toBe('')
  })

  it('cmdline: the command line replaces the isolation settings and sets KVM parameters', () => {
    const p = previewImport(example, 'cmdline', 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 nohz_full=4-15 kvm.halt_poll_ns=0 quiet\n')
    if (!p.ok) throw new Error(JSON.stringify(p.problems))
    const byPath = new Map(p.changes.map((c) => [c.path, c]))
    expect(byPath.get('host.kernel.cmdline.nohzFull')).toMatchObject({ before: '"2-15,18-31"', after: '"4-15"' })
    expect(byPath.get('host.kernel.cmdline.rcuNocbs')?.before).toBe('"2-15,18-31"')
    expect([...byPath.keys()].some((k) => k.startsWith('host.kvm.haltPoll'))).toBe(true)
    expect(p.warnings.join(' ')).toMatch(/BOOT_IMAGE|root=/)
  })

  it('cmdline: a cpulist beyond the host is refused', () => {
    const p = previewImport(example, 'cmdline', 'nohz_full=2-99')
    expect(p.ok).toBe(false)
  })

  it('libvirt: the domain goes into the chosen VM, which keeps its name', () => {
    const xml = `<domain type='kvm'><name>other</name><vcpu placement='static'>2</vcpu><cputune><vcpupin vcpu='0' cpuset='8'/><vcpupin vcpu='1' cpuset='9'/></cputune><cpu mode='host-passthrough'><topology sockets='1' dies='1' cores='2' threads='1'/></cpu></domain>`
    const p = previewImport(example, 'libvirt', xml, { vm: 'redis-vm' })
    if (!p.ok) throw new Error(JSON.stringify(p.problems))
    const vm = (p.next as { vms: { name: string; vcpus: number; pinning: { vcpupin: string[]; emulatorpin: string } }[] }).vms[0]!
    expect(vm).toMatchObject({ name: 'redis-vm', vcpus: 2 })
    expect(vm.pinning.vcpupin).toEqual(['8', '9'])
    expect(p.changes.find((c) => c.path === 'vms[0].vcpus')).toMatchObject({ before: '4', after: '2' })
    expect(p.warnings.join(' ')).toMatch(/"other" applied to VM redis-vm/)
    expect(previewImport(example, 'libvirt', xml, { vm: 'nope' }).ok).toBe(false)
  })

  it('an empty text is a problem, not a change', () => {
    expect(previewImport(example, 'lscpu', '  ').ok).toBe(false)
  })
})

describe('library helpers', () => {
  const list = [
    { id: '1', name: 'Skylake redis', description: 'pinned', tags: ['skylake', 'redis'], createdAt: '', updatedAt: '2025-01-02T00:00:00Z' },
    { id: '2', name: 'EPYC', description: 'AMD host with redis', tags: ['amd'], createdAt: '', updatedAt: '2025-01-03T00:00:00Z' },
  ]
  it('filters by text in name, description or tags, and by tag; newest first', () => {
    expect(filterProfiles(list, 'redis', '').map((p) => p.id)).toEqual(['2', '1'])
    expect(filterProfiles(list, '', 'skylake').map((p) => p.id)).toEqual(['1'])
    expect(filterProfiles(list, 'epyc', 'skylake')).toEqual([])
    expect(allTags(list)).toEqual(['amd', 'redis', 'skylake'])
    expect(parseTags(' a, b  c,a ')).toEqual(['a', 'b', 'c'])
  })

  it('tells what a store repair kept aside and where', () => {
    const s = describeStoreReport({ file: '/d/profiles.json', at: '', keptAside: '/d/profiles.json.corrupt-1', problems: [{ path: 'profiles.x', message: 'bad' }], migrated: [], recovered: 3, lost: ['x'] })
    expect(s).toContain('kept aside as /d/profiles.json.corrupt-1')
    expect(s).toContain('3 profiles were recovered')
    expect(s).toContain('Not recoverable: x')
  })

  it('names the PDF after the profile, the run and the date', () => {
    expect(pdfFileName('posted timer', 'run-12ab', new Date('2025-03-04T10:00:00Z'), 'A4')).toBe('kvmbench-posted-timer-run-12ab-2025-03-04.pdf')
    expect(pdfFileName('x', 'r', new Date('2025-03-04T10:00:00Z'), 'Letter')).toMatch(/-letter\.pdf$/)
  })
})

describe('exports per configuration', () => {
  const r = loadProfile(example)
  if (!r.ok) throw new Error('example invalid')
  it('every format gives text; libvirt carries the pinning', () => {
    for (const s of CONFIG_EXPORTS) {
      const out = exportConfiguration(r.profile, 'posted-timer', s.kind)
      expect(out.ok, s.kind).toBe(true)
    }
    const xml = exportConfiguration(r.profile, 'posted-timer', 'libvirt')
    if (!xml.ok) throw new Error('libvirt')
    expect(xml.text).toContain('<vcpupin')
    expect(xml.fileName).toBe('posted-timer-posted-timer-redis-vm.xml')
    const cmd = exportConfiguration(r.profile, 'sw-timer', 'cmdline')
    expect(cmd.ok && cmd.text).toContain('nohz_full=2-15,18-31')
    expect(exportConfiguration(r.profile, 'nope', 'cmdline').ok).toBe(false)
  })

  it('results JSON has the schema version and the profile', () => {
    expect(JSON.parse(resultsJson('p', []))).toMatchObject({ profile: 'p', results: [] })
  })
})

describe('measured vs simulated', () => {
  it('matches reasons case-insensitively and gives share and mean deltas', () => {
    const text = readFileSync(join(import.meta.dirname, '../formats/fixtures/wanpeng-li-0c5f81dad46c.txt'), 'utf8')
    const imp = importPerfKvmStat(text)
    if (!imp.ok) throw new Error('perf import')
    const sim = [
      { reason: 'EXTERNAL_INTERRUPT', count: 50, totalNs: 50 * 700, minNs: 1, maxNs: 1, meanNs: 700, relStddevPct: 0, causes: {} },
      { reason: 'MSR_WRITE', count: 50, totalNs: 50 * 500, minNs: 1, maxNs: 1, meanNs: 500, relStddevPct: 0, causes: {} },
    ]
    const rows = comparePerf(sim, imp.value.tables[0]!)
    const ext = rows.find((r) => r.reason === 'EXTERNAL_INTERRUPT')!
    expect(ext.simSharePct).toBe(50)
    expect(ext.measSharePct).not.toBeNull()
    expect(ext.shareDeltaPts).toBeCloseTo(ext.measSharePct! - 50)
    expect(ext.meanDeltaPct).toBeCloseTo(((710 - 700) / 700) * 100, 0)
    expect(fmtPts(-1.5)).toBe('−1.50 pts')
  })
})
