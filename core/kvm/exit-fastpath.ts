// KVM's exit fastpaths per host version and vendor, and the cost of the path each exit takes (arch/x86/kvm/x86.c
// handle_fastpath_set_msr_irqoff(), vmx/vmx.c vmx_exit_handlers_fastpath() / handle_fastpath_preemption_timer(),
// svm/svm.c svm_exit_handlers_fastpath()). A fastpath exit is handled with IRQs off right after VM exit and re-enters
// the guest without the full vcpu_run() round; the table keeps both costs (core/costs/cost-sources.ts gives the
// published gains) and setup resolves, per host, which one the model's exit uses.
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import type { CostTable } from '../costs/cost-tables.ts'

/** x2APIC ICR write (physical, fixed, one target) in handle_fastpath_set_msr_irqoff().
 *  1e9e2622a149 "KVM: VMX: FIXED+PHYSICAL mode single target IPI fastpath" (v5.6) hooked it into both
 *  vmx_handle_exit_irqoff() and svm_handle_exit_irqoff() (SVM: `exit_code == SVM_EXIT_MSR && exit_info_1`).
 *  a9ab13ff6e84 "KVM: X86: Improve latency for single target IPI fastpath" (v5.8) moved it into
 *  vmx/svm_exit_handlers_fastpath(). On SVM, Wanpeng Li's "KVM: SVM: Get rid of handle_fastpath_set_msr_irqoff()"
 *  (2020-09-09, Cc stable v5.8-rc1+, a stale RIP because svm->next_rip was reset after the fastpath), "KVM: SVM: Move
 *  svm_complete_interrupts() into svm_vcpu_run()" and "KVM: SVM: Reenable handle_fastpath_set_msr_irqoff() after
 *  complete_interrupts()" were queued together as 5.9-rc fixes: on 2020-09-12 Paolo Bonzini answered the Move patch
 *  "Please just send an incremental patch" (it was applied) and the v2 collection "Queued what was left", and none of
 *  the three is in the shortlog of "[GIT PULL] KVM changes for Linux 5.10" (2020-10-23), whose Wanpeng Li entries
 *  are that incremental "KVM: SVM: Analyze is_guest_mode() in svm_vcpu_run()" and five LAPIC patches. So v5.9 (2020-10-11)
 *  has the fastpath again, after svm_complete_interrupts(), and no release lacks it. (5.8.y may have taken only the
 *  removal, which alone carries the stable tag; 5.8 is not modelled per patch level.) */
export function x2apicIcrFastpath(hostVersion: string, _vendor: 'vmx' | 'svm'): boolean {
  return versionAtLeast(hostVersion, '5.6')
}

/** WRMSR IA32_TSC_DEADLINE in handle_fastpath_set_msr_irqoff() → handle_fastpath_set_tscdeadline(): ae95f566b3d2
 *  "KVM: X86: TSCDEADLINE MSR emulation fastpath" (v5.8, first KVM batch for 5.8), taken only
 *  `if (kvm_can_use_hv_timer(vcpu))` — with the sw hrtimer the write goes the full way (hrtimer_start()). From v6.18
 *  0a94b2042419 "KVM: x86: Unconditionally handle MSR_IA32_TSC_DEADLINE in fastpath exits" (Sean Christopherson, in
 *  "[GIT PULL] KVM: x86: Misc changes for 6.18", tag kvm-x86-misc-6.18 on 6.17-rc2: "add fastpath support for
 *  TSC_DEADLINE writes on AMD CPUs") drops that test: every TSC-deadline write takes the fastpath, a sw hrtimer
 *  (start_sw_tscdeadline() → hrtimer_start() with IRQs off) and AMD included. `hvTimer`: whether the vCPU's timer is
 *  the hv timer now. */
export function tscDeadlineFastpath(hostVersion: string, _vendor: 'vmx' | 'svm', hvTimer: boolean): boolean {
  if (versionAtLeast(hostVersion, '6.18')) return true
  return hvTimer && versionAtLeast(hostVersion, '5.8')
}

/** PREEMPTION_TIMER in vmx_exit_handlers_fastpath() → handle_fastpath_preemption_timer(): 26efe2fd92e5 "KVM: VMX:
 *  Handle preemption timer fastpath" (v5.8). VMX only: SVM has no hv timer. */
export function preemptionTimerFastpath(hostVersion: string, vendor: 'vmx' | 'svm'): boolean {
  return vendor === 'vmx' && versionAtLeast(hostVersion, '5.8')
}

export interface FastpathInputs {
  hostVersion: string
  vendor: 'vmx' | 'svm'
  /** Per VM: whether its timer is the hv timer (kvm_can_use_hv_timer(), core/kvm/timer-path.ts). */
  vmsUseHvTimer: boolean[]
}

export interface FastpathResolution {
  /** The table with exitPreemptionTimer set to the path the host takes. */
  table: CostTable
  /** Which TSC-deadline write rows the run charges: each vCPU takes the fastpath row while its hv timer is in use,
   *  the full-path row otherwise (LapicTimer.msrWriteNs(), core/kvm/lapic-timer.ts). */
  tscDeadline: 'fast' | 'slow' | 'mixed'
  preemptionTimer: 'fast' | 'slow'
  warnings: string[]
}

/** The cost vector of a host: `exitPreemptionTimer` takes the fastpath or the full-path cost as the kernel functions
 *  above decide (VMX-wide, one value per host). The TSC-deadline write is chosen per vCPU at each write (its timer
 *  path: hv with the fastpath, hv without, or the sw hrtimer), so both rows stay in the table. The ICR costs are chosen
 *  per VM (exitMsrWriteIcr / exitMsrWriteIcrSlow, core/sim/ipi-setup.ts). */
export function resolveExitFastpaths(table: CostTable, i: FastpathInputs): FastpathResolution {
  const out = { ...table }
  const fastTsc = i.vmsUseHvTimer.map((hv) => tscDeadlineFastpath(i.hostVersion, i.vendor, hv))
  const allFast = fastTsc.length > 0 && fastTsc.every(Boolean)
  const tscDeadline = allFast ? 'fast' : fastTsc.some(Boolean) ? 'mixed' : 'slow'
  const fastHv = preemptionTimerFastpath(i.hostVersion, i.vendor)
  if (!fastHv) out.exitPreemptionTimer = table.exitPreemptionTimerSlow
  return { table: out, tscDeadline, preemptionTimer: fastHv ? 'fast' : 'slow', warnings: [] }
}

/** Overrides (host.costs) of a fastpath or full-path row that this host never charges, as warnings: on a host without
 *  the fastpath an override of the fastpath row changes nothing, and the reverse. */
export function unusedCostOverrides(names: string[], r: Pick<FastpathResolution, 'tscDeadline' | 'preemptionTimer'>): string[] {
  const unused: Record<string, boolean> = {
    exitMsrWriteTscDeadline: r.tscDeadline === 'slow',
    exitMsrWriteTscDeadlineSlow: r.tscDeadline === 'fast',
    exitPreemptionTimer: r.preemptionTimer !== 'fast',
    exitPreemptionTimerSlow: r.preemptionTimer === 'fast',
  }
  return names.filter((n) => unused[n]).map((n) => `host.costs.${n}: this host does not take that path (see the "Exit fastpaths" decision), so the override has no effect — override ${n.endsWith('Slow') ? n.slice(0, -4) : `${n}Slow`} instead`)
}

/** The fastpaths of one VM, in words, for its decisions. */
export function fastpathDecision(hostVersion: string, vendor: 'vmx' | 'svm', hvTimer: boolean, x2apic: boolean): { value: string; reason: string } {
  const on: string[] = []
  const why: string[] = []
  if (x2apic && x2apicIcrFastpath(hostVersion, vendor)) {
    on.push('x2APIC ICR')
    why.push('x2APIC ICR writes in handle_fastpath_set_msr_irqoff() (1e9e2622a149, 5.6)')
  } else if (x2apic) {
    why.push(`no ICR fastpath on host ${hostVersion} < 5.6`)
  }
  if (tscDeadlineFastpath(hostVersion, vendor, hvTimer)) {
    on.push('TSC deadline')
    why.push(versionAtLeast(hostVersion, '6.18') && !hvTimer
      ? 'TSC-deadline writes in handle_fastpath_set_tscdeadline() whatever the timer (0a94b2042419, 6.18): the sw hrtimer is started from the fastpath'
      : 'TSC-deadline writes in handle_fastpath_set_tscdeadline() (ae95f566b3d2, 5.8): ~534 cycles less')
  } else if (versionAtLeast(hostVersion, '5.8')) {
    why.push('TSC-deadline writes take the full path: the fastpath needs kvm_can_use_hv_timer()')
  }
  if (hvTimer && preemptionTimerFastpath(hostVersion, vendor)) {
    on.push('preemption timer')
    why.push('PREEMPTION_TIMER in handle_fastpath_preemption_timer() (26efe2fd92e5, 5.8): ~480 cycles less')
  }
  if (!versionAtLeast(hostVersion, '5.8') && !on.length) why.push(`host ${hostVersion} < 5.8 has none of the timer fastpaths`)
  return { value: on.length ? on.join(', ') : 'none', reason: why.join('; ') }
}
