// Examples state their assumptions (issue 14 item 9): every example's description ends with what it assumes beyond
// its published setup, and docs/model.md lists the ones that set a result — checked against the profile's own rates.
import { readFileSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, it, expect } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const examples = readdirSync(resolve(root, 'examples')).filter((f) => f.endsWith('.json'))
const load = (f: string) => JSON.parse(readFileSync(resolve(root, 'examples', f), 'utf8'))

describe('example assumptions', () => {
  it('every example description has an "Assumptions" part', () => {
    for (const f of examples) expect(load(f).description, f).toMatch(/Assumptions[^:]*:/)
  })
  it('posted-timer names the rates its profile uses and what they set, and docs/model.md says the same', () => {
    const p = load('posted-timer.json')
    const d: string = p.description
    expect(p.host.noise.tlbShootdownsPerSec).toBe(250)
    expect(p.host.noise.irqs[0].ratePerSec).toBe(4000)
    expect(d).toContain('250 TLB-shootdown IPIs/s')
    expect(d).toContain('4,000/s host NIC IRQ')
    expect(d).toContain('after-share')
    expect(d).toContain('`indirect`')
    const doc = readFileSync(resolve(root, 'docs/model.md'), 'utf8')
    const section = doc.slice(doc.indexOf('## Assumptions of the examples'))
    expect(section).toMatch(/\| posted-timer \| 250 host TLB-shootdown IPIs\/s/)
    expect(section).toMatch(/\| posted-timer \| `indirect` = 1\.8 µs/)
  })
})
