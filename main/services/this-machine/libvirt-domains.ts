// The running VMs' vCPU pinning from libvirt's XML: /run/libvirt/qemu/NAME.xml is the status file of each
// running QEMU domain (a <domstatus> holding the live <domain>), /etc/libvirt/qemu/NAME.xml the persistent
// definition, read when the status file is not readable. Each <domain> goes through the libvirt importer
// (core/formats/libvirt.ts); its cpusets are then put in bench CPU numbers.
import { importLibvirt } from '../../../core/formats/libvirt.ts'
import type { LibvirtVmFragment } from '../../../core/formats/libvirt.ts'
import type { CpuNumbering } from './cpu-numbering.ts'
import { toBenchList } from './cpu-numbering.ts'
import type { MachineFs } from './machine-fs.ts'

const RUN_DIR = 'run/libvirt/qemu'
const ETC_DIR = 'etc/libvirt/qemu'

export interface LibvirtRead {
  vms: Record<string, unknown>[]
  read: { item: string; value: string }[]
  notRead: { item: string; reason: string }[]
}

/** The <domain> element's text inside a <domstatus> status file (or the whole text when it is a domain). */
export function domainText(xml: string): string | undefined {
  const start = xml.search(/<domain[\s>]/)
  const end = xml.lastIndexOf('</domain>')
  if (start < 0 || end < start) return undefined
  return xml.slice(start, end + '</domain>'.length)
}

function xmlNames(fs: MachineFs, dir: string): { ok: true; names: string[] } | { ok: false; reason: string } {
  const l = fs.list(dir)
  return l.ok ? { ok: true, names: l.names.filter((n) => n.endsWith('.xml')).map((n) => n.slice(0, -4)) } : l
}

/** A profile VM from a domain's fragment, its cpusets in bench numbers (left out without a numbering:
 *  the host topology was not read). */
function vmOf(f: LibvirtVmFragment, name: string, numbering: CpuNumbering | undefined): Record<string, unknown> {
  const vcpus = f.vcpus ?? f.pinning?.vcpupin?.length ?? 1
  const vm: Record<string, unknown> = { name, vcpus, guestTopology: f.guestTopology ?? { sockets: 1, cores: vcpus, threads: 1 } }
  if (f.pinning && numbering) {
    const t = (s: string): string => (s !== '' ? toBenchList(s, numbering, { exclusion: true }) : s)
    const p: Record<string, unknown> = {}
    if (f.pinning.vcpupin) p.vcpupin = f.pinning.vcpupin.map(t)
    if (f.pinning.emulatorpin !== undefined) p.emulatorpin = t(f.pinning.emulatorpin)
    if (f.pinning.iothreadpin !== undefined) p.iothreadpin = t(f.pinning.iothreadpin)
    vm.pinning = p
  }
  if (f.kvm) vm.kvm = f.kvm
  return vm
}

export function readLibvirtDomains(fs: MachineFs, nrCpus: number, numbering: CpuNumbering | undefined): LibvirtRead {
  const out: LibvirtRead = { vms: [], read: [], notRead: [] }
  const running = xmlNames(fs, RUN_DIR)
  if (!running.ok) {
    const why = running.reason === 'missing' ? ' — libvirt runs no QEMU domain on this machine' : ''
    out.notRead.push({ item: 'running VMs (libvirt)', reason: `${fs.shown(RUN_DIR)}: ${running.reason}${why}` })
    return out
  }
  const defined = xmlNames(fs, ETC_DIR)
  const idle = defined.ok ? defined.names.filter((n) => !running.names.includes(n)) : []
  if (idle.length) out.notRead.push({ item: `libvirt domains ${idle.join(', ')}`, reason: 'defined but not running — left out' })
  if (!running.names.length) out.notRead.push({ item: 'running VMs (libvirt)', reason: `${fs.shown(RUN_DIR)}: no running domain` })
  const used = new Set<string>()
  for (const name of running.names) {
    let r = fs.read(`${RUN_DIR}/${name}.xml`)
    let from = `${RUN_DIR}/${name}.xml`
    if (!r.ok) {
      const live = r.reason
      r = fs.read(`${ETC_DIR}/${name}.xml`)
      if (!r.ok) { out.notRead.push({ item: `VM ${name}`, reason: `${fs.shown(from)}: ${live}; ${fs.shown(`${ETC_DIR}/${name}.xml`)}: ${r.reason}` }); continue }
      from = `${ETC_DIR}/${name}.xml`
    }
    const text = domainText(r.text)
    if (text === undefined) { out.notRead.push({ item: `VM ${name}`, reason: `${fs.shown(from)}: no <domain> element` }); continue }
    const imp = importLibvirt(text, { nrCpus })
    if (!imp.ok) { out.notRead.push({ item: `VM ${name}`, reason: `${fs.shown(from)}: ${imp.errors.map((e) => e.message).join('; ')}` }); continue }
    let vmName = imp.value.name ?? name
    for (let i = 2; used.has(vmName); i++) vmName = `${imp.value.name ?? name}-${i}`
    used.add(vmName)
    const vm = vmOf(imp.value, vmName, numbering)
    out.vms.push(vm)
    const pins = imp.value.pinning?.vcpupin?.filter((p) => p !== '').length ?? 0
    if (imp.value.pinning && !numbering) out.notRead.push({ item: `VM ${vmName} pinning`, reason: 'left out — without the host topology its CPU numbers cannot be put in the bench\'s' })
    out.read.push({ item: `VM ${vmName}`, value: `${String(vm.vcpus)} vCPUs, ${pins ? `${pins} pinned (vcpupin ${imp.value.pinning!.vcpupin!.join(' ')})` : 'floating'}${imp.value.pinning?.emulatorpin ? `, emulatorpin ${imp.value.pinning.emulatorpin}` : ''} — from ${fs.shown(from)}${imp.warnings.length ? ` (${imp.warnings.join('; ')})` : ''}` })
  }
  return out
}
