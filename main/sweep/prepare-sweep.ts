// From a spec file to the jobs a sweep runs: the spec checked, its base profile read (relative to the
// spec) and checked as a run would, the axes and values checked, the metrics probed on a 2 ms run of the
// base point, and each point keyed. Every problem is refused here, before anything runs.
import { readFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { checkProfile } from '../../core/check/check-profile.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import type { Issue } from '../../core/schema/schema.ts'
import { metricIssues } from '../../core/sweep/sweep-metrics.ts'
import { POINT_CONFIGURATION, planSweep } from '../../core/sweep/sweep-points.ts'
import type { SweepPlan } from '../../core/sweep/sweep-points.ts'
import { loadSweepSpec } from '../../core/sweep/sweep-spec.ts'
import { runConfiguration } from '../../core/sim/run-configuration.ts'
import { sweepJobs } from './sweep-job.ts'
import type { SweepJob } from './sweep-job.ts'

export class SweepSpecError extends Error {
  readonly issues: Issue[]
  constructor(message: string, issues: Issue[] = []) {
    super(message)
    this.issues = issues
  }
}

export interface PreparedSweep { name: string; plan: SweepPlan; jobs: SweepJob[] }

export function readJson(path: string, what: string, fix = `give the path of the ${what}`): unknown {
  let text: string
  try { text = readFileSync(path, 'utf8') } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (e as Error).message
    throw new SweepSpecError(`${path}: cannot read the ${what}: ${why} — ${fix}`)
  }
  try { return JSON.parse(text) } catch (e) { throw new SweepSpecError(`${path}: the ${what} is not valid JSON: ${(e as Error).message}`) }
}

/** The metrics on the base point's 2 ms run: a name that gives no number is refused now, not after an hour. */
export function probeMetrics(plan: SweepPlan): Issue[] {
  const probe = structuredClone(plan.baseProfile) as { run: { durationSec: number; warmupSec: number } }
  probe.run.durationSec = 0.002
  probe.run.warmupSec = 0
  const l = loadProfile(probe)
  if (!l.ok) return l.issues
  return metricIssues(runConfiguration(l.profile, POINT_CONFIGURATION), plan.metrics)
}

export function prepareSweep(specPath: string, o: { sample?: number } = {}): PreparedSweep {
  const spec = loadSweepSpec(readJson(specPath, 'sweep spec', 'give the path of a sweep spec, e.g. examples/sweeps/halt-poll.json (docs/sweep.md)'))
  if (!spec.ok) throw new SweepSpecError(`${specPath}: not a valid sweep spec:`, spec.issues)
  const basePath = resolve(dirname(specPath), spec.spec.base)
  // The spec's `base` is relative to the spec file: say so, with the field and the value as written.
  const base = checkProfile(readJson(basePath, 'base profile', `the spec's base ${JSON.stringify(spec.spec.base)} is read relative to the spec's folder (${dirname(resolve(specPath))}): correct it, or give an absolute path`))
  if (!base.ok || !base.profile) throw new SweepSpecError(`${specPath}: base ${basePath} cannot run as it is:`, base.issues)
  const planned = planSweep(spec.spec, base.profile, o)
  if (!planned.ok) throw new SweepSpecError(`${specPath}: the sweep cannot run:`, planned.issues)
  const plan = planned.plan
  const bad = probeMetrics(plan)
  if (bad.length) throw new SweepSpecError(`${specPath}: the sweep cannot run:`, bad)
  return { name: spec.spec.name ?? basename(specPath).replace(/\.json$/i, ''), plan, jobs: sweepJobs(plan) }
}
