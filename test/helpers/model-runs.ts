// The bare HostModel of one configuration, for the counters a scenario test reads that the result JSON does not
// carry (csd waits, mutex spins, scheduler counters). The same set-up as runConfiguration(), one replication.
import { resolveConfiguration } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { EXIT_REASON_COUNT } from '../../core/output/exit-names.ts'
import type { ExitReasonId } from '../../core/output/exit-names.ts'
import { HostModel } from '../../core/sim/host-model.ts'
import { setupModel } from '../../core/sim/setup.ts'

/** The model of `config`, set up and started at time 0. */
export function startedModel(p: Profile, config: string, durationSec: number, o: { seed?: number; checking?: boolean } = {}): HostModel {
  const s = setupModel(resolveConfiguration(p, config), o.seed ?? 1, durationSec)
  if (!s.ok) throw new Error(JSON.stringify(s.issues))
  const m = new HostModel(s.inputs, { checking: o.checking === true })
  m.start()
  return m
}

/** The model of `config` run to its end and finished. */
export function finishedModel(p: Profile, config: string, durationSec: number, o: { seed?: number; checking?: boolean } = {}): HostModel {
  const m = startedModel(p, config, durationSec, o)
  m.engine.run({ until: m.endNs })
  m.finish()
  return m
}

/** Exits of `reason` in VM `vm`, over all their causes. */
export function vmExitCount(m: HostModel, vm: number, reason: ExitReasonId): number {
  const C = m.stats.nCauses
  let n = 0
  for (let k = 0; k < C; k++) n += m.stats.causeCounts[(vm * EXIT_REASON_COUNT + reason) * C + k]!
  return n
}
