// Host halt polling (kernel-logic.md §3.5, virt/kvm/kvm_main.c kvm_vcpu_halt(), grow/shrink_halt_poll_ns()).
import { versionAtLeast } from './version.ts'

export interface HaltPollParams { maxNs: number; grow: number; growStart: number; shrink: number; hostVersion: string }

/** halt_poll_ns_shrink default: 0 before v6.11 (a long halt resets the window), 2 from v6.11 (aeb1b22a3ac8). */
export function defaultShrink(hostVersion: string): number {
  return versionAtLeast(hostVersion, '6.11') ? 2 : 0
}

/** grow_halt_poll_ns(): val·grow, at least grow_start. */
export function growHaltPoll(val: number, p: HaltPollParams): number {
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

/** The window update at the end of kvm_vcpu_halt(): keep, shrink after a long block, grow after a short one. */
export function updateHaltPoll(cur: number, haltNs: number, validWakeup: boolean, p: HaltPollParams): number {
  if (p.maxNs === 0) return 0
  if (!validWakeup) return shrinkHaltPoll(cur, p)
  if (haltNs <= cur) return cur
  if (cur !== 0 && haltNs > p.maxNs) return shrinkHaltPoll(cur, p)
  if (cur < p.maxNs && haltNs < p.maxNs) return growHaltPoll(cur, p)
  return cur
}
