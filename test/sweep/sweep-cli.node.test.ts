// `kvmbench sweep` run for real (CLI process, worker processes): a grid to JSONL, --resume after an
// interruption (a torn last line included) giving the same lines as one uninterrupted run, and bad axes
// refused before anything runs.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readSweepLines } from '../../main/sweep/sweep-file.ts'
import type { SweepLine } from '../../main/sweep/sweep-file.ts'
import { tinyProfile } from '../helpers/profiles.ts'
import { cliPath, kvmbenchIn, repoRoot } from '../helpers/cli.ts'

const root = repoRoot
const cli = cliPath
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-sweep-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const kvmbench = kvmbenchIn(root, 120_000)

writeFileSync(join(tmp, 'base.json'), JSON.stringify(tinyProfile(['base', 'tuned'], 0.02)))
const specPath = join(tmp, 'spec.json')
writeFileSync(specPath, JSON.stringify({
  schemaVersion: 1, base: 'base.json', configuration: 'base',
  axes: [{ path: 'host.kvm.haltPoll.haltPollNs', values: [0, 200000] }, { path: 'vms[0].kvm.disableExits.hlt', values: [false, true] }],
  seeds: [1, 2],
  metrics: ['vms[0].workload.throughputPerSec', 'vms[0].workload.latencyNs.p99', 'events'],
}))

const byKey = (ls: SweepLine[]): SweepLine[] => [...ls].sort((a, b) => a.key.localeCompare(b.key))

describe('kvmbench sweep (local)', () => {
  let full: SweepLine[] = []

  it('runs the grid × seeds on the worker pool, one JSON line per point with its values and metrics', () => {
    const out = join(tmp, 'full.jsonl')
    const r = kvmbench('sweep', specPath, '--out', out, '--workers', '2')
    expect(r.stderr).toContain('8 points (4 of a 4-point grid × 2 seeds)')
    expect(r.code).toBe(0)
    full = readSweepLines(out)
    expect(full).toHaveLength(8)
    expect(new Set(full.map((l) => l.key)).size).toBe(8)
    for (const l of full) {
      expect(l.error).toBeUndefined()
      expect(Object.keys(l.values)).toEqual(['host.kvm.haltPoll.haltPollNs', 'vms[0].kvm.disableExits.hlt'])
      expect(l.metrics!['vms[0].workload.throughputPerSec']).toBeGreaterThan(0)
      expect(l.metrics!.events).toBeGreaterThan(0)
    }
    // the two seeds of a point differ; the same point and seed is the same in any run (determinism)
    const seeds = full.filter((l) => l.index === 0)
    expect(seeds.map((l) => l.seed).sort()).toEqual([1, 2])
    expect(seeds[0]!.metrics).not.toEqual(seeds[1]!.metrics)
  })

  it('--resume runs only the points the file lacks (a torn last line runs again); the result equals the uninterrupted run', () => {
    const out = join(tmp, 'resumed.jsonl')
    const text = readFileSync(join(tmp, 'full.jsonl'), 'utf8').split('\n').filter(Boolean)
    writeFileSync(out, `${text.slice(0, 3).join('\n')}\n${text[3]!.slice(0, 40)}`)
    const r = kvmbench('sweep', specPath, '--out', out, '--resume', '--workers', '2')
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('3 already in')
    expect(r.stderr).toContain('ran 5 points')
    expect(byKey(readSweepLines(out))).toEqual(byKey(full))
    const again = kvmbench('sweep', specPath, '--out', out, '--resume')
    expect(again.stderr).toContain('ran 0 points')
  })

  it('refuses bad axes, values and metrics before anything runs, naming each, and writes nothing', () => {
    const bad = join(tmp, 'bad.json')
    writeFileSync(bad, JSON.stringify({
      schemaVersion: 1, base: 'base.json',
      axes: [{ path: 'host.kvm.haltPoll.haltPollNS', values: [1] }, { path: 'run.durationSec', values: [0.01, -1] }],
    }))
    const out = join(tmp, 'never.jsonl')
    const r = kvmbench('sweep', bad, '--out', out)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('axes[0].path: "host.kvm.haltPoll.haltPollNS" is not a field')
    expect(existsSync(out)).toBe(false)
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, base: 'base.json', axes: [{ path: 'run.durationSec', values: [0.01, -1] }] }))
    const v = kvmbench('sweep', bad, '--out', out)
    expect(v.code).toBe(2)
    expect(v.stderr).toMatch(/axes\[0\]\.values\[1\]: -1 is refused for run\.durationSec/)
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, base: 'base.json', axes: [{ path: 'run.durationSec', values: [0.01] }], metrics: ['vms[0].workload.throughput'] }))
    const m = kvmbench('sweep', bad, '--out', out)
    expect(m.code).toBe(2)
    expect(m.stderr).toContain('metrics[0]: "vms[0].workload.throughput" is not a number in the result')
    expect(existsSync(out)).toBe(false)
    expect(kvmbench('sweep', specPath, '--resume').stderr).toContain('--resume needs --out')
    const taken = kvmbench('sweep', specPath, '--out', join(tmp, 'full.jsonl'))
    expect(taken.code).toBe(2)
    expect(taken.stderr).toContain('already holds a sweep')
  })
})
