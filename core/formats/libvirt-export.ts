// A configuration's VM as a complete libvirt <domain type='kvm'>, accepted by libvirt's RNG
// (virt-xml-validate): <vcpu>, <cputune> pins, <features><kvm> and <pvspinlock>, <cpu
// mode='host-passthrough'> with <topology/> and the x2apic / monitor <feature>s, <clock><timer
// name='pit' tickpolicy='discard'/> when PIT re-injection is off, the network <interface> (hostdev for
// an SR-IOV VF), and `-overcommit cpu-pm=on` through <qemu:commandline> when every idle exit is disabled.
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { parseCpuList, formatCpuList } from '../topology/cpulist.ts'
import type { Vm } from '../profile/profile-schema.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import { ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'
import { escapeXml } from './xml.ts'

/** The cpuset pattern of libvirt's schemas/basictypes.rng. */
const LIBVIRT_CPUSET = /^([0-9]+(-[0-9]+)?|\^[0-9]+)(,([0-9]+(-[0-9]+)?|\^[0-9]+))*$/

export const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'

/** QEMU adds MONITOR to what KVM supports only with -overcommit cpu-pm=on (kvm_arch_get_supported_cpuid()). */
export const MONITOR_WITHOUT_CPU_PM = 'exposeMwait without -overcommit cpu-pm=on: QEMU offers MONITOR to a KVM guest only when MWAIT exits are disabled (kvm_arch_get_supported_cpuid()); on a stock QEMU the guest does not get it and QEMU warns "host doesn\'t support requested feature"'

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
  L.push("  <cpu mode='host-passthrough'>", `    <topology sockets='${t.sockets}' cores='${t.cores}' threads='${t.threads}'/>`)
  // QEMU's -cpu …,x2apic=off and monitor=on (target/i386/cpu.c feature names); libvirt passes them on
  if (!vm.kvm.x2apic) L.push("    <feature policy='disable' name='x2apic'/>")
  if (vm.kvm.exposeMwait) L.push("    <feature policy='require' name='monitor'/>")
  L.push('  </cpu>')
  if (vm.kvm.exposeMwait && !allOff) warnings.push(MONITOR_WITHOUT_CPU_PM)
  // QEMU's kvm-pit with lost_tick_policy=discard issues KVM_REINJECT_CONTROL (pit_reinject=0): kvm_pit_set_reinject(pit, false)
  if (!vm.kvm.pitReinject) L.push("  <clock offset='utc'>", "    <timer name='pit' tickpolicy='discard'/>", '  </clock>')
  L.push('  <devices>', `    <emulator>${escapeXml(opts.emulator ?? '/usr/bin/qemu-system-x86_64')}</emulator>`)
  if (vm.io === 'sriov-vf') {
    L.push("    <interface type='hostdev' managed='yes'>", '      <source>', `        <address type='pci' domain='0x0000' bus='0x00' slot='0x00' function='0x0'/>`, '      </source>', '    </interface>')
    warnings.push("io sriov-vf: <interface type='hostdev'> is written with the placeholder PCI address 0000:00:00.0 — put your VF's address there (`lspci -D | grep 'Virtual Function'`)")
  } else {
    L.push("    <interface type='network'>", "      <source network='default'/>", "      <model type='virtio'/>", "      <driver name='vhost'/>", '    </interface>')
  }
  L.push('  </devices>')
  if (allOff) L.push('  <qemu:commandline>', "    <qemu:arg value='-overcommit'/>", "    <qemu:arg value='cpu-pm=on'/>", '  </qemu:commandline>')
  L.push('</domain>')
  return ok(`${L.join('\n')}\n`, warnings)
}
