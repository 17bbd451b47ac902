// The experimental knobs of the seed RFCs (vms[].kvm.experimental), resolved once per VM: what HLT and MWAIT exits do
// under the 2023 Woodhouse RFC (userspace exits, yield on an emulated MWAIT) and whether a schedule-in may keep the guest state
// loaded (the scheduled_out series, 2024) — as numbers for the model and, for each knob that is on, a decision marked experimental. With every
// knob off nothing here changes the model or the decisions.
import type { Vm } from '../profile/profile-schema.ts'
import { kvmEmulateHalt, kvmEmulateMwait, userspaceExitBits, HaltExit, MwaitExit } from '../kvm/userspace-exits.ts'
import { scheduledOutFlagExists, SCHEDULED_OUT_SINCE } from '../kvm/scheduled-out.ts'
import { guestSeesPreemptedAfter } from '../kvm/steal-time-preempted.ts'
import { yieldKind, YieldKind } from '../host/sched-yield.ts'
import { vmentryAdvanceDecision } from '../kvm/timer-advance.ts'
import type { Decision } from '../result.ts'
import type { VmSpec } from './model-inputs.ts'

export type ExperimentalSetup = Pick<VmSpec, 'hltExit' | 'mwaitExit' | 'hltWait' | 'vmmWorkNs' | 'preemptedOnUserspaceExit' | 'keepStateLoaded' | 'vmentryAdvanceNs'> & { decisions: Decision[] }

export interface ExperimentalContext {
  hostVersion: string
  /** KVM_CAP_X86_DISABLE_EXITS as granted: HLT / MWAIT passed through never exit. */
  hltInGuest: boolean
  mwaitInGuest: boolean
  /** The guest idles with MWAIT (in its CPUID) rather than HLT. */
  guestIdleMwait: boolean
  /** The guest's vcpu_is_preempted() reads steal time. */
  guestConsultsPreempted: boolean
}

const RFC = 'experimental — RFC, not in any kernel'

export function resolveExperimental(vm: Vm, x: ExperimentalContext): ExperimentalSetup {
  const e = vm.kvm.experimental
  const bits = userspaceExitBits(e.userspaceExits.hlt, e.userspaceExits.mwait)
  const out: ExperimentalSetup = {
    // the LAPIC is always in the kernel here (QEMU's default, kernel-irqchip=on)
    hltExit: kvmEmulateHalt(true, bits),
    mwaitExit: kvmEmulateMwait(bits, e.mwaitYield),
    hltWait: e.userspaceExits.hltWait,
    vmmWorkNs: e.userspaceExits.vmmWorkNs,
    preemptedOnUserspaceExit: x.guestConsultsPreempted && guestSeesPreemptedAfter('userspace-exit', x.hostVersion),
    keepStateLoaded: e.keepStateLoaded && scheduledOutFlagExists(x.hostVersion),
    vmentryAdvanceNs: e.vmentryAdvanceNs,
    decisions: [],
  }
  if (bits !== 0) out.decisions.push(userspaceExitsDecision(out, e.userspaceExits.hlt, e.userspaceExits.mwait, x))
  if (e.mwaitYield) out.decisions.push(mwaitYieldDecision(out, x))
  if (e.keepStateLoaded) out.decisions.push(keepLoadedDecision(out, x))
  if (e.vmentryAdvanceNs > 0) out.decisions.push(vmentryAdvanceDecision(e.vmentryAdvanceNs))
  return out
}

/** Whether HLT / MWAIT exits happen at all for the VM (the guest's idle instruction, not passed through). */
function exiting(x: ExperimentalContext): { hlt: boolean; mwait: boolean } {
  return { hlt: !x.guestIdleMwait && !x.hltInGuest, mwait: x.guestIdleMwait && !x.mwaitInGuest }
}

function userspaceExitsDecision(s: ExperimentalSetup, hlt: boolean, mwait: boolean, x: ExperimentalContext): Decision {
  const ex = exiting(x)
  const parts: string[] = []
  const why: string[] = []
  if (hlt) {
    if (!ex.hlt) parts.push(`HLT: n/a (${x.hltInGuest ? 'HLT passed through' : 'the guest idles with MWAIT'})`)
    else if (s.hltWait === 'kvm-run') {
      parts.push('HLT → KVM_EXIT_HLT, the VMM re-enters KVM_RUN')
      why.push('an HLT exit returns to the VMM with mp_state HALTED; the VMM runs its work in the vCPU thread and calls KVM_RUN again, where vcpu_block() halt-polls and blocks as without the RFC, so the halt starts later by the userspace round trip and the work')
    } else {
      parts.push('HLT → KVM_EXIT_HLT, the VMM sleeps in its poll()')
      why.push('an HLT exit returns to the VMM, which runs its work and then sleeps in its own poll() on an interrupt-pending eventfd (a follow-up in the RFC thread): KVM\'s halt polling never runs; a wake-up pays the re-entry into KVM_RUN')
    }
  }
  if (mwait) {
    if (!ex.mwait) parts.push(`MWAIT: n/a (${x.mwaitInGuest ? 'MWAIT passed through' : 'MWAIT not in the guest CPUID'})`)
    else {
      parts.push('MWAIT → KVM_EXIT_MWAIT (38)')
      why.push('an emulated MWAIT returns to the VMM, which runs its work in the vCPU thread and re-enters at once: the vCPU stays runnable, each turn of the guest idle loop now costs the userspace round trip and the work')
    }
  }
  if (s.preemptedOnUserspaceExit && why.length) why.push(`host ${x.hostVersion} < 5.19 sets st->preempted on every return to userspace, so the guest sees the idle vCPU preempted until its next entry`)
  return {
    id: 'userspace-exits',
    title: `Userspace exits on HLT/MWAIT (${RFC})`,
    value: parts.join('; '),
    reason: `The 2023 Woodhouse RFC (KVM_CAP_X86_USERSPACE_EXITS, kvm_run.userspace_exits): ${why.length ? why.join('; ') : 'no HLT or MWAIT exit happens, so nothing changes'}. The exits still count as HLT / MWAIT_INSTRUCTION, from kvm_exit to the next kvm_entry`,
    mirrors: 'kvm_userspace_exit() / __kvm_emulate_halt() / kvm_emulate_mwait() (RFC, Sept 2023)',
  }
}

function mwaitYieldDecision(s: ExperimentalSetup, x: ExperimentalContext): Decision {
  const ex = exiting(x)
  const kind = yieldKind(x.hostVersion)
  const how = kind === YieldKind.CFS_SKIP
    ? 'CFS (host < 6.6): set_skip_buddy(), so another waiting thread runs unless it is more than wakeup_gran ahead in vruntime'
    : kind === YieldKind.EEVDF_DEADLINE
      ? 'EEVDF (host 6.6–6.18): the yielder\'s deadline moves a slice on and pick_eevdf() decides; with no other eligible thread it is picked again'
      : 'EEVDF (host 6.19+, "Forfeit vruntime on yield"): an eligible yielder forfeits the rest of its slice, so the other thread runs'
  const applies = ex.mwait && s.mwaitExit === MwaitExit.YIELD
  return {
    id: 'mwait-yield',
    title: `yield() on emulated MWAIT (${RFC})`,
    value: applies ? 'on' : `n/a (${!ex.mwait ? (x.mwaitInGuest ? 'MWAIT passed through' : 'MWAIT not in the guest CPUID') : 'MWAIT exits go to userspace'})`,
    reason: applies
      ? `the 2023 Woodhouse RFC: the MWAIT exit is a NOP followed by yield(): ${how}; alone on its pCPU the vCPU goes straight back, as today. An idle vCPU spinning through MWAIT exits gives its pCPU to a waiting thread`
      : 'The 2023 Woodhouse RFC: yield() is only called by an MWAIT exit that stays in the kernel',
    mirrors: 'kvm_emulate_mwait() → yield() → yield_task_fair() (RFC, Sept 2023)',
  }
}

function keepLoadedDecision(s: ExperimentalSetup, x: ExperimentalContext): Decision {
  return {
    id: 'keep-state-loaded',
    title: 'Guest state kept loaded across a schedule-out (experimental — not in any kernel)',
    value: s.keepStateLoaded ? 'on' : `n/a (host ${x.hostVersion} < ${SCHEDULED_OUT_SINCE}: no kvm_vcpu.scheduled_out)`,
    reason: s.keepStateLoaded
      ? 'the scheduled_out series, 2024: with vcpu->scheduled_out, kvm_sched_out()/kvm_sched_in() skip vcpu_put()/vcpu_load() when the vCPU thread comes back on the same pCPU with no other vCPU loaded there in between (after an HLT block, a kworker or a host task): a cheaper schedule-in (scheduleInNoLoad) and a smaller slowdown after the entry (indirectKeptLoaded)'
      : `the scheduled_out series, 2024: the optimisation builds on kvm_vcpu.scheduled_out, merged in ${SCHEDULED_OUT_SINCE}`,
    mirrors: 'kvm_sched_in() → kvm_arch_vcpu_load() with vcpu->scheduled_out (the scheduled_out series, 2024)',
  }
}

/** The host-halt-poll decision, as it reads when the VMM sleeps in its own poll() on HLT exits. */
export function amendHaltPollDecision(decisions: Decision[], s: ExperimentalSetup, x: ExperimentalContext): void {
  if (s.hltExit !== HaltExit.USERSPACE || s.hltWait !== 'vmm-poll' || !exiting(x).hlt) return
  const d = decisions.find((k) => k.id === 'host-halt-poll')
  if (!d) return
  d.value = `off for HLT exits (${RFC})`
  d.reason = 'HLT exits go to the VMM, which sleeps in its own poll(): kvm_vcpu_halt() never runs, so neither does halt polling'
}
