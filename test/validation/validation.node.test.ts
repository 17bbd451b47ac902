// The published-results validation table: every case runs on the real core, its direction is the one
// docs/validation.md records, and the page is exactly what `kvmbench validate --write-doc` writes.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import {
  SURVEY_SEEDS, TOPICS, caseRow, isRunnable, parseRecordedOutcomes, renderValidationDoc, seedsByRule, surveySpread,
} from '../../core/validation/index.ts'
import type { CaseOutcome } from '../../core/validation/index.ts'
import { VALIDATION_DOC, loadValidationSet, runValidation } from '../../main/cli/validate-command.ts'

const set = loadValidationSet()
const doc = readFileSync(VALIDATION_DOC, 'utf8')

describe('examples/validation', () => {
  it('has at least 15 runnable cases spanning every mechanism family, each with a source and a published figure', () => {
    const runnable = set.cases.filter(isRunnable)
    expect(runnable.length).toBeGreaterThanOrEqual(15)
    for (const t of TOPICS) expect(set.cases.some((c) => c.topic === t), t).toBe(true)
    for (const c of set.cases) {
      expect(c.source).not.toMatch(/https?:\/\//)
      expect(c.published.figure.length).toBeGreaterThan(5)
      if (isRunnable(c)) expect(c.limits.length, `${c.id}: say what the model lacks for this case`).toBeGreaterThan(20)
    }
  })
})

describe('docs/validation.md', () => {
  it('is exactly what `kvmbench validate --write-doc` renders for the outcomes it records', () => {
    const recorded = parseRecordedOutcomes(doc)
    expect(renderValidationDoc(set.cases, recorded)).toBe(doc)
  })

  it('records an outcome for every case that runs, and none for waiting or unknown cases', () => {
    const recorded = parseRecordedOutcomes(doc)
    expect(Object.keys(recorded).sort()).toEqual(set.cases.filter(isRunnable).map((c) => c.id).sort())
  })

  it('records each case under its own seeds, with the seed survey, and every case has at least the seeds the rule gives', () => {
    const recorded = parseRecordedOutcomes(doc)
    const short: string[] = []
    for (const c of set.cases.filter(isRunnable)) {
      const o = recorded[c.id]!
      expect(o.seeds, `${c.id}: docs/validation.md records ${o.seeds} seeds, the case has ${c.seeds} — run npm run validate -- --write-doc`).toBe(c.seeds)
      expect(o.surveyChangesPct?.length, `${c.id}: no seed survey recorded — run npm run validate -- --write-doc`).toBe(SURVEY_SEEDS)
      const rule = seedsByRule(c.published.changePct, surveySpread(o.surveyChangesPct!))
      if (c.seeds < rule) short.push(`${c.id}: spread ${surveySpread(o.surveyChangesPct!)} points over ${SURVEY_SEEDS} seeds exceeds a third of the published ${c.published.changePct} % — set "seeds": ${rule} in examples/validation/cases/${c.id}.json`)
    }
    expect(short).toEqual([])
  })

  it('a fresh run of every case gives the direction the page records (regenerate it when a mechanism changes one)', async () => {
    const recorded = parseRecordedOutcomes(doc)
    const outcomes: Record<string, CaseOutcome> = await runValidation(set, async (json, config, durationSec, seed) => {
      const r = loadProfile(json)
      if (!r.ok) throw new Error(`invalid validation profile for ${config}`)
      return runConfiguration(r.profile, config, { durationSec, seed })
    })
    const differ: string[] = []
    for (const c of set.cases.filter(isRunnable)) {
      const now = caseRow(c, outcomes[c.id])
      const then = caseRow(c, recorded[c.id])
      if (now.modelDirection !== then.modelDirection) differ.push(`${c.id}: model ${now.modelDirection} (${outcomes[c.id]!.modelChangePct} %), docs/validation.md records ${then.modelDirection} — run npm run validate -- --write-doc`)
    }
    expect(differ).toEqual([])
    // every case with all its seeds (three for the overcommitted ebizzy cases): 90 s alone on a loaded 2-core machine,
    // 206 s beside the rest of the suite and the bench
  }, 300_000)
})
