// The one validation of a profile, used by profiles.validate, profiles.save and runs.start alike
// (issue 17 item 6): what a run would refuse is refused here, with the field, the value and a fix. In
// order: migration to the current format; the schema (loadProfile); then each configuration as a run sets
// it up (setupModel: topology, cpulists against the host's CPU count, pinning, cost names); the model's
// fixed limits (model-limits.ts); and the work estimate against `run.maxEvents` (work-estimate.ts).
import { loadProfile, resolveConfiguration } from '../profile/load-profile.ts'
import { migrateProfile } from '../profile/migrations.ts'
import type { Profile } from '../profile/profile-schema.ts'
import type { Issue } from '../schema/schema.ts'
import { setupModel } from '../sim/setup.ts'
import { exitCauseIssues, exitCauseLowerBound, modelLimitIssues } from './model-limits.ts'
import { estimateWork, shortNumber } from './work-estimate.ts'
import type { WorkEstimate } from './work-estimate.ts'

export interface ProfileCheck {
  ok: boolean
  issues: Issue[]
  /** The migrated, loaded profile (with defaults) when the schema accepted it. */
  profile?: Profile
  /** The profile JSON migrated to the current format, as written (no defaults filled in). */
  json?: unknown
  /** Migrations applied. */
  migrated: string[]
  /** The estimated work of each configuration checked. */
  estimates: { config: string; estimate: WorkEstimate }[]
}

export interface CheckOptions {
  /** Only these configurations (runs.start's `configs`); default all. */
  configs?: readonly string[]
  /** Overrides every configuration's run.durationSec (runs.start's `durationSec`). */
  durationSec?: number
}

/** The cost table's problems come as one text (`host.costs.NAME: what — fix`, costTableFor): give them
 *  the field, the value and the fix of every other issue. */
function costIssue(i: Issue): Issue {
  const m = i.path === 'host.costs' ? /^(host\.costs\.([^:\s]+)): (.*?) — (.*)$/.exec(i.message) : null
  return m ? { path: m[1]!, value: JSON.stringify(m[2]!.split('.')[0]), message: m[3]!, fix: m[4]! } : i
}

/** Checks a profile JSON value as a run would take it. Never throws. */
export function checkProfile(json: unknown, o: CheckOptions = {}): ProfileCheck {
  const m = migrateProfile(json)
  if (!m.ok) return { ok: false, issues: m.issues, migrated: [], estimates: [] }
  const loaded = loadProfile(m.profile)
  if (!loaded.ok) return { ok: false, issues: loaded.issues, json: m.profile, migrated: m.applied, estimates: [] }
  const profile = loaded.profile
  const issues: Issue[] = []
  const seen = new Map<string, Issue>()
  const estimates: ProfileCheck['estimates'] = []
  const many = profile.configurations.length > 1
  // Configurations that differ only in run settings set up the same model: check each host + VMs once
  // (setting up a large host takes seconds).
  const setups = new Map<string, Issue[]>()
  profile.configurations.forEach((c, i) => {
    if (o.configs && !o.configs.includes(c.name)) return
    const cfg = resolveConfiguration(profile, c.name)
    const duration = o.durationSec ?? cfg.run.durationSec
    const where = many ? ` (configuration ${JSON.stringify(c.name)})` : ''
    const at = (path: string): string => (path.startsWith('run.') && Object.keys(c.overrides.run ?? {}).length ? `configurations[${i}].overrides.${path}` : path)
    const key = JSON.stringify([cfg.host, cfg.vms])
    let setupIssues = setups.get(key)
    if (!setupIssues) {
      const early = exitCauseIssues(exitCauseLowerBound(cfg), cfg.vms.length, cfg.host.noise.irqs)
      const setup = early.length ? undefined : setupModel(cfg, cfg.run.seed, duration)
      setupIssues = !setup ? early : setup.ok ? modelLimitIssues(setup.inputs) : setup.issues.map(costIssue)
      setups.set(key, setupIssues)
    }
    const found: Issue[] = [...setupIssues]
    const estimate = estimateWork(cfg, duration)
    estimates.push({ config: c.name, estimate })
    if (estimate.events > cfg.run.maxEvents) {
      found.push({
        path: at('run.maxEvents'),
        value: shortNumber(cfg.run.maxEvents),
        message: `is below this configuration's estimated work: ${shortNumber(estimate.events)} events (${shortNumber(estimate.eventsPerSec)} events/s, mostly ${estimate.top.map((t) => `${t.source} ${shortNumber(t.eventsPerSec)}/s`).join(', ')}, × ${estimate.virtualSec} s of virtual time)`,
        fix: `shorten run.durationSec or lower the event rates, or raise run.maxEvents to at least ${shortNumber(estimate.events)} if you mean to wait for it (about ${Math.ceil(estimate.events / 2e6 / 60)} min at 2·10⁶ events/s per worker)`,
      })
    }
    for (const f of found) {
      const key = `${f.path}\u0000${f.value}\u0000${f.message}`
      const prev = seen.get(key)
      if (prev) continue
      const issue = { ...f, message: `${f.message}${where}` }
      seen.set(key, issue)
      issues.push(issue)
    }
  })
  return { ok: issues.length === 0, issues, profile, json: m.profile, migrated: m.applied, estimates }
}
