// No cost or spread literal in model code (issue 14 item 8): every lognormal shape the model samples with comes from
// the cost tables (core/costs/cost-tables.ts: each cost's sigma, and SPREADS for the times whose mean the profile
// gives), where each has its source. This scans the model's folders for a numeric sigma / spread written in the code.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, resolve, relative } from 'node:path'
import { describe, it, expect } from 'vitest'
import { SPREAD_NAMES, SPREADS, SPREAD_SOURCES } from '../../core/costs/cost-tables.ts'
import { costTableMarkdown } from '../../core/costs/cost-doc-table.ts'

const ROOT = resolve(import.meta.dirname, '../..')
/** Where the model lives: the KVM, host, guest and simulation parts, the workloads and the engine. */
const MODEL_DIRS = ['core/kvm', 'core/host', 'core/guest', 'core/sim', 'core/engine']

/** A numeric literal (not a name or expression). */
const NUM = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?`
const PATTERNS: { what: string; re: RegExp }[] = [
  // rng.lognormal(mean, 0.5): the shape must be a named entry of the tables
  { what: 'a lognormal shape literal', re: new RegExp(String.raw`lognormal\([^()]*(?:\([^()]*\)[^()]*)*,\s*${NUM}\s*\)`) },
  // sigma: 0.4, workSigma = 0.3, spread = 0.15, SPREAD_X = 0.5
  { what: 'a sigma / spread literal', re: new RegExp(String.raw`\b\w*(?:sigma|Sigma|SIGMA|spread|Spread|SPREAD)\w*\s*[:=]\s*${NUM}\b`) },
  // a normal deviate scaled by a literal: rng.normal() * 0.2
  { what: 'a scaled normal deviate', re: new RegExp(String.raw`normal\(\)\s*\*\s*${NUM}`) },
]

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** The offending lines of a source text (comments are skipped). */
function spreadLiterals(text: string): string[] {
  const out: string[] = []
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '').replace(/\/\*.*?\*\//g, '')
    for (const p of PATTERNS) if (p.re.test(code)) out.push(`${i + 1}: ${p.what}: ${line.trim()}`)
  })
  return out
}

describe('no spread literal in model code', () => {
  it('the scanner catches the forms it looks for, and passes names', () => {
    expect(spreadLiterals('const t = this.m.rng.lognormal(vm.holdNs, 0.5)')).toHaveLength(1)
    expect(spreadLiterals('return m.rng.lognormal(f(a, b), .3)')).toHaveLength(1)
    expect(spreadLiterals('const kworkerSigma = 0.5')).toHaveLength(1)
    expect(spreadLiterals('  spread: 0.15,')).toHaveLength(1)
    expect(spreadLiterals('x = rng.normal() * 0.2')).toHaveLength(1)
    expect(spreadLiterals('return this.m.rng.lognormal(rtt / 2, SPREADS.networkOneWay)')).toEqual([])
    expect(spreadLiterals('return this.m.rng.lognormal(this.w.serviceNs, this.w.serviceSigma)')).toEqual([])
    expect(spreadLiterals('// lognormal(x, 0.5) in a comment')).toEqual([])
  })

  it(`${MODEL_DIRS.join(', ')}: every shape comes from the cost tables`, () => {
    const found: string[] = []
    for (const d of MODEL_DIRS) for (const f of files(join(ROOT, d))) for (const hit of spreadLiterals(readFileSync(f, 'utf8'))) found.push(`${relative(ROOT, f)}:${hit}`)
    expect(found, 'move the value into core/costs/cost-tables.ts (SPREADS or a cost) with its source in cost-sources.ts').toEqual([])
  })

  it('every spread has a source that says why, and the generated cost table shows it', () => {
    const table = costTableMarkdown()
    for (const n of SPREAD_NAMES) {
      const s = SPREAD_SOURCES[n].source
      expect(s.kind === 'estimate' ? s.reasoning.length : s.figure.length, n).toBeGreaterThan(50)
      expect(SPREADS[n]).toBeGreaterThan(0)
      expect(table).toContain(`| \`${n}\` |`)
    }
  })
})
