import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { importLscpu } from '../../core/formats/lscpu.ts'
import { importCmdline, exportCmdline, exportModprobe } from '../../core/formats/cmdline.ts'
import { importLibvirt } from '../../core/formats/libvirt.ts'
import { importPerfKvmStat } from '../../core/formats/perf-kvm-stat.ts'
import { exportTuned } from '../../core/formats/tuned.ts'
import { exportQemu } from '../../core/formats/qemu.ts'
import { exportResultsCsv } from '../../core/formats/results-csv.ts'
import { loadProfile, resolveConfiguration } from '../../core/profile/load-profile.ts'
import type { FormatResult } from '../../core/formats/format-result.ts'
import type { ConfigResult } from '../../core/result.ts'

const value = <T>(r: FormatResult<T>): T => {
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return r.value
}
const errorsOf = (r: FormatResult<unknown>): string[] => {
  if (r.ok) throw new Error('expected an error')
  return r.errors.map((e) => e.message)
}

/** lscpu -p on a 2-socket, 4-core, SMT host numbered as Linux numbers Intel servers. */
function lscpuP(compatible: boolean): string {
  const lines = ['# The following is the parsable format, which can be fed to other', '# programs. Each different item in every column has an unique ID', '# starting usually from zero.']
  lines.push(compatible ? '# CPU,Core,Socket,Node,,L1d,L1i,L2,L3' : '# Socket,CPU,Node,Core,L1d:L1i:L2:L3')
  for (let cpu = 0; cpu < 16; cpu++) {
    const core = cpu % 8
    const socket = Math.floor(core / 4)
    lines.push(compatible ? `${cpu},${core},${socket},${socket},,${core},${core},${core},${socket}` : `${socket},${cpu},${socket},${core},${core}:${core}:${core}:${socket}`)
  }
  return `${lines.join('\n')}\n`
}

describe('lscpu', () => {
  it('lscpu -p in the compatible form and with its columns in any declared order', () => {
    for (const compatible of [true, false]) {
      const v = value(importLscpu(lscpuP(compatible)))
      expect(v.format).toBe('lscpu -p')
      expect(v.rows).toHaveLength(16)
      expect(v.rows[9]).toEqual({ cpu: 9, core: 1, socket: 0, node: 0, llc: 0 })
      expect(v.host).toEqual({ topology: { sockets: 2, coresPerSocket: 4, threadsPerCore: 2, numaNodesPerSocket: 1, llcPerSocket: 1 } })
    }
  })

  it('lscpu -e with "-" for offline CPUs, and AMD numbering (siblings adjacent) with a warning', () => {
    const rows = ['CPU NODE SOCKET CORE L1d:L1i:L2:L3 ONLINE    MAXMHZ   MINMHZ']
    for (let cpu = 0; cpu < 8; cpu++) rows.push(`${cpu}    0      0 ${cpu >> 1}    ${cpu >> 1}:${cpu >> 1}:${cpu >> 1}:${cpu >> 2}          yes 3500.0000 1500.0000`)
    rows.push('8    -      - -    -          no  -  -')
    const r = importLscpu(rows.join('\n'))
    const v = value(r)
    expect(v.format).toBe('lscpu -e')
    expect(v.offline).toEqual([8])
    expect(v.host?.topology).toEqual({ sockets: 1, coresPerSocket: 4, threadsPerCore: 2, numaNodesPerSocket: 1, llcPerSocket: 2 })
    expect(r.ok && r.warnings.join('\n')).toMatch(/numbered differently.*CPU 1 is on core 0 here, on core 1 in the bench/s)
  })

  it('a broken row names its line', () => {
    expect(errorsOf(importLscpu('# CPU,Core,Socket,Node\n0,0,0,0\n1,x,0,0\n'))[0]).toMatch(/^lscpu -p line 3 core: "x": is not a number/)
  })
})

describe('hostile inputs get a clear error quickly', () => {
  const quick = (f: () => void): void => {
    const t = performance.now()
    f()
    expect(performance.now() - t).toBeLessThan(1000)
  }
  it('5 MB of text', () => {
    const big = 'x'.repeat(5 * 1024 * 1024)
    quick(() => {
      for (const r of [importLscpu(big), importCmdline(big), importLibvirt(big), importPerfKvmStat(big)]) expect(errorsOf(r)[0]).toMatch(/is 5\.0 MiB, more than the .* this reader accepts/)
    })
  })
  it('a 2 MB perf file of near-rows is parsed or refused within the time limit', () => {
    const header = '             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time \n\n'
    const junk = `${'           MSR_WRITE        520    60.05%     0.07%  '.repeat(30)}\n`.repeat(1000)
    quick(() => { importPerfKvmStat(header + junk) })
  })
  it('binary input', () => {
    const bin = '\x7fELF\x02\x01\x01\x00\x00\x00'
    for (const r of [importLscpu(bin), importCmdline(bin), importLibvirt(bin), importPerfKvmStat(bin)]) expect(errorsOf(r)[0]).toMatch(/control byte 0x0[0-2] — this is a binary file/)
  })
  it('truncated input', () => {
    expect(errorsOf(importLibvirt("<domain type='kvm'><name>x</name><vcpu>4</vc"))[0]).toMatch(/^libvirt XML line 1:45: .*the file ends inside <vcpu> .*: it is cut off — give the whole file/)
    expect(errorsOf(importLscpu('# The following is the parsable format\n'))[0]).toMatch(/no column header|has no CPU rows/)
    const cut = importPerfKvmStat('             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time \n\n           MSR_WRITE        520    60.05%     0.07%      0.74us     16.92us')
    expect(cut.ok && cut.warnings.join('\n')).toMatch(/a table header without rows/)
    expect(errorsOf(importCmdline('nohz_full=2-'))[0]).toMatch(/the range has no end/)
  })
  it('XML entity expansion (billion laughs) is refused, not expanded', () => {
    const lol = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n<domain><name>&lol2;</name></domain>`
    quick(() => expect(errorsOf(importLibvirt(lol))[0]).toMatch(/^libvirt XML line 2:1: .*DOCTYPE \(DTD\) is not accepted.*remove the <!DOCTYPE/))
    expect(errorsOf(importLibvirt('<domain><name>&xxe;</name></domain>'))[0]).toMatch(/line 1:15: .*&xxe; is not defined/)
  })
  it('deep nesting', () => {
    expect(errorsOf(importLibvirt('<a>'.repeat(100_000)))[0]).toMatch(/nested more than 64 deep/)
  })
  it('a 10^6-CPU range in a cpuset', () => {
    quick(() => {
      expect(errorsOf(importLibvirt("<domain type='kvm'><vcpu>1</vcpu><cputune><vcpupin vcpu='0' cpuset='0-999999'/></cputune></domain>"))[0])
        .toMatch(/<vcpupin> line 1:\d+ cpuset: "0-999999": CPU 999999 is beyond this host — this host has 8192 CPUs/)
      expect(errorsOf(importCmdline('isolcpus=domain,0-1000000'))[0]).toMatch(/CPU 1000000 is beyond this host/)
    })
  })
})

describe('exports', () => {
  const profile = (() => {
    const r = loadProfile({
      schemaVersion: 1,
      host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 16, threadsPerCore: 2 }, kernel: { cmdline: { nohzFull: '2-15,18-31', rcuNocbs: '2-15,18-31', isolcpus: 'managed_irq,domain,2-15,18-31', irqaffinity: '0-1,16-17' } }, kvm: { haltPoll: { haltPollNs: 50000 }, pleGap: 0, preemptionTimer: false } },
      vms: [{ name: 'vm1', vcpus: 2, guestTopology: { sockets: 1, cores: 2, threads: 1 }, pinning: { vcpupin: ['4', '5'] }, kvm: { hintDedicated: true, disableExits: { mwait: true, hlt: true, pause: true, cstate: true }, pv: { pvUnhalt: false } } }],
    })
    if (!r.ok) throw new Error('profile')
    return r.profile
  })()
  const cfg = resolveConfiguration(profile, 'base')
  it('kernel command line and modprobe options', () => {
    expect(value(exportCmdline(cfg))).toBe('nohz_full=2-15,18-31 isolcpus=managed_irq,domain,2-15,18-31 rcu_nocbs=2-15,18-31 irqaffinity=0-1,16-17 kvm.halt_poll_ns=50000 kvm_intel.preemption_timer=0 kvm_intel.ple_gap=0')
    expect(value(exportModprobe(cfg))).toBe('# /etc/modprobe.d/kvm.conf — kvmbench configuration base (skylake-sp, Intel)\noptions kvm halt_poll_ns=50000\noptions kvm_intel preemption_timer=0 ple_gap=0\n')
    expect(value(importCmdline(value(exportCmdline(cfg)))).host.kvm).toEqual({ haltPoll: { haltPollNs: 50000 }, preemptionTimer: false, pleGap: 0 })
  })
  it('tuned variables files', () => {
    expect(value(exportTuned(cfg, 'cpu-partitioning'))).toContain('isolated_cores=2-15,18-31\n# isolcpus= (scheduler domain isolation) from no_balance_cores\nno_balance_cores=2-15,18-31\n')
    const rt = exportTuned(cfg, 'realtime-virtual-host')
    expect(value(rt)).toContain('isolated_cores=2-15,18-31\nisolate_managed_irq=Y\n')
    expect(rt.ok && rt.warnings).toEqual([])
  })
  it('QEMU options', () => {
    const q = value(exportQemu(cfg))
    expect(q).toContain('-smp 2,sockets=1,cores=2,threads=1 \\\n')
    expect(q).toContain('-cpu host,kvm-hint-dedicated=on,kvm-pv-unhalt=off,')
    expect(q).toContain('-overcommit cpu-pm=on')
  })
  it('results as CSV', () => {
    const row = { reason: 'HLT', count: 10, totalNs: 1000, minNs: 50, maxNs: 200, meanNs: 100, relStddevPct: 3.5, causes: {} }
    const r = { config: 'a,b', virtualNs: 1e9, vms: [{ vm: 'vm1', exits: [row] }], allVms: { exits: [row] } } as unknown as ConfigResult
    expect(exportResultsCsv([r])).toBe('config,vm,reason,count,totalNs,minNs,maxNs,meanNs,relStddevPct,exitsPerSec\n"a,b",vm1,HLT,10,1000,50,200,100,3.50,10.0\n"a,b",*,HLT,10,1000,50,200,100,3.50,10.0\n')
  })
  it('results CSV: each number column rounded one way in every row — whole ns, perf\'s two decimals of ±%, exits/s to 0.1', () => {
    const row = { reason: 'HLT', count: 7, totalNs: 12345.678901234, minNs: 485.75008165836334, maxNs: 4096, meanNs: 1763.67, relStddevPct: 1.0173, causes: {} }
    const r = { config: 'c', virtualNs: 0.3e9, vms: [{ vm: 'vm1', exits: [row] }], allVms: { exits: [row] } } as unknown as ConfigResult
    const [, line] = exportResultsCsv([r]).split('\n')
    expect(line).toBe('c,vm1,HLT,7,12346,486,4096,1764,1.02,23.3')
  })
})

describe('kvmbench import / export', () => {
  const root = join(import.meta.dirname, '..', '..')
  const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, [join(root, 'main/cli/kvmbench.ts'), ...args], { encoding: 'utf8', cwd: root })
  it('--help for both', () => {
    expect(cli('import', '--help').stdout).toMatch(/^Usage: kvmbench import KIND FILE \[--json OUT\]/)
    expect(cli('export', '--help').stdout).toMatch(/^Usage: kvmbench export KIND PROFILE \[--config NAME\]/)
  })
  it('perf prints back in perf\'s format; usage and input errors exit 2', () => {
    const fx = join(import.meta.dirname, 'fixtures', 'leo-yan-perf-kvm-v1-00-14.txt')
    const r = cli('import', 'perf', fx)
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(spawnSync('cat', [fx], { encoding: 'utf8' }).stdout)
    expect(cli('import', 'yaml', fx).status).toBe(2)
    const bad = cli('import', 'libvirt', fx)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/libvirt XML line 1:3: .*before the root element/)
    const e = cli('export', 'cmdline', 'examples/posted-timer.json', '--config', 'nope')
    expect(e.status).toBe(2)
    expect(e.stderr).toMatch(/no configuration "nope" — use one of sw-timer, posted-timer/)
    const ok = cli('export', 'cmdline', 'examples/posted-timer.json', '--config', 'sw-timer')
    expect(ok.stdout).toBe('nohz_full=2-15,18-31 rcu_nocbs=2-15,18-31 kvm.pi_inject_timer=0\n')
  })
})
