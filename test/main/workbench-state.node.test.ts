// The workbench service (issue 16): drafts of unsaved profiles and the last profile, run and baseline, in
// a real conf file (what the browser host uses), read back by a new service as after a restart.
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRequest } from '../../core/api/protocol.ts'
import { confWorkbenchStore } from '../../main/services/conf-workbench-store.ts'
import { MAX_DRAFTS, WorkbenchStateService } from '../../main/services/workbench-state-service.ts'
import { checkDuration, checkSeed } from '../../renderer/src/lib/run-settings.ts'
import { tinyProfile } from '../helpers/profiles.ts'

describe('the workbench state service over a conf file', () => {
  it('keeps drafts and the last session across a restart, at most MAX_DRAFTS drafts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-wb-'))
    let s = 0
    const svc = new WorkbenchStateService(confWorkbenchStore(dir), () => new Date(Date.UTC(2026, 0, 1, 0, 0, s++)))
    expect(svc.state()).toEqual({ drafts: [] })
    const big = { ...tinyProfile(), name: '256 CPUs, unsaved' }
    svc.saveDraft({ key: 'new:big host', title: 'big host', source: { kind: 'new', name: 'big host' }, json: big })
    svc.remember({ profile: { key: 'new:big host', title: 'big host', source: { kind: 'new', name: 'big host' } }, runId: 'run-1', baseline: { runId: 'run-1', config: 'b' } })
    expect(statSync(join(dir, 'workbench.json')).mode & 0o777).toBe(0o600)

    const again = new WorkbenchStateService(confWorkbenchStore(dir))
    const st = again.state()
    expect(st.profile).toEqual({ key: 'new:big host', title: 'big host', source: { kind: 'new', name: 'big host' } })
    expect(st.runId).toBe('run-1')
    expect(st.baseline).toEqual({ runId: 'run-1', config: 'b' })
    expect(st.drafts).toEqual([{ key: 'new:big host', title: 'big host', source: { kind: 'new', name: 'big host' }, json: big, savedAt: '2026-01-01T00:00:00.000Z' }])

    // A newer draft of the same profile replaces it; a save drops it.
    again.saveDraft({ key: 'new:big host', title: 'big host', source: { kind: 'new', name: 'big host' }, json: { ...big, description: 'v2' } })
    expect(again.state().drafts).toHaveLength(1)
    expect(again.dropDraft({ key: 'new:big host' })).toEqual({ dropped: true })
    expect(again.dropDraft({ key: 'new:big host' })).toEqual({ dropped: false })
    for (let i = 0; i < MAX_DRAFTS + 3; i++) again.saveDraft({ key: `example:e${i}`, title: `e${i}`, source: { kind: 'example', name: `e${i}` }, json: tinyProfile() })
    const keys = again.state().drafts.map((d) => d.key)
    expect(keys).toHaveLength(MAX_DRAFTS)
    expect(keys[0]).toBe(`example:e${MAX_DRAFTS + 2}`)
    expect(keys).not.toContain('example:e0')
    again.remember({})
    expect(again.state().profile).toBeUndefined()
    expect(JSON.parse(readFileSync(join(dir, 'workbench.json'), 'utf8')).session).toEqual({})
  })

  it('refuses requests that are not a workbench key or source, naming the field', () => {
    expect(() => parseRequest('workbench.saveDraft', { key: 'nope', title: 't', source: { kind: 'new', name: 'x' }, json: {} })).toThrow(/key/)
    expect(() => parseRequest('workbench.saveDraft', { key: 'new:x', title: 't', source: { kind: 'disk' }, json: {} })).toThrow(/source\.kind/)
    expect(() => parseRequest('workbench.remember', { runId: '__proto__' })).toThrow(/runId/)
    expect(parseRequest('runs.start', { profile: {}, profileKey: 'saved:abc' }).profileKey).toBe('saved:abc')
  })
})

describe('the run settings typed in the workbench', () => {
  it('checks the duration and the seed as they are typed, with the field, the value and the fix', () => {
    expect(checkDuration('')).toEqual({ ok: true, value: undefined })
    expect(checkDuration(' 0.5 ')).toEqual({ ok: true, value: 0.5 })
    expect(checkDuration('abc')).toMatchObject({ ok: false, message: expect.stringMatching(/^duration “abc” is not a number — write virtual seconds/) })
    expect(checkDuration('0')).toMatchObject({ ok: false, message: expect.stringContaining('out of range — use 0.001 to 3600 seconds') })
    expect(checkDuration('3601')).toMatchObject({ ok: false })
    expect(checkSeed('42')).toEqual({ ok: true, value: 42 })
    expect(checkSeed('1.5')).toMatchObject({ ok: false, message: expect.stringContaining('whole number') })
    expect(checkSeed('-1')).toMatchObject({ ok: false })
  })
})
