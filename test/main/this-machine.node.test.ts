// "Start from this machine": the reader against fixture machines (a 2-socket HT Xeon host tuned for
// pinned VMs, an interleaved-numbering EPYC without KVM loaded) and against the real machine the tests
// run on, checked against nproc and lscpu -p.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadProfile, resolveConfiguration } from '../../core/profile/load-profile.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { parseRequest } from '../../core/api/protocol.ts'
import { readThisMachine } from '../../main/services/this-machine/this-machine.ts'
import { MAX_FILE_BYTES, MachineFs, reasonOf } from '../../main/services/this-machine/machine-fs.ts'
import { nearestPreset } from '../../main/services/this-machine/cpu-model.ts'

const fixtures = resolve(import.meta.dirname, 'fixtures/this-machine')
const xeon = resolve(fixtures, 'xeon-2s-ht')
const epyc = resolve(fixtures, 'interleaved-no-kvm')
const notRead = (r: ReturnType<typeof readThisMachine>, item: string): string | undefined => r.report.notRead.find((n) => n.item === item)?.reason
const readValue = (r: ReturnType<typeof readThisMachine>, item: string): string | undefined => r.report.read.find((n) => n.item === item)?.value

/** Every configuration of the profile passes the model's setup (what `kvmbench run` refuses first). */
function setupIssues(profile: unknown): string[] {
  const l = loadProfile(profile)
  if (!l.ok) return l.issues.map((i) => `${i.path}: ${i.message}`)
  return l.profile.configurations.flatMap((c) => {
    const s = setupModel(resolveConfiguration(l.profile, c.name), 1, 0.01)
    return s.ok ? [] : s.issues.map((i) => `${i.path}: ${i.message}`)
  })
}

describe('a 2-socket, 8-core, HT Cascade Lake host tuned with isolcpus/nohz_full, one running VM', () => {
  const r = readThisMachine({ root: xeon })
  const host = r.profile.host as Record<string, any>

  it('reads the topology, the CPU model and its preset', () => {
    expect(host.topology).toEqual({ sockets: 2, coresPerSocket: 8, threadsPerCore: 2, numaNodesPerSocket: 1, llcPerSocket: 1 })
    expect(readValue(r, 'CPUs')).toMatch(/^32 online \(0-31\): 2 sockets × 8 cores × 2 threads, 2 NUMA nodes, 2 L3 groups/)
    expect(readValue(r, 'caches')).toContain('L3 ×2 (each shared by 16 CPUs)')
    expect(host.cpu).toBe('cascadelake-sp')
    expect(r.report.preset.name).toBe('cascadelake-sp')
    expect(r.report.preset.reason).toMatch(/model 85 \(0x55\) stepping 7.*Cascade Lake/)
  })

  it('reads the kernel release, CONFIG_HZ and the isolation on the command line', () => {
    expect(host.kernel.version).toBe('5.14.0')
    expect(host.kernel.hz).toBe(1000)
    expect(host.kernel.cmdline).toEqual({ isolcpus: 'managed_irq,domain,2-7,10-15,18-23,26-31', nohzFull: '2-7,10-15,18-23,26-31', rcuNocbs: '2-7,10-15,18-23,26-31', irqaffinity: '0,1,8,9,16,17,24,25' })
    expect(readValue(r, '/proc/cmdline')).toBe(readFileSync(resolve(xeon, 'proc/cmdline'), 'utf8').trim())
    expect(notRead(r, 'command line tokens')).toMatch(/^not modelled: BOOT_IMAGE=.* nosoftlockup$/)
  })

  it('reads the KVM module parameters, keeping the values the kernel chose itself automatic', () => {
    // halt_poll_ns=0 from the command line; shrink 0 is 5.14's default and pi_inject_timer=1 what nohz_full gives: both stay automatic (-1)
    expect(host.kvm).toEqual({ haltPoll: { haltPollNs: 0, grow: 2, growStart: 10000, shrink: -1 }, piInjectTimer: -1, preemptionTimer: true, enableApicv: true, pleGap: 0, pleWindow: 4096 })
    expect(notRead(r, 'kvm_intel.enable_ipiv')).toBe('/sys/module/kvm_intel/parameters/enable_ipiv: missing')
  })

  it('reads the running VM from libvirt\'s status file, and says which defined VM was left out', () => {
    expect(r.profile.vms).toEqual([{ name: 'rt-vm1', vcpus: 4, guestTopology: { sockets: 1, cores: 4, threads: 1 }, pinning: { vcpupin: ['2', '3', '4', '5'], emulatorpin: '0-1,16-17' }, kvm: { hintDedicated: true, pitReinject: true } }])
    expect(readValue(r, 'VM rt-vm1')).toContain('from /run/libvirt/qemu/rt-vm1.xml')
    expect(notRead(r, 'libvirt domains spare-vm')).toBe('defined but not running — left out')
  })

  it('gives a profile every configuration of which the model accepts', () => {
    expect(setupIssues(r.profile)).toEqual([])
  })

  it('places a starter VM on free isolated CPUs of one NUMA node, the emulator on that socket\'s housekeeping CPUs', () => {
    const s = readThisMachine({ root: xeon, vcpus: 2 })
    expect(s.profile.vms[1]).toMatchObject({ name: 'vm0', vcpus: 2, pinning: { vcpupin: ['6', '7'], emulatorpin: '0-1,16-17' } })
    expect(setupIssues(s.profile)).toEqual([])
    // not on the SMT siblings of rt-vm1's CPUs 2-5 (18-21): node 0 has 6, 7, 22, 23 left
    expect(readThisMachine({ root: xeon, vcpus: 4 }).profile.vms[1]).toMatchObject({ pinning: { vcpupin: ['6', '7', '22', '23'] } })
    // node 1 has 12 isolated CPUs, all free
    expect(readThisMachine({ root: xeon, vcpus: 12 }).profile.vms[1]).toMatchObject({ pinning: { vcpupin: ['10', '11', '12', '13', '14', '15', '26', '27', '28', '29', '30', '31'], emulatorpin: '8-9,24-25' } })
    const tooMany = readThisMachine({ root: xeon, vcpus: 13 })
    expect(tooMany.profile.vms).toHaveLength(1)
    expect(notRead(tooMany, 'starter VM')).toMatch(/^13 vCPUs: no NUMA node has 13 free isolated CPUs \(the most is 12,/)
  })
})

describe('an EPYC host numbering its sockets interleaved, without KVM loaded', () => {
  const r = readThisMachine({ root: epyc, vcpus: 1 })
  const host = r.profile.host as Record<string, any>

  it('translates the command line\'s cpulists into bench CPU numbers', () => {
    // machine CPUs 2,3,6,7 are the second core of each socket, both threads: bench CPUs 1,3 (first threads), 5,7 (siblings)
    expect(host.kernel.cmdline).toEqual({ nohzFull: '1,3,5,7', rcuNocbs: '1,3,5,7' })
    expect(readValue(r, 'CPU numbering')).toContain('machine CPU 1 → 2, 2 → 1')
    expect(r.profile.vms[0]).toMatchObject({ pinning: { vcpupin: ['1'], emulatorpin: '0,4' } })
  })

  it('says why the KVM parameters, HZ and VMs were not read', () => {
    expect(host.cpu).toBe('rome')
    expect(notRead(r, 'kvm module parameters')).toBe('/sys/module/kvm/parameters: missing — kvm is not loaded: not a KVM host')
    expect(notRead(r, 'kvm_amd module parameters')).toBeUndefined()
    expect(notRead(r, 'CONFIG_HZ')).toBe('/boot/config-6.1.0-18-amd64: missing — HZ left at 1000')
    expect(notRead(r, 'running VMs (libvirt)')).toBe('/run/libvirt/qemu: missing — libvirt runs no QEMU domain on this machine')
    expect(host.kernel.hz).toBeUndefined()
  })
})

describe('a machine with CPUs offline', () => {
  it('says the topology is not regular, and leaves out the cpulists it cannot number', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'kvmbench-offline-'))
    try {
      cpSync(epyc, dir, { recursive: true })
      writeFileSync(resolve(dir, 'sys/devices/system/cpu/online'), '0-6\n')
      const r = readThisMachine({ root: dir })
      expect(notRead(r, 'CPUs 7')).toMatch(/^offline/)
      expect(notRead(r, 'host topology')).toMatch(/^7 online CPUs in no regular sockets × cores × threads layout/)
      expect((r.profile.host as Record<string, any>).topology).toBeUndefined()
      expect((r.profile.host as Record<string, any>).kernel.cmdline).toEqual({})
      expect(notRead(r, 'isolation cpulists')).toMatch(/^nohzFull, rcuNocbs: left out/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a machine where nothing can be read', () => {
  it('lists every item as not read and still gives a profile draft', () => {
    const r = readThisMachine({ root: resolve(fixtures, 'no-such-root'), vcpus: 1 })
    expect(r.report.read).toEqual([])
    expect(r.report.notRead.map((n) => n.item)).toEqual(['CPU model', 'CPU topology', 'kernel release', '/proc/cmdline', 'kvm module parameters', 'running VMs (libvirt)', 'starter VM'])
    const l = loadProfile(r.profile)
    expect(l.ok ? [] : l.issues.map((i) => i.path)).toEqual(['vms'])
  })

  it('names a file system refusal as the report shows it', () => {
    expect(reasonOf(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('permission denied')
    expect(reasonOf(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('missing')
  })
})

describe('the nearest preset of a CPU model', () => {
  const m = (vendor: string, family: number, model: number, stepping = 0, flags: string[] = []) => nearestPreset({ vendor, family, model, stepping, modelName: '', flags: new Set(flags) })
  it.each([
    ['GenuineIntel', 6, 0x55, 4, 'skylake-sp'], ['GenuineIntel', 6, 0x55, 11, 'cascadelake-sp'], ['GenuineIntel', 6, 0x6a, 6, 'icelake-sp'],
    ['GenuineIntel', 6, 0x8f, 8, 'sapphirerapids'], ['GenuineIntel', 6, 0xcf, 2, 'sapphirerapids'], ['GenuineIntel', 6, 0x4f, 1, 'skylake-sp'],
    ['AuthenticAMD', 0x17, 0x01, 2, 'rome'], ['AuthenticAMD', 0x17, 0x31, 0, 'rome'], ['AuthenticAMD', 0x19, 0x01, 1, 'milan'],
    ['AuthenticAMD', 0x19, 0x11, 1, 'genoa'], ['AuthenticAMD', 0x19, 0xa0, 1, 'genoa'], ['AuthenticAMD', 0x1a, 0x02, 1, 'genoa'],
  ] as const)('%s family %i model %i stepping %i → %s', (vendor, family, model, stepping, preset) => {
    expect(m(vendor, family, model, stepping).preset).toBe(preset)
  })
  it('tells an unknown Intel model by its VMX features', () => {
    expect(m('GenuineIntel', 6, 0xb7, 1, ['ipi_virt']).preset).toBe('sapphirerapids')
    expect(m('GenuineIntel', 6, 0xb7, 1).reason).toContain('no ipi_virt')
  })
})

describe('this machine', () => {
  const r = readThisMachine()
  const lscpu = execFileSync('lscpu', ['-p=CPU,Core,Socket,Node'], { encoding: 'utf8' }).split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(',').map(Number))

  it('reads as many CPUs as nproc and lscpu -p list, in the same sockets, cores and nodes', () => {
    const nproc = Number(execFileSync('nproc', ['--all'], { encoding: 'utf8' }).trim())
    const t = (r.profile.host as Record<string, any>).topology
    expect(t, JSON.stringify(r.report.notRead)).toBeDefined()
    expect(t.sockets * t.coresPerSocket * t.threadsPerCore).toBe(nproc)
    expect(lscpu).toHaveLength(nproc)
    expect(t.sockets).toBe(new Set(lscpu.map((c) => c[2])).size)
    expect(t.sockets * t.coresPerSocket).toBe(new Set(lscpu.map((c) => `${c[2]}/${c[1]}`)).size)
    expect(t.sockets * t.numaNodesPerSocket).toBe(new Set(lscpu.map((c) => c[3])).size)
    expect(readValue(r, 'CPUs')).toMatch(new RegExp(`^${nproc} online`))
  })

  it('shows /proc/cmdline as it is', () => {
    expect(readValue(r, '/proc/cmdline') ?? notRead(r, '/proc/cmdline')).toContain(readFileSync('/proc/cmdline', 'utf8').trim().split(' ')[0])
  })
})

describe('the machine.read request', () => {
  it('takes an optional vCPU count and refuses a bad one, naming the field', () => {
    expect(parseRequest('machine.read', {})).toEqual({})
    expect(() => parseRequest('machine.read', { vcpus: 0 })).toThrow(/vcpus/)
  })
})

describe('reading a machine\'s files', () => {
  it('reads a file larger than its first buffer whole, and refuses one over the limit', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'kvmbench-fs-'))
    try {
      writeFileSync(resolve(dir, 'big.xml'), 'x'.repeat(200_000))
      writeFileSync(resolve(dir, 'huge.xml'), 'x'.repeat(MAX_FILE_BYTES + 1))
      const fs = new MachineFs(dir)
      const big = fs.read('big.xml')
      expect(big.ok && big.text.length).toBe(200_000)
      expect(fs.read('huge.xml')).toEqual({ ok: false, reason: `larger than ${MAX_FILE_BYTES} bytes` })
      expect(fs.read('none')).toEqual({ ok: false, reason: 'missing' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
