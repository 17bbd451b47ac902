// The host's cpuidle governor for a pCPU whose vCPU thread blocks (drivers/cpuidle/governors/menu.c, reduced): it
// predicts the idle time from recent ones (an exponential average) and picks the deepest C-state whose target
// residency fits; the wake-up then pays that state's exit latency. Which C-states the host's idle loop may use
// (idle=, intel_idle.max_cstate=) and which a guest halted in guest mode reaches — the host's limits do not apply
// there — are decided here too (hostIdleCstates(), inGuestCstates()).
import type { ModelCore, Cpuidle as CpuidlePart } from '../sim/model-parts.ts'

/** The weight of the latest idle period in the prediction. menu.c's get_typical_interval() looks at the last INTERVALS
 *  (8) idle periods; an exponential average of weight 1/4 has a comparable memory (mean age 3 periods). A reduction,
 *  not a kernel constant. */
const MENU_RECENT_WEIGHT = 0.25

export interface Cstate { exitLatencyNs: number; targetResidencyNs: number }

/** The host cmdline's idle knobs: idle= and intel_idle.max_cstate= (taken as processor.max_cstate= for acpi_idle). */
export interface HostIdleCmdline { idle: 'default' | 'poll' | 'halt'; intelIdleMaxCstate: number }

/** The C-states the host's idle loop (do_idle()) can enter on a pCPU whose vCPU thread blocked in kvm_vcpu_block():
 *  - idle=poll: cpu_idle_poll(), no C-state at all;
 *  - idle=halt: boot_option_idle_override = IDLE_HALT, so intel_idle_init() returns -ENODEV ("Do not load intel_idle
 *    at all for now if idle= is passed") and acpi_idle's disabled_by_idle_boot_param() is true: no cpuidle driver,
 *    default_idle() executes HLT — C1 only;
 *  - intel_idle.max_cstate=N: the first N states (0 disables intel_idle: acpi_idle then drives idle, taken as C1). */
export function hostIdleCstates<C extends Cstate>(hw: readonly C[], cmd: HostIdleCmdline): C[] {
  if (cmd.idle === 'poll') return []
  if (cmd.idle === 'halt') return hw.slice(0, 1)
  if (cmd.intelIdleMaxCstate >= 0) return hw.slice(0, Math.max(1, cmd.intelIdleMaxCstate))
  return hw.slice()
}

/** The C-states of a vCPU that idles in guest mode (HLT or MWAIT exits disabled): the host's idle loop never runs
 *  there — its pCPU is busy running the vCPU thread — so idle= and intel_idle.max_cstate= do not apply. HLT in
 *  non-root mode puts the core in C1 (the first state); with MWAIT passed through the guest's own MWAIT hint picks the
 *  state, any the hardware has. */
export function inGuestCstates<C extends Cstate>(hw: readonly C[]): C[] {
  return hw.slice()
}

/** The host idle limits as a decision for a VM: where they apply, and where they do not. */
export function hostIdleLimitDecision(cmd: HostIdleCmdline, hltInGuest: boolean, mwaitInGuest: boolean): { value: string; reason: string } {
  const limit = cmd.idle === 'poll' ? 'idle=poll' : cmd.idle === 'halt' ? 'idle=halt' : cmd.intelIdleMaxCstate >= 0 ? `intel_idle.max_cstate=${cmd.intelIdleMaxCstate}` : ''
  const host = cmd.idle === 'poll' ? 'the idle loop polls (cpu_idle_poll()): no C-state exit latency' : cmd.idle === 'halt' ? 'no cpuidle driver loads (intel_idle_init() and acpi_idle refuse with idle= set): default_idle() halts in C1' : limit ? `the host's cpuidle driver uses its first ${Math.max(1, cmd.intelIdleMaxCstate)} C-state${Math.max(1, cmd.intelIdleMaxCstate) > 1 ? 's' : ''}` : 'the host\'s cpuidle governor picks any C-state'
  const inGuest = mwaitInGuest ? 'an idle vCPU MWAITs in guest mode in the C-state its own hint asks for' : hltInGuest ? 'an idle vCPU halts in guest mode: HLT in non-root mode is C1' : ''
  if (!limit) return { value: 'none', reason: inGuest ? `no idle= or intel_idle.max_cstate= on the host; ${inGuest}` : `no idle= or intel_idle.max_cstate= on the host: ${host}` }
  return inGuest
    ? { value: `${limit}: host idle only`, reason: `${limit} limits the host's idle loop (${host}), which runs only when a vCPU thread blocks; ${inGuest}, which the host's limit does not reach` }
    : { value: limit, reason: `${limit}: an HLT-exiting vCPU blocks in kvm_vcpu_block() and its pCPU idles in the host: ${host}` }
}

export class Cpuidle implements CpuidlePart {
  private readonly m: ModelCore
  /** Per pCPU: the predicted idle time (ns). */
  readonly pcpuIdleEma: Float64Array

  constructor(m: ModelCore) {
    this.m = m
    this.pcpuIdleEma = new Float64Array(m.inp.nrCpus)
  }

  /** menu_select(): the exit latency of the deepest C-state whose residency fits the prediction (C1 at least). */
  cstateLatency(c: number): number {
    const cstates = this.m.inp.cstates
    let lat = 0
    for (const cs of cstates) if (this.pcpuIdleEma[c]! >= cs.targetResidencyNs) lat = cs.exitLatencyNs
    if (cstates.length && lat === 0) lat = cstates[0]!.exitLatencyNs
    return lat
  }

  /** menu_update(): the pCPU was idle for `idleNs`. */
  idleEnded(c: number, idleNs: number): void {
    this.pcpuIdleEma[c] = this.pcpuIdleEma[c]! * (1 - MENU_RECENT_WEIGHT) + idleNs * MENU_RECENT_WEIGHT
  }
}
