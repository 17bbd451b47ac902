// Runs one configuration of a profile: setup, the engine in slices (progress), then the JSON result.
import type { Profile } from '../profile/profile-schema.ts'
import { resolveConfiguration } from '../profile/load-profile.ts'
import type { ConfigResult } from '../result.ts'
import { formatIssue } from '../schema/schema.ts'
import { setupModel } from './setup.ts'
import { HostModel } from './host-model.ts'
import { collectResult } from './collect.ts'

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

/** Simulates one configuration; with run.replications > 1 the seeds seed … seed+n−1 are run and the
 *  first replication's details are reported with 95 % confidence half-widths across all of them. */
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
  const first = results[0]!
  if (reps > 1) {
    first.wallMs = results.reduce((a, r) => a + r.wallMs, 0)
    first.events = results.reduce((a, r) => a + r.events, 0)
    first.vms.forEach((vm, v) => {
      vm.workload.ci95 = {
        throughputPerSec: ci95(results.map((r) => r.vms[v]!.workload.throughputPerSec)),
        p99: ci95(results.map((r) => r.vms[v]!.workload.latencyNs.p99)),
      }
    })
  }
  return first
}

/** Half-width of a 95 % confidence interval of the mean (Student t, small n). */
function ci95(xs: number[]): number {
  const n = xs.length
  if (n < 2) return 0
  const mean = xs.reduce((a, b) => a + b, 0) / n
  const s2 = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
  const t = [0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228][n - 1] ?? 1.96
  return Math.round(t * Math.sqrt(s2 / n) * 100) / 100
}
