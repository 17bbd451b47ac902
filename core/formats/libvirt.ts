// libvirt domain XML: a VM's <vcpu>, <cputune> (vcpupin, emulatorpin, iothreadpin), <features>
// (<kvm><hint-dedicated/><poll-control/><pv-ipi/></kvm>, <pvspinlock>), <cpu mode><topology/></cpu>
// and `-overcommit cpu-pm=on` passed through <qemu:commandline> → the profile's VM fields; and a
// complete <domain type='kvm'> document for a configuration's VM.
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { parseCpuList, formatCpuList, MAX_NR_CPUS } from '../topology/cpulist.ts'
import type { Vm } from '../profile/profile-schema.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import { ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'
import { parseXml, childElements, firstChild, textOf, escapeXml } from './xml.ts'
import type { XmlElement } from './xml.ts'

/** The cpuset pattern of libvirt's schemas/basictypes.rng. */
const LIBVIRT_CPUSET = /^([0-9]+(-[0-9]+)?|\^[0-9]+)(,([0-9]+(-[0-9]+)?|\^[0-9]+))*$/

export const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'

/** The VM fields a domain XML carries (all optional: only what the document says). */
export interface LibvirtVmFragment {
  name?: string
  vcpus?: number
  guestTopology?: Vm['guestTopology']
  pinning?: Partial<Vm['pinning']>
  kvm?: {
    hintDedicated?: boolean
    disableExits?: Vm['kvm']['disableExits']
    pv?: Partial<Vm['kvm']['pv']>
  }
}

export interface LibvirtImportOptions {
  /** Host CPU count the cpusets are checked against (default 8192). */
  nrCpus?: number
}

const FIX = 'give the domain XML as `virsh dumpxml NAME` prints it'

function stateOf(el: XmlElement, where: string, errors: FieldError[]): boolean | undefined {
  const s = el.attrs.state
  if (s === undefined) return true // libvirt: a feature element without state is on (e.g. <pvspinlock/>)
  if (s === 'on') return true
  if (s === 'off') return false
  errors.push(fieldError(`${where} line ${el.line}:${el.col}`, s, 'state must be "on" or "off"', `write <${el.name} state='on'/>`))
  return undefined
}

export function importLibvirt(text: string, opts: LibvirtImportOptions = {}): FormatResult<LibvirtVmFragment> {
  const parsed = parseXml(text, 'libvirt XML')
  if (!parsed.ok) return failed([parsed.error])
  const dom = parsed.root
  const nrCpus = opts.nrCpus ?? MAX_NR_CPUS
  const errors: FieldError[] = []
  const warnings: string[] = []
  const at = (el: XmlElement): string => `<${el.name}> line ${el.line}:${el.col}`
  if (dom.name !== 'domain') return failed([fieldError(`libvirt XML ${at(dom)}`, dom.name, 'is not a <domain>', FIX)])
  if (dom.attrs.type !== undefined && dom.attrs.type !== 'kvm') warnings.push(`<domain type='${dom.attrs.type}'>: the bench models KVM guests`)
  const out: LibvirtVmFragment = {}

  const nameEl = firstChild(dom, 'name')
  if (nameEl) {
    const n = textOf(nameEl).trim()
    if (/^[A-Za-z0-9_.-]{1,64}$/.test(n)) out.name = n
    else {
      const safe = n.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'vm0'
      warnings.push(`<name> ${JSON.stringify(n)} has characters a profile VM name cannot have: using ${JSON.stringify(safe)}`)
      out.name = safe
    }
  }

  const cpuset = (value: string, field: string): string | undefined => {
    const r = parseCpuList(value, { nrCpus, allowExclusion: true, field })
    if (!r.ok) { errors.push(r.error); return undefined }
    if (!r.cpus.includes(1)) { errors.push(fieldError(field, value, 'selects no CPU', 'list at least one host CPU')); return undefined }
    return value
  }

  let defaultCpuset: string | undefined
  const vcpuEl = firstChild(dom, 'vcpu')
  if (vcpuEl) {
    const n = textOf(vcpuEl).trim()
    if (!/^\d{1,4}$/.test(n) || Number(n) < 1 || Number(n) > 1024) errors.push(fieldError(`libvirt XML ${at(vcpuEl)}`, n, 'is not a vCPU count from 1 to 1024', "write e.g. <vcpu placement='static'>4</vcpu>"))
    else out.vcpus = Number(n)
    if (vcpuEl.attrs.current !== undefined && vcpuEl.attrs.current !== n) warnings.push(`<vcpu current='${vcpuEl.attrs.current}'>: the bench runs all ${n} vCPUs`)
    if (vcpuEl.attrs.cpuset !== undefined) defaultCpuset = cpuset(vcpuEl.attrs.cpuset, `libvirt XML ${at(vcpuEl)} cpuset`)
    if (vcpuEl.attrs.placement === 'auto') warnings.push("<vcpu placement='auto'>: numad placement is not modelled; vCPUs without <vcpupin> float")
  }

  const pinning: Partial<Vm['pinning']> = {}
  const tune = firstChild(dom, 'cputune')
  const pins: string[] = []
  if (tune) {
    for (const p of childElements(tune, 'vcpupin')) {
      const v = p.attrs.vcpu
      const f = `libvirt XML ${at(p)}`
      if (v === undefined || !/^\d{1,4}$/.test(v)) { errors.push(fieldError(`${f} vcpu`, v ?? '', 'is not a vCPU number', "write <vcpupin vcpu='0' cpuset='2'/>")); continue }
      const idx = Number(v)
      if (out.vcpus !== undefined && idx >= out.vcpus) { errors.push(fieldError(`${f} vcpu`, v, `is not one of the domain's ${out.vcpus} vCPUs (0-${out.vcpus - 1})`, 'remove the <vcpupin> or raise <vcpu>')); continue }
      if (pins[idx] !== undefined) { errors.push(fieldError(`${f} vcpu`, v, 'is pinned twice', 'keep one <vcpupin> per vCPU')); continue }
      if (p.attrs.cpuset === undefined) { errors.push(fieldError(`${f} cpuset`, '', 'is missing', "write <vcpupin vcpu='0' cpuset='2'/>")); continue }
      const c = cpuset(p.attrs.cpuset, `${f} cpuset`)
      if (c !== undefined) pins[idx] = c
    }
    const em = firstChild(tune, 'emulatorpin')
    if (em) {
      if (em.attrs.cpuset === undefined) errors.push(fieldError(`libvirt XML ${at(em)} cpuset`, '', 'is missing', "write <emulatorpin cpuset='0-1'/>"))
      else {
        const c = cpuset(em.attrs.cpuset, `libvirt XML ${at(em)} cpuset`)
        if (c !== undefined) pinning.emulatorpin = c
      }
    }
    const io = childElements(tune, 'iothreadpin')
    const sets = new Set<string>()
    for (const p of io) {
      if (p.attrs.cpuset === undefined) { errors.push(fieldError(`libvirt XML ${at(p)} cpuset`, '', 'is missing', "write <iothreadpin iothread='1' cpuset='1'/>")); continue }
      const c = cpuset(p.attrs.cpuset, `libvirt XML ${at(p)} cpuset`)
      if (c !== undefined) sets.add(c)
    }
    if (sets.size) pinning.iothreadpin = [...sets][0]!
    if (sets.size > 1) warnings.push(`${sets.size} <iothreadpin> sets: the bench models one I/O thread and uses the first (${[...sets][0]})`)
    for (const k of ['vcpusched', 'emulatorsched', 'iothreadsched', 'shares', 'period', 'quota']) if (firstChild(tune, k)) warnings.push(`<cputune><${k}>: not modelled; ignored`)
  }
  const count = out.vcpus ?? pins.length
  if (defaultCpuset !== undefined || pins.length) {
    const list: string[] = []
    for (let i = 0; i < count; i++) list.push(pins[i] ?? defaultCpuset ?? '')
    while (list.length && list[list.length - 1] === '') list.pop()
    pinning.vcpupin = list
  }
  if (defaultCpuset !== undefined && pinning.emulatorpin === undefined) pinning.emulatorpin = defaultCpuset
  if (Object.keys(pinning).length) out.pinning = pinning

  const features = firstChild(dom, 'features')
  const kvm: NonNullable<LibvirtVmFragment['kvm']> = {}
  const pv: Partial<Vm['kvm']['pv']> = {}
  if (features) {
    const k = firstChild(features, 'kvm')
    if (k) {
      for (const el of childElements(k)) {
        const s = stateOf(el, 'libvirt XML <features><kvm>', errors)
        if (s === undefined) continue
        if (el.name === 'hint-dedicated') kvm.hintDedicated = s
        else if (el.name === 'poll-control') pv.pollControl = s
        else if (el.name === 'pv-ipi') pv.pvIpi = s
        else warnings.push(`<features><kvm><${el.name}>: not modelled; ignored`)
      }
    }
    const spin = firstChild(features, 'pvspinlock')
    if (spin) {
      const s = stateOf(spin, 'libvirt XML <features>', errors)
      if (s !== undefined) pv.pvUnhalt = s
    }
  }

  const cpu = firstChild(dom, 'cpu')
  if (cpu) {
    const mode = cpu.attrs.mode ?? 'custom'
    if (mode !== 'host-passthrough' && kvm.hintDedicated) warnings.push(`<cpu mode='${mode}'> with hint-dedicated: libvirt requires host-passthrough for <hint-dedicated state='on'/>`)
    const topo = firstChild(cpu, 'topology')
    if (topo) {
      const num = (k: string, max: number): number | undefined => {
        const v = topo.attrs[k]
        if (v === undefined) return k === 'dies' || k === 'clusters' ? 1 : undefined
        if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > max) { errors.push(fieldError(`libvirt XML ${at(topo)} ${k}`, v, `is not a whole number from 1 to ${max}`, "write <topology sockets='1' cores='4' threads='1'/>")); return undefined }
        return Number(v)
      }
      const sockets = num('sockets', 1024)
      const cores = num('cores', 1024)
      const threads = num('threads', 4)
      const dies = num('dies', 1024) ?? 1
      const clusters = num('clusters', 1024) ?? 1
      if (sockets !== undefined && cores !== undefined && threads !== undefined) {
        out.guestTopology = { sockets: sockets * dies * clusters, cores, threads }
        if (dies * clusters > 1) warnings.push(`<topology dies='${dies}' clusters='${clusters}'>: the profile has no dies/clusters; sockets × dies × clusters = ${sockets * dies * clusters} sockets`)
        const product = sockets * dies * clusters * cores * threads
        if (out.vcpus !== undefined && product !== out.vcpus) warnings.push(`<topology> gives ${product} vCPUs but <vcpu> is ${out.vcpus}; libvirt refuses this`)
      } else if (!errors.length) errors.push(fieldError(`libvirt XML ${at(topo)}`, '', 'needs sockets, cores and threads', "write <topology sockets='1' cores='4' threads='1'/>"))
    }
  }

  // -overcommit cpu-pm=on through <qemu:commandline>: libvirt has no element for it.
  const cmd = childElements(dom).find((e) => e.name.endsWith(':commandline'))
  if (cmd) {
    const args = childElements(cmd).filter((e) => e.name.endsWith(':arg')).map((e) => e.attrs.value ?? '')
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!
      const v = a === '-overcommit' ? args[i + 1] ?? '' : a.startsWith('-overcommit=') ? a.slice(12) : null
      if (v === null) continue
      if (/(^|,)cpu-pm=on(,|$)/.test(v)) kvm.disableExits = { mwait: true, hlt: true, pause: true, cstate: true }
      else if (/(^|,)cpu-pm=off(,|$)/.test(v)) kvm.disableExits = { mwait: false, hlt: false, pause: false, cstate: false }
    }
  }
  if (Object.keys(pv).length) kvm.pv = pv
  if (Object.keys(kvm).length) out.kvm = kvm
  if (errors.length) return failed(errors)
  return ok(out, warnings)
}

export interface LibvirtExportOptions {
  /** Which VM of the configuration (default: the first). */
  vm?: string
  /** <memory> in MiB (the profile does not model memory); default 4096. */
  memoryMiB?: number
  emulator?: string
}

/** A complete <domain type='kvm'> for one VM of a configuration, accepted by libvirt's RNG (virt-xml-validate). */
export function exportLibvirt(cfg: ResolvedConfiguration, opts: LibvirtExportOptions = {}): FormatResult<string> {
  const vm = opts.vm === undefined ? cfg.vms[0] : cfg.vms.find((v) => v.name === opts.vm)
  if (!vm) return failed([fieldError('--vm', opts.vm ?? '', 'is not a VM of the configuration', `use one of ${cfg.vms.map((v) => v.name).join(', ')}`)])
  return vmToLibvirt(vm, cfg.host.topology.sockets * cfg.host.topology.coresPerSocket * cfg.host.topology.threadsPerCore, opts)
}

export function vmToLibvirt(vm: Vm, nrCpus: number, opts: LibvirtExportOptions = {}): FormatResult<string> {
  const errors: FieldError[] = []
  const warnings: string[] = []
  // libvirt's RNG cpuset: "N", "A-B" and "^N" only — kernel forms ("N", "all", groups, "^A-B") are rewritten.
  const check = (v: string, field: string): string => {
    if (v.trim() === '') return ''
    const r = parseCpuList(v, { nrCpus, allowExclusion: true, field })
    if (!r.ok) { errors.push(r.error); return '' }
    if (LIBVIRT_CPUSET.test(v)) return v
    const canonical = formatCpuList(r.cpus)
    if (canonical === '') { errors.push(fieldError(field, v, 'selects no CPU', 'list at least one host CPU')); return '' }
    warnings.push(`${field} "${v}" is not in libvirt's cpuset syntax: written as "${canonical}"`)
    return canonical
  }
  const pinning = {
    vcpupin: vm.pinning.vcpupin.map((p, i) => check(p, `vms.${vm.name}.pinning.vcpupin[${i}]`)),
    emulatorpin: check(vm.pinning.emulatorpin, `vms.${vm.name}.pinning.emulatorpin`),
    iothreadpin: check(vm.pinning.iothreadpin, `vms.${vm.name}.pinning.iothreadpin`),
  }
  if (vm.pinning.vcpupin.length > vm.vcpus) errors.push(fieldError(`vms.${vm.name}.pinning.vcpupin`, `[${vm.pinning.vcpupin.length} entries]`, `pins more vCPUs than the VM's ${vm.vcpus}`, 'remove the extra entries'))
  if (errors.length) return failed(errors)
  const q = (s: string): string => `'${escapeXml(s)}'`
  const de = vm.kvm.disableExits
  const allOff = de.mwait && de.hlt && de.pause && de.cstate
  const someOff = de.mwait || de.hlt || de.pause || de.cstate
  if (someOff && !allOff) warnings.push('only some of MWAIT/HLT/PAUSE/CSTATE exits are disabled: QEMU can only disable all of them (-overcommit cpu-pm=on); not written')
  const pv = vm.kvm.pv
  for (const [k, prop] of [['stealTime', 'kvm-steal-time'], ['pvTlbFlush', 'kvm-pv-tlb-flush'], ['pvSchedYield', 'kvm-pv-sched-yield']] as const) {
    if (!pv[k]) warnings.push(`pv.${k} off: libvirt XML has no element for ${prop}; use the QEMU options export (-cpu host,${prop}=off)`)
  }
  const t = vm.guestTopology
  if (t.sockets * t.cores * t.threads !== vm.vcpus) warnings.push(`guestTopology ${t.sockets}×${t.cores}×${t.threads} = ${t.sockets * t.cores * t.threads} is not the ${vm.vcpus} vCPUs: libvirt refuses to define this domain`)
  const L: string[] = []
  L.push(allOff ? `<domain type='kvm' xmlns:qemu=${q(QEMU_NS)}>` : "<domain type='kvm'>")
  L.push(`  <name>${escapeXml(vm.name)}</name>`)
  L.push(`  <memory unit='MiB'>${opts.memoryMiB ?? 4096}</memory>`)
  L.push(`  <vcpu placement='static'>${vm.vcpus}</vcpu>`)
  const io = pinning.iothreadpin !== ''
  if (io) L.push('  <iothreads>1</iothreads>')
  const tune: string[] = []
  pinning.vcpupin.forEach((p, i) => { if (p !== '') tune.push(`    <vcpupin vcpu='${i}' cpuset=${q(p)}/>`) })
  if (pinning.emulatorpin !== '') tune.push(`    <emulatorpin cpuset=${q(pinning.emulatorpin)}/>`)
  if (io) tune.push(`    <iothreadpin iothread='1' cpuset=${q(pinning.iothreadpin)}/>`)
  if (tune.length) L.push('  <cputune>', ...tune, '  </cputune>')
  L.push('  <os>', "    <type arch='x86_64'>hvm</type>", '  </os>')
  const st = (b: boolean): string => (b ? 'on' : 'off')
  L.push('  <features>', '    <acpi/>', '    <apic/>', '    <kvm>')
  L.push(`      <hint-dedicated state='${st(vm.kvm.hintDedicated)}'/>`)
  L.push(`      <poll-control state='${st(pv.pollControl)}'/>`)
  L.push(`      <pv-ipi state='${st(pv.pvIpi)}'/>`)
  L.push('    </kvm>', `    <pvspinlock state='${st(pv.pvUnhalt)}'/>`, '  </features>')
  L.push("  <cpu mode='host-passthrough'>", `    <topology sockets='${t.sockets}' cores='${t.cores}' threads='${t.threads}'/>`, '  </cpu>')
  L.push('  <devices>', `    <emulator>${escapeXml(opts.emulator ?? '/usr/bin/qemu-system-x86_64')}</emulator>`)
  L.push("    <interface type='network'>", "      <source network='default'/>", "      <model type='virtio'/>")
  if (vm.io === 'vhost-net') L.push("      <driver name='vhost'/>")
  L.push('    </interface>', '  </devices>')
  if (vm.io === 'sriov-vf') warnings.push('io sriov-vf: add the VF as <interface type=\'hostdev\'> for your host; a virtio interface is written')
  if (allOff) L.push('  <qemu:commandline>', "    <qemu:arg value='-overcommit'/>", "    <qemu:arg value='cpu-pm=on'/>", '  </qemu:commandline>')
  L.push('</domain>')
  return ok(`${L.join('\n')}\n`, warnings)
}
