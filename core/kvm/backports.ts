// Stable backports of the fixes the model gates on by version. A host on a stable branch (5.10.y, 5.15.y, …) carries
// a fix from the patch level the stable team released it in, not only from the mainline release (the stable
// team's review announcements and the stable trees' shortlogs). Each entry says how its version was determined; a branch whose version could
// not be determined is listed with `version: null` and follows mainline (the fix is taken as absent) — never guessed.
import { parseKernelVersion, compareKernelVersions } from '../kernel-version.ts'

export interface Backport {
  /** The stable branch, "5.10" for 5.10.y. */
  branch: string
  /** The first stable release that carries the fix, or null when it could not be determined from a published source. */
  version: string | null
  /** How the version was determined (which mail or announcement), or why it stays unknown. */
  how: string
}

export interface KernelFix {
  /** The mainline commit, 12 hex digits. */
  commit: string
  subject: string
  /** The first mainline release that carries it. */
  mainline: string
  /** The decision module that gates on it. */
  decides: string
  backports: Backport[]
}

/** Fixes keyed by the name the decision modules use. */
export const KERNEL_FIXES = {
  postedTimerNeedsHltOrMwait: {
    commit: '1714a4eb6fb0',
    subject: 'KVM: LAPIC: Enable timer posted-interrupt only when mwait/hlt is advertised',
    mainline: '5.18',
    decides: 'kvm_can_post_timer_interrupt() (core/kvm/timer-path.ts)',
    backports: [
      { branch: '5.4', version: '5.4.193', how: '"[PATCH 5.4 38/52]" (2022-05-10) is a reply to "[PATCH 5.4 00/52] 5.4.193-rc1 review"' },
      { branch: '5.10', version: '5.10.115', how: 'listed in the "Linux 5.10.115" announcement (Greg Kroah-Hartman, 2022-05-12), under Wanpeng Li' },
      { branch: '5.15', version: '5.15.39', how: 'in the "[PATCH 5.15 000/135] 5.15.39-rc1 review" shortlog (2022-05-10), under Wanpeng Li' },
    ],
  },
  preemptedOnlyIfPreempted: {
    commit: '54aa83c90198',
    subject: 'KVM: x86: do not set st->preempted when going back to user space',
    mainline: '5.19',
    decides: 'kvm_arch_vcpu_put() (core/kvm/steal-time-preempted.ts)',
    backports: [
      { branch: '5.10', version: '5.10.180', how: 'in the "[PATCH 5.10 000/381] 5.10.180-rc1 review" shortlog (2023-05-15), backported by Rishabh Bhatnagar' },
      { branch: '5.15', version: null, how: 'no 5.15.y review mail or announcement carrying it was found in the searched archives; 5.15.y follows mainline here' },
      { branch: '5.18', version: '5.18.17', how: 'in the "[PATCH 5.18 00/35] 5.18.17-rc1 review" shortlog (2022-08-09)' },
    ],
  },
  preemptedAtInstructionBoundary: {
    commit: '6cd88243c7e0',
    subject: 'KVM: x86: do not report a vCPU as preempted outside instruction boundaries',
    mainline: '5.19',
    decides: 'kvm_steal_time_set_preempted() (core/kvm/steal-time-preempted.ts)',
    backports: [
      { branch: '5.10', version: '5.10.180', how: 'in the 5.10.180-rc1 review shortlog (2023-05-15)' },
      { branch: '5.18', version: '5.18.17', how: 'in the 5.18.17-rc1 review shortlog (2022-08-09)' },
    ],
  },
  haltPollWithoutArchBlocking: {
    commit: 'f6c60d081e2c',
    subject: "KVM: Don't block+unblock when halt-polling is successful",
    mainline: '5.17',
    decides: 'avic_vcpu_blocking() around halt polling (core/kvm/avic.ts)',
    // Sean Christopherson's halt-polling rework ("KVM: Split out a kvm_vcpu_block() helper from kvm_vcpu_halt()",
    // "KVM: Rename kvm_vcpu_block() => kvm_vcpu_halt()"), in "[GIT PULL] First batch of KVM changes for Linux 5.17"
    // (Paolo Bonzini, 2022-01-14) and in Linus' tree by 2022-01-17 (f6c60d081e2c in the char-misc-linus revlist). A
    // cleanup without a Fixes: or stable tag: no stable branch carries it.
    backports: [],
  },
  svmDisableExitsPause: {
    commit: '830f01b089b1',
    subject: 'KVM: SVM: Fix disable pause loop exit/pause filtering capability on SVM',
    mainline: '5.8',
    decides: 'grantDisableExits() (core/kvm/disable-exits.ts)',
    backports: [
      { branch: '4.19', version: null, how: 'Greg Kroah-Hartman: "FAILED: patch … failed to apply to the 4.19-stable tree"' },
      { branch: '5.4', version: null, how: 'Greg Kroah-Hartman: "FAILED: patch … failed to apply to the 5.4-stable tree"' },
      { branch: '5.7', version: '5.7.13', how: '"[PATCH 5.7 119/120]" (2020-08-03) is a reply to the 5.7.13-rc1 review ("This is the start of the stable review cycle for the 5.7.13 release")' },
    ],
  },
  lapicTimerAdvanceFixedValues: {
    commit: 'c3941d9e0ccd',
    subject: 'KVM: lapic: Allow user to disable adaptive tuning of timer advancement',
    mainline: '5.1',
    decides: 'kvm_create_lapic() with lapic_timer_advance_ns (core/kvm/timer-advance.ts)',
    // In "[GIT PULL] KVM fixes for 5.1-rc8 or final" (Paolo Bonzini, up to 2019-05-01) with 57bf67e73ce9 (the 5000 ns
    // cap) and 39497d7660d9 (per-vCPU tracking), so in v5.1 (2019-05-05). 4.20.y had ended (4.20.17) before.
    backports: [
      { branch: '5.0', version: '5.0.14', how: '"[PATCH 5.0 023/122]" (2019-05-06) is a reply to the "5.0.14-stable review" ("This is the start of the stable review cycle for the 5.0.14 release")' },
    ],
  },
  ttwuWakelistIdleOnly: {
    commit: '28156108fecb',
    subject: 'sched: Fix the check of nr_running at queue wakelist',
    mainline: '6.0',
    decides: 'ttwu_queue_cond() in the guest (core/guest/rq-lock.ts)',
    // With f3dd3f674555 in "[GIT PULL] Scheduler updates for v6.0" (Ingo Molnar, 2022-08-01, shortlog "Tianchen Ding (2)").
    backports: [
      { branch: '5.10', version: '5.10.137', how: 'in the "[PATCH 5.10 000/541] 5.10.137-rc2 review" shortlog (2022-08-20), without f3dd3f674555' },
      { branch: '5.15', version: '5.15.61', how: 'in the "[PATCH 5.15 000/778] 5.15.61-rc2 review" shortlog (2022-08-16), next to f3dd3f674555' },
    ],
  },
  ttwuWakelistIdleWakeeCpu: {
    commit: 'f3dd3f674555',
    subject: 'sched: Remove the limitation of WF_ON_CPU on wakelist if wakee cpu is idle',
    mainline: '6.0',
    decides: 'ttwu_queue_cond() in the guest (core/guest/rq-lock.ts)',
    // "[GIT PULL] Scheduler updates for v6.0" (Ingo Molnar, 2022-08-01). 5.10.137 took only 28156108fecb.
    backports: [
      { branch: '5.15', version: '5.15.61', how: 'in the "[PATCH 5.15 000/778] 5.15.61-rc2 review" shortlog (2022-08-16)' },
    ],
  },
  directYieldUndercommitBailout: {
    commit: '72b268a8e930',
    subject: 'KVM: X86: Bail out of direct yield in case of under-committed scenarios',
    mainline: '5.13',
    decides: 'kvm_sched_yield() (core/kvm/pv-sched-yield.ts)',
    // Listed under "Wanpeng Li (7)" in Linus' "Linux 5.13-rc4" announcement (2021-05-30). 665052bfd683 (kvm.git master
    // push of 2021-05-24) and 384fdf745c23 (push of 2021-05-26) are the same patch before Paolo Bonzini rebased
    // kvm.git master ("post-receive: pub/scm/virt/kvm/kvm" revlists e3bfe03df81b..fef7a92027dc and
    // fef7a92027dc..f7d7a93c553f), not stable backports. No stable review shortlog carrying it was found; the patch
    // has no stable tag, so no stable branch is listed.
    backports: [],
  },
  pvWaitEarlyIgnoresPreempted: {
    commit: '89340d0935c9',
    subject: 'Revert "locking/pvqspinlock: Don\'t wait if vCPU is preempted"',
    mainline: '5.4',
    decides: 'pv_wait_early() in the guest (core/guest/qspinlock.ts pvLockFeatures())',
    // Wanpeng Li, in "[GIT PULL] Second batch of KVM changes for Linux 5.4 merge window" (Paolo Bonzini, 2019-09-27;
    // shortlog "Wanpeng Li (3)"). Cc: stable, Fixes: 75437bb304b2.
    backports: [
      { branch: '4.14', version: '4.14.149', how: 'listed in the "Linux 4.14.149" announcement (Greg Kroah-Hartman, 2019-10-12), under Wanpeng Li' },
      { branch: '4.19', version: '4.19.79', how: 'in the "[PATCH 4.19 000/114] 4.19.79-stable review" shortlog (2019-10-10)' },
      { branch: '5.3', version: '5.3.6', how: '"[PATCH 5.3 078/148]" (2019-10-10) is a reply to the "[PATCH 5.3 000/148] 5.3.6-stable review"' },
    ],
  },
} satisfies Record<string, KernelFix>

export type FixName = keyof typeof KERNEL_FIXES

/** Whether the host kernel carries the fix: mainline from its release, or a stable branch from the backport's
 *  patch level. A distro version ("5.14.0-362.el9") counts as its upstream base: distro backports are not modelled. */
export function hostHasFix(hostVersion: string, name: FixName): boolean {
  const fix: KernelFix = KERNEL_FIXES[name]
  const host = version(hostVersion)
  if (compareKernelVersions(host, version(fix.mainline)) >= 0) return true
  const bp = fix.backports.find((b) => b.branch === `${host.major}.${host.minor}`)
  return !!bp?.version && compareKernelVersions(host, version(bp.version)) >= 0
}

/** The sentence a decision shows for a host that has the fix only through its stable branch, or '' otherwise. */
export function backportNote(hostVersion: string, name: FixName): string {
  const fix: KernelFix = KERNEL_FIXES[name]
  const host = version(hostVersion)
  if (compareKernelVersions(host, version(fix.mainline)) >= 0) return ''
  const bp = fix.backports.find((b) => b.branch === `${host.major}.${host.minor}`)
  if (!bp?.version) return ''
  return hostHasFix(hostVersion, name)
    ? ` (${fix.commit} is in ${bp.branch}.y from ${bp.version})`
    : ` (${fix.commit} reaches ${bp.branch}.y only in ${bp.version})`
}

function version(text: string) {
  const r = parseKernelVersion(text)
  if (!r.ok) throw new RangeError(r.error.message)
  return r.version
}
