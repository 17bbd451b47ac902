// Runs one configuration of a profile: setup, the engine in slices (progress), then the JSON result.
import type { Profile } from '../profile/profile-schema.ts'
import { resolveConfiguration } from '../profile/load-profile.ts'
import type { ConfigResult } from '../result.ts'
import { formatIssue } from '../schema/schema.ts'
import { setupModel } from './setup.ts'
import { HostModel } from './host-model.ts'
import { collectResult } from './collect.ts'
import { mergeReplications } from './replications.ts'

export interface RunOptions {
  /** Overrides the profile's run.seed. */
  seed?: number
  /** Overrides the configuration's run.durationSec. */
  durationSec?: number
  /** Called with the fraction of virtual time simulated, about every 1 %. */
  onProgress?: (fraction: number) => void
  /** Assert the vCPU state machine as the model runs (HostModel's checking mode): the tests turn it on. */
  check?: boolean
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigurationError'
  }
}

/** Simulates one configuration; with run.replications > 1 the seeds seed … seed+n−1 are run and every figure of the
 *  result is the mean over them, with 95 % confidence half-widths (replications.ts). */
export function runConfiguration(profile: Profile, configName: string, opts: RunOptions = {}): ConfigResult {
  const cfg = resolveConfiguration(profile, configName)
  const seed = opts.seed ?? cfg.run.seed
  const duration = opts.durationSec ?? cfg.run.durationSec
  const reps = cfg.run.replications
  const results: ConfigResult[] = []
  // run.maxEvents bounds all replications together: checkProfile refuses a run whose estimate exceeds it,
  // and a run the estimate undercounted is stopped here when it reaches it
  let budget = cfg.run.maxEvents
  for (let i = 0; i < reps; i++) {
    const setup = setupModel(cfg, (seed + i) >>> 0, duration)
    if (!setup.ok) throw new ConfigurationError(`configuration ${JSON.stringify(configName)}: ${setup.issues.map(formatIssue).join('; ')}`)
    const started = Date.now()
    const m = new HostModel(setup.inputs, { checking: opts.check === true })
    m.start()
    const end = m.endNs
    const slices = 100
    for (let k = 1; k <= slices; k++) {
      if (!m.engine.run({ until: Math.round((end * k) / slices), maxEvents: budget })) {
        throw new ConfigurationError(`configuration ${JSON.stringify(configName)}: run.maxEvents: stopped after ${cfg.run.maxEvents.toExponential(2)} events, at ${(m.engine.now / 1e9).toFixed(3)} s of ${(end / 1e9).toFixed(3)} s virtual time${reps > 1 ? ` (replication ${i + 1} of ${reps})` : ''} — the work estimate was low for this configuration; raise run.maxEvents or shorten run.durationSec`)
      }
      opts.onProgress?.((i + k / slices) / reps)
    }
    budget -= m.engine.events
    m.finish()
    results.push(collectResult(m, setup, configName, Date.now() - started))
  }
  return mergeReplications(results)
}
