// The profile library over conf (the browser host's and the CLI's store; the desktop app runs the same
// StoreProfileRepository over electron-store): library operations, .json import/export, and a store file
// that is corrupted or hand-edited — reported, kept aside, every valid profile recovered, nothing lost.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiFailure } from '../../core/api/protocol.ts'
import { ConfProfileRepository } from '../../main/services/conf-profile-repository.ts'
import { checkStoreText, salvageEntries } from '../../main/services/profile-store-check.ts'
import type { StoreEntry } from '../../main/services/profile-store-check.ts'
import { TRASH_LIMIT } from '../../main/services/profile-repository.ts'
import { ProfileService, exportFileName } from '../../main/services/profile-service.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-store-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
let n = 0
const freshDir = (): string => join(tmp, `d${++n}`)

let warn: ReturnType<typeof vi.spyOn>
beforeEach(() => { warn = vi.spyOn(console, 'warn').mockImplementation(() => {}) })
afterEach(() => warn.mockRestore())

function clock(): () => Date {
  let t = 0
  return () => new Date(Date.UTC(2026, 0, 1, 0, 0, t++))
}

function entry(id: string, name: string, profile: unknown, extra: Partial<Record<keyof StoreEntry, unknown>> = {}): Record<string, unknown> {
  return { id, name, description: `about ${name}`, tags: ['lab'], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z', profile, ...extra }
}

const VALID_A = entry('a-1', 'alpha', tinyProfile(['base']))
const VALID_B = entry('b-2', 'bravo', tinyProfile(['x', 'y']))
const VALID_C = entry('c-3', 'charlie', tinyProfile(['one', 'two', 'three']))

function writeStore(dir: string, text: string): string {
  const file = join(dir, 'profiles.json')
  mkdirSync(dir, { recursive: true })
  writeFileSync(file, text)
  return file
}

function asideFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^profiles\.corrupt-.*\.json$/.test(f))
}

describe('the profile library', () => {
  it('saves, saves as, renames, duplicates, deletes to the trash and restores (undo)', () => {
    const svc = new ProfileService(new ConfProfileRepository(freshDir(), { now: clock() }), clock())
    const a = svc.save({ id: undefined, name: 'host A', description: 'first', tags: ['x'], profile: tinyProfile() })
    const b = svc.saveAs({ name: 'host A tuned', description: 'second', tags: [], profile: tinyProfile(['t']) })
    expect(b.id).not.toBe(a.id)
    expect(svc.get({ id: a.id }).name).toBe('host A')

    const renamed = svc.rename({ id: a.id, name: '  host A (isolated) ' })
    // The new name is written into the profile too (its card, its exported JSON and its runs say it).
    expect(renamed).toMatchObject({ id: a.id, name: 'host A (isolated)', createdAt: a.createdAt, profile: { ...(a.profile as object), name: 'host A (isolated)' } })
    expect(renamed.updatedAt > a.updatedAt).toBe(true)
    // Names are unique (without case): Rename and Save as refuse a name the library has, saying so.
    expect(() => svc.rename({ id: a.id, name: 'HOST A TUNED' })).toThrow(/a profile named “HOST A TUNED” exists already — choose another name/)
    expect(() => svc.saveAs({ name: 'host A tuned', description: '', tags: [], profile: tinyProfile() })).toThrow(/exists already/)
    expect(svc.saveAs({ name: 'host B', description: '', tags: [], profile: tinyProfile() }).profile).toMatchObject({ name: 'host B' })
    const again = svc.rename({ id: a.id, name: 'host A (isolated)' })
    expect(again.name).toBe('host A (isolated)')
    svc.remove({ id: svc.list().find((p) => p.name === 'host B')!.id })
    svc.purge({ id: svc.deleted()[0]!.id })

    const copy = svc.duplicate({ id: a.id })
    expect(copy).toMatchObject({ name: 'host A (isolated) (copy)', description: 'first', tags: ['x'], profile: { name: 'host A (isolated) (copy)' } })
    expect(svc.duplicate({ id: a.id }).name).toBe('host A (isolated) (copy 2)')
    expect(svc.duplicate({ id: copy.id, name: 'named copy' }).name).toBe('named copy')
    expect(svc.list()).toHaveLength(5)

    expect(svc.remove({ id: a.id })).toEqual({ removed: true })
    expect(svc.remove({ id: a.id })).toEqual({ removed: false })
    expect(() => svc.get({ id: a.id })).toThrow(ApiFailure)
    expect(svc.list().map((p) => p.id)).not.toContain(a.id)
    expect(svc.deleted()).toEqual([expect.objectContaining({ id: a.id, name: 'host A (isolated)', deletedAt: expect.any(String) })])
    expect(svc.deleted()[0]).not.toHaveProperty('profile')

    expect(svc.restore({ id: a.id })).toEqual(again)
    expect(svc.get({ id: a.id })).toEqual(again)
    expect(svc.deleted()).toEqual([])
    expect(() => svc.restore({ id: a.id })).toThrow(/no deleted profile/)

    svc.remove({ id: b.id })
    expect(svc.purge({ id: b.id })).toEqual({ purged: true })
    expect(svc.purge({ id: b.id })).toEqual({ purged: false })
    expect(() => svc.restore({ id: b.id })).toThrow(ApiFailure)
  })

  it('keeps the trash across restarts and bounded', () => {
    const dir = freshDir()
    const svc = new ProfileService(new ConfProfileRepository(dir, { now: clock() }), clock())
    const ids = Array.from({ length: TRASH_LIMIT + 3 }, (_, i) => svc.save({ id: undefined, name: `p${i}`, description: '', tags: [], profile: tinyProfile() }).id)
    for (const id of ids) svc.remove({ id })
    const again = new ProfileService(new ConfProfileRepository(dir))
    expect(again.deleted()).toHaveLength(TRASH_LIMIT)
    expect(again.restore({ id: ids[ids.length - 1] as string }).name).toBe(`p${ids.length - 1}`)
  })

  it('validates every write: an invalid profile or metadata is refused and nothing is stored', () => {
    const dir = freshDir()
    const repo = new ConfProfileRepository(dir)
    const svc = new ProfileService(repo)
    expect(() => svc.save({ id: undefined, name: 'bad', description: '', tags: [], profile: { schemaVersion: 1, vms: [{ vcpus: 'four' }] } })).toThrow(/not valid/)
    expect(() => repo.put({ id: 'x', name: '', description: '', tags: [], createdAt: 'yesterday', updatedAt: 'now', profile: tinyProfile() })).toThrow(/cannot be stored: .*name.*createdAt/)
    expect(svc.list()).toEqual([])
  })

  it('exports a profile as .json text and imports it back as the same profile', () => {
    const svc = new ProfileService(new ConfProfileRepository(freshDir()), clock())
    const p = svc.save({ id: undefined, name: 'Skylake / redis: isolated', description: 'notes', tags: ['redis', 'nohz'], profile: tinyProfile(['a', 'b']) })
    const file = svc.export({ id: p.id })
    expect(file.fileName).toBe('Skylake-redis-isolated.json')
    const doc = JSON.parse(file.json) as Record<string, unknown>
    expect(doc).toMatchObject({ kvmbenchProfileExport: 1, name: p.name, description: 'notes', tags: ['redis', 'nohz'], profile: p.profile })

    const back = svc.import({ json: file.json })
    expect(back.migrated).toEqual([])
    expect(back.profile.id).not.toBe(p.id)
    // The library has that name already: the import is kept under "NAME (imported)", never refused.
    expect(back.profile).toMatchObject({ name: `${p.name} (imported)`, description: 'notes', tags: ['redis', 'nohz'], profile: { ...(p.profile as object), name: `${p.name} (imported)` } })
    expect(svc.import({ json: file.json, name: 'renamed on import' }).profile.name).toBe('renamed on import')

    // A bare profile file (e.g. examples/*.json) is named after its `name`.
    const bare = svc.import({ json: `\uFEFF${JSON.stringify(tinyProfile(['z']))}` })
    expect(bare.profile).toMatchObject({ name: 'tiny test profile', description: 'A profile for tests. It runs quickly.', tags: [] })

    expect(() => svc.import({ json: '{ nope' })).toThrow(/not valid JSON/)
    expect(() => svc.import({ json: '[1,2]' })).toThrow(/expected a JSON object/)
    expect(() => svc.import({ json: JSON.stringify({ kvmbenchProfileExport: 9, profile: {} }) })).toThrow(/format 9/)
    try {
      svc.import({ json: JSON.stringify({ ...tinyProfile(), run: { durationSec: -1 } }) })
      expect.unreachable()
    } catch (e) {
      expect((e as ApiFailure).error.issues?.map((i) => i.path)).toEqual(['run.durationSec'])
    }
    expect(exportFileName('../../etc/passwd')).toBe('etc-passwd.json')
    expect(exportFileName('***')).toBe('profile.json')
  })
})

describe('a corrupted or hand-edited store file', () => {
  function expectNothingLost(dir: string, original: string, aside: string[]): void {
    expect(aside).toHaveLength(1)
    // The original is kept byte for byte, never cleared.
    expect(readFileSync(join(dir, aside[0] as string), 'utf8')).toBe(original)
  }

  it('is not valid JSON: kept aside, every intact profile recovered from its text', () => {
    const dir = freshDir()
    // A hand edit that lost a comma between two entries and left a trailing comma.
    const text = `{\n "profiles": {\n  "a-1": ${JSON.stringify(VALID_A)}\n  "b-2": ${JSON.stringify(VALID_B)},\n  "c-3": ${JSON.stringify(VALID_C)},\n }\n}`
    writeStore(dir, text)
    const repo = new ConfProfileRepository(dir, { now: clock() })
    const svc = new ProfileService(repo)

    expect(svc.list().map((p) => p.name).sort()).toEqual(['alpha', 'bravo', 'charlie'])
    expect(svc.get({ id: 'b-2' })).toEqual(VALID_B)
    const aside = asideFiles(dir)
    expectNothingLost(dir, text, aside)
    const [report] = svc.storeReport()
    expect(report).toMatchObject({ recovered: 3, lost: [], keptAside: join(dir, aside[0] as string) })
    expect(report?.problems[0]).toMatchObject({ path: '(file)', message: expect.stringMatching(/is not valid JSON .*3 saved profile\(s\) were recovered/) })
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/kept aside as .*profiles\.corrupt-2026-01-01T00-00-00-000Z\.json and 3 profile\(s\) were recovered/))
    // The repaired file is a valid store again: a restart finds nothing wrong.
    const again = new ConfProfileRepository(dir)
    expect(again.reports()).toEqual([])
    expect(again.list()).toHaveLength(3)
  })

  it('holds one invalid profile among valid ones: the valid ones are recovered, the invalid one stays in the file kept aside', () => {
    const dir = freshDir()
    const invalid = entry('bad-9', 'broken', { ...tinyProfile(), run: { durationSec: -1 }, vms: [{ vcpus: 0 }] })
    const text = JSON.stringify({ profiles: { 'a-1': VALID_A, 'bad-9': invalid, 'c-3': VALID_C } }, null, 2)
    writeStore(dir, text)
    const svc = new ProfileService(new ConfProfileRepository(dir))
    expect(svc.list().map((p) => p.id).sort()).toEqual(['a-1', 'c-3'])
    expect(svc.get({ id: 'c-3' })).toEqual(VALID_C)
    const aside = asideFiles(dir)
    expectNothingLost(dir, text, aside)
    const [report] = svc.storeReport()
    expect(report?.lost).toEqual(['broken (bad-9)'])
    expect(report?.problems.map((p) => p.path).sort()).toEqual(['profiles["bad-9"].profile.run.durationSec', 'profiles["bad-9"].profile.vms[0].vcpus'])
    expect(report?.problems[0]?.message).toMatch(/—/)
    // The invalid profile is still in the aside file, as it was.
    const kept = JSON.parse(readFileSync(join(dir, aside[0] as string), 'utf8')) as { profiles: Record<string, unknown> }
    expect(kept.profiles['bad-9']).toEqual(invalid)
  })

  it('has values of the wrong types: metadata is repaired and reported, the profiles are recovered', () => {
    const dir = freshDir()
    const text = JSON.stringify({
      profiles: {
        'a-1': { ...VALID_A, tags: 'redis, nohz', createdAt: 1767225600000, name: 7 },
        'b-2': { ...VALID_B, id: 'b 2 !', description: ['x'] },
        'd-4': entry('d-4', 'delta', { ...tinyProfile(), vms: [{ vcpus: '4' }] }),
        'e-5': 'not an object',
      },
    })
    writeStore(dir, text)
    const svc = new ProfileService(new ConfProfileRepository(dir, { now: () => new Date('2026-02-03T04:05:06.000Z') }))
    const byId = Object.fromEntries(svc.list().map((p) => [p.id, svc.get({ id: p.id })]))
    expect(Object.keys(byId).sort()).toEqual(['a-1', 'b-2'])
    expect(byId['a-1']).toMatchObject({ name: 'tiny test profile', tags: ['redis', 'nohz'], createdAt: '2026-02-03T04:05:06.000Z', profile: VALID_A.profile })
    expect(byId['b-2']).toMatchObject({ name: 'bravo', description: '', profile: VALID_B.profile })
    expectNothingLost(dir, text, asideFiles(dir))
    const [report] = svc.storeReport()
    const paths = report?.problems.map((p) => p.path) ?? []
    expect(paths).toEqual(expect.arrayContaining([
      'profiles["a-1"].name', 'profiles["a-1"].tags', 'profiles["a-1"].createdAt',
      'profiles["b-2"].id', 'profiles["b-2"].description',
      'profiles["d-4"].profile.vms[0].vcpus', 'profiles["e-5"]',
    ]))
    expect(report?.lost.sort()).toEqual(['delta (d-4)', 'e-5'])
  })

  it('is hand-edited while the app runs: the next read reports it, keeps it aside and recovers', () => {
    const dir = freshDir()
    const svc = new ProfileService(new ConfProfileRepository(dir, { now: clock() }), clock())
    const a = svc.save({ id: undefined, name: 'kept', description: '', tags: [], profile: tinyProfile() })
    const b = svc.save({ id: undefined, name: 'edited', description: '', tags: [], profile: tinyProfile() })
    const file = join(dir, 'profiles.json')
    const data = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, { profile: Record<string, unknown> }> }
    ;(data.profiles[b.id] as { profile: Record<string, unknown> }).profile.vms = 'two'
    const edited = JSON.stringify(data)
    writeFileSync(file, edited)
    expect(svc.list().map((p) => p.id)).toEqual([a.id])
    expectNothingLost(dir, edited, asideFiles(dir))
    expect(svc.storeReport()).toHaveLength(1)

    // Then a truncated write (invalid JSON) while running: conf refuses it, we recover.
    const full = readFileSync(file, 'utf8')
    writeFileSync(file, full.slice(0, full.length - 3))
    expect(svc.get({ id: a.id }).name).toBe('kept')
    expect(asideFiles(dir)).toHaveLength(2)
    expect(svc.storeReport()).toHaveLength(2)
  })

  it('holds the wrong shape: a profiles array, or not an object at all', () => {
    const dir = freshDir()
    const text = JSON.stringify({ profiles: [VALID_A, VALID_B] })
    writeStore(dir, text)
    expect(new ProfileService(new ConfProfileRepository(dir)).list().map((p) => p.id).sort()).toEqual(['a-1', 'b-2'])
    expectNothingLost(dir, text, asideFiles(dir))

    const c = checkStoreText('[]', { now: '2026-01-01T00:00:00.000Z' })
    expect(c.problems[0]?.message).toMatch(/holds an array/)
    expect(checkStoreText('', { now: 'x' }).problems[0]?.message).toBe('is empty')
  })

  it('salvages entries from damaged text, outermost first', () => {
    const text = `{"profiles":{"a-1":${JSON.stringify(VALID_A)},"b-2":{"id":"b-2","profile":{"x":1}`
    expect(salvageEntries(text).map((e) => e.id)).toEqual(['a-1'])
  })

  it('a clean store is left alone (no report, no file kept aside)', () => {
    const dir = freshDir()
    writeStore(dir, JSON.stringify({ profiles: { 'a-1': VALID_A } }))
    const repo = new ConfProfileRepository(dir)
    expect(repo.list()).toEqual([VALID_A])
    expect(repo.reports()).toEqual([])
    expect(asideFiles(dir)).toEqual([])
    expect(existsSync(join(dir, 'profiles.json'))).toBe(true)
  })
})
