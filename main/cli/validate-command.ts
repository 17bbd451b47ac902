// `kvmbench validate`: runs the validation cases under examples/validation/ (each a published result and the
// profile designed from its setup), prints the table, and can rewrite docs/validation.md from the run.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { configurationNames, loadProfile } from '../../core/index.ts'
import type { ConfigResult } from '../../core/result.ts'
import { formatIssue } from '../../core/schema/schema.ts'
import {
  SURVEY_SEEDS, caseRow, evaluateCase, formatValidationText, isRunnable, parseCase, parseRecordedOutcomes, RecordsError, renderValidationDoc, sortCases,
} from '../../core/validation/index.ts'
import type { CaseOutcome, ValidationCase } from '../../core/validation/index.ts'
import { ChildProcessLauncher } from '../worker/child-process-launcher.ts'
import { WorkerPool } from '../worker/pool.ts'
import { EXAMPLES_DIR, REPO_ROOT } from '../paths.ts'
import { UsageError, numberOption } from './args.ts'
import type { ParsedArgs } from './args.ts'
import { ProfileFileError } from './profile-file.ts'
import { ProgressLine } from './progress.ts'

export const VALIDATION_DIR = join(EXAMPLES_DIR, 'validation')
export const VALIDATION_DOC = join(REPO_ROOT, 'docs', 'validation.md')

export interface ValidationSet {
  cases: ValidationCase[]
  /** Profile JSON by file name (examples/validation/profiles/NAME). */
  profiles: Map<string, unknown>
}

function readJson(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new ProfileFileError(`${path}: cannot read: ${(e as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new ProfileFileError(`${path}: not valid JSON: ${(e as Error).message}`)
  }
}

/** Reads and checks every case file and the profiles they name; throws ProfileFileError naming the file and field. */
export function loadValidationSet(dir = VALIDATION_DIR): ValidationSet {
  const caseDir = join(dir, 'cases')
  const files = readdirSync(caseDir).filter((f) => f.endsWith('.json')).sort()
  const cases: ValidationCase[] = []
  const profiles = new Map<string, unknown>()
  for (const f of files) {
    const path = join(caseDir, f)
    const r = parseCase(readJson(path))
    if (!r.ok) throw new ProfileFileError(`${path}: not a valid validation case (${r.issues.length} issue${r.issues.length === 1 ? '' : 's'}):`, r.issues.map(formatIssue))
    const c = r.value
    if (`${c.id}.json` !== f) throw new ProfileFileError(`${path}: id ${JSON.stringify(c.id)} differs from the file name — name the file ${c.id}.json`)
    if (cases.some((x) => x.id === c.id)) throw new ProfileFileError(`${path}: a case with id ${JSON.stringify(c.id)} exists already`)
    if (isRunnable(c)) {
      const ppath = join(dir, 'profiles', c.profile)
      if (!profiles.has(c.profile)) profiles.set(c.profile, readJson(ppath))
      const lp = loadProfile(profiles.get(c.profile))
      if (!lp.ok) throw new ProfileFileError(`${ppath}: not a valid profile (${lp.issues.length} issues):`, lp.issues.map(formatIssue))
      const names = configurationNames(lp.profile)
      for (const k of ['baseline', 'changed'] as const) {
        if (!names.includes(c[k])) throw new ProfileFileError(`${path}: ${k}: ${JSON.stringify(c[k])} is not a configuration of ${c.profile} — use one of ${names.join(', ')}`)
      }
    }
    cases.push(c)
  }
  return { cases: sortCases(cases), profiles }
}

/** The outcomes docs/validation.md records; a missing or damaged record block is a ProfileFileError. */
export function readRecordedOutcomes(path = VALIDATION_DOC): Record<string, CaseOutcome> {
  try {
    return parseRecordedOutcomes(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new ProfileFileError(e instanceof RecordsError ? e.message : `${path}: cannot read: ${(e as Error).message}`)
  }
}

export type RunOne = (profileJson: unknown, config: string, durationSec: number, seed: number) => Promise<ConfigResult>

export interface RunValidationOptions {
  /** Only these case ids. */
  only?: string[]
  /** Also run every case under seeds 1 … SURVEY_SEEDS for the spread survey (docs/validation.md's "Seeds"). */
  survey?: boolean
}

/** Runs every runnable case (its two configurations under seeds 1 … seeds; identical runs once) and returns the
 *  outcomes by case id. Validation runs seeds 1 … N whatever the profile's run.seed. */
export async function runValidation(set: ValidationSet, run: RunOne, opts: RunValidationOptions = {}): Promise<Record<string, CaseOutcome>> {
  const memo = new Map<string, Promise<ConfigResult>>()
  const once = (profile: string, config: string, d: number, seed: number): Promise<ConfigResult> => {
    const key = `${profile}\0${config}\0${d}\0${seed}`
    let p = memo.get(key)
    if (!p) memo.set(key, (p = run(set.profiles.get(profile), config, d, seed)))
    return p
  }
  const runnable = set.cases.filter(isRunnable).filter((c) => !opts.only || opts.only.includes(c.id))
  const outcomes = await Promise.all(runnable.map(async (c) => {
    const n = opts.survey ? Math.max(c.seeds, SURVEY_SEEDS) : c.seeds
    const seeds = Array.from({ length: n }, (_, i) => i + 1)
    const runs = await Promise.all(seeds.map(async (seed) => {
      const [baseline, changed] = await Promise.all([once(c.profile, c.baseline, c.durationSec, seed), once(c.profile, c.changed, c.durationSec, seed)])
      return { baseline, changed }
    }))
    return evaluateCase(c, runs)
  }))
  return Object.fromEntries(outcomes.map((o) => [o.id, o]))
}

export async function validateCommand(args: ParsedArgs): Promise<number> {
  const jsonOut = args.values.json as string | undefined
  const writeDoc = args.values['write-doc'] === true
  const check = args.values.check === true
  const only = args.values.case as string[] | undefined
  const workers = numberOption(args.values, 'workers', { min: 1, max: 256, integer: true })
  if (writeDoc && only) throw new UsageError('--write-doc rewrites the whole table — run it without --case')
  const set = loadValidationSet()
  const unknown = (only ?? []).filter((id) => !set.cases.some((c) => c.id === id))
  if (unknown.length) throw new UsageError(`no validation case ${unknown.map((u) => JSON.stringify(u)).join(', ')} — use one of ${set.cases.map((c) => c.id).join(', ')}`)

  const pool = new WorkerPool(new ChildProcessLauncher(), { size: Math.max(1, workers ?? availableParallelism()) })
  // one bar for the whole table: the mean progress of every configuration run started so far
  const progress = new ProgressLine(['validation'])
  const fractions: number[] = []
  const run: RunOne = (profile, config, durationSec, seed) => {
    const k = fractions.push(0) - 1
    return pool.run({ profile, config, durationSec, seed }, {
      onProgress: (f) => {
        fractions[k] = f
        progress.update('validation', fractions.reduce((a, x) => a + x, 0) / fractions.length)
      },
    }).result
  }
  let outcomes: Record<string, CaseOutcome>
  try {
    outcomes = await runValidation(set, run, { only, survey: writeDoc })
  } finally {
    progress.done()
    await pool.dispose()
  }
  const shown = set.cases.filter((c) => !only || only.includes(c.id))
  const rows = shown.map((c) => caseRow(c, outcomes[c.id]))
  if (jsonOut !== undefined) {
    const text = `${JSON.stringify({ schemaVersion: 1, cases: rows.map((r) => ({ case: r.c, outcome: r.outcome ?? null, publishedDirection: r.publishedDirection, modelDirection: r.modelDirection ?? null, ratio: r.ratio ?? null, verdict: r.verdict })) }, null, 2)}\n`
    if (jsonOut === '-') process.stdout.write(text)
    else writeFileSync(jsonOut, text)
  }
  if (jsonOut !== '-') process.stdout.write(formatValidationText(rows))
  if (writeDoc) {
    writeFileSync(VALIDATION_DOC, renderValidationDoc(set.cases, outcomes))
    process.stderr.write(`kvmbench: wrote ${VALIDATION_DOC}\n`)
  }
  if (check) {
    const recorded = readRecordedOutcomes()
    const differ = rows.filter((r) => r.outcome && caseRow(r.c, recorded[r.c.id]).modelDirection !== r.modelDirection)
    for (const r of differ) process.stderr.write(`kvmbench: ${r.c.id}: the model's direction is ${r.modelDirection}, docs/validation.md records ${caseRow(r.c, recorded[r.c.id]).modelDirection ?? 'nothing'} — regenerate with npm run validate -- --write-doc\n`)
    if (differ.length) return 1
  }
  return 0
}
