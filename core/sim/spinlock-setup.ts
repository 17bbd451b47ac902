// Per VM: how contended spinlocks behave — the guest's lock kind (kvm_spinlock_init()), whether its PAUSE loops exit
// (PLE / pause filter, DISABLE_EXITS_PAUSE, CPL) and whether waiters halt — with the decisions in words.
import type { Host, Vm } from '../profile/profile-schema.ts'
import type { CpuFeatures } from '../costs/cpu-presets.ts'
import type { Decision } from '../result.ts'
import { kvmSpinlockInit } from '../guest/pvspinlock.ts'
import { waiterHalts, handoff, pvLockFeatures } from '../guest/qspinlock.ts'
import { pvUnhaltVisible } from '../kvm/disable-exits.ts'
import { pauseCanExitAtCpl } from '../kvm/ple.ts'
import type { PleParams } from '../kvm/ple.ts'
import { backendOf } from '../kvm/backend.ts'
import { readyCandidates, pendingInterruptBoosts } from '../kvm/directed-yield.ts'
import { kickCpuYields, directYieldBailsOutWhenAlone } from '../kvm/pv-sched-yield.ts'
import type { Issue } from '../schema/schema.ts'
import type { SpinlockSpec } from './model-inputs.ts'

/** The profile's PAUSE-loop knobs and the PleParams field each sets (-1 = the vendor module's default). */
const PLE_KNOBS = [['pleGap', 'gap'], ['pleWindow', 'window'], ['pleWindowGrow', 'grow'], ['pleWindowShrink', 'shrink'], ['pleWindowMax', 'max']] as const

/** The host's PLE / pause-filter module parameters (kvm_intel ple_gap/ple_window/_grow/_shrink/_max, kvm_amd
 *  pause_filter_thresh/_count/_count_grow/_count_shrink/_count_max), each -1 replaced by the vendor's default. */
export function pleParams(host: Host, vendor: 'vmx' | 'svm'): PleParams {
  const b = backendOf(vendor)
  const p = { ...b.pleDefaults }
  for (const [knob, field] of PLE_KNOBS) if (host.kvm[knob] >= 0) p[field] = host.kvm[knob]
  return b.pleParamsFor(host.kernel.version, p)
}

/** The run warning for PLE knobs the host's module does not have (kvm_amd before 4.17), or ''. */
export function pleParamWarning(host: Host, vendor: 'vmx' | 'svm'): string {
  return backendOf(vendor).pleParamWarning(host.kernel.version, PLE_KNOBS.filter(([knob]) => host.kvm[knob] >= 0).map(([knob]) => knob))
}

/** Values the vendor module refuses: kvm_amd's parameters are unsigned shorts (param_set_ushort() fails above 65535,
 *  and modprobe with it), kvm_intel's unsigned ints. A module without them (kvm_amd < 4.17) ignores them instead
 *  (pleParamWarning()). */
export function pleParamIssues(host: Host, vendor: 'vmx' | 'svm'): Issue[] {
  const b = backendOf(vendor)
  const out: Issue[] = []
  if (!b.hasPleParams(host.kernel.version)) return out
  for (const [knob, field] of PLE_KNOBS) {
    const v = host.kvm[knob]
    if (v > b.pleParamLimit) out.push({ path: `host.kvm.${knob}`, value: String(v), message: `${b.pleParamNames[field]} is an unsigned ${b.pleParamLimit === 0xffff ? 'short' : 'int'}: ${v} is more than ${b.pleParamLimit}, which the module refuses`, fix: `use 0–${b.pleParamLimit}, or -1 for the default (${b.pleDefaults[field]})` })
  }
  return out
}

/** `loopGapNs`: the spin loop's body between two PAUSEs (cost spinLoopGap), for the ple_gap / pause_filter_thresh test. */
export function resolveSpinlock(host: Host, vm: Vm, features: CpuFeatures, granted: { hlt: boolean; pause: boolean }, lockBase: number, loopGapNs = 0): { spec: SpinlockSpec; decisions: Decision[] } {
  const c = vm.contention.spinlock
  const pvUnhalt = pvUnhaltVisible(vm.kvm.pv.pvUnhalt, granted.hlt)
  const kind = kvmSpinlockInit({ pvUnhalt, realtimeHint: vm.kvm.hintDedicated, nopvspin: vm.guest.nopvspin, vcpus: vm.vcpus, guestVersion: vm.guest.kernelVersion }).kind
  const params = pleParams(host, features.vendor)
  const ple = backendOf(features.vendor).pleEnabled({ vendor: features.vendor, pleGap: params.gap, pauseInGuest: granted.pause, hostVersion: host.kernel.version, pauseFilterCount: params.window, loopGapCycles: loopGapNs * features.ghz })
  const adaptReason = backendOf(features.vendor).pleAdaptReason(host.kernel.version, params)
  const cplSeen = pauseCanExitAtCpl(features.vendor, c.userSpace ? 3 : 0)
  const spec: SpinlockSpec = {
    kind, acquisitionsPerSec: c.acquisitionsPerSec, holdNs: c.holdNs, locks: c.locks, userSpace: c.userSpace, lockBase,
    pauseExits: ple.enabled && cplSeen,
    halts: waiterHalts(kind, c.userSpace),
    kernelPauseExits: ple.enabled,
    pv: pvLockFeatures(vm.guest.kernelVersion),
  }
  const decisions: Decision[] = []
  decisions.push({
    id: 'ple', title: backendOf(features.vendor).pleTitle, value: ple.enabled ? 'on' : 'off',
    reason: `${ple.reason}${ple.enabled && c.acquisitionsPerSec > 0 && !cplSeen ? '; the contended loop runs at CPL 3, which VMX PLE ignores' : ''}. The window starts at ${params.window} ${features.vendor === 'vmx' ? 'TSC cycles' : 'PAUSEs'} (${backendOf(features.vendor).pleParamNames.window}); on a PAUSE exit ${adaptReason ? `it stays (${adaptReason})` : `it grows (${params.grow < 1 ? 'reset to the module window' : params.grow < params.window ? `×${params.grow}` : `+${params.grow}`}, __grow_ple_window(), at most ${params.max})`} and kvm_vcpu_on_spin() looks for a vCPU of the VM waiting for a pCPU to yield to (${readyCandidates(host.kernel.version, host.kernel.reverted) === 'ready' ? `host ${host.kernel.version} ≥ 5.3: vcpu->ready, preempted or woken by an interrupt` : `host ${host.kernel.version}${host.kernel.reverted.includes('d73eb57b80b9') ? ' without d73eb57b80b9' : ' < 5.3'}: vcpu->preempted only, not a vCPU woken by an interrupt`}; ${pendingInterruptBoosts(host.kernel.version) ? 'a vCPU preempted in user mode only when it has an interrupt pending' : 'never a vCPU preempted in user mode (the pending-interrupt boost is 5.13)'}) — under 1:1 pinning there is none`,
    mirrors: backendOf(features.vendor).pleMirrors,
  })
  if (c.acquisitionsPerSec > 0) {
    const pvSteal = kind === 'pvqspinlock' && !c.userSpace ? pvStealText(spec.pv) : ''
    const order = pvSteal || (handoff(kind, c.userSpace) === 'head' ? 'FIFO (MCS queue): the head gets it even while its vCPU is preempted' : 'unfair test-and-set: whichever running spinner comes first')
    const wait = spec.halts
      ? `waiters spin 2^15 PAUSEs (SPIN_THRESHOLD), then halt in pv_wait() (an HLT exit) until the unlocker kicks them with KVM_HC_KICK_CPU (a VMCALL exit${kickCpuYields(host.kernel.version, host.kernel.reverted) ? `, which on a ≥ 5.3 host also yields to the kicked waiter${directYieldBailsOutWhenAlone(host.kernel.version) ? ' unless the unlocker is alone on its pCPU (host ≥ 5.13: kvm_sched_yield() bails out on single_task_running(), 72b268a8e930)' : ''}` : ''})`
      : `waiters spin on PAUSE${spec.pauseExits ? ', exiting each time the PLE window runs out' : ' without exiting'}`
    decisions.push({
      id: 'lock-contention', title: 'Contended spinlock', value: `${c.userSpace ? 'user-space spin loop' : kind}, ${c.acquisitionsPerSec}/s per busy vCPU`,
      reason: `${c.locks} lock${c.locks > 1 ? 's' : ''}, critical section ~${c.holdNs} ns; handover ${order}; ${wait}`,
      mirrors: c.userSpace ? 'pthread_spin_lock()' : kind === 'pvqspinlock' ? 'pv_hybrid_queued_unfair_trylock() / pv_wait_node() / pv_wait_early() / __pv_queued_spin_unlock_slowpath()' : kind === 'test-and-set' ? 'virt_spin_lock()' : 'queued_spin_lock_slowpath()',
    })
  }
  return { spec, decisions }
}

/** The pvqspinlock hand-over in words, by guest version (core/guest/qspinlock.ts pvLockFeatures()). */
function pvStealText(f: ReturnType<typeof pvLockFeatures>): string {
  const head = 'FIFO (MCS queue) while the head spins (its pending bit set); once the head halted in pv_wait() the unlock releases the lock and kicks it'
  const steal = f.unfairSpin
    ? ', and a running newcomer may take it first: from guest 4.15 it waits unfairly out of the queue while the head is not spinning (pv_hybrid_queued_unfair_trylock(), 11752adb68a3)'
    : f.stealOnEntry ? ', and a newcomer that finds it free takes it (one steal attempt at slowpath entry, pv_queued_spin_steal_lock(), 4.5)' : '; guest < 4.5: no stealing, the lock waits for the kicked head'
  const early = !f.waitEarly ? '' : `; a queued waiter halts early (within 256 loops) when its predecessor halted${f.waitEarlyOnPreempted ? ' or its vCPU is preempted (75437bb304b2, reverted in 5.4 / 4.14.149 / 4.19.79 / 5.3.6)' : ''} (pv_wait_early())`
  return head + steal + early
}
