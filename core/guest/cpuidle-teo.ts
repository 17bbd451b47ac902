// The teo cpuidle governor ("timer events oriented", drivers/cpuidle/governors/teo.c, from v5.1): the candidate is
// the deepest state whose target residency fits the time to the next timer event (the sleep length); per-state
// "hits" (the idle ended in the sleep length's bin) and "intercepts" (it ended earlier, in a shallower bin), decayed
// by 1/8 each update, move the choice to a shallower state when intercepts dominate. The metrics follow teo as
// reworked in v5.16 (hits/intercepts per bin); its "recent" counts and (6.3+) utilization check are left out.
// Per-vCPU state in typed arrays; no allocation per idle.
import type { CpuidleStates } from './cpuidle-states.ts'

/** CPUIDLE_STATE_MAX */
const MAX_STATES = 10
const PULSE = 1024
const DECAY_SHIFT = 3
const NO_LATENCY_REQ = 2e12

const trNs = (s: CpuidleStates, i: number): number => s.targetResidencyUs[i]! * 1000

export class TeoGovernor {
  private readonly hits: Float64Array
  private readonly intercepts: Float64Array
  private readonly total: Float64Array
  private readonly timeSpanNs: Float64Array
  private readonly sleepLengthNs: Float64Array
  private readonly lastIdx: Int8Array
  private readonly lastResidencyNs: Float64Array
  /** teo_select()'s `*stop_tick` of the last call. */
  stopTick = true

  constructor(nV: number) {
    this.hits = new Float64Array(nV * MAX_STATES)
    this.intercepts = new Float64Array(nV * MAX_STATES)
    this.total = new Float64Array(nV)
    this.timeSpanNs = new Float64Array(nV)
    this.sleepLengthNs = new Float64Array(nV)
    this.lastIdx = new Int8Array(nV).fill(-1)
    this.lastResidencyNs = new Float64Array(nV)
  }

  /** teo_update(): the measured idle (less half the exit latency) and the sleep length fall in a bin each: the same
   *  bin is a hit, another an intercept of the measured one's bin. */
  private update(g: number, s: CpuidleStates): void {
    const base = g * MAX_STATES
    const sleep = this.sleepLengthNs[g]!
    let measured: number
    if (this.timeSpanNs[g]! >= sleep) measured = Infinity
    else {
      const lat = s.exitLatencyUs[this.lastIdx[g]!]! * 1000
      measured = this.lastResidencyNs[g]!
      measured = measured >= lat ? measured - lat / 2 : measured / 2
    }
    let total = 0
    let idxTimer = 0
    let idxDuration = 0
    for (let i = 0; i < s.count; i++) {
      const k = base + i
      this.hits[k] = this.hits[k]! - Math.floor(this.hits[k]! / (1 << DECAY_SHIFT))
      this.intercepts[k] = this.intercepts[k]! - Math.floor(this.intercepts[k]! / (1 << DECAY_SHIFT))
      total += this.hits[k]! + this.intercepts[k]!
      const tr = s.targetResidencyUs[i]! * 1000
      if (tr <= sleep) { idxTimer = i; if (tr <= measured) idxDuration = i }
    }
    if (idxTimer === idxDuration) this.hits[base + idxTimer]! += PULSE
    else this.intercepts[base + idxDuration]! += PULSE
    this.total[g] = total + PULSE
  }

  /** teo_select(): `sleepLengthNs` is tick_nohz_get_sleep_length(), `deltaTickNs` its delta (the next event
   *  including the tick). Sets `stopTick`. */
  select(g: number, s: CpuidleStates, sleepLengthNs: number, deltaTickNs: number, tickStopped: boolean, tickNs: number): number {
    if (this.lastIdx[g]! >= 0) { this.update(g, s); this.lastIdx[g] = -1 }
    this.sleepLengthNs[g] = sleepLengthNs
    this.stopTick = true
    if (s.count < 2 || trNs(s, 1) > sleepLengthNs) { this.stopTick = false; return 0 }
    const base = g * MAX_STATES
    let interceptSum = 0
    let hitSum = 0
    let idxInterceptSum = 0
    let idxHitSum = 0
    let idx = -1
    let constraintIdx = 0
    const idx0 = 1
    let durationNs = sleepLengthNs
    for (let i = 1; i < s.count; i++) {
      interceptSum += this.intercepts[base + i - 1]!
      hitSum += this.hits[base + i - 1]!
      if (idx < 0) idx = i
      if (trNs(s, i) > durationNs) break
      idx = i
      if (s.exitLatencyUs[i]! * 1000 <= NO_LATENCY_REQ) constraintIdx = i
      idxInterceptSum = interceptSum
      idxHitSum = hitSum
    }
    if (idx === idx0) durationNs = trNs(s, idx)
    else {
      if (2 * idxInterceptSum > this.total[g]! - idxHitSum) {
        // early wake-ups dominate: the deepest shallower state that most idles outlasted
        let firstSpan = durationNs
        let firstIdx = idx
        let sum = 0
        for (let i = idx - 1; i >= 0; i--) {
          sum += this.intercepts[base + i]!
          const span = (trNs(s, i) + trNs(s, i + 1)) / 2
          if (2 * sum > idxInterceptSum) {
            if (!tickStopped || span >= tickNs) { idx = i; durationNs = span } else { idx = firstIdx; durationNs = firstSpan }
            break
          }
          if (tickStopped && span < tickNs) { if (firstIdx !== idx) continue; break }
          firstSpan = span
          firstIdx = i
        }
      }
      if (idx > constraintIdx) idx = constraintIdx
    }
    if ((idx !== 0 && durationNs >= tickNs) || tickStopped) return idx
    // the tick stays: the state's target residency must fit before the next event including the tick
    if (idx > idx0 && trNs(s, idx) > deltaTickNs) {
      for (let i = idx - 1; i >= 0; i--) { idx = i; if (trNs(s, i) <= deltaTickNs) break }
    }
    this.stopTick = false
    return idx
  }

  /** teo_reflect(): a wake-up by a safety net (the poll time limit, or the tick while the sleep length was beyond it)
   *  counts as an idle of the whole sleep length. */
  reflect(g: number, idx: number, residencyNs: number, spanNs: number, gotTick: boolean, pollTimeLimit: boolean, tickNs: number): void {
    this.lastIdx[g] = idx
    this.lastResidencyNs[g] = residencyNs
    this.timeSpanNs[g] = pollTimeLimit || (gotTick && this.sleepLengthNs[g]! > tickNs) ? this.sleepLengthNs[g]! : spanNs
  }
}
