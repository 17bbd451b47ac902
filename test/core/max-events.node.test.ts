// run.maxEvents at run time (issue 17 item 4): a configuration that reaches its event budget is stopped
// with the field, the figures and the fix, whatever the work estimate said before it started.
import { describe, expect, it } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { ConfigurationError } from '../../core/sim/run-configuration.ts'
import { tinyProfile } from '../helpers/profiles.ts'

function profile(maxEvents: number, replications = 1, durationSec = 0.05) {
  const p = tinyProfile(['base'], durationSec)
  const l = loadProfile({ ...p, run: { ...(p.run as object), maxEvents, replications } })
  if (!l.ok) throw new Error(JSON.stringify(l.issues))
  return l.profile
}

describe('run.maxEvents', () => {
  it('a run that fits its budget is not touched', () => {
    const r = runConfiguration(profile(1e9), 'base')
    expect(r.events).toBeGreaterThan(1e4)
  })
  it('a run past its budget stops with run.maxEvents, the virtual time reached and the fix', () => {
    const full = runConfiguration(profile(1e9), 'base').events
    const budget = 1e6
    expect(full * 40).toBeGreaterThan(budget) // 40 × 50 ms: the 2 s run below needs more than the budget
    const long = tinyProfile(['base'], 2)
    const l = loadProfile({ ...long, run: { ...(long.run as object), maxEvents: budget } })
    if (!l.ok) throw new Error(JSON.stringify(l.issues))
    let err: unknown
    try { runConfiguration(l.profile, 'base') } catch (e) { err = e }
    expect(err).toBeInstanceOf(ConfigurationError)
    expect((err as Error).message).toMatch(/run\.maxEvents: stopped after 1\.00e\+6 events, at [\d.]+ s of 2\.00\d s virtual time .*raise run\.maxEvents/)
  })
  it('replications share one budget', () => {
    const one = runConfiguration(profile(1e9, 1, 0.6), 'base').events
    const budget = Math.round(one * 2.5)
    expect(budget).toBeGreaterThanOrEqual(1e6) // the schema's least run.maxEvents
    // three replications of about `one` events each cannot fit in two and a half
    expect(() => runConfiguration(profile(budget, 3, 0.6), 'base')).toThrow(/replication 3 of 3/)
  })
})
