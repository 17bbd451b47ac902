// `kvmbench report` as a user runs it: Node 22, real workers, Debian's Chromium, the built report page.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-cli-report-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const virtualNs = (v: unknown): number[] => {
  if (Array.isArray(v)) return v.flatMap(virtualNs)
  if (v === null || typeof v !== 'object') return []
  return Object.entries(v).flatMap(([k, x]) => (k === 'virtualNs' && typeof x === 'number' ? [x] : virtualNs(x)))
}

describe('kvmbench report', () => {
  it('exits once the PDF is written, and --duration holds for a configuration that overrides run.durationSec', () => {
    const profile = join(tmp, 'override.json')
    writeFileSync(profile, JSON.stringify({
      schemaVersion: 1, name: 'override', run: { durationSec: 0.02, warmupSec: 0.005, seed: 3 },
      configurations: [{ name: 'long', overrides: { run: { durationSec: 2 } } }, { name: 'base', overrides: {} }],
    }))
    const pdf = join(tmp, 'override.pdf')
    const snapshot = join(tmp, 'override-snapshot.json')
    const r = spawnSync(process.execPath, [join(root, 'main/cli/kvmbench.ts'), 'report', profile, '--pdf', pdf, '--duration', '0.01', '--snapshot', snapshot], { encoding: 'utf8', timeout: 120_000 })
    expect(r.signal, 'killed by the timeout: the command did not exit').toBeNull()
    expect(r.status, r.stderr).toBe(0)
    expect(statSync(pdf).size).toBeGreaterThan(10_000)
    const ns = virtualNs(JSON.parse(readFileSync(snapshot, 'utf8')))
    expect(ns.length).toBeGreaterThanOrEqual(2)
    expect(new Set(ns)).toEqual(new Set([10_000_000]))
  }, 150_000)
})
