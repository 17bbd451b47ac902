// Ids that are names of every JavaScript object's properties (issue 17 item 2): `__proto__` once answered
// 200 and then vanished. Every id-keyed store is prototype-less and reserved ids are refused with a clear
// message; a hand-edited entry keyed `__proto__` is recovered under a new id, its file kept aside. The id
// space is fuzzed through the real browser host and a real conf store.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { RESERVED_IDS } from '../../core/api/protocol.ts'
import { startTestHost } from '../helpers/test-host.ts'
import type { TestHost } from '../helpers/test-host.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const RUNS = Number(process.env.KVMBENCH_FUZZ_RUNS ?? 60)
const profile = tinyProfile(['base'])

let t: TestHost
beforeAll(async () => { t = await startTestHost('kvmbench-ids-') })
afterAll(async () => { await t?.close() })

const storeText = (): string => { try { return readFileSync(join(t.dataDir, 'profiles.json'), 'utf8') } catch { return '' } }
const listedIds = async (): Promise<string[]> => ((await t.api('profiles.list', {})).json.value as { id: string }[]).map((p) => p.id)

describe('profile ids', () => {
  it('refuses every reserved id with the field, the value and a fix, and writes nothing', async () => {
    for (const id of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      const before = storeText()
      const r = await t.api('profiles.save', { id, name: 'n', profile })
      expect(r.status, id).toBe(400)
      expect(r.json.error?.issues?.[0]).toMatchObject({ path: 'id', message: expect.stringMatching(/reserved/), fix: expect.stringMatching(/another id/) })
      expect(storeText()).toBe(before)
      expect((await t.api('profiles.get', { id })).status).toBe(400)
    }
  })

  it('stores and lists every other id of the id alphabet (fuzzed), and keeps each', async () => {
    const idArb = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/),
      fc.constantFrom('__proto__x', '_proto_', 'Constructor', '__PROTO__', 'proto', 'length', 'name', '0', '-', '.', ':', '__'),
    )
    const kept = new Map<string, string>()
    await fc.assert(fc.asyncProperty(idArb, async (id) => {
      const r = await t.api('profiles.save', { id, name: `p ${id}`, profile })
      if (RESERVED_IDS.has(id)) {
        expect(r.status).toBe(400)
        return
      }
      expect(r.status, id).toBe(200)
      kept.set(id, `p ${id}`)
      const got = await t.api('profiles.get', { id })
      expect(got.json.value?.name).toBe(`p ${id}`)
    }), { numRuns: RUNS })
    const listed = await listedIds()
    for (const id of kept.keys()) expect(listed, id).toContain(id)
    // a later save keeps them all (nothing erased by the next write)
    expect((await t.api('profiles.save', { name: 'one more', profile })).status).toBe(200)
    const after = await listedIds()
    for (const id of kept.keys()) expect(after, id).toContain(id)
    expect(Object.keys((JSON.parse(storeText()) as { profiles: object }).profiles)).toEqual(expect.arrayContaining([...kept.keys()]))
  })

  it('recovers a hand-edited entry keyed __proto__ under a new id, keeping the file aside', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const file = join(t.dataDir, 'profiles.json')
      const store = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, unknown> }
      const edited = `${JSON.stringify(store).slice(0, -2)},"__proto__":${JSON.stringify({ id: '__proto__', name: 'hand edited', description: '', tags: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', profile })}}}`
      writeFileSync(file, edited)
      const list = (await t.api('profiles.list', {})).json.value as { id: string; name: string }[]
      const rescued = list.find((p) => p.name === 'hand edited')
      expect(rescued).toBeDefined()
      expect(RESERVED_IDS.has(rescued!.id)).toBe(false)
      expect((await t.api('profiles.get', { id: rescued!.id })).json.value.name).toBe('hand edited')
      const aside = readdirSync(t.dataDir).filter((f) => f.startsWith('profiles.corrupt-'))
      expect(aside).toHaveLength(1)
      expect(readFileSync(join(t.dataDir, aside[0]!), 'utf8')).toBe(edited)
      const report = (await t.api('profiles.storeReport', {})).json.value as { problems: { path: string; message: string }[] }[]
      expect(report.at(-1)!.problems.some((p) => p.path.includes('__proto__') && /reserved/.test(p.message))).toBe(true)
    } finally {
      warn.mockRestore()
    }
  })
})
