// The menu cpuidle governor (drivers/cpuidle/governors/menu.c) of a guest whose cpuidle driver has several states
// (intel_idle or acpi_idle with MWAIT exposed): menu_select() predicts the idle time from the next timer event
// scaled by a per-bucket correction factor (and the typical interval of the last 8 idles), picks the deepest state
// whose target residency and exit latency fit, and says whether the tick may stop; menu_reflect()/menu_update()
// learn from the measured residency. Times in µs as menu.c had them up to v5.6 (v5.7 moved to ns; same decisions).
// Per-vCPU state in typed arrays; no allocation per idle.
import type { CpuidleStates } from './cpuidle-states.ts'

const BUCKETS = 12
const INTERVALS = 8
const RESOLUTION = 1024
const DECAY = 8
const MAX_INTERESTING = 50_000
/** cpuidle_governor_latency_req() without a PM QoS constraint. */
const NO_LATENCY_REQ = 2e9

/** which_bucket() without I/O waiters (the model has no iowait): the decade of the next timer event in µs. */
export function whichBucket(durationUs: number): number {
  if (durationUs < 10) return 0
  if (durationUs < 100) return 1
  if (durationUs < 1000) return 2
  if (durationUs < 10_000) return 3
  if (durationUs < 100_000) return 4
  return 5
}

export class MenuGovernor {
  /** correction_factor[BUCKETS] per vCPU, starting at unity (RESOLUTION × DECAY, menu_enable_device()). */
  private readonly corr: Float64Array
  /** intervals[INTERVALS] per vCPU, and the next slot. */
  private readonly intervals: Float64Array
  private readonly intervalPtr: Int32Array
  private readonly bucket: Int32Array
  private readonly nextTimerUs: Float64Array
  private readonly needsUpdate: Uint8Array
  private readonly tickWakeup: Uint8Array
  private readonly lastIdx: Int8Array
  private readonly lastResidencyUs: Float64Array
  private readonly pollTimeLimit: Uint8Array
  /** menu_select()'s `*stop_tick` of the last call. */
  stopTick = true

  constructor(nV: number) {
    this.corr = new Float64Array(nV * BUCKETS).fill(RESOLUTION * DECAY)
    this.intervals = new Float64Array(nV * INTERVALS)
    this.intervalPtr = new Int32Array(nV)
    this.bucket = new Int32Array(nV)
    this.nextTimerUs = new Float64Array(nV)
    this.needsUpdate = new Uint8Array(nV)
    this.tickWakeup = new Uint8Array(nV)
    this.lastIdx = new Int8Array(nV)
    this.lastResidencyUs = new Float64Array(nV)
    this.pollTimeLimit = new Uint8Array(nV)
  }

  /** menu_select(): `sleepLengthNs` is tick_nohz_get_sleep_length() (the next timer event if the tick stopped),
   *  `deltaNextNs` its delta_next (the next event including the tick). Sets `stopTick`. */
  select(g: number, s: CpuidleStates, sleepLengthNs: number, deltaNextNs: number, tickStopped: boolean, tickUs: number): number {
    if (this.needsUpdate[g]) { this.update(g, s, tickUs); this.needsUpdate[g] = 0 }
    const nextTimerUs = Math.floor(sleepLengthNs / 1000)
    const deltaNextUs = Math.floor(deltaNextNs / 1000)
    this.nextTimerUs[g] = nextTimerUs
    this.bucket[g] = whichBucket(nextTimerUs)
    const tr = s.targetResidencyUs
    const el = s.exitLatencyUs
    let latencyReq = NO_LATENCY_REQ
    this.stopTick = true
    if (s.count <= 1 || nextTimerUs < tr[1]! || latencyReq < el[1]!) {
      // state 0 (polling) will be used no matter what: keep the tick
      this.stopTick = false
      return 0
    }
    let predictedUs = Math.round(nextTimerUs * this.corr[g * BUCKETS + this.bucket[g]!]! / (RESOLUTION * DECAY))
    predictedUs = Math.min(predictedUs, this.typicalInterval(g, predictedUs))
    if (tickStopped) {
      // a misprediction with the tick stopped may strand the CPU in a shallow state: use the known next event
      if (predictedUs < tickUs) predictedUs = deltaNextUs
    } else if (latencyReq > predictedUs) {
      latencyReq = predictedUs // performance_multiplier() is 1 without I/O waiters
    }
    let idx = -1
    for (let i = 0; i < s.count; i++) {
      if (idx === -1) idx = i
      if (tr[i]! > predictedUs) {
        // a physical state rather than busy polling, unless a timer is due soon enough
        if (idx === 0 && el[i]! <= latencyReq && tr[i]! <= nextTimerUs) { predictedUs = tr[i]!; idx = i; break }
        if (predictedUs < tickUs) break
        if (!tickStopped) { predictedUs = tr[idx]!; break }
        if (tr[idx]! < tickUs && tr[i]! <= deltaNextUs) idx = i
        return idx
      }
      if (el[i]! > latencyReq) break
      idx = i
    }
    if (idx === -1) idx = 0
    if ((idx === 0 || predictedUs < tickUs) && !tickStopped) {
      this.stopTick = false
      if (idx > 0 && tr[idx]! > deltaNextUs) {
        // the tick stays: the state's target residency must fit before the next event including the tick
        for (let i = idx - 1; i >= 0; i--) { idx = i; if (tr[i]! <= deltaNextUs) break }
      }
    }
    return idx
  }

  /** menu_reflect(): records the entered state; menu_update() runs at the next select. `gotTick`:
   *  tick_nohz_idle_got_tick(); `pollTimeLimit`: the poll state ran out its window. */
  reflect(g: number, idx: number, residencyNs: number, gotTick: boolean, pollTimeLimit: boolean): void {
    this.lastIdx[g] = idx
    this.lastResidencyUs[g] = Math.floor(residencyNs / 1000)
    this.tickWakeup[g] = gotTick ? 1 : 0
    this.pollTimeLimit[g] = pollTimeLimit ? 1 : 0
    this.needsUpdate[g] = 1
  }

  /** menu_update(): the measured idle (less the exit latency) updates the bucket's correction factor and the
   *  interval history. */
  private update(g: number, s: CpuidleStates, tickUs: number): void {
    const last = this.lastIdx[g]!
    const nextTimerUs = this.nextTimerUs[g]!
    let measured: number
    if (this.tickWakeup[g] && nextTimerUs > tickUs) {
      // woken by a tick the nohz code meant to stop: count it as a long idle
      measured = Math.floor(9 * MAX_INTERESTING / 10)
    } else if (last === 0 && this.pollTimeLimit[g]) {
      measured = nextTimerUs
    } else {
      measured = this.lastResidencyUs[g]!
      const lat = s.exitLatencyUs[last]!
      measured = measured > 2 * lat ? measured - lat : Math.floor(measured / 2)
    }
    if (measured > nextTimerUs) measured = nextTimerUs
    const k = g * BUCKETS + this.bucket[g]!
    let f = this.corr[k]!
    f -= Math.floor(f / DECAY)
    f += nextTimerUs > 0 && measured < MAX_INTERESTING ? Math.floor(RESOLUTION * measured / nextTimerUs) : RESOLUTION
    this.corr[k] = f
    this.intervals[g * INTERVALS + this.intervalPtr[g]!] = measured
    this.intervalPtr[g] = (this.intervalPtr[g]! + 1) % INTERVALS
  }

  /** get_typical_interval(): the mean of the last 8 idles when their spread is small (outliers above dropped down
   *  to 3/4 of the samples); Infinity (UINT_MAX) otherwise. */
  private typicalInterval(g: number, predictedUs: number): number {
    const base = g * INTERVALS
    let thresh = Infinity
    for (;;) {
      let min = Infinity
      let max = 0
      let sum = 0
      let divisor = 0
      for (let i = 0; i < INTERVALS; i++) {
        const v = this.intervals[base + i]!
        if (v <= thresh) { sum += v; divisor++; if (v > max) max = v; if (v < min) min = v }
      }
      if (min >= predictedUs) return Infinity
      const avg = Math.floor(sum / divisor)
      let variance = 0
      for (let i = 0; i < INTERVALS; i++) {
        const v = this.intervals[base + i]!
        if (v <= thresh) variance += (v - avg) * (v - avg)
      }
      variance = Math.floor(variance / divisor)
      if ((avg * avg > variance * 36 && divisor * 4 >= INTERVALS * 3) || variance <= 400) return avg
      if (divisor * 4 <= INTERVALS * 3) return Infinity
      thresh = max - 1
    }
  }
}
