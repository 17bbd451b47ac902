// AMD AVIC state and the inhibits that matter for dedicated-vCPU hosts (arch/x86/kvm/svm/avic.c, x86.c,
// i8254.c kvm_pit_set_reinject()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { St } from '../sim/constants.ts'
import { hostHasFix } from './backports.ts'

export type AmdCpu = 'rome' | 'milan' | 'genoa'

export interface AvicInputs {
  hostVersion: string
  /** Rome = Zen 2 (Family 17h); Milan = Zen 3, Genoa = Zen 4 (Family 19h). */
  cpu: AmdCpu
  /** kvm_amd.avic as the host sets it (see avicParamDefault() for the kernel's own default). */
  enableAvic: boolean
  /** In-kernel PIT in re-inject mode (KVM's default; QEMU kvm-pit lost_tick_policy=delay, its default). */
  pitReinject: boolean
  /** X86_FEATURE_X2APIC in the guest's CPUID (QEMU exposes it by default). */
  guestX2apic: boolean
  /** kvm_amd.enable_ipiv (from 6.17, default on; before 6.17 there is no such parameter). Default true. */
  enableIpiv?: boolean
  /** vCPUs of the VM (their APIC IDs are 0 … vcpus − 1). Default 1. */
  vcpus?: number
}

export interface AvicState {
  active: boolean
  /** IsRunning is set for running vCPUs: an IPI to one of them needs no exit. */
  ipiAccelerated: boolean
  /** x2AVIC virtualizes the guest's x2APIC MSRs. */
  x2avic: boolean
  /** Active in hybrid mode: x2APIC guest without x2AVIC — MSR accesses exit, delivery uses the doorbell. */
  hybrid: boolean
  inhibits: string[]
  reason: string
}

/** x2AVIC (hardware on Zen 4; kernel support from v6.0, Suravee Suthikulpanit's x2AVIC series incl. 0e311d33bfbe —
 *  version from the series' merge in summer 2022, not re-checked against the tag). */
export function x2avicAvailable(hostVersion: string, cpu: AmdCpu): boolean {
  return cpu === 'genoa' && versionAtLeast(hostVersion, '6.0')
}

/** The kernel's default for kvm_amd.avic. Before 6.18 a bool defaulting to 0. From 6.18 (ca2967de5a5b "KVM: SVM: Enable
 *  AVIC by default for Zen4+ if x2AVIC is support", pulled in "KVM SVM changes for 6.18") it is "auto":
 *  avic_want_avic_enabled() turns it on when the CPU has x2AVIC and is Zen 4 or later — Genoa here, not Milan/Rome. */
export function avicParamDefault(hostVersion: string, cpu: AmdCpu): boolean {
  return versionAtLeast(hostVersion, '6.18') && cpu === 'genoa'
}

/** AVIC state for a VM (kvm_apicv_activated() with AVIC_REQUIRED_APICV_INHIBITS, avic_hardware_setup()):
 *  - APICV_INHIBIT_REASON_DISABLE when kvm_amd.avic is off;
 *  - APICV_INHIBIT_REASON_PIT_REINJ while the in-kernel PIT re-injects (kvm_pit_set_reinject(): it needs an EOI
 *    intercept AVIC cannot give); QEMU's kvm-pit keeps KVM's re-inject default unless lost_tick_policy=discard;
 *  - APICV_INHIBIT_REASON_X2APIC when the guest CPUID has x2APIC and the host predates hybrid AVIC (6.0); from 6.0
 *    an x2APIC guest without x2AVIC runs AVIC in hybrid mode (allow_apicv_in_x2apic_without_x2apic_virtualization);
 *  - APICV_INHIBIT_REASON_PHYSICAL_ID_TOO_BIG when a vCPU's APIC ID exceeds the AVIC table (254 without x2AVIC, 511
 *    with it): avic_init_backing_page() inhibits from 6.17 (1aa6e256e46f), refused to create the vCPU before;
 *  - IPI virtualization (IsRunning) off with kvm_amd.enable_ipiv=0 (d921665e01ba, 6.17) and on Family 17h from 6.17
 *    (8de4a1c8164e "KVM: SVM: Disable (x2)AVIC IPI virtualization if CPU has erratum #1235":
 *    `enable_ipiv = enable_ipiv && boot_cpu_data.x86 != 0x17`), verified in "KVM changes for Linux 6.17 merge
 *    window". Earlier hosts leave it on, exposed to the erratum. */
export function avicState(i: AvicInputs): AvicState {
  const inhibits: string[] = []
  const x2avic = x2avicAvailable(i.hostVersion, i.cpu)
  const hybridAvic = versionAtLeast(i.hostVersion, '6.0')
  if (!i.enableAvic) inhibits.push('APICV_INHIBIT_REASON_DISABLE')
  if (i.pitReinject) inhibits.push('APICV_INHIBIT_REASON_PIT_REINJ')
  if (i.guestX2apic && !x2avic && !hybridAvic) inhibits.push('APICV_INHIBIT_REASON_X2APIC')
  const maxId = x2avic ? 0x1ff : 0xfe
  if ((i.vcpus ?? 1) - 1 > maxId) inhibits.push('APICV_INHIBIT_REASON_PHYSICAL_ID_TOO_BIG')
  const active = inhibits.length === 0
  const hybrid = active && i.guestX2apic && !x2avic
  const from617 = versionAtLeast(i.hostVersion, '6.17')
  const erratum1235 = i.cpu === 'rome'
  const ipivParamOff = from617 && i.enableIpiv === false
  const ipiAccelerated = active && !(erratum1235 && from617) && !ipivParamOff
  let reason: string
  if (!active) {
    const why = inhibits.map((r) => INHIBIT_WHY[r] ?? r).join('; ')
    reason = `AVIC inhibited: ${why}`
  } else if (!ipiAccelerated) {
    reason = ipivParamOff
      ? 'AVIC active, kvm_amd.enable_ipiv=0: IsRunning is never set, so every IPI to another vCPU exits (avic_incomplete_ipi)'
      : 'AVIC active, IPI virtualization off on Family 17h (erratum #1235, host ≥ 6.17): every IPI to another vCPU exits (avic_incomplete_ipi)'
  } else if (hybrid) {
    reason = 'AVIC active in hybrid mode (x2APIC guest, no x2AVIC on this CPU): x2APIC MSR writes exit, interrupts reach running vCPUs through the doorbell'
  } else {
    reason = `AVIC active${i.guestX2apic ? ' (x2AVIC)' : ''}: IPIs to running vCPUs (IsRunning = 1) do not exit${erratum1235 ? ' (Family 17h before 6.17: exposed to erratum #1235)' : ''}`
  }
  return { active, ipiAccelerated, x2avic: active && x2avic, hybrid, inhibits, reason }
}

const INHIBIT_WHY: Record<string, string> = {
  APICV_INHIBIT_REASON_DISABLE: 'APICV_INHIBIT_REASON_DISABLE (kvm_amd.avic=0)',
  APICV_INHIBIT_REASON_PIT_REINJ: 'APICV_INHIBIT_REASON_PIT_REINJ (the in-kernel PIT re-injects lost ticks, which needs EOI exits)',
  APICV_INHIBIT_REASON_X2APIC: 'APICV_INHIBIT_REASON_X2APIC (x2APIC in the guest CPUID, host before hybrid AVIC in 6.0)',
  APICV_INHIBIT_REASON_PHYSICAL_ID_TOO_BIG: 'APICV_INHIBIT_REASON_PHYSICAL_ID_TOO_BIG (more vCPUs than the AVIC physical ID table holds)',
}

/** Whether IsRunning stays set while the vCPU halt-polls. Before f6c60d081e2c (v5.17) kvm_vcpu_block() called
 *  kvm_arch_vcpu_blocking() — svm_vcpu_blocking() → avic_vcpu_blocking() → avic_set_running(false) — before the poll
 *  loop and kvm_arch_vcpu_unblocking() after it, so a polling vCPU had IsRunning = 0; from 5.17 kvm_vcpu_halt() polls
 *  first and calls the arch hooks only in kvm_vcpu_block(), when the vCPU really blocks. */
export function avicRunningWhileHaltPolling(hostVersion: string): boolean {
  return hostHasFix(hostVersion, 'haltPollWithoutArchBlocking')
}

/** AVIC's IsRunning bit for a vCPU in the model's state: set while the vCPU is loaded (avic_vcpu_load(): in guest
 *  mode, handling an exit, and halt-polling from 5.17), clear while it is blocked, being woken or scheduled out
 *  (avic_vcpu_blocking() / avic_vcpu_put()) — and while halt-polling before 5.17. */
export function avicIsRunning(state: number, runningWhileHaltPolling: boolean): boolean {
  if (state === St.HOST_POLL) return runningWhileHaltPolling
  return state !== St.BLOCKED && state !== St.WAKING && state !== St.PREEMPTED
}

/** The halt-polling rule as a decision, for a VM whose AVIC virtualizes IPIs and whose HLT exits. */
export function avicHaltPollDecision(hostVersion: string, hostHaltPoll: boolean): { value: string; reason: string } {
  if (!hostHaltPoll) return { value: 'no halt polling', reason: 'halt polling is off: an idle vCPU blocks at once (avic_vcpu_blocking() clears IsRunning), and an IPI to it exits as avic_incomplete_ipi on every version' }
  return avicRunningWhileHaltPolling(hostVersion)
    ? { value: 'IsRunning kept while polling', reason: `host ${hostVersion} ≥ 5.17 (f6c60d081e2c): kvm_vcpu_halt() polls before kvm_vcpu_block() calls kvm_arch_vcpu_blocking(), so a halt-polling vCPU keeps IsRunning = 1 and an IPI to it is delivered by the doorbell without an exit` }
    : { value: 'IsRunning cleared while polling', reason: `host ${hostVersion} < 5.17: kvm_vcpu_block() calls kvm_arch_vcpu_blocking() → avic_vcpu_blocking() before it polls, so a halt-polling vCPU has IsRunning = 0 and an IPI to it exits on the sender as avic_incomplete_ipi (avic_kick_target_vcpus() wakes it)` }
}
