// Mainline commits a host kernel may be built without (host.kernel.reverted): a patch's published "vanilla" baseline is
// often the same tree without that one patch, not the previous release — 266e85a5ec91's ebizzy figures compare the
// kvm tree of July 2019 (5.3-rc1, which already had d73eb57b80b9) without and with it. Only commits the model gates on
// can be listed, each with the first mainline release that carries it; reverting one the host version lacks is refused
// (there is nothing to revert). The decision module named by `decides` asks hostHasCommit().
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export interface RevertibleCommit {
  subject: string
  /** The first mainline release that carries it. */
  mainline: string
  /** The decision module that gates on it. */
  decides: string
}

export const REVERTIBLE = {
  '266e85a5ec91': {
    subject: 'KVM: X86: Boost queue head vCPU to mitigate lock waiter preemption',
    mainline: '5.3',
    decides: 'kickCpuYields() (core/kvm/pv-sched-yield.ts)',
  },
  'd73eb57b80b9': {
    subject: 'KVM: Boost vCPUs that are delivering interrupts',
    mainline: '5.3',
    decides: 'readyCandidates() (core/kvm/directed-yield.ts)',
  },
} as const satisfies Record<string, RevertibleCommit>

export type RevertibleId = keyof typeof REVERTIBLE

export const REVERTIBLE_COMMITS = Object.keys(REVERTIBLE) as RevertibleId[]

/** Whether host `hostVersion` built without the commits in `reverted` carries `commit`. */
export function hostHasCommit(hostVersion: string, reverted: readonly string[], commit: RevertibleId): boolean {
  return versionAtLeast(hostVersion, REVERTIBLE[commit].mainline) && !reverted.includes(commit)
}

/** The listed reverts a host of `hostVersion` cannot make: commits it does not carry, and repeats. */
export function revertIssues(hostVersion: string, reverted: readonly string[]): { commit: string; what: string; fix: string }[] {
  const out: { commit: string; what: string; fix: string }[] = []
  reverted.forEach((c, i) => {
    const known = REVERTIBLE[c as RevertibleId]
    if (!known) return // the schema refuses unknown ids
    if (reverted.indexOf(c) !== i) out.push({ commit: c, what: 'is listed twice', fix: 'list each commit once' })
    else if (!versionAtLeast(hostVersion, known.mainline)) out.push({ commit: c, what: `is not in host ${hostVersion} (mainline from ${known.mainline}): there is nothing to revert`, fix: `remove it, or set host.kernel.version to ${known.mainline} or newer` })
  })
  return out
}
