// A VM's guest IPI paths and, on AMD, its AVIC state, resolved once at setup: ipiSendPath() for a unicast
// (reschedule) send and for one send of a multicast (TLB shootdown), avicState() with its inhibits, the guest's PV IPI
// and PV TLB flush — as numbers for the model and as decisions in words.
import type { Host, Vm } from '../profile/profile-schema.ts'
import type { CpuFeatures } from '../costs/cpu-presets.ts'
import { CostId } from '../costs/cost-tables.ts'
import { ipiSendPath } from '../kvm/ipi.ts'
import type { IpiExit, IpiSendInputs, IpiSendPath } from '../kvm/ipi.ts'
import { avicState, avicParamDefault, avicRunningWhileHaltPolling, avicHaltPollDecision } from '../kvm/avic.ts'
import type { AmdCpu } from '../kvm/avic.ts'
import { pvTlbFlushSupported, pvIpiSupported } from '../guest/pv-tlb-flush.ts'
import { ExitReason } from '../output/exit-names.ts'
import type { Decision } from '../result.ts'
import type { VmSpec } from './model-inputs.ts'
import { backendOf } from '../kvm/backend.ts'
import { apicDriver, apicIdOf, x2apicClusterOf } from '../guest/x2apic.ts'
import { callFuncSingleIpi } from '../guest/csd-lock-wait.ts'

/** The VmSpec fields this resolves, and the decisions behind them. */
export type IpiSetup = Pick<VmSpec, 'postedInterrupts' | 'ipiVirtualization' | 'ipiUnicastExit' | 'ipiUnicastCost' | 'ipiMulticastExit' |
  'ipiMulticastCost' | 'ipiMulticastBatched' | 'ipiExitsIfTargetNotRunning' | 'avicRunningWhileHaltPolling' | 'ipiUnicastCause' | 'pvTlbFlush' |
  'ipiCluster' | 'apicCluster' | 'apicId' | 'callFuncSingleIpi'> & { decisions: Decision[] }

/** The model's exit reason and cost for an IpiSendPath. */
function exitOf(p: IpiSendPath): { exit: number; cost: number } {
  switch (p.exit) {
    case 'none': return { exit: -1, cost: CostId.exitMsrWriteIcr }
    case 'MSR_WRITE': case 'msr': return { exit: ExitReason.MSR_WRITE, cost: p.fastpath ? CostId.exitMsrWriteIcr : CostId.exitMsrWriteIcrSlow }
    case 'APIC_WRITE': return { exit: ExitReason.APIC_WRITE, cost: CostId.exitApicWriteIcr }
    case 'APIC_ACCESS': return { exit: ExitReason.APIC_ACCESS, cost: CostId.exitApicAccessIcr }
    case 'npf': return { exit: ExitReason.EPT_VIOLATION, cost: CostId.exitApicAccessIcr } // prints "npf" on SVM
    case 'VMCALL': case 'hypercall': return { exit: ExitReason.VMCALL, cost: CostId.exitVmcall }
    case 'avic_incomplete_ipi': return { exit: ExitReason.AVIC_INCOMPLETE_IPI, cost: CostId.exitAvicIncompleteIpi }
  }
}

/** The exit cause of a PV IPI hypercall (kvm_send_ipi_mask()) that is not a TLB shootdown's. */
export const PV_IPI_CAUSE = 'PV IPI hypercall (guest IPI)'

const CAUSE: Record<IpiExit, string> = {
  none: 'guest IPI',
  MSR_WRITE: 'x2APIC ICR write (guest IPI)',
  msr: 'x2APIC ICR write (guest IPI)',
  APIC_WRITE: 'xAPIC ICR write (guest IPI)',
  APIC_ACCESS: 'xAPIC ICR write (guest IPI)',
  npf: 'xAPIC ICR write (guest IPI)',
  VMCALL: PV_IPI_CAUSE,
  hypercall: PV_IPI_CAUSE,
  avic_incomplete_ipi: 'AVIC IPI to a vCPU not running (guest IPI)',
}

/** In words, the way an engineer would name the path. */
function label(p: IpiSendPath, gated: boolean): string {
  switch (p.exit) {
    case 'none': return 'no exit'
    case 'MSR_WRITE': case 'msr': return `x2APIC ICR write${p.fastpath ? ', fastpath' : ', full exit handler'}`
    case 'APIC_WRITE': return 'xAPIC ICR write, APIC_WRITE (trap-like)'
    case 'APIC_ACCESS': return 'xAPIC ICR write, APIC_ACCESS (emulated)'
    case 'npf': return 'xAPIC ICR write, npf (emulated)'
    case 'VMCALL': case 'hypercall': return 'PV IPI for multicasts (one hypercall)'
    case 'avic_incomplete_ipi': return gated ? 'AVIC, IsRunning (exit only to a vCPU not running)' : 'AVIC without IsRunning: avic_incomplete_ipi every time'
  }
}

function mirrorsOf(p: IpiSendPath, vendor: 'vmx' | 'svm'): string {
  switch (p.exit) {
    case 'none': return backendOf(vendor).ipiAccelMirrors
    case 'MSR_WRITE': case 'msr': return p.fastpath ? 'handle_fastpath_set_msr_irqoff() → kvm_x2apic_icr_write()' : 'kvm_emulate_wrmsr() → kvm_x2apic_icr_write()'
    case 'APIC_WRITE': return 'handle_apic_write() → kvm_apic_write_nodecode()'
    case 'APIC_ACCESS': case 'npf': return 'x86_emulate_instruction() → apic_mmio_write()'
    case 'VMCALL': case 'hypercall': return 'kvm_send_ipi_mask() (guest) → kvm_pv_send_ipi()'
    case 'avic_incomplete_ipi': return 'avic_incomplete_ipi_interception() → avic_kick_target_vcpus()'
  }
}

export function resolveIpi(host: Host, features: CpuFeatures, vm: Vm, guestMwait: boolean, hltExits = true): IpiSetup {
  const hostVersion = host.kernel.version
  const guestVersion = vm.guest.kernelVersion
  const vendor = features.vendor
  const apicIds = Array.from({ length: vm.vcpus }, (_, i) => apicIdOf(i, vm.guestTopology))
  const apic = apicDriver({ x2apic: vm.kvm.x2apic, interruptRemapping: vm.kvm.interruptRemapping, x2apicPhysParam: vm.guest.x2apicPhys, guestVersion, maxApicId: Math.max(...apicIds) })
  const apicMode = apic.driver === 'xapic' ? 'xapic' as const : 'x2apic' as const
  // x2apic_cluster sends even a single-target IPI in logical mode (x2apic_send_IPI())
  const destMode = apic.driver === 'x2apic_cluster' ? 'logical' as const : 'physical' as const
  const pvIpi = pvIpiSupported({ pvIpi: vm.kvm.pv.pvIpi, vcpus: vm.vcpus, guestVersion })
  const decisions: Decision[] = []
  let base: IpiSendInputs
  let posted: boolean
  if (vendor === 'vmx') {
    const apicvActive = features.apicv && host.kvm.enableApicv
    posted = apicvActive
    base = { vendor, apicMode, hostVersion, apicvActive, ipiv: features.ipiv && host.kvm.enableIpiv, avicActive: false, pvIpi, guestVersion, multicast: false, destMode }
  } else {
    const cpu = host.cpu as AmdCpu
    const enableAvic = features.apicv && host.kvm.enableApicv
    const avic = avicState({ hostVersion, cpu, enableAvic, pitReinject: vm.kvm.pitReinject, guestX2apic: vm.kvm.x2apic, enableIpiv: host.kvm.enableIpiv, vcpus: vm.vcpus })
    posted = avic.active
    base = { vendor, apicMode, hostVersion, apicvActive: false, ipiv: avic.ipiAccelerated, avicActive: avic.active, x2avic: avic.x2avic, pvIpi, guestVersion, multicast: false, destMode }
    const dflt = avicParamDefault(hostVersion, cpu)
    decisions.push({
      id: 'avic', title: 'AVIC (kvm_amd.avic)',
      value: avic.active ? (avic.hybrid ? 'active (hybrid, x2APIC emulated)' : avic.x2avic ? 'active (x2AVIC)' : 'active') : 'inhibited',
      reason: `${avic.active ? avic.reason : 'AVIC is off for this VM (see AVIC inhibits): every interrupt is injected after a kick (an interrupt exit) and every IPI exits on the sender'}. kvm_amd.avic=${enableAvic ? 1 : 0} from host.kvm.enableApicv (true unless the profile sets it false); the kernel's own default on host ${hostVersion} with this CPU is ${dflt ? 'on ("auto": Zen 4+ with x2AVIC, 6.18+)' : versionAuto(hostVersion) ? 'off ("auto" enables it only on Zen 4+ with x2AVIC)' : 'off (0 before 6.18)'}`,
      mirrors: 'kvm_apicv_activated() / avic_hardware_setup() / avic_want_avic_enabled()',
    })
    decisions.push({
      id: 'avic-inhibits', title: 'AVIC inhibits', value: avic.inhibits.length ? avic.inhibits.map((r) => r.replace('APICV_INHIBIT_REASON_', '')).join(', ') : 'none',
      reason: avic.inhibits.length
        ? avic.reason
        : vm.kvm.pitReinject ? 'none' : 'the in-kernel PIT does not re-inject (lost_tick_policy=discard), the guest\'s APIC IDs fit the AVIC table' + (vm.kvm.x2apic && !avic.x2avic ? ', hybrid AVIC accepts an x2APIC guest (6.0+)' : ''),
      mirrors: 'kvm_set_apicv_inhibit() / kvm_pit_set_reinject() / avic_init_backing_page()',
    })
  }
  const uniRunning = ipiSendPath({ ...base, targetRunning: true })
  const uniNot = ipiSendPath({ ...base, targetRunning: false })
  const gated = uniRunning.exit === 'none' && uniNot.exit !== 'none'
  const uni = gated ? uniNot : uniRunning
  const multi = ipiSendPath({ ...base, multicast: true, targetRunning: false })
  const batched = multi.exit === 'VMCALL' || multi.exit === 'hypercall'
  const u = exitOf(uni)
  const m = exitOf(multi)
  decisions.push({ id: 'apic-driver', title: 'Guest APIC driver', value: apic.driver, reason: apic.reason, mirrors: 'try_to_enable_x2apic() / x2apic_phys_probe() / x2apic_cluster_probe()' })
  decisions.push({
    id: 'ipi-unicast', title: 'Guest IPI send (reschedule, one target)', value: uniRunning.exit === 'none' && !gated ? backendOf(vendor).ipiAccelName : label(uni, gated),
    reason: gated ? `${uniRunning.reason}; ${uniNot.reason}` : uni.reason, mirrors: mirrorsOf(uni, vendor),
  })
  decisions.push({
    id: 'ipi-multicast', title: 'Guest IPI send (multicast: TLB shootdown)',
    value: batched ? label(multi, false) : `one send per ${destMode === 'logical' ? 'cluster of up to 16 targets' : 'target'}: ${multi.exit === 'none' ? `${backendOf(vendor).ipiAccelName}, no exit` : label(multi, gated)}`,
    reason: batched ? multi.reason : `${pvIpi ? '' : 'no PV IPI (KVM_FEATURE_PV_SEND_IPI off, one vCPU, or guest < 4.19): '}${destMode === 'logical' ? 'the guest\'s cluster x2APIC driver writes the ICR once per cluster of its targets (__x2apic_send_IPI_mask())' : `the guest's physical ${apicMode === 'x2apic' ? 'x2APIC' : 'xAPIC'} driver writes the ICR once per target`}; ${multi.reason}`,
    mirrors: batched ? 'kvm_send_ipi_mask() / __send_ipi_mask()' : 'x2apic_send_IPI_mask() / __x2apic_send_IPI_mask()',
  })
  if (gated && hltExits) {
    const hp = avicHaltPollDecision(hostVersion, host.kvm.haltPoll.haltPollNs > 0)
    decisions.push({ id: 'avic-halt-poll', title: 'AVIC IsRunning while halt-polling', value: hp.value, reason: hp.reason, mirrors: 'kvm_vcpu_halt() / kvm_arch_vcpu_blocking() → avic_vcpu_blocking()' })
  }
  const tlb = pvTlbFlushSupported({ pvTlbFlush: vm.kvm.pv.pvTlbFlush, stealTime: vm.kvm.pv.stealTime, realtimeHint: vm.kvm.hintDedicated, guestMwait, vcpus: vm.vcpus, guestVersion })
  decisions.push({ id: 'pv-tlb-flush', title: 'Guest PV TLB flush', value: tlb.supported ? 'on' : 'off', reason: tlb.reason, mirrors: 'pv_tlb_flush_supported() / kvm_flush_tlb_multi()' })
  return {
    postedInterrupts: posted,
    ipiVirtualization: uniRunning.exit === 'none',
    ipiUnicastExit: u.exit,
    ipiUnicastCost: u.cost,
    ipiMulticastExit: m.exit,
    ipiMulticastCost: m.cost,
    ipiMulticastBatched: batched,
    ipiExitsIfTargetNotRunning: gated,
    avicRunningWhileHaltPolling: avicRunningWhileHaltPolling(hostVersion),
    ipiUnicastCause: CAUSE[uni.exit],
    pvTlbFlush: tlb.supported,
    ipiCluster: destMode === 'logical',
    apicCluster: apicIds.map(x2apicClusterOf),
    apicId: apicIds,
    callFuncSingleIpi: callFuncSingleIpi(guestVersion),
    decisions,
  }
}

function versionAuto(hostVersion: string): boolean {
  return avicParamDefault(hostVersion, 'genoa')
}
