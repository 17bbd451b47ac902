// `kvmbench validate`, spawned for real: the per-case report, --json, --check against docs/validation.md,
// and the usage errors.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadValidationSet } from '../../main/cli/validate-command.ts'

const root = resolve(import.meta.dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'kvmbench-validate-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Runs the CLI as npm's bin does; status, stdout and stderr as the user sees them. */
const kvmbench = (...args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const { status, stdout, stderr } = spawnSync(process.execPath, ['main/cli/kvmbench.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 })
  return { code: status, stdout, stderr }
}

describe('kvmbench validate', () => {
  it('prints each case with its source, setup, published and model figures, ratio and directions; --json has the same', () => {
    const out = join(work, 'v.json')
    const r = kvmbench('validate', '--case', 'posted-timer-exits', '--case', 'pv-ipi-broadcast', '--json', out)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('posted-timer-exits (timers)')
    expect(r.stdout).toContain('source:    KVM commit 0c5f81dad46c')
    expect(r.stdout).toContain('published: perf kvm stat EXTERNAL_INTERRUPT samples 42916 → 6871')
    expect(r.stdout).toMatch(/model: {5}EXTERNAL_INTERRUPT exits\/s: \d+\/s → \d+(\.\d)?\/s \([−+±]\d/)
    expect(r.stdout).toMatch(/ratio: {5}\d\.\d\d .*direction published ↓, model [↓↑=]/)
    // a case on a figure the benchmark prints (the broadcast IPI microbenchmark's time per call)
    expect(r.stdout).toContain('pv-ipi-broadcast (ipis)')
    expect(r.stdout).toMatch(/model: {5}printed ns per call: \d+ → \d+ \([−+±]\d/)
    const j = JSON.parse(readFileSync(out, 'utf8')) as { cases: { case: { id: string }; verdict: string; outcome: { modelChangePct: number } | null }[] }
    expect(j.cases.map((c) => c.case.id)).toEqual(['posted-timer-exits', 'pv-ipi-broadcast'])
    expect(j.cases[0]!.outcome!.modelChangePct).toBeLessThan(0)
    expect(j.cases[1]!.outcome!.modelChangePct).toBeLessThan(0)
  })

  it('a case of several seeds prints the mean change and the seed range, in its block and in the table', () => {
    const several = loadValidationSet().cases.find((c) => c.seeds > 1 && c.waiting === undefined)
    expect(several, 'a case with "seeds" above 1').toBeDefined()
    const r = kvmbench('validate', '--case', several!.id)
    expect(r.code).toBe(0)
    const pct = '[−+±]\\d+\\.\\d'
    expect(r.stdout).toMatch(new RegExp(`model: {5}\\S.*, means over ${several!.seeds} seeds: .* \\(mean of the seeds' changes ${pct} %, seed range ${pct} … ${pct} %\\)`))
    expect(r.stdout).toMatch(/#\s+case\s+published\s+model\s+seed range\s+ratio/)
    expect(r.stdout).toMatch(new RegExp(`${several!.id}\\s+${pct} %\\s+${pct} %\\s+${pct} … ${pct} % \\(${several!.seeds} seeds\\)`))
  }, 120_000)

  it('--check passes when every direction is the one docs/validation.md records', () => {
    const r = kvmbench('validate', '--check', '--json', '-')
    // nothing but the progress lines a run longer than 10 s writes off a terminal (progress.ts)
    expect(r.stderr.replace(/^kvmbench: running: validation \d+%\n/gm, '')).toBe('')
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as { cases: unknown[] }).cases.length).toBeGreaterThanOrEqual(19)
  }, 120_000)

  it('refuses an unknown case and a partial --write-doc, naming the fix', () => {
    const unknown = kvmbench('validate', '--case', 'nope')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no validation case "nope" — use one of .*posted-timer-exits/)
    const partial = kvmbench('validate', '--write-doc', '--case', 'posted-timer-exits')
    expect(partial.code).toBe(2)
    expect(partial.stderr).toMatch(/without --case/)
  })
})
