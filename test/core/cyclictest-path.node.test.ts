// The guest's part of a cyclictest wake-up (docs/model.md, "A cyclictest wake-up, step by step", steps 2 and 6): its
// rows add up to the bare-metal cyclictest path they are taken from (BARE_METAL_CYCLICTEST, cost-sources.ts), and each
// of them — and no other guest row — lies on the latency path of the timer-advance-cyclictest profile once: a
// microsecond more of it is a microsecond more of latency, plus at most as much again of the refill the longer work
// pays (indirect-cost.ts: the refill is bounded by the work it slows).
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { COST_TABLES } from '../../core/costs/cost-tables.ts'
import type { CostName } from '../../core/costs/cost-tables.ts'
import { BARE_METAL_CYCLICTEST, WAKE_PATH_WEIGHTS } from '../../core/costs/cost-sources.ts'

const PATH_ROWS = Object.keys(WAKE_PATH_WEIGHTS) as CostName[]
const skl = COST_TABLES['skylake-sp']
/** The bare-metal figure in ns at the reference clock (2.4 GHz), less the native TSC-deadline write. */
const atRef = (ns: number): number => (ns * BARE_METAL_CYCLICTEST.ghz - BARE_METAL_CYCLICTEST.nativeWriteCycles) / 2.4

/** Mean cyclictest latency (ns) of the timer-advance-cyclictest profile's host-5.2 configuration, with one cost raised. */
function meanLatency(raise?: CostName, byNs = 1000): number {
  const raw = JSON.parse(readFileSync(new URL('../../examples/validation/profiles/timer-advance-cyclictest.json', import.meta.url), 'utf8')) as Record<string, any>
  if (raise) raw.host.costs = { [raise]: { minNs: skl[raise].minNs + byNs, meanNs: skl[raise].meanNs + byNs } }
  const r = loadProfile(raw)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return runConfiguration(r.profile, 'host-5.2', { durationSec: 0.2 }).vms[0]!.workload.meanLatencyNs
}

describe('cyclictest wake-up: the guest-side steps from bare-metal cyclictest', () => {
  it('the path\'s rows add up to the bare-metal average and minimum (Ice Lake SP cycles at 2.4 GHz, less the native deadline write)', () => {
    const mean = PATH_ROWS.reduce((s, k) => s + skl[k].meanNs, 0)
    const floor = PATH_ROWS.reduce((s, k) => s + skl[k].minNs, 0)
    expect(Math.abs(mean - atRef(BARE_METAL_CYCLICTEST.avgNs))).toBeLessThanOrEqual(PATH_ROWS.length)
    expect(Math.abs(floor - atRef(BARE_METAL_CYCLICTEST.minNs))).toBeLessThanOrEqual(PATH_ROWS.length)
    for (const k of PATH_ROWS) expect(skl[k].minNs, k).toBeLessThan(skl[k].meanNs)
  })

  it('each of the path\'s rows is on the latency path once: +1 µs of it adds 1–2 µs of mean latency (its refill at most as much again)', () => {
    const base = meanLatency()
    for (const k of PATH_ROWS) {
      const rise = meanLatency(k) - base
      expect(rise, k).toBeGreaterThan(900)
      expect(rise, k).toBeLessThan(2100)
    }
  })

  it('the rows of other paths are not on it: a remote wake-up, a switch between threads, the clock_nanosleep() entry', () => {
    const base = meanLatency()
    for (const k of ['guestTtwu', 'guestTtwuActivate', 'guestContextSwitch', 'guestNanosleepEntry'] as CostName[]) {
      expect(Math.abs(meanLatency(k) - base), k).toBeLessThan(150)
    }
  })
})
