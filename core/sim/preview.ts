// The kernel decisions of a configuration without simulating it: what the app previews live while an
// engineer edits knobs (timer path, pvspinlock, halt polling, …), or the issues that stop it from running.
import type { Profile } from '../profile/profile-schema.ts'
import { resolveConfiguration } from '../profile/load-profile.ts'
import type { Issue } from '../schema/schema.ts'
import type { Decision } from '../result.ts'
import { setupModel } from './setup.ts'

export type DecisionPreview = { ok: true; vms: { vm: string; decisions: Decision[] }[]; warnings: string[] } | { ok: false; issues: Issue[] }

export function previewDecisions(profile: Profile, configName: string): DecisionPreview {
  const cfg = resolveConfiguration(profile, configName)
  const setup = setupModel(cfg, cfg.run.seed, cfg.run.durationSec)
  if (!setup.ok) return { ok: false, issues: setup.issues }
  return { ok: true, vms: setup.inputs.vms.map((v) => ({ vm: v.name, decisions: v.decisions })), warnings: setup.warnings }
}
