// The kvmbench CLI, spawned for real with Node 22 (as the package.json bin runs it).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { formatCompareTable, loadProfile, runConfiguration, RESULT_SCHEMA_VERSION } from '../../core/index.ts'
import type { RunResultJson } from '../../core/result.ts'
import { COMMANDS } from '../../main/cli/commands.ts'
import { tinyProfile, withoutWallTime } from '../helpers/profiles.ts'
import { cliPath, kvmbenchIn, repoRoot } from '../helpers/cli.ts'

const root = repoRoot
const cli = cliPath
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const kvmbench = kvmbenchIn(root, 60_000)

const profilePath = join(tmp, 'tiny.json')
writeFileSync(profilePath, JSON.stringify(tinyProfile(['base', 'tuned'])))

describe('kvmbench CLI', () => {
  it('--help lists every command; COMMAND --help describes every option', () => {
    const main = kvmbench('--help')
    expect(main.code).toBe(0)
    for (const c of COMMANDS) expect(main.stdout).toContain(`  ${c.name}`)
    for (const c of COMMANDS) {
      const h = kvmbench(c.name, '--help')
      expect(h.code).toBe(0)
      expect(h.stdout).toContain(`Usage: ${c.usage}`)
      for (const o of c.options) expect(h.stdout).toContain(`--${o.name}`)
      expect(kvmbench('help', c.name).stdout).toBe(h.stdout)
    }
  })

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    expect(kvmbench('--version')).toMatchObject({ code: 0, stdout: `kvmbench ${pkg.version}\n` })
  })

  it('schema prints the profile JSON Schema', () => {
    const r = kvmbench('schema')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' })
  })

  it('run, compare and report refuse what a run would refuse before starting, naming the field, the value and the fix (checkProfile)', () => {
    const bad = tinyProfile(['base', 'tuned'])
    bad.host = { kernel: { cmdline: { nohzFull: '1-4095' } } }
    const badPath = join(tmp, 'bad-cpulist.json')
    writeFileSync(badPath, JSON.stringify(bad))
    for (const args of [['run', badPath, '--config', 'tuned'], ['compare', badPath], ['report', badPath, '--pdf', join(tmp, 'never.pdf')]]) {
      const r = kvmbench(...args)
      expect(r.code, args.join(' ')).not.toBe(0)
      expect(r.stderr).toContain('cannot run as it is')
      expect(r.stderr).toContain('host.kernel.cmdline.nohzFull')
      expect(r.stderr).toContain('4095')
    }
    const huge = tinyProfile(['base'], 3600)
    const hugePath = join(tmp, 'huge.json')
    writeFileSync(hugePath, JSON.stringify({ ...huge, run: { ...(huge.run as object), maxEvents: 1e6 } }))
    const r = kvmbench('run', hugePath)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('run.maxEvents')
  })

  it('run writes the report and a RunResultJson equal to an in-process run with the same seed', () => {
    const out = join(tmp, 'run.json')
    const r = kvmbench('run', profilePath, '--config', 'tuned', '--seed', '4', '--duration', '0.02', '--json', out)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.length).toBeGreaterThan(0)
    const json = JSON.parse(readFileSync(out, 'utf8')) as RunResultJson
    expect(json.schemaVersion).toBe(RESULT_SCHEMA_VERSION)
    expect(json.profile).toBe('tiny test profile')
    expect(json.results.map((x) => x.config)).toEqual(['tuned'])
    const loaded = loadProfile(tinyProfile(['base', 'tuned']))
    if (!loaded.ok) throw new Error('invalid test profile')
    const expected = runConfiguration(loaded.profile, 'tuned', { seed: 4, durationSec: 0.02 })
    expect(withoutWallTime(json.results[0]!)).toEqual(withoutWallTime(expected))
  })

  it('compare runs every configuration, prints each report and then the comparison table', () => {
    const r = kvmbench('compare', profilePath, '--seed', '2', '--json', '-')
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout) as RunResultJson
    expect(json.results.map((x) => x.config)).toEqual(['base', 'tuned'])
    const table = kvmbench('compare', profilePath, '--seed', '2')
    expect(table.code).toBe(0)
    const reports = table.stdout.split('Summary (deltas against base):\n')
    expect(reports).toHaveLength(2)
    expect(reports[0]).toContain('=== base ')
    expect(reports[0]).toContain('=== tuned ')
    expect(reports[0]).toContain('Analyze events for all VMs, all VCPUs:')
    expect(reports[1]).toBe(`${formatCompareTable(json.results)}\n`)
  })

  it('export csv writes each number column rounded one way in every row (whole ns; ±% to 0.01; exits/s to 0.1)', () => {
    const r = kvmbench('export', 'csv', profilePath, '--config', 'base', '--seed', '2')
    expect(r.code).toBe(0)
    const [header, ...rows] = r.stdout.trimEnd().split('\n')
    expect(header).toBe('config,vm,reason,count,totalNs,minNs,maxNs,meanNs,relStddevPct,exitsPerSec')
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row).toMatch(/^base,[^,]+,[A-Z_a-z]+(,\d+){5},\d+\.\d{2},\d+\.\d$/)
  })

  it('--perf-version prints the table in that perf version\'s layout (20-character name column before v6.4)', () => {
    const old = kvmbench('run', profilePath, '--config', 'base', '--seed', '2', '--perf-version', '5.3')
    expect(old.code).toBe(0)
    expect(old.stdout).toContain(`${' '.repeat(13)}VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time `)
    const current = kvmbench('run', profilePath, '--config', 'base', '--seed', '2')
    expect(current.stdout).toContain(`${' '.repeat(33)}VM-EXIT    Samples`)
    expect(kvmbench('run', profilePath, '--perf-version', 'latest')).toMatchObject({ code: 2, stderr: expect.stringContaining('--perf-version') })
  })

  it('--perf-version refuses a perf older than 3.7, which had no `perf kvm stat`, naming the value, the floor and the fix', () => {
    for (const v of ['2.0', '3.6', 'v3.6.11']) {
      const r = kvmbench('run', profilePath, '--config', 'base', '--perf-version', v)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(`--perf-version "${v}" is older than perf 3.7, the first release with \`perf kvm stat\` — write 3.7 or later`)
    }
    const first = kvmbench('run', profilePath, '--config', 'base', '--seed', '2', '--perf-version', '3.7')
    expect(first.code).toBe(0)
    // perf 3.7 – 3.11: print_result() without Min Time / Max Time, print_vcpu_info() without the VM part
    expect(first.stdout).toContain(`\nAnalyze events for all VCPUs:\n\n${' '.repeat(13)}VM-EXIT    Samples  Samples%     Time%         Avg time \n`)
    expect(first.stdout).not.toContain('Min Time')
  })

  it('reports every issue of an invalid profile as `path: value message — fix` and exits 2', () => {
    const bad = join(tmp, 'bad.json')
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, run: { durationSec: -1, seed: 'x' } }))
    const r = kvmbench('run', bad)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('not a valid profile (2 issues)')
    expect(r.stderr).toMatch(/^ {2}run\.durationSec: -1 .+ — .+$/m)
    expect(r.stderr).toMatch(/^ {2}run\.seed: .+ — .+$/m)
  })

  it('exits 2 with a clear message on bad usage', () => {
    expect(kvmbench('run', join(tmp, 'missing.json'))).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file') })
    expect(kvmbench('run', profilePath, '--config', 'nope')).toMatchObject({ code: 2, stderr: expect.stringContaining('use one of base, tuned') })
    expect(kvmbench('run', profilePath, '--seed', '-1')).toMatchObject({ code: 2, stderr: expect.stringContaining('--seed') })
    expect(kvmbench('run', profilePath, '--frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('frobnicate') })
    expect(kvmbench('run')).toMatchObject({ code: 2, stderr: expect.stringContaining('usage') })
    expect(kvmbench('fly')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command') })
    const notJson = join(tmp, 'not.json')
    writeFileSync(notJson, '{')
    expect(kvmbench('compare', notJson)).toMatchObject({ code: 2, stderr: expect.stringContaining('not valid JSON') })
  })

  it('examples lists the example profiles', () => {
    const r = kvmbench('examples')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/examples\/|no examples found/)
  })
})
