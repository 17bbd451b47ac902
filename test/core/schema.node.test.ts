import { describe, it, expect } from 'vitest'
import * as s from '../../core/schema/schema.ts'
import { describeFields } from '../../core/schema/describe-fields.ts'

const vm = s.object({
  name: s.string({ default: 'vm0', maxLength: 8, pattern: /^[a-z0-9]+$/, patternHint: 'use lowercase letters and digits' }),
  vcpus: s.integer({ min: 1, max: 64, default: 4, unit: 'vCPUs' }),
  mode: s.oneOf(['auto', 'force', 'off'] as const, { default: 'auto' }),
  pins: s.array(s.string(), { default: [] }),
  kvm: s.object({ hlt: s.boolean({ default: false }), pause: s.boolean({ default: false }) }),
  note: s.optional(s.string()),
})

describe('schema parse: defaults', () => {
  it('fills every default, nested objects included, and leaves optional fields out', () => {
    const r = s.parse(vm, {})
    expect(r).toEqual({ ok: true, value: { name: 'vm0', vcpus: 4, mode: 'auto', pins: [], kvm: { hlt: false, pause: false } } })
  })
  it('keeps given values and fills the siblings', () => {
    const r = s.parse(vm, { kvm: { hlt: true }, note: 'x' })
    expect(r.ok && r.value).toMatchObject({ kvm: { hlt: true, pause: false }, note: 'x', vcpus: 4 })
  })
  it('defaults are copies: mutating one parse result does not leak into the next', () => {
    const a = s.parse(vm, {})
    if (a.ok) (a.value.pins as string[]).push('9')
    const b = s.parse(vm, {})
    expect(b.ok && b.value.pins).toEqual([])
  })
  it('a field without default is required', () => {
    const r = s.parse(s.object({ id: s.string() }), {})
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: 'id', message: 'is required' })
  })
})

describe('schema parse: messages name the field, the value and the fix', () => {
  const issues = (v: unknown) => { const r = s.parse(vm, v); return r.ok ? [] : r.issues }
  it('unknown field ⇒ "did you mean" the closest known one', () => {
    const [i] = issues({ vcpu: 4 })
    expect(i).toMatchObject({ path: 'vcpu', message: 'is not a known field' })
    expect(i!.fix).toContain('did you mean "vcpus"')
    const [j] = issues({ kvm: { htl: true } })
    expect(j!.path).toBe('kvm.htl')
    expect(j!.fix).toContain('did you mean "hlt"')
  })
  it('unknown field far from any name ⇒ "remove it" with the known fields', () => {
    const [i] = issues({ zzzzzzzzzzzz: 1 })
    expect(i!.fix).toContain('remove it')
    expect(i!.fix).toContain('vcpus')
  })
  it('wrong type ⇒ path + shown value + fix', () => {
    const [i] = issues({ vcpus: '4' })
    expect(i).toMatchObject({ path: 'vcpus', value: '"4"', message: 'must be a finite number' })
    expect(i!.fix).toContain('vCPUs')
    expect(s.formatIssue(i!)).toBe('vcpus: "4" must be a finite number — ' + i!.fix)
  })
  it('range, integer, enum, pattern, array item and boolean errors', () => {
    expect(issues({ vcpus: 0 })[0]).toMatchObject({ path: 'vcpus', message: 'must be at least 1' })
    expect(issues({ vcpus: 65 })[0]).toMatchObject({ path: 'vcpus', message: 'must be at most 64' })
    expect(issues({ vcpus: 2.5 })[0]).toMatchObject({ message: 'must be a whole number', fix: 'write an integer, e.g. 3' })
    expect(issues({ mode: 'on' })[0]!.fix).toBe('use one of "auto", "force", "off"')
    expect(issues({ name: 'VM!' })[0]!.fix).toBe('use lowercase letters and digits')
    expect(issues({ pins: ['1', 2] })[0]).toMatchObject({ path: 'pins[1]', value: '2' })
    expect(issues({ kvm: { hlt: 'yes' } })[0]).toMatchObject({ path: 'kvm.hlt', fix: 'write true or false (without quotes)' })
    expect(issues([])[0]).toMatchObject({ path: '(root)', message: 'must be an object' })
  })
  it('reports every problem, not only the first', () => {
    expect(issues({ vcpus: 0, mode: 'x', kvm: { hlt: 1 } }).map((i) => i.path)).toEqual(['vcpus', 'mode', 'kvm.hlt'])
  })
  it('long values are cut in the message', () => {
    const [i] = issues({ name: 'x'.repeat(500) })
    expect(i!.value.length).toBeLessThanOrEqual(60)
  })
})

describe('partial() (overrides)', () => {
  it('fills no defaults and accepts an empty object, but still refuses unknown fields and bad values', () => {
    const p = s.partial(vm)
    expect(s.parse(p, { kvm: { hlt: true } })).toEqual({ ok: true, value: { kvm: { hlt: true } } })
    expect(s.parse(p, { kvm: { hlt: 1 } }).ok).toBe(false)
    const r = s.parse(p, { vcpuz: 2 })
    expect(!r.ok && r.issues[0]!.fix).toContain('did you mean "vcpus"')
  })
  it('its JSON Schema has no required and no defaults', () => {
    const j = s.partial(s.object({ id: s.string(), n: s.integer({ default: 1 }) })).json() as { required?: unknown; properties: Record<string, { default?: unknown }> }
    expect(j.required).toBeUndefined()
    expect(j.properties.n!.default).toBeUndefined()
  })
})

describe('describeFields()', () => {
  it('lists every field depth first with type, default and description; array items as []', () => {
    const f = describeFields(s.object({ a: s.integer({ min: 0, max: 9, default: 3, description: 'A.' }), l: s.array(s.object({ x: s.oneOf(['p', 'q'] as const, { default: 'p' }) }), { default: [] }), id: s.string() }))
    expect(f).toEqual([
      { path: 'a', type: 'integer 0–9', default: '3', description: 'A.', required: false },
      { path: 'l', type: 'object[]', default: '[]', description: '', required: false },
      { path: 'l[].x', type: '"p" | "q"', default: '"p"', description: '', required: false },
      { path: 'id', type: 'string', default: '', description: '', required: true },
    ])
  })
})
