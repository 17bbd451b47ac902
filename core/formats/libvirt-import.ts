// libvirt domain XML → the profile's VM fields: <vcpu>, <cputune> (vcpupin, emulatorpin, iothreadpin),
// <features> (<kvm><hint-dedicated/><poll-control/><pv-ipi/></kvm>, <pvspinlock>), <cpu mode> with
// <topology/> and the x2apic and monitor <feature>s, <clock><timer name='pit' tickpolicy/>, the network
// <interface> type (hostdev = an SR-IOV VF), and `-overcommit cpu-pm=on` passed through
// <qemu:commandline>. Several <domain>s one after the other give one VM each. Everything else a domain
// says is named in a warning (libvirt-ignored.ts).
import { fieldError, showValue } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { parseCpuList, MAX_NR_CPUS } from '../topology/cpulist.ts'
import type { Vm } from '../profile/profile-schema.ts'
import { ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'
import { parseXmlDocuments, childElements, firstChild, textOf } from './xml.ts'
import type { XmlElement } from './xml.ts'
import { warnIgnored } from './libvirt-ignored.ts'

/** The VM fields a domain XML carries (all optional: only what the document says). */
export interface LibvirtVmFragment {
  name?: string
  vcpus?: number
  guestTopology?: Vm['guestTopology']
  pinning?: Partial<Vm['pinning']>
  io?: Vm['io']
  kvm?: {
    hintDedicated?: boolean
    disableExits?: Vm['kvm']['disableExits']
    exposeMwait?: boolean
    x2apic?: boolean
    pitReinject?: boolean
    pv?: Partial<Vm['kvm']['pv']>
  }
}

export interface LibvirtImportOptions {
  /** Host CPU count the cpusets are checked against (default 8192). */
  nrCpus?: number
}

/** Most domains one import reads (a `virsh dumpxml` of every guest of a host). */
export const MAX_DOMAINS = 256

const FIX = 'give the domain XML as `virsh dumpxml NAME` prints it'

function stateOf(el: XmlElement, where: string, errors: FieldError[]): boolean | undefined {
  const s = el.attrs.state
  if (s === undefined) return true // libvirt: a feature element without state is on (e.g. <pvspinlock/>)
  if (s === 'on') return true
  if (s === 'off') return false
  errors.push(fieldError(`${where} line ${el.line}:${el.col}`, s, 'state must be "on" or "off"', `write <${el.name} state='on'/>`))
  return undefined
}

/** Every <domain> of the text (one, or several written one after the other), one VM fragment each. */
export function importLibvirtDomains(text: string, opts: LibvirtImportOptions = {}): FormatResult<LibvirtVmFragment[]> {
  const parsed = parseXmlDocuments(text, 'libvirt XML')
  if (!parsed.ok) return failed([parsed.error])
  const nrCpus = opts.nrCpus ?? MAX_NR_CPUS
  const errors: FieldError[] = []
  const warnings: string[] = []
  const out: LibvirtVmFragment[] = []
  if (parsed.roots.length > MAX_DOMAINS) return failed([fieldError(`libvirt XML line ${parsed.roots[MAX_DOMAINS]!.line}`, `${parsed.roots.length} domains`, `has more than ${MAX_DOMAINS} domains`, 'import the domains of one profile')])
  const several = parsed.roots.length > 1
  for (const dom of parsed.roots) {
    if (dom.name !== 'domain') { errors.push(fieldError(`libvirt XML line ${dom.line}:${dom.col}`, `<${dom.name}>`, 'is not a <domain>', FIX)); continue }
    const w: string[] = []
    const vm = readDomain(dom, nrCpus, errors, w)
    const tag = several ? `domain ${vm.name ?? out.length} (line ${dom.line}): ` : ''
    for (const x of w) warnings.push(tag + x)
    out.push(vm)
  }
  if (errors.length) return failed(errors)
  const names = out.map((v) => v.name).filter((n): n is string => n !== undefined)
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup !== undefined) return failed([fieldError('libvirt XML <name>', dup, 'names two domains', 'give each domain its own <name>: each becomes one VM of the profile')])
  return ok(out, warnings)
}

/** One <domain>: the VM fields it sets. Several domains are refused here (use importLibvirtDomains). */
export function importLibvirt(text: string, opts: LibvirtImportOptions = {}): FormatResult<LibvirtVmFragment> {
  const r = importLibvirtDomains(text, opts)
  if (!r.ok) return r
  if (r.value.length > 1) return failed([fieldError('libvirt XML', `${r.value.length} domains`, `has ${r.value.length} <domain>s (${r.value.slice(0, 5).map((v) => v.name ?? '?').join(', ')}${r.value.length > 5 ? ', …' : ''}) where one VM takes one`, 'give one domain here, or import them all with `kvmbench import libvirt FILE` (one VM per domain)')])
  return ok(r.value[0]!, r.warnings)
}

/** One <domain> → the VM fields it sets; problems go to `errors`, things not modelled to `warnings`. */
function readDomain(dom: XmlElement, nrCpus: number, errors: FieldError[], warnings: string[]): LibvirtVmFragment {
  const at = (el: XmlElement): string => `<${el.name}> line ${el.line}:${el.col}`
  if (dom.attrs.type !== undefined && dom.attrs.type !== 'kvm') warnings.push(`<domain type=${showValue(dom.attrs.type)}>: the bench models KVM guests`)
  const out: LibvirtVmFragment = {}

  const nameEl = firstChild(dom, 'name')
  if (nameEl) {
    const n = textOf(nameEl).trim()
    if (/^[A-Za-z0-9_.-]{1,64}$/.test(n)) out.name = n
    else {
      const safe = n.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'vm0'
      warnings.push(`<name> ${showValue(n)} has characters a profile VM name cannot have, or is longer than 64: using ${JSON.stringify(safe)}`)
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
    if (vcpuEl.attrs.current !== undefined && vcpuEl.attrs.current !== n) warnings.push(`<vcpu current=${showValue(vcpuEl.attrs.current)}>: the bench runs all ${n} vCPUs`)
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
    if (sets.size > 1) warnings.push(`${sets.size} <iothreadpin> sets: the bench models one I/O thread and uses the first (${showValue([...sets][0]!)})`)
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
        if (!['hint-dedicated', 'poll-control', 'pv-ipi'].includes(el.name)) continue
        const s = stateOf(el, 'libvirt XML <features><kvm>', errors)
        if (s === undefined) continue
        if (el.name === 'hint-dedicated') kvm.hintDedicated = s
        else if (el.name === 'poll-control') pv.pollControl = s
        else if (el.name === 'pv-ipi') pv.pvIpi = s
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
    if (mode !== 'host-passthrough' && kvm.hintDedicated) warnings.push(`<cpu mode=${showValue(mode)}> with hint-dedicated: libvirt requires host-passthrough for <hint-dedicated state='on'/>`)
    readCpuFeatures(cpu, kvm, warnings)
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
    const read = new Set<number>()
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!
      const v = a === '-overcommit' ? args[i + 1] ?? '' : a.startsWith('-overcommit=') ? a.slice(12) : null
      if (v === null) continue
      if (/(^|,)cpu-pm=on(,|$)/.test(v)) kvm.disableExits = { mwait: true, hlt: true, pause: true, cstate: true }
      else if (/(^|,)cpu-pm=off(,|$)/.test(v)) kvm.disableExits = { mwait: false, hlt: false, pause: false, cstate: false }
      read.add(a === '-overcommit' ? i + 1 : i).add(i)
    }
    const rest = args.filter((_, i) => !read.has(i))
    if (rest.length) warnings.push(`<qemu:commandline>: ${rest.length} argument${rest.length > 1 ? 's' : ''} not read: ${rest.map((a) => showValue(a, 60)).join(' ')}`)
  }
  readDevices(dom, out, warnings)
  readClock(dom, kvm, warnings)
  if (Object.keys(pv).length) kvm.pv = pv
  if (Object.keys(kvm).length) out.kvm = kvm
  warnIgnored(dom, warnings)
  return out
}

/** <cpu><feature policy name='x2apic'|'monitor'>: x2APIC and MONITOR/MWAIT in the guest CPUID. */
function readCpuFeatures(cpu: XmlElement, kvm: NonNullable<LibvirtVmFragment['kvm']>, warnings: string[]): void {
  for (const f of childElements(cpu, 'feature')) {
    const name = f.attrs.name
    if (name !== 'x2apic' && name !== 'monitor') continue
    const policy = f.attrs.policy ?? 'require'
    // libvirt cpu policies: force/require = on, disable/forbid = off, optional = whatever the host has
    const on = policy === 'force' || policy === 'require' ? true : policy === 'disable' || policy === 'forbid' ? false : undefined
    if (on === undefined) { warnings.push(`<cpu><feature policy=${showValue(policy)} name='${name}'>: on or off depends on the host CPU; the profile default is kept`); continue }
    if (name === 'x2apic') kvm.x2apic = on
    else kvm.exposeMwait = on
  }
}

/** <clock><timer name='pit' tickpolicy='delay'|'discard'>: KVM PIT re-injection (QEMU kvm-pit lost_tick_policy). */
function readClock(dom: XmlElement, kvm: NonNullable<LibvirtVmFragment['kvm']>, warnings: string[]): void {
  const clock = firstChild(dom, 'clock')
  const pit = clock && childElements(clock, 'timer').find((t) => t.attrs.name === 'pit')
  if (!pit) return
  const policy = pit.attrs.tickpolicy
  if (pit.attrs.present === 'no') { warnings.push("<clock><timer name='pit' present='no'>: a guest without a PIT is not modelled; PIT re-injection is left at the default"); return }
  if (policy === 'discard') kvm.pitReinject = false
  else if (policy === 'delay') kvm.pitReinject = true
  else if (policy !== undefined) warnings.push(`<clock><timer name='pit' tickpolicy=${showValue(policy)}>: QEMU's kvm-pit takes delay or discard only; the default (delay: re-inject) is kept`)
}

/** The first network <interface>: type='hostdev' is an SR-IOV VF, the others a virtio-net path with vhost. */
function readDevices(dom: XmlElement, out: LibvirtVmFragment, warnings: string[]): void {
  const devices = firstChild(dom, 'devices')
  if (!devices) return
  const nics = childElements(devices, 'interface')
  if (!nics.length) return
  const io = (nic: XmlElement): Vm['io'] => (nic.attrs.type === 'hostdev' ? 'sriov-vf' : 'vhost-net')
  out.io = io(nics[0]!)
  const first = nics[0]!
  const driver = firstChild(first, 'driver')
  if (out.io === 'vhost-net' && driver?.attrs.name === 'qemu') warnings.push("<interface><driver name='qemu'>: virtio-net in QEMU's user space is not modelled; taken as vhost-net")
  if (nics.length > 1) {
    const kinds = [...new Set(nics.map(io))]
    warnings.push(`${nics.length} <interface>s: the bench models one network path and takes the first (${out.io}${kinds.length > 1 ? `; the others include ${kinds.filter((k) => k !== out.io).join(', ')}` : ''})`)
  }
}
