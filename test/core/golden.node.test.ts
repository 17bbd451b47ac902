// Every shipped example's every configuration gives the same JSON result (wall time aside) as the golden files
// under test/golden/: a refactoring of the model leaves them as they are; a change of the model's behaviour
// rewrites them on purpose (`npm run golden:update`) and says why in its commit.
import { readFileSync, existsSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { exampleFiles, goldenOf, goldenPath } from '../tools/golden.ts'

describe('golden results of examples/', () => {
  const files = exampleFiles()
  it('has a golden file for every example', () => {
    expect(files.length).toBeGreaterThanOrEqual(12)
    for (const f of files) expect(existsSync(goldenPath(f)), `test/golden/${f} missing: run npm run golden:update`).toBe(true)
  })
  for (const f of files) {
    it(`${f}: every configuration matches test/golden/${f}`, () => {
      const want = JSON.parse(readFileSync(goldenPath(f), 'utf8')) as Record<string, unknown>
      const got = goldenOf(f)
      expect(Object.keys(got)).toEqual(Object.keys(want))
      for (const name of Object.keys(want)) expect(got[name], `${f} / ${name}`).toEqual(want[name])
    })
  }
})
