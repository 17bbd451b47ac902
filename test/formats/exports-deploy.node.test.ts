// The settings that used to vanish from the exports: x2APIC off, PIT re-injection off and MONITOR exposed
// in libvirt and QEMU (amd-avic and mwait examples), tuned realtime-virtual-host's parent isolcpus=, and
// the guest kernel command line.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadProfile, resolveConfiguration } from '../../core/profile/load-profile.ts'
import type { ResolvedConfiguration } from '../../core/profile/load-profile.ts'
import { exportLibvirt } from '../../core/formats/libvirt.ts'
import { exportQemu } from '../../core/formats/qemu.ts'
import { exportTuned } from '../../core/formats/tuned.ts'
import { exportGuestCmdline } from '../../core/formats/guest-cmdline.ts'
import type { FormatResult } from '../../core/formats/format-result.ts'

type Json = { vms: { guest: Record<string, unknown> }[] }
const cfgOf = (example: string, name: string, patch?: (json: Json) => void): ResolvedConfiguration => {
  const json = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'examples', example), 'utf8')) as Json
  patch?.(json)
  const r = loadProfile(json)
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'))
  return resolveConfiguration(r.profile, name)
}
const out = (r: FormatResult<string>): { text: string; warnings: string[] } => {
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return { text: r.value, warnings: r.warnings }
}

describe('x2APIC, PIT re-injection and MONITOR reach libvirt and QEMU', () => {
  it('amd-avic: avic-pit-reinject re-injects, avic-hybrid discards lost PIT ticks, avic-xapic also turns x2APIC off', () => {
    const reinject = cfgOf('amd-avic.json', 'avic-pit-reinject')
    const hybrid = cfgOf('amd-avic.json', 'avic-hybrid')
    const xapic = cfgOf('amd-avic.json', 'avic-xapic')
    expect(out(exportQemu(reinject)).text).not.toMatch(/lost_tick_policy/)
    expect(out(exportQemu(hybrid)).text).toMatch(/^-global kvm-pit.lost_tick_policy=discard \\$/m)
    expect(out(exportQemu(hybrid)).text).not.toMatch(/x2apic/)
    expect(out(exportQemu(xapic)).text).toMatch(/^-cpu host,.*,x2apic=off \\$/m)
    expect(out(exportLibvirt(reinject)).text).not.toMatch(/<clock/)
    expect(out(exportLibvirt(hybrid)).text).toContain("  <clock offset='utc'>\n    <timer name='pit' tickpolicy='discard'/>\n  </clock>\n")
    expect(out(exportLibvirt(xapic)).text).toContain("    <feature policy='disable' name='x2apic'/>\n")
  })

  it('mwait: mwait-emulated exposes MONITOR (QEMU "monitor", never "mwait") and says QEMU needs cpu-pm=on for it', () => {
    const emulated = cfgOf('mwait.json', 'mwait-emulated')
    const q = out(exportQemu(emulated))
    expect(q.text).toMatch(/^-cpu host,.*,monitor=on \\$/m)
    expect(q.text).not.toMatch(/mwait/)
    expect(q.warnings.join('\n')).toMatch(/QEMU offers MONITOR to a KVM guest only when MWAIT exits are disabled \(kvm_arch_get_supported_cpuid\(\)\)/)
    const l = out(exportLibvirt(emulated))
    expect(l.text).toContain("    <feature policy='require' name='monitor'/>\n")
    expect(out(exportQemu(cfgOf('mwait.json', 'hlt-exits'))).text).not.toMatch(/monitor/)
  })
})

describe('tuned realtime-virtual-host', () => {
  it('warns that its parent profile adds isolcpus=${managed_irq}${isolated_cores}', () => {
    const cfg = cfgOf('posted-timer.json', 'sw-timer')
    expect(cfg.host.kernel.cmdline.isolcpus).toBe('')
    const t = out(exportTuned(cfg, 'realtime-virtual-host'))
    expect(t.text).toContain('isolated_cores=2-15,18-31\nisolate_managed_irq=N\n')
    expect(t.warnings).toContain('tuned realtime-virtual-host includes the realtime profile, which adds isolcpus=2-15,18-31 to the kernel command line (cmdline_realtime=+isolcpus=${managed_irq}${isolated_cores}); this configuration has no isolcpus= — the deployed host takes those CPUs out of the scheduler\'s load balancing')
    expect(out(exportTuned(cfg, 'cpu-partitioning')).warnings.join('\n')).not.toMatch(/realtime profile/)
  })
})

describe('the guest kernel command line', () => {
  it('writes the guest-side settings, and nothing for a guest at its defaults', () => {
    const plain = cfgOf('posted-timer.json', 'sw-timer')
    expect(out(exportGuestCmdline(plain)).text).toBe('\n')
    const tuned = cfgOf('posted-timer.json', 'sw-timer', (j) => {
      j.vms[0]!.guest = { ...j.vms[0]!.guest, kernelVersion: '6.8', idlePoll: true, nopvspin: true, tickMode: 'periodic', haltpoll: { enabled: 'force', guestHaltPollNs: 400000, growStart: 100000 } }
    })
    const g = out(exportGuestCmdline(tuned))
    expect(g.text).toBe('idle=poll nopvspin nohz=off cpuidle_haltpoll.force=Y haltpoll.guest_halt_poll_ns=400000 haltpoll.guest_halt_poll_grow_start=100000\n')
    expect(g.warnings).toEqual(['guest idle=poll: cpuidle-haltpoll does not load (haltpoll_init() returns when idle= is set)'])
    // the guest kernel decides whether a parameter exists: posted-timer's guest runs 5.3
    const old = cfgOf('posted-timer.json', 'sw-timer', (j) => { j.vms[0]!.guest = { ...j.vms[0]!.guest, nopvspin: true, haltpoll: { enabled: 'force' } } })
    expect(out(exportGuestCmdline(old)).warnings).toEqual(['nopvspin exists from guest kernel 5.5; this guest runs 5.3 and ignores it', 'cpuidle_haltpoll.force exists from guest kernel 5.7; this guest runs 5.3'])
    const full = cfgOf('posted-timer.json', 'sw-timer', (j) => { j.vms[0]!.guest = { ...j.vms[0]!.guest, tickMode: 'nohz-full', haltpoll: { enabled: 'off' } } })
    expect(out(exportGuestCmdline(full)).text).toBe(`nohz_full=1-${full.vms[0]!.vcpus - 1} modprobe.blacklist=cpuidle_haltpoll\n`)
  })
})
