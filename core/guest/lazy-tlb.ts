// Lazy TLB mode and the TLB-shootdown mask (arch/x86/mm/tlb.c): a guest CPU that switches to its idle task keeps the
// process's mm loaded (enter_lazy_tlb()) — whether a shootdown of that mm IPIs it depends on the guest version and,
// in 4.14–4.19, on PCID:
//   before 4.14: enter_lazy_tlb() sets TLBSTATE_LAZY and the CPU stays in mm_cpumask(); the first flush IPI finds it
//     lazy and flush_tlb_func() calls leave_mm(), which clears it from mm_cpumask() and loads swapper_pg_dir — so a
//     lazy CPU takes one shootdown IPI per idle period, and none after it until it switches back to the process;
//   4.14–4.19 (Andy Lutomirski's PCID rework; 7ac7f2c315ef "x86/mm: Remove debug/x86/tlb_defer_switch_to_init_mm"
//     made tlb_defer_switch_to_init_mm() `return !static_cpu_has(X86_FEATURE_PCID)`): with PCID, enter_lazy_tlb()
//     switches to init_mm at once and switch_mm_irqs_off() clears the CPU from mm_cpumask(): an idle CPU takes no
//     shootdown IPI; without PCID it is lazy and, as before, flush_tlb_func_common() switches it to init_mm (out of
//     the mask) on its first IPI. 4.19 ends in this state: Rik van Riel's lazy-TLB series (ac0315896970 "Make lazy TLB
//     mode lazier", 64482aafe55f, 95b0e6357d3e "Always use lazy TLB mode", …) was merged and reverted inside the 4.19
//     merge window by Peter Zijlstra's "x86/mm/tlb: Revert the recent lazy TLB patches" (2018-08-22, in 706a1ea65e
//     "Merge fixes for missing TLB shootdowns"; the revert's diff restores the PCID test in enter_lazy_tlb() and the
//     plain smp_call_function_many() in native_flush_tlb_others());
//   4.20+: the series again (145f573b89a6 "x86/mm/tlb: Make lazy TLB mode lazier" …): every idle CPU goes lazy and
//     stays in mm_cpumask(), and native_flush_tlb_others() (native_flush_tlb_multi() from 5.10) skips it through
//     on_each_cpu_cond_mask(tlb_is_not_lazy, …) unless page tables were freed (the model's munmap()s free none). That
//     the re-merge is 4.20 rests on the 4.19 revert and the series' resubmission for the next window; the 4.20 tag was
//     not read.
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import type { CpuPreset } from '../profile/profile-schema.ts'

/** The guest sees PCID when the host CPU has it and the VMM passes the host model through (the model's assumption,
 *  as for MWAIT): Intel since Westmere; AMD from Zen 3 (Milan) — Phoronix, "AMD Programmer Manual Update Points To
 *  PCID Support" (2020-04-29): AMD CPUs before Zen 3 have no PCID. */
const PCID: Record<CpuPreset, boolean> = {
  'skylake-sp': true, 'cascadelake-sp': true, 'icelake-sp': true, sapphirerapids: true,
  rome: false, milan: true, genoa: true,
}

export function guestHasPcid(cpu: CpuPreset): boolean {
  return PCID[cpu]
}

/** Whether a vCPU in its idle loop that still has the process's mm loaded gets a shootdown IPI (once: handling it
 *  takes the vCPU out of mm_cpumask() until it runs the process again). False when the guest skips idle vCPUs
 *  altogether: 4.20+ (tlb_is_not_lazy), or 4.14–4.19 with PCID (the idle vCPU already switched to init_mm). */
export function shootdownIpisLazyOnce(guestVersion: string, pcid: boolean): boolean {
  if (versionAtLeast(guestVersion, '4.20')) return false
  if (versionAtLeast(guestVersion, '4.14')) return !pcid
  return true
}

/** The decision text for the TLB-shootdown mask. */
export function lazyTlbReason(guestVersion: string, pcid: boolean): string {
  if (versionAtLeast(guestVersion, '4.20')) return 'TLB shootdowns skip idle vCPUs (lazy TLB mode: on_each_cpu_cond_mask(tlb_is_not_lazy), guest ≥ 4.20)'
  if (versionAtLeast(guestVersion, '4.14') && pcid) return `TLB shootdowns skip idle vCPUs: guest ${guestVersion} with PCID switches an idle vCPU to init_mm at once (tlb_defer_switch_to_init_mm() is !PCID, 4.14–4.19), leaving mm_cpumask()`
  return `TLB shootdowns IPI an idle vCPU once per idle period: guest ${guestVersion}${versionAtLeast(guestVersion, '4.14') ? ' without PCID' : ''} keeps it in mm_cpumask() in lazy TLB mode until the first flush switches it to init_mm`
}
