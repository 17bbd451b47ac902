// The QEMU command-line options of a configuration's VM (qemu-system-x86_64(1)): -smp with the guest
// topology, -overcommit cpu-pm=on when MWAIT, HLT, PAUSE and CSTATE exits are all disabled, -cpu host
// with the KVM PV feature flags, kvm-hint-dedicated, x2apic=off and monitor=on (the CPUID feature
// names of target/i386/cpu.c: QEMU has no "mwait" property, MONITOR/MWAIT is "monitor"), and
// -global kvm-pit.lost_tick_policy=discard when the in-kernel PIT does not re-inject lost ticks.
import { fieldError } from '../field-error.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import { ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'
import { MONITOR_WITHOUT_CPU_PM } from './libvirt-export.ts'

export function exportQemu(cfg: ResolvedConfiguration, opts: { vm?: string } = {}): FormatResult<string> {
  const vm = opts.vm === undefined ? cfg.vms[0] : cfg.vms.find((v) => v.name === opts.vm)
  if (!vm) return failed([fieldError('--vm', opts.vm ?? '', 'is not a VM of the configuration', `use one of ${cfg.vms.map((v) => v.name).join(', ')}`)])
  const warnings: string[] = []
  const t = vm.guestTopology
  const de = vm.kvm.disableExits
  const all = de.mwait && de.hlt && de.pause && de.cstate
  if (!all && (de.mwait || de.hlt || de.pause || de.cstate)) warnings.push('only some of MWAIT/HLT/PAUSE/CSTATE exits are disabled: QEMU has only -overcommit cpu-pm=on (all four); not written')
  const pv = vm.kvm.pv
  const onOff = (b: boolean): string => (b ? 'on' : 'off')
  const cpu = ['host', `kvm-hint-dedicated=${onOff(vm.kvm.hintDedicated)}`, `kvm-pv-unhalt=${onOff(pv.pvUnhalt)}`, `kvm-steal-time=${onOff(pv.stealTime)}`,
    `kvm-poll-control=${onOff(pv.pollControl)}`, `kvm-pv-ipi=${onOff(pv.pvIpi)}`, `kvm-pv-tlb-flush=${onOff(pv.pvTlbFlush)}`, `kvm-pv-sched-yield=${onOff(pv.pvSchedYield)}`]
  if (!vm.kvm.x2apic) cpu.push('x2apic=off')
  if (vm.kvm.exposeMwait) cpu.push('monitor=on')
  if (vm.kvm.exposeMwait && !all) warnings.push(MONITOR_WITHOUT_CPU_PM)
  const lines = ['-accel kvm', `-smp ${vm.vcpus},sockets=${t.sockets},cores=${t.cores},threads=${t.threads}`, `-cpu ${cpu.join(',')}`]
  if (all) lines.push('-overcommit cpu-pm=on')
  if (!vm.kvm.pitReinject) lines.push('-global kvm-pit.lost_tick_policy=discard')
  if (vm.io === 'vhost-net') lines.push('-netdev tap,id=net0,vhost=on', '-device virtio-net-pci,netdev=net0')
  else lines.push('-device vfio-pci,host=0000:00:00.0')
  if (vm.io === 'sriov-vf') warnings.push('io sriov-vf: -device vfio-pci is written with the placeholder address 0000:00:00.0 — put your VF\'s address there (`lspci -D | grep \'Virtual Function\'`)')
  if (all && pv.pvUnhalt) warnings.push('with cpu-pm=on QEMU hides PV_UNHALT from the guest (HLT does not exit)')
  if (vm.kvm.hintDedicated && !vm.pinning.vcpupin.some((p) => p.trim() !== '')) warnings.push('kvm-hint-dedicated=on without vCPU pinning: pin each vCPU thread (taskset/libvirt <vcpupin>)')
  return ok(`${lines.join(' \\\n')}\n`, warnings)
}
