// `kvmbench init --from-this-machine`, spawned for real: the profile it prints describes this machine as
// lscpu -p does, and with a starter VM it runs.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { cliPath, kvmbenchIn, repoRoot } from '../helpers/cli.ts'

const root = repoRoot
const cli = cliPath
const xeon = join(root, 'test/main/fixtures/this-machine/xeon-2s-ht')
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-init-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const kvmbench = kvmbenchIn(root, 120_000)

/** lscpu -p rows of this machine: [cpu, core, socket, node]. */
const lscpu = execFileSync('lscpu', ['-p=CPU,Core,Socket,Node'], { encoding: 'utf8' }).split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(',').map(Number))
const count = (f: (r: number[]) => string | number): number => new Set(lscpu.map(f)).size

describe('kvmbench init --from-this-machine', () => {
  it('prints a profile whose host is this machine as lscpu -p lists it, and says what it read on stderr', () => {
    const r = kvmbench('init', '--from-this-machine')
    expect(r.code, r.stderr).toBe(0)
    const p = JSON.parse(r.stdout) as { host: { topology: Record<string, number> }; vms: unknown[] }
    const t = p.host.topology
    expect(t.sockets).toBe(count((c) => c[2]!))
    expect(t.sockets! * t.coresPerSocket!).toBe(count((c) => `${c[2]}/${c[1]}`))
    expect(t.sockets! * t.coresPerSocket! * t.threadsPerCore!).toBe(lscpu.length)
    expect(t.sockets! * t.numaNodesPerSocket!).toBe(count((c) => c[3]!))
    expect(r.stderr).toContain(`read      /proc/cmdline: ${readFileSync('/proc/cmdline', 'utf8').trim()}`)
    expect(r.stderr).toMatch(/preset {4}[a-z-]+: /)
    // without a running libvirt VM the profile is valid once one is added
    const running = existsSync('/run/libvirt/qemu') ? readdirSync('/run/libvirt/qemu').filter((n) => n.endsWith('.xml')).length : 0
    if (running) return
    expect(p.vms).toEqual([])
    expect(r.stderr).toContain('the profile has no VM yet')
    const l = loadProfile(p)
    expect(l.ok ? [] : l.issues.map((i) => i.path)).toEqual(['vms'])
  })

  it('with --vm 1 writes a profile kvmbench run accepts and runs, the vCPU off the housekeeping core', () => {
    const out = join(tmp, 'this-machine.json')
    const r = kvmbench('init', '--from-this-machine', '--vm', '1', '--out', out)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('')
    const p = JSON.parse(readFileSync(out, 'utf8')) as { vms: { vcpus: number; pinning: { vcpupin: string[]; emulatorpin: string } }[] }
    expect(p.vms).toHaveLength(1)
    expect(p.vms[0]!.vcpus).toBe(1)
    expect(p.vms[0]!.pinning.vcpupin[0]).not.toBe('0')
    const run = kvmbench('run', out, '--duration', '0.01')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('vm0: redis')
  })

  it('refuses a starter VM larger than a NUMA node\'s free isolated CPUs, and an existing --out file', () => {
    const big = kvmbench('init', '--from-this-machine', '--vm', String(lscpu.length + 1))
    expect(big.code).toBe(2)
    expect(big.stdout).toBe('')
    expect(big.stderr).toMatch(new RegExp(`--vm ${lscpu.length + 1}: ${lscpu.length + 1} vCPUs: no NUMA node has ${lscpu.length + 1} free isolated CPUs`))
    const kept = join(tmp, 'kept.json')
    writeFileSync(kept, '{"mine":true}')
    const r = kvmbench('init', '--from-this-machine', '--out', kept)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('the file exists — give another name, or --force')
    expect(readFileSync(kept, 'utf8')).toBe('{"mine":true}')
    expect(kvmbench('init').stderr).toContain('give --from-this-machine')
  })

  it('reads another machine\'s files with --root: the 2-socket fixture host with its running VM and a starter VM', () => {
    const out = join(tmp, 'xeon.json')
    const r = kvmbench('init', '--from-this-machine', '--root', xeon, '--vm', '4', '--out', out)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('not read  libvirt domains spare-vm: defined but not running — left out')
    const p = JSON.parse(readFileSync(out, 'utf8')) as { host: { cpu: string }; vms: { name: string; pinning: { vcpupin: string[] } }[] }
    expect(p.host.cpu).toBe('cascadelake-sp')
    expect(p.vms.map((v) => [v.name, v.pinning.vcpupin.join(',')])).toEqual([['rt-vm1', '2,3,4,5'], ['vm0', '6,7,22,23']])
    const run = kvmbench('run', out, '--duration', '0.005')
    expect(run.code, run.stderr).toBe(0)
  })
})
