// libvirt domain XML as `virsh dumpxml` prints it: an NFV guest on an AMD AVIC host (x2APIC off, MONITOR
// required, PIT ticks discarded, SR-IOV VFs, and the usual Hyper-V, PMU, NUMA, hugepage and clock
// settings) and a redis guest; both fixtures pass libvirt's own RNG (virt-xml-validate). Several domains
// in one file give one VM each.
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importLibvirt, importLibvirtDomains } from '../../core/formats/libvirt.ts'
import type { LibvirtVmFragment } from '../../core/formats/libvirt.ts'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const NFV = readFileSync(join(FIXTURES, 'libvirt-nfv-avic-guest.xml'), 'utf8')
const REDIS = readFileSync(join(FIXTURES, 'libvirt-redis-guest.xml'), 'utf8')
const CLI = join(import.meta.dirname, '..', '..', 'main', 'cli', 'kvmbench.ts')

const one = (xml: string): { value: LibvirtVmFragment; warnings: string[] } => {
  const r = importLibvirt(xml)
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return { value: r.value, warnings: r.warnings }
}

describe('libvirt: the elements with a profile field', () => {
  it('the fixtures are real libvirt documents (virt-xml-validate)', () => {
    const bin = ['/usr/bin/virt-xml-validate', '/usr/local/bin/virt-xml-validate'].find((p) => existsSync(p))
    if (!bin) throw new Error('virt-xml-validate is not installed — install Debian\'s libvirt-clients and libxml2-utils')
    for (const f of ['libvirt-nfv-avic-guest.xml', 'libvirt-redis-guest.xml']) {
      const r = spawnSync(bin, [join(FIXTURES, f), 'domain'], { encoding: 'utf8' })
      expect(r.status, `${f}: ${r.stdout}${r.stderr}`).toBe(0)
    }
  })

  it('x2apic disabled, monitor required, PIT tickpolicy discard, <interface type=hostdev> (an SR-IOV VF)', () => {
    const { value } = one(NFV)
    expect(value).toEqual({
      name: 'nfv-vrouter-0', vcpus: 4, guestTopology: { sockets: 1, cores: 4, threads: 1 }, io: 'sriov-vf',
      pinning: { vcpupin: ['4', '5', '6', '7'], emulatorpin: '0-1', iothreadpin: '1' },
      kvm: { hintDedicated: true, x2apic: false, exposeMwait: true, pitReinject: false, pv: { pollControl: true, pvIpi: false, pvUnhalt: false } },
    })
  })

  it('tickpolicy delay, a vhost interface, cpu-pm=on through <qemu:commandline>, an XML declaration', () => {
    const { value, warnings } = one(REDIS)
    expect(value).toEqual({
      name: 'redis-0', vcpus: 4, guestTopology: { sockets: 1, cores: 4, threads: 1 }, io: 'vhost-net',
      pinning: { vcpupin: ['8-11', '8-11', '8-11', '8-11'], emulatorpin: '2' },
      kvm: { hintDedicated: true, pitReinject: true, disableExits: { mwait: true, hlt: true, pause: true, cstate: true } },
    })
    expect(warnings).toEqual(['<memory>: the guest memory size is not modelled; ignored', 'not modelled, ignored: <uuid>, <os>, <features><acpi>, <features><apic>'])
  })

  it('each feature policy: force/require on, disable/forbid off, optional depends on the host (a warning)', () => {
    const cpu = (f: string): LibvirtVmFragment['kvm'] => one(`<domain type='kvm'><cpu mode='host-passthrough'>${f}</cpu></domain>`).value.kvm
    expect(cpu("<feature policy='force' name='x2apic'/><feature policy='forbid' name='monitor'/>")).toEqual({ x2apic: true, exposeMwait: false })
    expect(cpu("<feature policy='require' name='x2apic'/><feature policy='disable' name='monitor'/>")).toEqual({ x2apic: true, exposeMwait: false })
    const optional = one("<domain type='kvm'><cpu mode='host-passthrough'><feature policy='optional' name='monitor'/></cpu></domain>")
    expect(optional.value.kvm).toBeUndefined()
    expect(optional.warnings).toEqual(['<cpu><feature policy="optional" name=\'monitor\'>: on or off depends on the host CPU; the profile default is kept'])
    const catchup = one("<domain type='kvm'><clock offset='utc'><timer name='pit' tickpolicy='catchup'/></clock></domain>")
    expect(catchup.value.kvm).toBeUndefined()
    expect(catchup.warnings[0]).toMatch(/kvm-pit takes delay or discard only/)
  })
})

describe('libvirt: everything else is named, by element', () => {
  it('PMU, Hyper-V, PV EOI, clock timers, NUMA tuning, guest NUMA cells, hugepages, memory, and the rest in one list', () => {
    const { warnings } = one(NFV)
    expect(warnings).toEqual([
      '2 <interface>s: the bench models one network path and takes the first (sriov-vf)',
      '<memory>: the guest memory size is not modelled; ignored',
      '<currentMemory>: the guest memory size is not modelled; ignored',
      '<memoryBacking>: hugepages and memory backing are not modelled (EPT/NPT faults are not simulated); ignored',
      '<cputune><vcpusched>: the vCPU threads\' real-time scheduling policy is not modelled; ignored',
      '<numatune>: NUMA memory placement is not modelled; ignored',
      '<features><apic eoi="on">: PV EOI is not modelled; ignored',
      '<features><hyperv>: Hyper-V enlightenments are not modelled (on a real host SynIC inhibits APICv/AVIC); ignored',
      '<features><kvm><hidden>: hiding the KVM signature is not modelled; ignored',
      '<features><pmu>: the guest PMU (its counter MSR accesses and PMIs) is not modelled; ignored',
      '<cpu><cache>: the guest cache topology is not modelled; ignored',
      '<cpu><numa>: guest NUMA cells are not modelled; ignored',
      '<clock><timer name="rtc">: this guest timer is not modelled (the guest ticks with its LAPIC timer); ignored',
      '<clock><timer name="hpet">: this guest timer is not modelled (the guest ticks with its LAPIC timer); ignored',
      '<devices><memballoon>: the balloon is not modelled; ignored',
      'not modelled, ignored: <uuid>, <metadata>, <resource>, <os>, <features><acpi>, <features><vmport>, <cpu><feature name="invtsc">, <on_poweroff>, <on_reboot>, <on_crash>, <pm>, <devices><disk> ×2, <devices><controller> ×2, <devices><serial>, <devices><console>',
    ])
  })

  it('QEMU arguments passed through <qemu:commandline> other than -overcommit are named', () => {
    const xml = REDIS.replace("<qemu:arg value='cpu-pm=on'/>", "<qemu:arg value='cpu-pm=on'/><qemu:arg value='-global'/><qemu:arg value='kvm-pit.lost_tick_policy=discard'/>")
    expect(one(xml).warnings).toContain('<qemu:commandline>: 2 arguments not read: "-global" "kvm-pit.lost_tick_policy=discard"')
  })
})

describe('libvirt: several domains at once', () => {
  it('two `virsh dumpxml` outputs one after the other give two VMs, warnings tagged by domain', () => {
    const r = importLibvirtDomains(`${NFV}\n${REDIS}`)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.map((v) => v.name)).toEqual(['nfv-vrouter-0', 'redis-0'])
    expect(r.value[1]).toEqual(one(REDIS).value)
    expect(r.warnings).toContain('domain redis-0 (line 116): <memory>: the guest memory size is not modelled; ignored')
    expect(r.warnings.filter((w) => w.startsWith('domain nfv-vrouter-0 (line 1): '))).toHaveLength(16)
  })

  it('one domain where one VM takes one says how to import them all; two domains with one name are refused', () => {
    const r = importLibvirt(`${NFV}${REDIS}`)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/has 2 <domain>s \(nfv-vrouter-0, redis-0\) where one VM takes one — give one domain here, or import them all with `kvmbench import libvirt FILE`/)
    const dup = importLibvirtDomains(`${REDIS}${REDIS}`)
    expect(!dup.ok && dup.errors[0]!.message).toMatch(/"redis-0": names two domains/)
    expect(importLibvirtDomains('<domain/><network/>').ok).toBe(false)
  })

  it('`kvmbench import libvirt FILE` writes one VM per domain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-libvirt-many-'))
    try {
      const file = join(dir, 'all.xml')
      writeFileSync(file, `${NFV}${REDIS}`)
      const r = spawnSync(process.execPath, [CLI, 'import', 'libvirt', file, '--json', '-'], { encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      const json = JSON.parse(r.stdout) as { vms: LibvirtVmFragment[] }
      expect(json.vms.map((v) => [v.name, v.io, v.kvm?.pitReinject])).toEqual([['nfv-vrouter-0', 'sriov-vf', false], ['redis-0', 'vhost-net', true]])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
