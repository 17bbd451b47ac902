// The live preview of a configuration's kernel decisions (timer path, pvspinlock, halt polling, posted
// interrupts, …) computed in the renderer by the core's previewDecisions(), each marked when it differs
// from the base profile's decision. Pure.
import { previewDecisions } from '@core/index.ts'
import type { Decision, Profile } from '@core/index.ts'
import type { ValidationIssue } from '../../../core/api/protocol.ts'

export interface PreviewDecision extends Decision {
  /** The base profile's value when this configuration changes it. */
  baseValue?: string
}

export type ConfigPreview =
  | { ok: true; vms: { vm: string; decisions: PreviewDecision[] }[]; warnings: string[] }
  | { ok: false; issues: ValidationIssue[] }

/** A configuration name no profile can have (it fails the name pattern): the base profile, unmodified. */
const BASE = '\u0000base'

function run(profile: Profile, config: string): ReturnType<typeof previewDecisions> {
  try {
    return previewDecisions(profile, config)
  } catch (e) {
    return { ok: false, issues: [{ path: `configurations.${config}`, value: JSON.stringify(config), message: (e as Error).message, fix: 'fix the configuration' }] }
  }
}

/** The decisions of `config` per VM, with what changed against the base profile. */
export function previewConfig(profile: Profile, config: string): ConfigPreview {
  const p = run(profile, config)
  if (!p.ok) return { ok: false, issues: p.issues }
  const withBase: Profile = { ...profile, configurations: [...profile.configurations, { name: BASE, description: '', overrides: {} as Profile['configurations'][number]['overrides'] }] }
  const b = run(withBase, BASE)
  const baseOf = new Map<string, string>()
  if (b.ok) for (const v of b.vms) for (const d of v.decisions) baseOf.set(`${v.vm}\u0000${d.id}`, d.value)
  return {
    ok: true,
    warnings: p.warnings,
    vms: p.vms.map((v) => ({
      vm: v.vm,
      decisions: v.decisions.map((d) => {
        const bv = baseOf.get(`${v.vm}\u0000${d.id}`)
        return bv !== undefined && bv !== d.value ? { ...d, baseValue: bv } : { ...d }
      }),
    })),
  }
}

/** The issues of a profile that belong to one configuration (`configurations[i]…`). */
export function configIssues(issues: readonly ValidationIssue[], configIndex: number): ValidationIssue[] {
  const prefix = `configurations[${configIndex}]`
  return issues.filter((i) => i.path === prefix || i.path.startsWith(`${prefix}.`))
}
