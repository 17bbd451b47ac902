// The host's cpuidle governor for a pCPU whose vCPU thread blocks (drivers/cpuidle/governors/menu.c, reduced): it
// predicts the idle time from recent ones (an exponential average) and picks the deepest C-state whose target
// residency fits; the wake-up then pays that state's exit latency.
import type { ModelCore, Cpuidle as CpuidlePart } from '../sim/model-parts.ts'

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
    this.pcpuIdleEma[c] = this.pcpuIdleEma[c]! * 0.75 + idleNs * 0.25
  }
}
