// Every configuration of every example exports to every format; each libvirt document passes libvirt's
// own RNG check (virt-xml-validate), each QEMU command line goes through QEMU's own parser and machine
// setup (qemu-system-x86_64 -S, then quit), each tuned variables file reads as tuned reads it; and no
// two configurations that differ in an exported setting export the same text.
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadProfile, configurationNames, resolveConfiguration } from '../../core/profile/load-profile.ts'
import type { ResolvedConfiguration } from '../../core/profile/load-profile.ts'
import { exportCmdline, exportModprobe } from '../../core/formats/cmdline.ts'
import { exportTuned } from '../../core/formats/tuned.ts'
import { exportLibvirt } from '../../core/formats/libvirt.ts'
import { exportQemu } from '../../core/formats/qemu.ts'
import { exportGuestCmdline } from '../../core/formats/guest-cmdline.ts'
import { KVM_PARAMS } from '../../core/formats/kvm-params.ts'
import { CPU_FEATURES } from '../../core/costs/cpu-presets.ts'
import { parseCpuList } from '../../core/topology/cpulist.ts'
import type { FormatResult } from '../../core/formats/format-result.ts'

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples')

interface Exported { cfg: ResolvedConfiguration; example: string; texts: Record<string, string> }

const text = (r: FormatResult<string>, what: string): string => {
  if (!r.ok) throw new Error(`${what}: ${r.errors.map((e) => e.message).join('\n')}`)
  return r.value
}

function exportAll(): Exported[] {
  const out: Exported[] = []
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort()) {
    const loaded = loadProfile(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')))
    if (!loaded.ok) throw new Error(`${file}: ${loaded.issues.map((i) => i.message).join('\n')}`)
    for (const name of configurationNames(loaded.profile)) {
      const cfg = resolveConfiguration(loaded.profile, name)
      const where = `${file} ${name}`
      const texts: Record<string, string> = {
        cmdline: text(exportCmdline(cfg), `${where} cmdline`),
        modprobe: text(exportModprobe(cfg), `${where} modprobe`),
      }
      for (const p of ['cpu-partitioning', 'realtime-virtual-host'] as const) {
        const r = exportTuned(cfg, p)
        // a configuration that isolates no CPU has no tuned variables file: the refusal says so
        if (!r.ok) expect(r.errors[0]!.message, where).toMatch(/isolates no CPUs — set nohz_full=/)
        texts[`tuned ${p}`] = r.ok ? r.value : '(none: isolates no CPUs)'
      }
      for (const vm of cfg.vms) {
        texts[`libvirt ${vm.name}`] = text(exportLibvirt(cfg, { vm: vm.name }), `${where} libvirt`)
        texts[`qemu ${vm.name}`] = text(exportQemu(cfg, { vm: vm.name }), `${where} qemu`)
        texts[`guest ${vm.name}`] = text(exportGuestCmdline(cfg, { vm: vm.name }), `${where} guest cmdline`)
      }
      out.push({ cfg, example: file, texts })
    }
  }
  return out
}

const all = exportAll()

/** The settings some export writes: the host's command line and KVM parameters, each VM's deployable fields. */
function exportedSettings(cfg: ResolvedConfiguration): unknown {
  const vendor = CPU_FEATURES[cfg.host.cpu].vendor
  const kvmParams = KVM_PARAMS.filter((p) => p.vendor === undefined || p.vendor === vendor).map((p) => [`${p.module}.${p.name}`, p.get(cfg.host.kvm)])
  return {
    cmdline: cfg.host.kernel.cmdline,
    kvm: kvmParams,
    vms: cfg.vms.map((vm) => ({
      name: vm.name, vcpus: vm.vcpus, guestTopology: vm.guestTopology, pinning: vm.pinning, io: vm.io,
      // QEMU and libvirt can only disable all four idle exits at once (-overcommit cpu-pm=on): a partial
      // set is not written, and the export warns (checked below)
      kvm: { cpuPm: vm.kvm.disableExits.mwait && vm.kvm.disableExits.hlt && vm.kvm.disableExits.pause && vm.kvm.disableExits.cstate, exposeMwait: vm.kvm.exposeMwait, hintDedicated: vm.kvm.hintDedicated, x2apic: vm.kvm.x2apic, pitReinject: vm.kvm.pitReinject, pv: vm.kvm.pv },
      guest: { idlePoll: vm.guest.idlePoll, nopvspin: vm.guest.nopvspin, tickMode: vm.guest.tickMode, haltpoll: vm.guest.haltpoll },
    })),
  }
}

/** What gets deployed: every export's text without its comment lines (which name the configuration). */
const deployed = (e: Exported): string => Object.entries(e.texts).map(([k, t]) => `${k}\n${t.split('\n').filter((l) => !l.startsWith('#')).join('\n')}`).join('\n')

describe('every configuration of every example exports to every format', () => {
  it('exports them all (cmdline, modprobe, tuned, and per VM libvirt, QEMU and the guest command line)', () => {
    expect(all.length).toBeGreaterThan(20)
    const examples = new Set(all.map((e) => e.example))
    expect(examples.size).toBe(readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).length)
  })

  it('no two configurations that differ in an exported setting export the same', () => {
    const byText = new Map<string, Exported>()
    let compared = 0
    for (const e of all) {
      const key = deployed(e)
      const seen = byText.get(key)
      if (seen) {
        compared++
        expect(exportedSettings(e.cfg), `${e.example} ${e.cfg.name} exports the same as ${seen.example} ${seen.cfg.name}`).toEqual(exportedSettings(seen.cfg))
      } else byText.set(key, e)
    }
    // the amd-avic configurations that differ only in PIT re-injection, the APIC mode or MWAIT exposure now differ
    const avic = all.filter((e) => e.example === 'amd-avic.json')
    expect(new Set(avic.map(deployed)).size).toBe(new Set(avic.map((e) => JSON.stringify(exportedSettings(e.cfg)))).size)
    expect(compared).toBeLessThan(all.length)
  })

  it('a configuration with only some idle exits disabled (not expressible) gets a warning from libvirt and QEMU', () => {
    let partial = 0
    for (const e of all) {
      for (const vm of e.cfg.vms) {
        const d = vm.kvm.disableExits
        const n = [d.mwait, d.hlt, d.pause, d.cstate].filter(Boolean).length
        if (n === 0 || n === 4) continue
        partial++
        for (const r of [exportLibvirt(e.cfg, { vm: vm.name }), exportQemu(e.cfg, { vm: vm.name })]) {
          expect(r.ok && r.warnings.join('\n'), `${e.example} ${e.cfg.name}`).toMatch(/only some of MWAIT\/HLT\/PAUSE\/CSTATE exits are disabled/)
        }
      }
    }
    expect(partial).toBeGreaterThan(0)
  })

  it('every libvirt document passes libvirt\'s virt-xml-validate', () => {
    const bin = ['/usr/bin/virt-xml-validate', '/usr/local/bin/virt-xml-validate'].find((p) => existsSync(p))
    if (!bin) throw new Error('virt-xml-validate is not installed — install Debian\'s libvirt-clients and libxml2-utils')
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-every-libvirt-'))
    try {
      let n = 0
      for (const e of all) {
        for (const [k, xml] of Object.entries(e.texts)) {
          if (!k.startsWith('libvirt ')) continue
          const file = join(dir, `d${n++}.xml`)
          writeFileSync(file, xml)
          const r = spawnSync(bin, [file, 'domain'], { encoding: 'utf8' })
          expect(r.status, `${e.example} ${e.cfg.name} ${k}: ${r.stdout}${r.stderr}\n${xml}`).toBe(0)
        }
      }
      expect(n).toBeGreaterThan(20)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 300_000)

  it('every tuned variables file reads as tuned reads it: key=value lines, isolated_cores a cpulist', () => {
    for (const e of all) {
      for (const [k, t] of Object.entries(e.texts)) {
        if (!k.startsWith('tuned ') || t.startsWith('(none')) continue
        const vars = new Map<string, string>()
        for (const line of t.split('\n')) {
          if (line === '' || line.startsWith('#')) continue
          const m = /^([a-z_]+)=(.*)$/.exec(line)
          expect(m, `${e.example} ${e.cfg.name} ${k}: ${line}`).not.toBeNull()
          vars.set(m![1]!, m![2]!)
        }
        const nrCpus = e.cfg.host.topology.sockets * e.cfg.host.topology.coresPerSocket * e.cfg.host.topology.threadsPerCore
        expect(parseCpuList(vars.get('isolated_cores') ?? '', { nrCpus }).ok, `${k} isolated_cores`).toBe(true)
        if (k.endsWith('realtime-virtual-host')) expect(vars.get('isolate_managed_irq')).toMatch(/^[YN]$/)
      }
    }
  })
})

const QEMU = '/usr/bin/qemu-system-x86_64'

describe('QEMU parses every generated command line', () => {
  // CI installs Debian's qemu-system-x86; on a machine without it this part cannot run, and says why.
  const reason = existsSync(QEMU) ? '' : ` — SKIPPED: ${QEMU} is not installed (apt-get install qemu-system-x86)`
  it.skipIf(!existsSync(QEMU))(`qemu-system-x86_64 accepts each -smp, -cpu (with every property), -overcommit and -global${reason}`, () => {
    let n = 0
    for (const e of all) {
      for (const [k, t] of Object.entries(e.texts)) {
        if (!k.startsWith('qemu ')) continue
        let args = t.replace(/ \\\n/g, ' ').trim().split(/\s+/)
        // What a test machine cannot give, and only that, is replaced: a tap device needs a host bridge
        // and /dev/vhost-net (QEMU's user network keeps the netdev id for the virtio-net device); an
        // assigned VF needs the device; KVM may be missing or nested (a nested KVM can refuse host MSRs),
        // so TCG runs the "max" CPU model, which has every property "host" has.
        args = args.join(' ').replace(/-netdev tap,id=net0,vhost=on/, '-netdev user,id=net0').replace(/-device vfio-pci,host=\S+/, '').trim().split(/\s+/)
        args = args.map((a) => a.replace(/^host,/, 'max,')).map((a) => (a === 'kvm' ? 'tcg' : a))
        const full = [...args, '-machine', 'pc', '-nodefaults', '-display', 'none', '-m', '128', '-S', '-monitor', 'stdio']
        const r = spawnSync(QEMU, full, { input: 'quit\n', encoding: 'utf8', timeout: 60_000 })
        const errors = r.stderr.split('\n').filter((l) => l !== '' && !/warning:/.test(l))
        expect(r.status, `${e.example} ${e.cfg.name} ${k}: qemu-system-x86_64 ${full.join(' ')}\n${r.stderr}`).toBe(0)
        expect(errors, `${k}: ${r.stderr}`).toEqual([])
        n++
      }
    }
    expect(n).toBeGreaterThan(20)
  }, 600_000)
})
