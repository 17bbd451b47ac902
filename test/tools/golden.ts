#!/usr/bin/env node
// Golden results of the shipped examples: every configuration of every examples/*.json run for a short fixed
// virtual time with its own seed, as the JSON result minus the wall time (the only field that is not a function of
// the profile and the seed). test/core/golden.node.test.ts compares a fresh run with test/golden/*.json; a change that
// alters the model on purpose rewrites them with `npm run golden:update` and says why in its commit message.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { formatIssue } from '../../core/schema/schema.ts'
import type { ConfigResult } from '../../core/result.ts'

export const EXAMPLES_DIR = new URL('../../examples/', import.meta.url)
export const GOLDEN_DIR = new URL('../golden/', import.meta.url)
/** Virtual time per configuration after the profile's warm-up: long enough to reach every mechanism of the examples,
 *  short enough for the whole set to run in seconds. */
export const GOLDEN_DURATION_SEC = 0.05

export type Golden = Record<string, Omit<ConfigResult, 'wallMs'>>

export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort()
}

/** Runs every configuration of one example (by file name) and returns its golden record. */
export function goldenOf(file: string): Golden {
  const r = loadProfile(JSON.parse(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8')))
  if (!r.ok) throw new Error(`${file}: ${r.issues.map(formatIssue).join('; ')}`)
  const out: Golden = {}
  for (const c of r.profile.configurations) {
    const { wallMs: _wall, ...rest } = runConfiguration(r.profile, c.name, { durationSec: GOLDEN_DURATION_SEC, check: true })
    // through JSON, as a saved result is: what the test compares is what a user would read back
    out[c.name] = JSON.parse(JSON.stringify(rest)) as Golden[string]
  }
  return out
}

export function goldenPath(file: string): URL {
  return new URL(file, GOLDEN_DIR)
}

if (import.meta.main) {
  mkdirSync(GOLDEN_DIR, { recursive: true })
  for (const f of exampleFiles()) {
    writeFileSync(goldenPath(f), JSON.stringify(goldenOf(f), null, 1) + '\n')
    console.log(`test/golden/${f}`)
  }
}
