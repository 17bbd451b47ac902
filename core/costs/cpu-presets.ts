// CPU model presets: the feature set each generation gives KVM (model.md §1).
import type { CpuPreset } from '../profile/profile-schema.ts'

export interface CpuFeatures {
  label: string
  vendor: 'vmx' | 'svm'
  /** APICv (Intel) or AVIC (AMD): posted interrupts and virtual APIC. */
  apicv: boolean
  /** Intel IPI virtualization (Sapphire Rapids+). On AMD, AVIC itself virtualizes ICR writes (IsRunning) and
   *  core/kvm/avic.ts decides when that is on; the flag only says the hardware can. */
  ipiv: boolean
  /** VMX preemption timer usable as KVM's hv timer (kvm_x86_ops.set_hv_timer); none on SVM. */
  hvTimer: boolean
  /** Nominal core clock, used to convert published cycle counts (kvm-unit-tests, commit messages) to time. */
  ghz: number
  /** Host C-states as intel_idle / acpi_idle expose them: exit latency and target residency. */
  cstates: { name: string; exitLatencyNs: number; targetResidencyNs: number }[]
}

type Cstate = CpuFeatures['cstates'][number]
const us = (name: string, exitUs: number, residencyUs: number): Cstate => ({ name, exitLatencyNs: exitUs * 1000, targetResidencyNs: residencyUs * 1000 })

/** intel_idle skx_cstates (drivers/idle/intel_idle.c): Skylake-SP and Cascade Lake-SP (the same CPU model). */
const skxCstates = [us('C1', 2, 2), us('C1E', 10, 20), us('C6', 133, 600)]
/** intel_idle icx_cstates, C6 as re-measured for v5.13 (Artem Bityutskiy: 128/384 → 170/600 µs). */
const icxCstates = [us('C1', 1, 1), us('C1E', 4, 4), us('C6', 170, 600)]
/** intel_idle spr_cstates as added for Sapphire Rapids (Artem Bityutskiy, 2022): C1 and C6 (C1E not registered by default). */
const sprCstates = [us('C1', 1, 1), us('C6', 128, 384)]
/** acpi_idle from the EPYC _CST: C1 (FFH MWAIT, 1 µs) and C2 (I/O port, ~400 µs wake-up on an EPYC 7502P); acpi_idle
 *  sets target_residency = latency × latency_factor (2, drivers/acpi/processor_idle.c). */
const amdCstates = [us('C1', 1, 2), us('C2', 400, 800)]
/** acpi_idle in a KVM guest: no _CST in QEMU's ACPI tables, so acpi_processor_get_power_info_default() gives C1 (HLT)
 *  alone, with latency 0 and no residency in the table; 1 µs / 1 µs is an estimate of the HLT round trip in the
 *  guest's accounting (the governor's choice does not depend on it: C1 is the only state). */
export const GUEST_ACPI_C1: Cstate[] = [us('C1', 1, 1)]

export const CPU_FEATURES: Record<CpuPreset, CpuFeatures> = {
  'skylake-sp': { label: 'Intel Xeon Skylake-SP', vendor: 'vmx', apicv: true, ipiv: false, hvTimer: true, ghz: 2.4, cstates: skxCstates },
  'cascadelake-sp': { label: 'Intel Xeon Cascade Lake-SP', vendor: 'vmx', apicv: true, ipiv: false, hvTimer: true, ghz: 2.5, cstates: skxCstates },
  'icelake-sp': { label: 'Intel Xeon Ice Lake-SP', vendor: 'vmx', apicv: true, ipiv: false, hvTimer: true, ghz: 2.6, cstates: icxCstates },
  sapphirerapids: { label: 'Intel Xeon Sapphire Rapids', vendor: 'vmx', apicv: true, ipiv: true, hvTimer: true, ghz: 2.7, cstates: sprCstates },
  rome: { label: 'AMD EPYC Rome', vendor: 'svm', apicv: true, ipiv: true, hvTimer: false, ghz: 2.6, cstates: amdCstates },
  milan: { label: 'AMD EPYC Milan', vendor: 'svm', apicv: true, ipiv: true, hvTimer: false, ghz: 2.8, cstates: amdCstates },
  genoa: { label: 'AMD EPYC Genoa', vendor: 'svm', apicv: true, ipiv: true, hvTimer: false, ghz: 3.0, cstates: amdCstates },
}

/** Where each preset's clock and C-states come from (rendered in docs/model.md with the cost table). */
export const PRESET_DOCS: Record<CpuPreset, { ghz: string; cstates: string }> = {
  'skylake-sp': { ghz: 'estimate: a base clock of the generation (e.g. Xeon Gold 6148, 2.4 GHz)', cstates: 'intel_idle skx_cstates: C1 2/2, C1E 10/20, C6 133/600 µs (exit latency / target residency)' },
  'cascadelake-sp': { ghz: 'estimate: a base clock of the generation (e.g. Xeon Gold 6248, 2.5 GHz)', cstates: 'intel_idle skx_cstates (Cascade Lake-SP is the Skylake-X CPU model)' },
  'icelake-sp': { ghz: 'estimate: a base clock of the generation (e.g. Xeon Gold 6348, 2.6 GHz)', cstates: 'intel_idle icx_cstates: C1 1/1, C1E 4/4, C6 170/600 µs (C6 re-measured for v5.13)' },
  sapphirerapids: { ghz: 'estimate: a base clock within the generation\'s range', cstates: 'intel_idle spr_cstates as added in 2022: C1 1/1, C6 128/384 µs; C1E is not registered by default' },
  rome: { ghz: 'estimate: a base clock of the generation (e.g. EPYC 7H12, 2.6 GHz)', cstates: 'acpi_idle from _CST: C1 1 µs, C2 ~400 µs (FreeBSD review D47444: "roughly 400us" wake-up from the I/O C-state on an EPYC 7502P); target residency = latency × 2 (latency_factor)' },
  milan: { ghz: 'estimate: a base clock of the generation (e.g. EPYC 7543, 2.8 GHz)', cstates: 'as rome (acpi_idle from _CST)' },
  genoa: { ghz: 'estimate: a base clock within the generation\'s range', cstates: 'as rome (acpi_idle from _CST)' },
}
