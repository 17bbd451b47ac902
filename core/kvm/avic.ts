// AMD AVIC state and the inhibits that matter for dedicated-vCPU hosts (arch/x86/kvm/svm/avic.c, x86.c,
// i8254.c kvm_pit_set_reinject()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export type AmdCpu = 'rome' | 'milan' | 'genoa'

export interface AvicInputs {
  hostVersion: string
  /** Rome = Zen 2 (Family 17h); Milan = Zen 3, Genoa = Zen 4 (Family 19h). */
  cpu: AmdCpu
  /** kvm_amd.avic=1 (off by default). */
  enableAvic: boolean
  /** In-kernel PIT in re-inject mode (KVM's default; QEMU kvm-pit lost_tick_policy=delay, its default). */
  pitReinject: boolean
  /** X86_FEATURE_X2APIC in the guest's CPUID (QEMU exposes it by default). */
  guestX2apic: boolean
}

export interface AvicState { active: boolean; ipiAccelerated: boolean; inhibits: string[]; reason: string }

/** x2AVIC (hardware on Zen 4; kernel support from v6.0, Suravee Suthikulpanit's x2AVIC series incl. 0e311d33bfbe —
 *  version from the series' merge in summer 2022, not re-checked against the tag). */
export function x2avicAvailable(hostVersion: string, cpu: AmdCpu): boolean {
  return cpu === 'genoa' && versionAtLeast(hostVersion, '6.0')
}

/** AVIC state for a VM:
 *  - APICV_INHIBIT_REASON_DISABLE when kvm_amd.avic is off;
 *  - APICV_INHIBIT_REASON_PIT_REINJ while the PIT re-injects (needs an EOI intercept AVIC cannot give);
 *  - APICV_INHIBIT_REASON_X2APIC when the guest CPUID has x2APIC and x2AVIC is not available;
 *  - IPI virtualization (IsRunning) off on Family 17h (erratum #1235) from v6.17: 8de4a1c8164e "KVM: SVM: Disable
 *    (x2)AVIC IPI virtualization if CPU has erratum #1235" (`enable_ipiv = enable_ipiv && boot_cpu_data.x86 != 0x17`),
 *    verified in "KVM changes for Linux 6.17 merge window". Earlier hosts leave it on, exposed to the erratum. */
export function avicState(i: AvicInputs): AvicState {
  const inhibits: string[] = []
  if (!i.enableAvic) inhibits.push('APICV_INHIBIT_REASON_DISABLE')
  if (i.pitReinject) inhibits.push('APICV_INHIBIT_REASON_PIT_REINJ')
  if (i.guestX2apic && !x2avicAvailable(i.hostVersion, i.cpu)) inhibits.push('APICV_INHIBIT_REASON_X2APIC')
  const active = inhibits.length === 0
  const erratum1235 = i.cpu === 'rome'
  const ipiAccelerated = active && !(erratum1235 && versionAtLeast(i.hostVersion, '6.17'))
  let reason: string
  if (!active) reason = `AVIC inhibited: ${inhibits.join(', ')}`
  else if (!ipiAccelerated) reason = 'AVIC active, IPI virtualization off on Family 17h (erratum #1235, host ≥ 6.17): every non-self IPI exits'
  else reason = `AVIC active${i.guestX2apic ? ' (x2AVIC)' : ''}: IPIs to running vCPUs do not exit${erratum1235 ? ' (Family 17h before 6.17: exposed to erratum #1235)' : ''}`
  return { active, ipiAccelerated, inhibits, reason }
}
