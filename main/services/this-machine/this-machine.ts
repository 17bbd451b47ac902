// "Start from this machine": reads the machine the host process runs on — CPUs, caches and NUMA nodes
// (sysfs), the CPU model (/proc/cpuinfo → the nearest preset), the kernel release and CONFIG_HZ, the kernel
// command line, the KVM module parameters and the running VMs' pinning (libvirt) — into a profile draft,
// with what was read and what was not, and why. `root` points the reads at a fixture tree in tests.
import { hostname as osHostname, release as osRelease } from 'node:os'
import type { ThisMachineResult } from '../../../core/api/protocol.ts'
import { importCmdline, splitCmdline } from '../../../core/formats/cmdline.ts'
import { importLscpu } from '../../../core/formats/lscpu.ts'
import { CPU_FEATURES } from '../../../core/costs/cpu-presets.ts'
import { PROFILE_SCHEMA_VERSION } from '../../../core/profile/profile-schema.ts'
import type { CpuPreset, Host } from '../../../core/profile/profile-schema.ts'
import { buildHostTopology } from '../../../core/topology/host-topology.ts'
import type { HostTopologySpec } from '../../../core/topology/host-topology.ts'
import { deriveHousekeeping } from '../../../core/topology/housekeeping.ts'
import type { HousekeepingSets } from '../../../core/topology/housekeeping.ts'
import { formatCpuList } from '../../../core/topology/cpulist.ts'
import { MachineFs } from './machine-fs.ts'
import { readCpuTopology, lscpuText } from './cpu-topology.ts'
import { nearestPreset, parseCpuinfo } from './cpu-model.ts'
import { benchNumbering, toBenchList } from './cpu-numbering.ts'
import type { CpuNumbering } from './cpu-numbering.ts'
import { readKvmModules } from './kvm-modules.ts'
import { readLibvirtDomains } from './libvirt-domains.ts'
import { isolation, placeStarterVm } from './starter-vm.ts'

export interface ThisMachineOptions {
  /** Where the machine's /sys, /proc, /boot, /etc and /run are; default "/". */
  root?: string
  /** Add a starter VM with this many vCPUs. */
  vcpus?: number
}

type Report = ThisMachineResult['report']
const HZ_VALUES = [100, 250, 300, 1000]

function readCpuModel(fs: MachineFs, report: Report): CpuPreset {
  const r = fs.read('proc/cpuinfo')
  const m = r.ok ? parseCpuinfo(r.text) : undefined
  if (!m) {
    report.notRead.push({ item: 'CPU model', reason: `${fs.shown('/proc/cpuinfo')}: ${r.ok ? 'no vendor_id (not an x86 CPU)' : r.reason}` })
    report.preset = { name: 'skylake-sp', reason: 'the CPU model was not read: Skylake-SP, the default preset' }
    return 'skylake-sp'
  }
  const id = [m.vendor, m.family !== undefined ? `family ${m.family}` : '', m.model !== undefined ? `model ${m.model}` : '', m.stepping !== undefined ? `stepping ${m.stepping}` : ''].filter(Boolean).join(', ')
  report.read.push({ item: 'CPU model', value: `${m.modelName || '(no model name)'} (${id})` })
  if (m.flags.has('hypervisor')) report.read.push({ item: 'virtualization', value: 'this machine is itself a virtual machine (the "hypervisor" CPU flag is set): its CPUs are vCPUs of another host' })
  const virt = m.vendor === 'GenuineIntel' ? 'vmx' : 'svm'
  if (!m.flags.has(virt)) report.notRead.push({ item: 'hardware virtualization', reason: `no "${virt}" CPU flag — KVM cannot run guests here: not a KVM host` })
  const choice = nearestPreset(m)
  report.preset = { name: choice.preset, reason: `${CPU_FEATURES[choice.preset].label}${choice.exact ? '' : ' (nearest)'}: ${choice.reason}` }
  return choice.preset
}

function readTopology(fs: MachineFs, report: Report): { spec?: HostTopologySpec; numbering?: CpuNumbering; nrCpus: number } {
  const t = readCpuTopology(fs)
  report.notRead.push(...t.notRead)
  if (!t.rows.length) return { nrCpus: t.nrCpuIds }
  const imp = importLscpu(lscpuText(t.rows))
  const spec = imp.ok ? imp.value.host?.topology : undefined
  const caches = t.caches.map((c) => `${c.name} ×${c.instances}${c.sharedBy > 1 ? ` (each shared by ${c.sharedBy} CPUs)` : ''}`).join(', ')
  if (!spec) {
    const why = imp.ok ? imp.warnings.join('; ') : imp.errors.map((e) => e.message).join('; ')
    report.notRead.push({ item: 'host topology', reason: `${t.rows.length} online CPUs in no regular sockets × cores × threads layout (${why}) — the profile keeps the default topology` })
    return { nrCpus: t.nrCpuIds }
  }
  report.read.push({ item: 'CPUs', value: `${t.rows.length} online (${formatCpuList(t.online)}): ${spec.sockets} socket${spec.sockets > 1 ? 's' : ''} × ${spec.coresPerSocket} cores × ${spec.threadsPerCore} thread${spec.threadsPerCore > 1 ? 's' : ''}, ${t.nodes} NUMA node${t.nodes > 1 ? 's' : ''}, ${(spec.llcPerSocket ?? 1) * spec.sockets} ${t.llc || 'last-level cache'} group${(spec.llcPerSocket ?? 1) * spec.sockets > 1 ? 's' : ''}` })
  if (caches) report.read.push({ item: 'caches', value: caches })
  const numbering = benchNumbering(t.rows, spec)
  if (numbering && !numbering.identity) {
    const moved = numbering.toBench.map((b, c) => [c, b] as const).filter(([c, b]) => c !== b).slice(0, 3).map(([c, b]) => `${c} → ${b}`).join(', ')
    report.read.push({ item: 'CPU numbering', value: `this machine numbers its CPUs differently from the bench (first threads of all cores, socket by socket, then their siblings): every cpulist read is translated (machine CPU ${moved}, …)` })
  }
  if (numbering?.mismatch) report.notRead.push({ item: 'NUMA and cache layout', reason: `${numbering.mismatch} — the profile's regular layout differs here` })
  return { spec, ...(numbering ? { numbering } : {}), nrCpus: t.nrCpuIds }
}

function readKernel(fs: MachineFs, report: Report, isRealRoot: boolean): { version?: string; hz?: number } {
  const release = fs.line('proc/sys/kernel/osrelease') ?? (isRealRoot ? osRelease() : undefined)
  if (!release) { report.notRead.push({ item: 'kernel release', reason: `${fs.shown('/proc/sys/kernel/osrelease')}: missing` }); return {} }
  const version = /^(\d+\.\d+(?:\.\d+)?)/.exec(release)?.[1]
  if (version) report.read.push({ item: 'kernel (uname -r)', value: `${release}${version !== release ? ` → version ${version}` : ''}` })
  else report.notRead.push({ item: 'kernel release', reason: `"${release}" is not a version` })
  const config = fs.read(`boot/config-${release}`)
  const hz = config.ok ? Number(/^CONFIG_HZ=(\d+)$/m.exec(config.text)?.[1]) : NaN
  if (HZ_VALUES.includes(hz)) report.read.push({ item: 'CONFIG_HZ', value: `${hz} (${fs.shown(`/boot/config-${release}`)})` })
  else report.notRead.push({ item: 'CONFIG_HZ', reason: `${fs.shown(`/boot/config-${release}`)}: ${config.ok ? 'no CONFIG_HZ line' : config.reason} — HZ left at 1000` })
  return { ...(version ? { version } : {}), ...(HZ_VALUES.includes(hz) ? { hz } : {}) }
}

export function readThisMachine(o: ThisMachineOptions = {}): ThisMachineResult {
  const root = o.root ?? '/'
  const fs = new MachineFs(root)
  const report: Report = { read: [], notRead: [], preset: { name: 'skylake-sp', reason: '' } }
  const cpu = readCpuModel(fs, report)
  const { spec, numbering, nrCpus } = readTopology(fs, report)
  const kernel = readKernel(fs, report, root === '/')
  const host: Record<string, unknown> = { cpu }
  if (spec) host.topology = spec
  const hostKernel: Record<string, unknown> = { ...(kernel.version ? { version: kernel.version } : {}), ...(kernel.hz ? { hz: kernel.hz } : {}) }
  host.kernel = hostKernel
  const hostVersion = kernel.version ?? '6.8'
  const benchCpus = spec ? spec.sockets * spec.coresPerSocket * spec.threadsPerCore : 0

  // the command line, its cpulists in bench numbers
  const onCmdline = new Set<string>()
  let cmdlineKvm: Record<string, unknown> = {}
  let hk: HousekeepingSets | undefined
  const cmd = fs.read('proc/cmdline')
  if (!cmd.ok) report.notRead.push({ item: '/proc/cmdline', reason: `${fs.shown('/proc/cmdline')}: ${cmd.reason}` })
  else {
    const text = cmd.text.replace(/\n+$/, '')
    const imp = importCmdline(text, nrCpus ? { nrCpus } : {})
    if (!imp.ok) report.notRead.push({ item: '/proc/cmdline', reason: imp.errors.map((e) => e.message).join('; ') })
    else {
      report.read.push({ item: '/proc/cmdline', value: text })
      const c = { ...imp.value.host.kernel.cmdline } as Record<string, unknown>
      const lists = (['nohzFull', 'isolcpus', 'rcuNocbs', 'irqaffinity'] as const).filter((k) => typeof c[k] === 'string' && c[k] !== '')
      for (const k of lists) {
        if (numbering) c[k] = toBenchList(c[k] as string, numbering, { flags: k === 'isolcpus' })
        else delete c[k]
      }
      if (!numbering && lists.length) report.notRead.push({ item: 'isolation cpulists', reason: `${lists.join(', ')}: left out — without the host topology their CPU numbers cannot be put in the bench's` })
      hostKernel.cmdline = c
      cmdlineKvm = (imp.value.host.kvm ?? {}) as Record<string, unknown>
      for (const t of splitCmdline(text)) onCmdline.add(t.key.replace(/-/g, '_'))
      if (imp.value.ignored.length) report.notRead.push({ item: 'command line tokens', reason: `not modelled: ${imp.value.ignored.join(' ')}` })
      if (benchCpus) {
        const l = c as Partial<Host['kernel']['cmdline']>
        const h = deriveHousekeeping({ kernelVersion: hostVersion, nrCpus: benchCpus, nohzFull: l.nohzFull, isolcpus: l.isolcpus, rcuNocbs: l.rcuNocbs, irqaffinity: l.irqaffinity })
        if (h.ok) hk = h.hk
      }
    }
  }

  const vendor = CPU_FEATURES[cpu].vendor
  const mods = readKvmModules(fs, { vendor, hostVersion, timerIsolated: hk?.enabled.timer ?? false, onCmdline })
  report.read.push(...mods.read)
  report.notRead.push(...mods.notRead)
  const kvm = { ...cmdlineKvm, ...mods.kvm, haltPoll: { ...(cmdlineKvm.haltPoll as object | undefined), ...mods.kvm.haltPoll } }
  if (!Object.keys(kvm.haltPoll).length) delete (kvm as Record<string, unknown>).haltPoll
  if (Object.keys(kvm).length) host.kvm = kvm

  const libvirt = readLibvirtDomains(fs, nrCpus || 8192, numbering)
  report.read.push(...libvirt.read)
  report.notRead.push(...libvirt.notRead)
  const vms = [...libvirt.vms]

  if (o.vcpus !== undefined) {
    if (!spec) report.notRead.push({ item: 'starter VM', reason: 'the host topology was not read, so its CPUs are not known' })
    else {
      const topo = buildHostTopology(spec)
      const placed = placeStarterVm(topo, isolation(topo, hk), o.vcpus, vms)
      if (placed.ok) { vms.push(placed.vm); report.read.push({ item: 'starter VM', value: placed.note }) }
      else report.notRead.push({ item: 'starter VM', reason: placed.reason })
    }
  }

  const name = fs.line('proc/sys/kernel/hostname') ?? (root === '/' ? osHostname() : 'this machine')
  const profile = {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    name: `${name}`.slice(0, 128),
    description: `Read from ${name} by kvmbench ("from this machine")${vms.length ? '' : ': add a VM before running it'}.`,
    host,
    vms,
    configurations: [{ name: 'base', description: 'This machine as read.', overrides: {} }],
  }
  return { profile, report }
}
