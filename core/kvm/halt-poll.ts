// Host halt polling (virt/kvm/kvm_main.c kvm_vcpu_halt(), grow/shrink_halt_poll_ns()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export interface HaltPollParams { maxNs: number; grow: number; growStart: number; shrink: number; hostVersion: string }

/** halt_poll_ns_shrink default: 0 before v6.11 (a long halt resets the window), 2 from v6.11 (aeb1b22a3ac8). */
export function defaultShrink(hostVersion: string): number {
  return versionAtLeast(hostVersion, '6.11') ? 2 : 0
}

/** Before v5.1 grow_halt_poll_ns() started from a fixed 10000 ns (halt_poll_ns_grow_start did not exist). */
const PRE_5_1_GROW_START = 10_000

/** grow_halt_poll_ns(): val·grow, at least grow_start (v5.1+). Before v5.1 (Nir Weiner's series in the 5.1 KVM
 *  pull): 0 grows to 10000, anything else is multiplied by grow, so grow = 0 resets the window to 0. */
export function growHaltPoll(val: number, p: HaltPollParams): number {
  if (!versionAtLeast(p.hostVersion, '5.1')) {
    const v = val === 0 && p.grow !== 0 ? PRE_5_1_GROW_START : val * p.grow
    return Math.min(v, p.maxNs)
  }
  if (p.grow === 0) return val
  let v = val * p.grow
  if (v < p.growStart) v = p.growStart
  return Math.min(v, p.maxNs)
}

/** shrink_halt_poll_ns(): val/shrink (0 when shrink is 0); below grow_start it drops to 0 (since v5.15). */
export function shrinkHaltPoll(val: number, p: HaltPollParams): number {
  let v = p.shrink === 0 ? 0 : Math.floor(val / p.shrink)
  if (versionAtLeast(p.hostVersion, '5.15') && v < p.growStart) v = 0
  return v
}

/** Before v4.3 (aca6ff29c406 "KVM: dynamic halt-polling") kvm_vcpu_block() polled for the full halt_poll_ns on every
 *  halt (halt polling since f7819512996e, v4.0): no per-vCPU window, no grow or shrink. */
export function haltPollAdaptive(hostVersion: string): boolean {
  return versionAtLeast(hostVersion, '4.3')
}

/** The window update at the end of kvm_vcpu_halt(): keep, shrink after a long block, grow after a short one (before
 *  v4.3: always the full halt_poll_ns). */
export function updateHaltPoll(cur: number, haltNs: number, validWakeup: boolean, p: HaltPollParams): number {
  if (p.maxNs === 0) return 0
  if (!haltPollAdaptive(p.hostVersion)) return p.maxNs
  if (!validWakeup) return shrinkHaltPoll(cur, p)
  if (haltNs <= cur) return cur
  if (cur !== 0 && haltNs > p.maxNs) return shrinkHaltPoll(cur, p)
  if (cur < p.maxNs && haltNs < p.maxNs) return growHaltPoll(cur, p)
  return cur
}
