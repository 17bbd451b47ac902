import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { loadProfile, resolveConfiguration, profileJsonSchema, deepMerge, configurationNames } from '../../core/profile/load-profile.ts'
import type { Profile } from '../../core/profile/profile-schema.ts'

const example = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/posted-timer.json'), 'utf8')) as Record<string, unknown>

function load(json: unknown): Profile {
  const r = loadProfile(json)
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'))
  return r.profile
}
const issuesOf = (json: unknown) => { const r = loadProfile(json); return r.ok ? [] : r.issues }

describe('loadProfile', () => {
  it('{ schemaVersion: 1 } alone is a full profile: host defaults (v6.8, skylake-sp, halt_poll_ns 200000), one VM, one "base" configuration', () => {
    const p = load({ schemaVersion: 1 })
    expect(p.host.kernel.version).toBe('6.8')
    expect(p.host.cpu).toBe('skylake-sp')
    expect(p.host.kvm.haltPoll).toEqual({ haltPollNs: 200_000, grow: 2, growStart: 10_000, shrink: -1 })
    expect(p.host.kvm.piInjectTimer).toBe(-1)
    expect(p.vms).toHaveLength(1)
    expect(p.vms[0]!.kvm.disableExits).toEqual({ mwait: false, hlt: false, pause: false, cstate: false })
    expect(configurationNames(p)).toEqual(['base'])
  })
  it('loads the example and fills what it leaves out', () => {
    const p = load(example)
    expect(p.host.kernel.cmdline.nohzFull).toBe('2-15,18-31')
    expect(p.host.kernel.cmdline.isolcpus).toBe('')
    expect(p.vms[0]!.kvm.pv.pvUnhalt).toBe(true)
    expect(configurationNames(p)).toEqual(['sw-timer', 'posted-timer'])
  })
  it('schemaVersion missing ⇒ "is required" with the fix', () => {
    expect(issuesOf({ name: 'x' })[0]).toMatchObject({ path: 'schemaVersion', message: 'is required', fix: 'add "schemaVersion": 1' })
  })
  it('schemaVersion newer ⇒ "update kvmbench"; wrong literal ⇒ must be 1', () => {
    const [i] = issuesOf({ schemaVersion: 2 })
    expect(i!.path).toBe('schemaVersion')
    expect(i!.message).toContain('newer')
    expect(i!.fix).toContain('update kvmbench')
    expect(issuesOf({ schemaVersion: 0 })[0]).toMatchObject({ path: 'schemaVersion', message: 'must be 1' })
  })
  it('unknown nested field ⇒ full path and "did you mean"', () => {
    const [i] = issuesOf({ schemaVersion: 1, host: { kernel: { cmdline: { nohz_full: '1-3' } } } })
    expect(i!.path).toBe('host.kernel.cmdline.nohz_full')
    expect(i!.fix).toContain('did you mean "nohzFull"')
  })
  it('wrong type deep in a list ⇒ path with index, value and fix', () => {
    const [i] = issuesOf({ schemaVersion: 1, vms: [{ name: 'a' }, { name: 'b', kvm: { disableExits: { hlt: 'on' } } }] })
    expect(i).toMatchObject({ path: 'vms[1].kvm.disableExits.hlt', value: '"on"', message: 'must be true or false' })
  })
  it('duplicate configuration names and VM names are refused', () => {
    const dup = issuesOf({ schemaVersion: 1, configurations: [{ name: 'a', overrides: {} }, { name: 'a', overrides: {} }] })
    expect(dup[0]).toMatchObject({ path: 'configurations[1].name', message: 'is used by another configuration' })
    const vms = issuesOf({ schemaVersion: 1, vms: [{ name: 'x' }, { name: 'x' }] })
    expect(vms[0]).toMatchObject({ path: 'vms[1].name', message: 'is used by another VM' })
  })
  it('override of an unknown VM ⇒ names the VMs that exist', () => {
    const [i] = issuesOf({ schemaVersion: 1, vms: [{ name: 'db' }], configurations: [{ name: 'c', overrides: { vms: { web: { vcpus: 2 } } } }] })
    expect(i!.path).toBe('configurations[0].overrides.vms.web')
    expect(i!.fix).toContain('"db"')
  })
  it('overrides are validated like the profile (unknown field, bad value), without defaults', () => {
    const [i] = issuesOf({ schemaVersion: 1, configurations: [{ name: 'c', overrides: { host: { kvm: { piInjectTimer: 2 } } } }] })
    expect(i!.path).toBe('configurations[0].overrides.host.kvm.piInjectTimer')
    const p = load({ schemaVersion: 1, configurations: [{ name: 'c', overrides: { host: { kvm: { piInjectTimer: 1 } } } }] })
    expect(p.configurations[0]!.overrides.host).toEqual({ kvm: { piInjectTimer: 1 } })
  })
  it('never throws on junk', () => {
    for (const j of [null, 1, 'x', [], { schemaVersion: '1' }]) expect(loadProfile(j).ok).toBe(false)
  })
})

describe('resolveConfiguration / deepMerge', () => {
  const p = load({
    schemaVersion: 1,
    host: { kernel: { cmdline: { nohzFull: '2-15', rcuNocbs: '2-15' } } },
    vms: [
      { name: 'a', pinning: { vcpupin: ['2', '3', '4', '5'] } },
      { name: 'b', pinning: { vcpupin: ['6', '7', '8', '9'] } },
    ],
    configurations: [
      { name: 'base', overrides: {} },
      {
        name: 'tuned',
        overrides: {
          host: { kernel: { cmdline: { nohzFull: '4-15' } }, kvm: { haltPoll: { haltPollNs: 0 } } },
          vm: { kvm: { disableExits: { hlt: true } }, pinning: { vcpupin: ['10'] }, vcpus: 1 },
          vms: { b: { kvm: { disableExits: { hlt: false } } } },
          run: { seed: 7 },
        },
      },
    ],
  })
  it('objects merge field by field (siblings kept)', () => {
    const r = resolveConfiguration(p, 'tuned')
    expect(r.host.kernel.cmdline.nohzFull).toBe('4-15')
    expect(r.host.kernel.cmdline.rcuNocbs).toBe('2-15')
    expect(r.host.kvm.haltPoll).toEqual({ haltPollNs: 0, grow: 2, growStart: 10_000, shrink: -1 })
    expect(r.run.seed).toBe(7)
    expect(r.run.durationSec).toBe(p.run.durationSec)
  })
  it('arrays replace, they do not merge by index', () => {
    const r = resolveConfiguration(p, 'tuned')
    expect(r.vms[0]!.pinning.vcpupin).toEqual(['10'])
    expect(r.vms[1]!.pinning.vcpupin).toEqual(['10'])
  })
  it('per-VM override is applied after the all-VM override', () => {
    const r = resolveConfiguration(p, 'tuned')
    expect(r.vms[0]!.kvm.disableExits.hlt).toBe(true)
    expect(r.vms[1]!.kvm.disableExits.hlt).toBe(false)
    expect(r.vms[1]!.kvm.disableExits.mwait).toBe(false)
  })
  it('does not mutate the profile, and "base" is the profile as written', () => {
    const before = JSON.stringify(p)
    resolveConfiguration(p, 'tuned')
    expect(JSON.stringify(p)).toBe(before)
    const b = resolveConfiguration(p, 'base')
    expect(b.host).toEqual(p.host)
    expect(b.vms).toEqual(p.vms)
  })
  it('unknown configuration ⇒ error naming the known ones', () => {
    expect(() => resolveConfiguration(p, 'nope')).toThrow(/base, tuned/)
  })
  it('deepMerge: undefined keeps the base, scalars and arrays replace, a merged override is a copy', () => {
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 })
    expect(deepMerge({ a: [1, 2, 3] }, { a: [9] })).toEqual({ a: [9] })
    expect(deepMerge({ a: { b: 1, c: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 } })
    const o = { a: { b: [1] } }
    const m = deepMerge<{ a: { b: number[] } | number }>({ a: 0 }, o)
    ;(m.a as { b: number[] }).b.push(2)
    expect(o.a.b).toEqual([1])
  })
})

describe('profileJsonSchema() with ajv (draft 2020-12)', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  const validate = ajv.compile(profileJsonSchema())
  it('is a 2020-12 schema with an id and no extra properties allowed', () => {
    const j = profileJsonSchema()
    expect(j.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(j.additionalProperties).toBe(false)
  })
  it('validates examples/posted-timer.json and the minimal profile', () => {
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ schemaVersion: 1 })).toBe(true)
  })
  it('rejects a broken copy of the example (unknown field, wrong type, out of range, bad enum)', () => {
    const broken = structuredClone(example) as { host: Record<string, unknown> & { kvm?: unknown }; vms: Record<string, unknown>[] }
    broken.host.kvm = { piInjectTimer: 2 }
    broken.vms[0]!.vcpus = '4'
    broken.vms[0]!.vcpuz = 4
    ;(broken.host as Record<string, unknown>).topology = { sockets: 0 }
    expect(validate(broken)).toBe(false)
    const paths = (validate.errors ?? []).map((e) => e.instancePath)
    expect(paths).toEqual(expect.arrayContaining(['/host/kvm/piInjectTimer', '/vms/0/vcpus', '/vms/0', '/host/topology/sockets']))
  })
  it('agrees with loadProfile on the same broken inputs', () => {
    for (const bad of [{ schemaVersion: 1, host: { cpu: 'pentium' } }, { schemaVersion: 1, run: { durationSec: 0 } }, { schemaVersion: 1, vms: [] }]) {
      expect(validate(bad)).toBe(false)
      expect(loadProfile(bad).ok).toBe(false)
    }
  })
})
