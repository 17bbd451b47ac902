// The redis workload's hand-off from the RX softirq on vCPU 0 to the I/O threads on the other vCPUs: every idle target
// gets its reschedule IPI, so no vCPU sleeps with requests queued for it (a softirq batch can have several targets).
import { describe, it, expect } from 'vitest'
import { workloadProfile, runAll } from '../helpers/workload-runs.ts'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { HostModel } from '../../core/sim/host-model.ts'
import { St } from '../../core/sim/constants.ts'

const profile = workloadProfile({ kind: 'redis', clients: 'open', ratePerSec: 100_000, serverThreads: 4 }, { base: {} })

describe('redis with 4 I/O threads (open loop)', () => {
  it('no vCPU stays blocked for long with requests queued for it', () => {
    const r = loadProfile(profile)
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const s = setupModel(resolveConfiguration(r.profile, 'base'), 1, 0.1)
    if (!s.ok) throw new Error(JSON.stringify(s.issues))
    const m = new HostModel(s.inputs)
    m.start()
    const since = new Float64Array(m.nV).fill(-1)
    let worst = 0
    while (m.engine.now <= m.endNs && m.engine.step()) {
      for (let g = 0; g < m.nV; g++) {
        const waiting = m.state[g] === St.BLOCKED && m.qLen[g]! > 0
        if (waiting && since[g]! < 0) since[g] = m.engine.now
        if (!waiting && since[g]! >= 0) { worst = Math.max(worst, m.engine.now - since[g]!); since[g] = -1 }
      }
    }
    expect(worst).toBeGreaterThan(0)
    expect(worst).toBeLessThan(100_000)
  })

  it('the latency tail stays in the hundreds of microseconds', () => {
    const w = runAll(profile, 0.2).base!.vms[0]!.workload
    expect(w.throughputPerSec).toBeGreaterThan(95_000)
    expect(w.latencyNs.max).toBeLessThan(500_000)
  })
})
