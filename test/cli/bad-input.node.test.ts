// Bad input to the kvmbench CLI, spawned for real: each message names the option or field, the value and
// the fix, comes before anything runs, and nothing already on disk is touched.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/index.ts'
import { diagnoseProfile } from '../../core/topology/diagnostics.ts'
import { COMMANDS } from '../../main/cli/commands.ts'
import { tinyProfile } from '../helpers/profiles.ts'
import { cliPath, kvmbenchIn, repoRoot } from '../helpers/cli.ts'

const root = repoRoot
const cli = cliPath
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-bad-input-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const kvmbench = kvmbenchIn(tmp, 60_000)

const profilePath = join(tmp, 'tiny.json')
writeFileSync(profilePath, JSON.stringify(tinyProfile(['base', 'tuned'])))
const example = (name: string): string => join(root, 'examples', name)

describe('output paths are checked before anything runs', () => {
  const missing = join(tmp, 'no-such-folder')
  const cases: [string, string[]][] = [
    ['run --json', ['run', profilePath, '--json', join(missing, 'r.json')]],
    ['compare --json', ['compare', profilePath, '--json', join(missing, 'r.json')]],
    ['report --pdf', ['report', profilePath, '--pdf', join(missing, 'r.pdf')]],
    ['report --snapshot', ['report', profilePath, '--pdf', join(tmp, 'r.pdf'), '--snapshot', join(missing, 's.json')]],
    ['sweep --out', ['sweep', example('sweeps/halt-poll.json'), '--out', join(missing, 'p.jsonl')]],
    ['validate --json', ['validate', '--case', 'posted-timer-exits', '--json', join(missing, 'v.json')]],
    ['import --json', ['import', 'cmdline', '-', '--json', join(missing, 'c.json')]],
    ['advise --json', ['advise', profilePath, '--goal', example('sweeps/posted-timer-goal.json'), '--json', join(missing, 'a.json')]],
  ]
  it.each(cases)('%s into a folder that does not exist: exit 2 naming the option, the folder and the fix, no stack trace, nothing run', (_, args) => {
    const r = kvmbench(...args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^kvmbench: --[a-z]+ ${missing}/[a-z]+\\.[a-z]+: the folder ${missing} does not exist — create it first \\(mkdir -p ${missing}\\)`))
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stderr).not.toContain('points') // the sweep did not start
    expect(r.stdout).toBe('')
  })

  it('a folder given as the output file, and a file given as the export folder, are refused the same way', () => {
    const dirAsFile = kvmbench('run', profilePath, '--json', tmp)
    expect(dirAsFile.code).toBe(2)
    expect(dirAsFile.stderr).toContain(`--json ${tmp}: is a folder — give a file name in it, e.g. ${join(tmp, 'kvmbench.json')}`)
    const file = join(tmp, 'a-file.txt')
    writeFileSync(file, 'kept\n')
    const fileAsDir = kvmbench('advise', profilePath, '--goal', example('sweeps/posted-timer-goal.json'), '--export-dir', join(file, 'deploy'))
    expect(fileAsDir.code).toBe(2)
    expect(fileAsDir.stderr).toContain(`${file} is a file, not a folder`)
    expect(readFileSync(file, 'utf8')).toBe('kept\n')
  })

  it('"-" still writes the JSON to stdout', () => {
    const r = spawnSync(process.execPath, [cli, 'import', 'cmdline', '-', '--json', '-'], { cwd: tmp, encoding: 'utf8', input: 'nohz_full=2-3\n' })
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ host: { kernel: { cmdline: { nohzFull: '2-3' } } } })
  })
})

describe('a CPU list beyond the host', () => {
  const p = JSON.parse(readFileSync(example('posted-timer.json'), 'utf8')) as { vms: { pinning: { vcpupin: string[] } }[] }
  p.vms[0]!.pinning.vcpupin[3] = '70'
  const bad = join(tmp, 'vcpupin-70.json')
  writeFileSync(bad, JSON.stringify(p))

  it('is told once: the field, the value, what is wrong, the fix — not the whole message nested in itself', () => {
    const r = kvmbench('run', bad, '--duration', '0.01')
    expect(r.code).toBe(2)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toBe('  vms[0].pinning.vcpupin[3]: "70" CPU 70 is beyond this host (configuration "sw-timer") — this host has 32 CPUs (0-31); "N" means CPU 31')
  })

  it('the pinning diagnostic (the app\'s topology view) names the value once and leaves the fix to its own field', () => {
    const loaded = loadProfile(p)
    if (!loaded.ok) throw new Error('profile should load')
    const d = diagnoseProfile(loaded.profile).find((x) => x.code === 'pin-invalid')!
    expect(d.message).toBe('redis-vm vCPU 3 "70": CPU 70 is beyond this host')
    expect(d.fix).toBe('this host has 32 CPUs (0-31); "N" means CPU 31')
  })
})

describe('missing input files of sweep and advise', () => {
  it('a sweep spec whose base does not exist names the base as written, where it was looked for and the fix', () => {
    mkdirSync(join(tmp, 'specs'), { recursive: true })
    const spec = join(tmp, 'specs', 'lost-base.json')
    writeFileSync(spec, JSON.stringify({ schemaVersion: 1, base: 'nothere.json', axes: [{ path: 'host.kvm.haltPoll.haltPollNs', values: [0, 1] }] }))
    const r = kvmbench('sweep', spec)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`kvmbench: ${join(tmp, 'specs', 'nothere.json')}: cannot read the base profile: no such file — the spec's base "nothere.json" is read relative to the spec's folder (${join(tmp, 'specs')}): correct it, or give an absolute path\n`)
  })

  it('a missing spec or goal: no such file, and an example to start from', () => {
    expect(kvmbench('sweep', 'nothere.json').stderr).toBe('kvmbench: nothere.json: cannot read the sweep spec: no such file — give the path of a sweep spec, e.g. examples/sweeps/halt-poll.json (docs/sweep.md)\n')
    expect(kvmbench('advise', profilePath, '--goal', 'nogoal.json').stderr).toBe('kvmbench: nogoal.json: cannot read the goal: no such file — give the path of a goal, e.g. examples/sweeps/posted-timer-goal.json (kvmbench schema --goal)\n')
  })
})

describe('help texts say what the command writes', () => {
  it('every option of a command is in its usage line', () => {
    for (const c of COMMANDS) for (const o of c.options) if (o.name !== 'help') expect(c.usage, `${c.name} --${o.name}`).toContain(`--${o.name}`)
  })

  it('advise --json describes the advice document, not a run result', () => {
    const h = kvmbench('advise', '--help').stdout
    expect(h).toMatch(/--json FILE +also write the advice as JSON \(schemaVersion 1/)
    expect(h).not.toContain('RunResultJson')
  })
})

describe('option mistakes', () => {
  it('a negative value, an unknown option: the option, the value and the fix, no parser jargon', () => {
    expect(kvmbench('run', profilePath, '--seed', '-1')).toMatchObject({ code: 2, stderr: 'kvmbench: --seed -1: a value that starts with "-" looks like an option — write --seed=-1 if you mean it\n' })
    expect(kvmbench('run', profilePath, '-c', '-x')).toMatchObject({ code: 2, stderr: 'kvmbench: -c -x: a value that starts with "-" looks like an option — write --config=-x if you mean it\n' })
    expect(kvmbench('export', 'cmdline', profilePath, '--workers', '1')).toMatchObject({ code: 2, stderr: 'kvmbench: unknown option --workers — `kvmbench export --help` lists the options\n' })
    expect(kvmbench('run', profilePath, '--seed=-1')).toMatchObject({ code: 2, stderr: 'kvmbench: --seed -1 is not valid — give an integer from 0 to 4294967295\n' })
  })
})

describe('advise --export-dir keeps what is there', () => {
  it('refuses, before it runs, a folder holding files of the names it would write (--force to replace them)', () => {
    const dir = join(tmp, 'deploy')
    mkdirSync(dir, { recursive: true })
    const xml = join(dir, 'libvirt-redis-vm.xml')
    writeFileSync(xml, '<domain><!-- edited by hand --></domain>\n')
    const goal = example('sweeps/posted-timer-goal.json')
    const r = kvmbench('advise', example('posted-timer.json'), '--goal', goal, '--export-dir', dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`kvmbench: --export-dir ${dir} already holds libvirt-redis-vm.xml — add --force to replace it, or give another folder\n`)
    expect(r.stdout).toBe('')
    expect(readFileSync(xml, 'utf8')).toBe('<domain><!-- edited by hand --></domain>\n')
  })
})

describe('export', () => {
  it('json runs with --seed and --duration as run does; a profile a run refuses is refused with exit 2, not run', () => {
    const r = kvmbench('export', 'json', profilePath, '--config', 'tuned', '--seed', '5', '--duration', '0.005')
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as { results: { config: string; seed: number; virtualNs: number }[] }
    expect(out.results).toMatchObject([{ config: 'tuned', seed: 5, virtualNs: 5_000_000 }])
    expect(kvmbench('export', 'cmdline', profilePath, '--duration', '1')).toMatchObject({ code: 2, stderr: expect.stringContaining('--seed and --duration apply to the kinds that run (json, csv, workload-csv), not to cmdline') })
    const p = JSON.parse(readFileSync(example('posted-timer.json'), 'utf8')) as { vms: { pinning: { vcpupin: string[] } }[] }
    p.vms[0]!.pinning.vcpupin[0] = '99'
    const bad = join(tmp, 'vcpupin-99.json')
    writeFileSync(bad, JSON.stringify(p))
    const refused = kvmbench('export', 'csv', bad, '--config', 'sw-timer')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('vms[0].pinning.vcpupin[0]: "99" CPU 99 is beyond this host')
  })

  it('an empty guest command line says so on stderr', () => {
    const r = kvmbench('export', 'guest-cmdline', example('posted-timer.json'), '--config', 'sw-timer')
    expect(r).toMatchObject({ code: 0, stdout: '\n' })
    expect(r.stderr).toBe('kvmbench: VM redis-vm of configuration sw-timer needs no guest kernel boot parameter: the line is empty on purpose\n')
  })
})

describe('a huge --duration', () => {
  it('is refused before it runs, by the work estimate, and the message names the option typed', () => {
    const r = kvmbench('run', example('posted-timer.json'), '--duration', '3600')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('run.maxEvents: 5.0e8 is below this configuration\'s estimated work')
    expect(r.stderr).toContain('  (--duration 3600 stands for run.durationSec in this run: give a shorter --duration)\n')
  })
})
