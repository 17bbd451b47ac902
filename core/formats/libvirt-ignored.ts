// What a libvirt domain says that the bench does not read, named by element: the settings that change
// how a real guest behaves (PMU, Hyper-V enlightenments, PV EOI, clock timers, NUMA, hugepages, memory,
// scheduling policies) each get their own warning with what it would change; the rest (identity, OS
// boot, disks, consoles, …) is listed in one warning. Nothing is ignored silently.
import { showValue } from '../field-error.ts'
import { childElements } from './xml.ts'
import type { XmlElement } from './xml.ts'

/** Elements libvirt-import.ts reads, as paths below <domain> (a read element's children are its own business). */
const READ = new Set([
  'name', 'vcpu', 'iothreads', 'cputune/vcpupin', 'cputune/emulatorpin', 'cputune/iothreadpin',
  'features/kvm/hint-dedicated', 'features/kvm/poll-control', 'features/kvm/pv-ipi', 'features/pvspinlock',
  'cpu/topology', 'devices/interface', 'devices/emulator', 'qemu:commandline',
])
/** Containers whose children are checked one by one. */
const CONTAINERS = new Set(['', 'cputune', 'features', 'features/kvm', 'cpu', 'clock', 'devices'])

/** Why an element that matters for a real host is not taken (path below <domain> → what it does). */
const MATTERS: Record<string, string> = {
  'memory': 'the guest memory size is not modelled',
  'currentMemory': 'the guest memory size is not modelled',
  'memoryBacking': 'hugepages and memory backing are not modelled (EPT/NPT faults are not simulated)',
  'numatune': 'NUMA memory placement is not modelled',
  'cpu/numa': 'guest NUMA cells are not modelled',
  'cpu/cache': 'the guest cache topology is not modelled',
  'features/pmu': 'the guest PMU (its counter MSR accesses and PMIs) is not modelled',
  'features/hyperv': 'Hyper-V enlightenments are not modelled (on a real host SynIC inhibits APICv/AVIC)',
  'features/kvm/hidden': 'hiding the KVM signature is not modelled',
  'features/kvm/dirty-ring': 'the dirty ring is not modelled',
  'features/ioapic': 'the IOAPIC mode is not modelled',
  'cputune/vcpusched': 'the vCPU threads\' real-time scheduling policy is not modelled',
  'cputune/emulatorsched': 'the emulator thread\'s scheduling policy is not modelled',
  'cputune/iothreadsched': 'the I/O threads\' scheduling policy is not modelled',
  'cputune/shares': 'CPU weights are not modelled',
  'cputune/period': 'CFS bandwidth limits are not modelled',
  'cputune/quota': 'CFS bandwidth limits are not modelled',
  'cputune/global_period': 'CFS bandwidth limits are not modelled',
  'cputune/global_quota': 'CFS bandwidth limits are not modelled',
  'cputune/emulator_period': 'CFS bandwidth limits are not modelled',
  'cputune/emulator_quota': 'CFS bandwidth limits are not modelled',
  'cputune/cachetune': 'cache allocation (RDT) is not modelled',
  'cputune/memorytune': 'memory bandwidth allocation is not modelled',
  'devices/hostdev': 'an assigned PCI device is not modelled (a NIC VF is read from <interface type=\'hostdev\'>)',
  'devices/memballoon': 'the balloon is not modelled',
}
/** Read by attribute only: <cpu><feature name='x2apic'|'monitor'>, <clock><timer name='pit'>. */
const READ_BY_NAME: Record<string, string[]> = { 'cpu/feature': ['x2apic', 'monitor'], 'clock/timer': ['pit'] }
const MAX_LISTED = 40

const tagOf = (path: string): string => path.split('/').map((p) => `<${p}>`).join('')

/** Pushes one warning per ignored element that matters, and one listing the other ignored elements. */
export function warnIgnored(dom: XmlElement, warnings: string[]): void {
  const others = new Map<string, number>()
  const walk = (el: XmlElement, path: string): void => {
    for (const c of childElements(el)) {
      const p = path === '' ? c.name : `${path}/${c.name}`
      if (READ.has(p)) continue
      if (CONTAINERS.has(p)) { walk(c, p); continue }
      const byName = READ_BY_NAME[p]
      if (byName && byName.includes(c.attrs.name ?? '')) continue
      if (p === 'clock/timer') { warnings.push(`<clock><timer name=${showValue(c.attrs.name ?? '')}>: this guest timer is not modelled (the guest ticks with its LAPIC timer); ignored`); continue }
      if (p === 'cpu/feature') { const k = `<cpu><feature name=${showValue(c.attrs.name ?? '', 24)}>`; others.set(k, (others.get(k) ?? 0) + 1); continue }
      if (p === 'features/apic' && c.attrs.eoi !== undefined) { warnings.push(`<features><apic eoi=${showValue(c.attrs.eoi)}>: PV EOI is not modelled; ignored`); continue }
      const why = MATTERS[p]
      if (why) { warnings.push(`${tagOf(p)}: ${why}; ignored`); continue }
      const key = tagOf(p.length > 80 ? `${p.slice(0, 80)}…` : p)
      others.set(key, (others.get(key) ?? 0) + 1)
    }
  }
  walk(dom, '')
  if (!others.size) return
  const list = [...others].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k))
  const shown = list.slice(0, MAX_LISTED).join(', ')
  warnings.push(`not modelled, ignored: ${shown}${list.length > MAX_LISTED ? ` and ${list.length - MAX_LISTED} more kinds of element` : ''}`)
}
