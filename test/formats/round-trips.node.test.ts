import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadProfile, deepMerge } from '../../core/profile/load-profile.ts'
import type { Profile, Host, Vm } from '../../core/profile/profile-schema.ts'
import { formatCpuList, parseCpuList } from '../../core/topology/cpulist.ts'
import { hostCmdline, importCmdline } from '../../core/formats/cmdline.ts'
import { vmToLibvirt, importLibvirt } from '../../core/formats/libvirt.ts'

const base = (): Profile => {
  const r = loadProfile({ schemaVersion: 1 })
  if (!r.ok) throw new Error('default profile')
  return r.profile
}
const NR = 64
const cpuSet = fc.uniqueArray(fc.integer({ min: 0, max: NR - 1 }), { minLength: 1, maxLength: 20 })
/** A cpulist as people write them: canonical, unsorted, "N", "all", groups. */
const cpuList = fc.oneof(
  cpuSet.map((a) => formatCpuList(new Set(a))),
  cpuSet.map((a) => a.join(',')),
  fc.integer({ min: 0, max: NR - 1 }).map((a) => `${a}-N`),
  fc.constantFrom('all', 'all:1/2', '0-63:2/8'),
)
const maybe = <T>(a: fc.Arbitrary<T>, none: T): fc.Arbitrary<T> => fc.oneof(fc.constant(none), a)

describe('round trip: cpulists', () => {
  it('formatCpuList then parseCpuList gives the same set', () => {
    fc.assert(fc.property(cpuSet, (a) => {
      const r = parseCpuList(formatCpuList(new Set(a)), { nrCpus: NR })
      expect(r.ok && [...r.cpus.keys()].filter((i) => r.cpus[i])).toEqual([...a].sort((x, y) => x - y))
    }))
  })
})

describe('round trip: kernel command lines', () => {
  it('export (hostCmdline) then import (importCmdline) gives the same host settings', () => {
    const host = base().host
    const arb = fc.record({
      nohzFull: maybe(cpuList, ''), rcuNocbs: maybe(cpuList, ''), irqaffinity: maybe(cpuList, ''),
      isolcpus: maybe(fc.tuple(fc.subarray(['nohz', 'domain', 'managed_irq']), cpuList).map(([f, l]) => [...f, l].join(',')), ''),
      idle: fc.constantFrom('default', 'poll', 'halt'), intelIdleMaxCstate: fc.integer({ min: -1, max: 10 }),
      haltPollNs: fc.integer({ min: 0, max: 100_000_000 }), shrink: fc.integer({ min: -1, max: 16 }),
      piInjectTimer: fc.constantFrom(-1, 0, 1), preemptionTimer: fc.boolean(), enableApicv: fc.boolean(),
      pleGap: fc.integer({ min: 0, max: 65535 }), pleWindow: fc.integer({ min: 0, max: 65535 }), cpu: fc.constantFrom('skylake-sp', 'sapphirerapids', 'milan'),
    })
    fc.assert(fc.property(arb, (x) => {
      const h: Host = deepMerge(host, {
        cpu: x.cpu, topology: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 },
        kernel: { cmdline: { nohzFull: x.nohzFull, rcuNocbs: x.rcuNocbs, irqaffinity: x.irqaffinity, isolcpus: x.isolcpus, idle: x.idle, intelIdleMaxCstate: x.intelIdleMaxCstate } },
        kvm: { haltPoll: { haltPollNs: x.haltPollNs, shrink: x.shrink }, piInjectTimer: x.piInjectTimer, preemptionTimer: x.preemptionTimer, enableApicv: x.enableApicv, pleGap: x.pleGap, pleWindow: x.pleWindow },
      })
      const line = hostCmdline(h)
      if (!line.ok) throw new Error(line.errors[0]!.message)
      const back = importCmdline(`BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet ${line.value}\n`, { nrCpus: NR })
      if (!back.ok) throw new Error(back.errors[0]!.message)
      const merged: Host = deepMerge(deepMerge(host, { cpu: x.cpu, topology: h.topology }), back.value.host)
      // preemption_timer/enable_apicv are vendor options: an AMD host writes kvm_amd.avic, and no preemption timer
      if (x.cpu === 'milan') merged.kvm.preemptionTimer = h.kvm.preemptionTimer
      expect(merged.kernel.cmdline).toEqual(h.kernel.cmdline)
      expect(merged.kvm).toEqual(h.kvm)
      expect(back.value.ignored).toEqual(['BOOT_IMAGE=/vmlinuz', 'root=/dev/sda1', 'ro', 'quiet'])
    }), { numRuns: 300 })
  })

  it('reads flags, quotes and module parameters, and reports the rest as ignored', () => {
    const r = importCmdline('BOOT_IMAGE=(hd0)/vmlinuz-6.8 ro isolcpus=managed_irq,domain,2-23 nohz_full=2-23 rcu_nocbs="2-23" irqaffinity=0,1 idle=poll intel_idle.max_cstate=1 kvm.halt_poll_ns=0 kvm-intel.ple_gap=0 kvm_intel.preemption_timer=N kvm.pi_inject_timer=1 skew_tick=1 -- single')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.host).toEqual({
      kernel: { cmdline: { isolcpus: 'managed_irq,domain,2-23', nohzFull: '2-23', rcuNocbs: '2-23', irqaffinity: '0,1', idle: 'poll', intelIdleMaxCstate: 1 } },
      kvm: { haltPoll: { haltPollNs: 0 }, pleGap: 0, preemptionTimer: false, piInjectTimer: 1 },
    })
    expect(r.value.ignored).toEqual(['BOOT_IMAGE=(hd0)/vmlinuz-6.8', 'ro', 'skew_tick=1'])
    expect(r.warnings.join('\n')).toMatch(/"--": 1 argument after it goes to init/)
  })

  it('a bad value names the parameter, the value and the fix', () => {
    const r = importCmdline('nohz_full=2-1000000 kvm.halt_poll_ns=lots kvm.pi_inject_timer=-1', { nrCpus: 32 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^nohz_full: "2-1000000": CPU 1000000 is beyond this host — this host has 32 CPUs/),
      expect.stringMatching(/^\/proc\/cmdline kvm.halt_poll_ns: "lots": is not an unsigned 32-bit number — write e.g. kvm.halt_poll_ns=200000/),
      expect.stringMatching(/kvm.pi_inject_timer: "-1": is not a boolean.*leave it out for the automatic -1/),
    ])
  })
})

function vmFrom(x: { vcpus: number; pins: string[]; emulatorpin: string; iothreadpin: string; hint: boolean; pollControl: boolean; pvIpi: boolean; pvUnhalt: boolean; cpuPm: boolean; threads: number; name: string; x2apic?: boolean; pitReinject?: boolean; exposeMwait?: boolean; io?: Vm['io'] }): Vm {
  const vm = base().vms[0]!
  const threads = x.vcpus % x.threads === 0 ? x.threads : 1
  return deepMerge(vm, {
    name: x.name, vcpus: x.vcpus, guestTopology: { sockets: 1, cores: x.vcpus / threads, threads },
    pinning: { vcpupin: x.pins.slice(0, x.vcpus), emulatorpin: x.emulatorpin, iothreadpin: x.iothreadpin },
    io: x.io ?? 'vhost-net',
    kvm: { hintDedicated: x.hint, disableExits: { mwait: x.cpuPm, hlt: x.cpuPm, pause: x.cpuPm, cstate: x.cpuPm }, pv: { pollControl: x.pollControl, pvIpi: x.pvIpi, pvUnhalt: x.pvUnhalt }, x2apic: x.x2apic ?? true, pitReinject: x.pitReinject ?? true, exposeMwait: x.exposeMwait ?? false },
  })
}

const cpuset = fc.oneof(cpuList.filter((l) => !l.includes('N') && !l.startsWith('all')), fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })).map(([a, b]) => `0-${a + b + 2},^${a + 1}`))
const vmArb = fc.record({
  vcpus: fc.integer({ min: 1, max: 16 }), pins: fc.array(maybe(cpuset, ''), { maxLength: 16 }).map((p) => { while (p.length && p[p.length - 1] === '') p.pop(); return p }),
  emulatorpin: maybe(cpuset, ''), iothreadpin: maybe(cpuset, ''), hint: fc.boolean(), pollControl: fc.boolean(), pvIpi: fc.boolean(), pvUnhalt: fc.boolean(), cpuPm: fc.boolean(),
  threads: fc.constantFrom(1, 2), name: fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/),
  x2apic: fc.boolean(), pitReinject: fc.boolean(), exposeMwait: fc.boolean(), io: fc.constantFrom('vhost-net' as const, 'sriov-vf' as const),
})

/** A cpuset as a set (export may rewrite kernel-only forms into libvirt's syntax). */
const canon = (v: string): string => {
  if (v === '') return ''
  const r = parseCpuList(v, { nrCpus: NR, allowExclusion: true })
  return r.ok ? formatCpuList(r.cpus) : `bad:${v}`
}
const settings = (vm: Vm): unknown => {
  const pins = vm.pinning.vcpupin.map(canon)
  while (pins.length && pins[pins.length - 1] === '') pins.pop()
  return { name: vm.name, vcpus: vm.vcpus, guestTopology: vm.guestTopology, pinning: { emulatorpin: canon(vm.pinning.emulatorpin), iothreadpin: canon(vm.pinning.iothreadpin), vcpupin: pins }, io: vm.io, kvm: { hintDedicated: vm.kvm.hintDedicated, disableExits: vm.kvm.disableExits, pv: vm.kvm.pv, x2apic: vm.kvm.x2apic, pitReinject: vm.kvm.pitReinject, exposeMwait: vm.kvm.exposeMwait } }
}

describe('round trip: libvirt domain XML', () => {
  it('export (vmToLibvirt) then import (importLibvirt) gives the same VM settings', () => {
    fc.assert(fc.property(vmArb, (x) => {
      const vm = vmFrom(x)
      const xml = vmToLibvirt(vm, NR)
      if (!xml.ok) throw new Error(xml.errors[0]!.message)
      const back = importLibvirt(xml.value, { nrCpus: NR })
      if (!back.ok) throw new Error(back.errors[0]!.message)
      expect(settings(deepMerge(base().vms[0]!, back.value))).toEqual(settings(vm))
    }), { numRuns: 300 })
  })

  it('the exported document passes libvirt\'s virt-xml-validate (libvirt-clients)', () => {
    const bin = ['/usr/bin/virt-xml-validate', '/usr/local/bin/virt-xml-validate'].find((p) => existsSync(p))
    if (!bin) throw new Error('virt-xml-validate is not installed — install Debian\'s libvirt-clients (and libxml2-utils for xmllint): apt-get install -y libvirt-clients libxml2-utils')
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-libvirt-'))
    try {
      const samples = fc.sample(vmArb, { numRuns: 12, seed: 42 }).map(vmFrom)
      samples.push(vmFrom({ vcpus: 4, pins: ['4', '5', '6', '7'], emulatorpin: '0-1', iothreadpin: '1', hint: true, pollControl: true, pvIpi: true, pvUnhalt: false, cpuPm: true, threads: 1, name: 'redis-vm' }))
      samples.forEach((vm, i) => {
        const xml = vmToLibvirt(vm, NR)
        if (!xml.ok) throw new Error(xml.errors[0]!.message)
        const file = join(dir, `domain-${i}.xml`)
        writeFileSync(file, xml.value)
        const r = spawnSync(bin, [file, 'domain'], { encoding: 'utf8' })
        if (r.status !== 0) throw new Error(`virt-xml-validate rejected ${file}:\n${r.stdout}${r.stderr}\n${xml.value}`)
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads a libvirt domain as ops engineers write it: "^" exclusion, <vcpu cpuset> as the default pinning, features', () => {
    const r = importLibvirt(`<domain type='kvm'><name>rt</name><vcpu placement="static" cpuset="1-4,^3,6">4</vcpu>
<cputune><vcpupin vcpu="0" cpuset="1-4,^2"/><vcpupin vcpu="1" cpuset="0,1"/><emulatorpin cpuset="1-3"/>
<iothreadpin iothread="1" cpuset="1-2,9-10"/><vcpusched vcpus="2-3" scheduler="fifo" priority="1"/></cputune>
<features><kvm><hidden state="on"/><hint-dedicated state="on"/><poll-control state="on"/><pv-ipi state="off"/></kvm><pvspinlock state="off"/><pmu state="off"/></features>
<cpu mode="host-passthrough"><topology sockets='1' dies='1' cores='2' threads='2'/></cpu></domain>`)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value).toEqual({
      name: 'rt', vcpus: 4, guestTopology: { sockets: 1, cores: 2, threads: 2 },
      pinning: { vcpupin: ['1-4,^2', '0,1', '1-4,^3,6', '1-4,^3,6'], emulatorpin: '1-3', iothreadpin: '1-2,9-10' },
      kvm: { hintDedicated: true, pv: { pollControl: true, pvIpi: false, pvUnhalt: false } },
    })
    expect(r.warnings.join('\n')).toMatch(/vcpusched.*not modelled/)
    expect(r.warnings.join('\n')).toMatch(/<features><kvm><hidden>: .*not modelled/)
  })
})
