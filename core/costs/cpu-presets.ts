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
  /** Nominal core clock, used to convert the cycle counts in calibration.md. */
  ghz: number
  /** Host C-states as intel_idle / acpi_idle expose them: exit latency and target residency. */
  cstates: { name: string; exitLatencyNs: number; targetResidencyNs: number }[]
}

const intelCstates = [
  { name: 'C1', exitLatencyNs: 2_000, targetResidencyNs: 2_000 },
  { name: 'C1E', exitLatencyNs: 10_000, targetResidencyNs: 20_000 },
  { name: 'C6', exitLatencyNs: 133_000, targetResidencyNs: 600_000 },
]
const amdCstates = [
  { name: 'C1', exitLatencyNs: 1_000, targetResidencyNs: 2_000 },
  { name: 'C2', exitLatencyNs: 400_000 / 4, targetResidencyNs: 800_000 / 4 },
]

export const CPU_FEATURES: Record<CpuPreset, CpuFeatures> = {
  'skylake-sp': { label: 'Intel Xeon Skylake-SP', vendor: 'vmx', apicv: true, ipiv: false, hvTimer: true, ghz: 2.4, cstates: intelCstates },
  'cascadelake-sp': { label: 'Intel Xeon Cascade Lake-SP', vendor: 'vmx', apicv: true, ipiv: false, hvTimer: true, ghz: 2.5, cstates: intelCstates },
  'icelake-sp': { label: 'Intel Xeon Ice Lake-SP', vendor: 'vmx', apicv: true, ipiv: false, hvTimer: true, ghz: 2.6, cstates: intelCstates },
  sapphirerapids: { label: 'Intel Xeon Sapphire Rapids', vendor: 'vmx', apicv: true, ipiv: true, hvTimer: true, ghz: 2.7, cstates: intelCstates },
  rome: { label: 'AMD EPYC Rome', vendor: 'svm', apicv: true, ipiv: true, hvTimer: false, ghz: 2.6, cstates: amdCstates },
  milan: { label: 'AMD EPYC Milan', vendor: 'svm', apicv: true, ipiv: true, hvTimer: false, ghz: 2.8, cstates: amdCstates },
  genoa: { label: 'AMD EPYC Genoa', vendor: 'svm', apicv: true, ipiv: true, hvTimer: false, ghz: 3.0, cstates: amdCstates },
}
