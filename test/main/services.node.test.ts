// The services behind KvmbenchApi, as both hosts use them: real conf files, real worker processes.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { RunEvent } from '../../core/api/protocol.ts'
import { createApiRouter } from '../../main/services/api-router.ts'
import type { ApiHandlers } from '../../main/services/api-router.ts'
import { ConfProfileRepository } from '../../main/services/conf-profile-repository.ts'
import { createServices } from '../../main/services/create-services.ts'
import type { Services } from '../../main/services/create-services.ts'
import { ExamplesService, summarize } from '../../main/services/examples-service.ts'
import { ProfileService } from '../../main/services/profile-service.ts'
import type { RunFile } from '../../main/services/run-service.ts'
import { ChildProcessLauncher } from '../../main/worker/child-process-launcher.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-services-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
let n = 0
const freshDir = (): string => join(tmp, `d${++n}`)

describe('api router', () => {
  const handlers = {
    'app.info': () => ({ version: '1', host: 'browser', workers: 1 }),
    'profiles.get': (r: { id: string }) => { throw new ApiFailure({ code: 'not-found', message: `no ${r.id}` }) },
    'profiles.list': () => { throw new Error('disk on fire') },
  } as unknown as ApiHandlers
  const router = createApiRouter(handlers)

  it('answers a known channel with its value', async () => {
    expect(await router.handle('app.info', {})).toEqual({ ok: true, value: { version: '1', host: 'browser', workers: 1 } })
  })
  it('rejects an unknown channel as bad-request', async () => {
    expect(await router.handle('runs.nuke', {})).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(await router.handle('__proto__', {})).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(await router.handle(42, {})).toMatchObject({ ok: false, error: { code: 'bad-request' } })
  })
  it('validates every payload before the handler sees it', async () => {
    const r = await router.handle('profiles.get', { id: '../../etc/passwd' })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(r.ok ? [] : r.error.issues?.map((i) => i.path)).toEqual(['id'])
    expect(await router.handle('profiles.get', 'not an object')).toMatchObject({ ok: false, error: { code: 'bad-request' } })
  })
  it('returns service errors as ApiErrors instead of throwing', async () => {
    expect(await router.handle('profiles.get', { id: 'x' })).toEqual({ ok: false, error: { code: 'not-found', message: 'no x' } })
    const orig = console.error
    console.error = () => {}
    try {
      expect(await router.handle('profiles.list', {})).toEqual({ ok: false, error: { code: 'failed', message: 'disk on fire' } })
    } finally {
      console.error = orig
    }
  })
})

describe('profile service over conf', () => {
  it('saves, lists, updates, reloads from disk and removes profiles', () => {
    const dir = freshDir()
    let t = 0
    const svc = new ProfileService(new ConfProfileRepository(dir), () => new Date(Date.UTC(2026, 0, 1, 0, 0, t++)))
    const saved = svc.save({ id: undefined, name: 'mine', description: 'd', tags: ['a'], profile: tinyProfile() })
    expect(saved.id).toMatch(/^[A-Za-z0-9_.:-]+$/)
    expect(svc.list()).toEqual([{ id: saved.id, name: 'mine', description: 'd', tags: ['a'], createdAt: saved.createdAt, updatedAt: saved.updatedAt }])
    const updated = svc.save({ id: saved.id, name: 'mine v2', description: '', tags: [], profile: tinyProfile(['x']) })
    expect(updated.createdAt).toBe(saved.createdAt)
    expect(updated.updatedAt > saved.updatedAt).toBe(true)
    expect(readdirSync(dir)).toContain('profiles.json')
    const again = new ProfileService(new ConfProfileRepository(dir))
    expect(again.get({ id: saved.id })).toMatchObject({ name: 'mine v2', profile: { ...tinyProfile(['x']), name: 'mine v2' } })
    expect(again.remove({ id: saved.id })).toEqual({ removed: true })
    expect(again.remove({ id: saved.id })).toEqual({ removed: false })
    expect(() => again.get({ id: saved.id })).toThrow(ApiFailure)
  })

  it('refuses to save an invalid profile and says why', () => {
    const svc = new ProfileService(new ConfProfileRepository(freshDir()))
    try {
      svc.save({ id: undefined, name: 'bad', description: '', tags: [], profile: { schemaVersion: 1, run: { durationSec: -1 } } })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ApiFailure)
      expect((e as ApiFailure).error.code).toBe('bad-request')
      expect((e as ApiFailure).error.issues?.[0]?.path).toBe('run.durationSec')
    }
    expect(svc.validate({ profile: tinyProfile() })).toEqual({ ok: true, issues: [] })
    expect(svc.validate({ profile: {} }).issues[0]).toMatchObject({ path: 'schemaVersion' })
  })
})

describe('examples service', () => {
  const dir = freshDir()
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'b-timer.json'), JSON.stringify({ ...tinyProfile(), name: 'Posted timers', description: 'Timer interrupts posted to the guest. More text follows.\nSecond line.' }))
  writeFileSync(join(dir, 'a-broken.json'), '{ nope')
  writeFileSync(join(dir, 'notes.txt'), 'ignored')
  const svc = new ExamplesService(dir)

  it('lists examples with title and summary from the profile', async () => {
    expect(await svc.list()).toEqual([
      { name: 'a-broken', title: 'a-broken', summary: 'This example could not be read (invalid JSON).' },
      { name: 'b-timer', title: 'Posted timers', summary: 'Timer interrupts posted to the guest.' },
    ])
  })
  it('reads one example and refuses other files', async () => {
    expect((await svc.get({ name: 'b-timer' })).profile).toMatchObject({ name: 'Posted timers' })
    await expect(svc.get({ name: 'missing' })).rejects.toMatchObject({ error: { code: 'not-found' } })
    await expect(svc.get({ name: '..' })).rejects.toBeInstanceOf(ApiFailure)
  })
  it('summarizes to the first sentence', () => {
    expect(summarize('One. Two.')).toBe('One.')
    expect(summarize('No full stop')).toBe('No full stop')
    expect(summarize('x'.repeat(300))).toHaveLength(200)
  })
})

describe('run service with real workers', () => {
  let services: Services | undefined
  afterEach(async () => { await services?.dispose() })

  function make(dir: string): Services {
    services = createServices({ host: 'browser', version: 't', launcher: new ChildProcessLauncher(), workers: 2, repository: new ConfProfileRepository(dir), resultsDir: join(dir, 'results'), examplesDir: join(dir, 'examples') })
    return services
  }

  it('runs one job per configuration, streams events, keeps the run and writes it to a file', async () => {
    const dir = freshDir()
    const s = make(dir)
    const events: RunEvent[] = []
    s.onEvent((e) => events.push(e))
    const started = await s.router.handle('runs.start', { profile: tinyProfile(['base', 'tuned']), seed: 3 })
    expect(started.ok).toBe(true)
    const { runId, configs } = (started as { value: { runId: string; configs: string[] } }).value
    expect(configs).toEqual(['base', 'tuned'])
    const record = await s.runs.whenFinished(runId)
    expect(record.status).toBe('done')
    expect(record.configs.map((c) => [c.config, c.status, c.result?.seed])).toEqual([['base', 'done', 3], ['tuned', 'done', 3]])
    expect(events.filter((e) => e.type === 'config-done').map((e) => e.config).sort()).toEqual(['base', 'tuned'])
    expect(events.at(-1)).toEqual({ type: 'run-finished', runId, status: 'done' })
    const list = await s.router.handle('runs.list', {})
    expect(list).toMatchObject({ ok: true, value: [{ runId, status: 'done', configs: ['base', 'tuned'] }] })
    const file = JSON.parse(readFileSync(join(dir, 'results', `${runId}.json`), 'utf8')) as RunFile
    expect(file.schemaVersion).toBe(2)
    expect(file.profile).toBe('tiny test profile')
    expect(file.results.map((r) => r.config)).toEqual(['base', 'tuned'])
    // A new service (a restarted app) finds the saved run.
    await s.dispose()
    const s2 = make(dir)
    expect(await s2.runs.loadSaved()).toBe(1)
    expect((await s2.router.handle('runs.get', { runId }))).toMatchObject({ ok: true, value: { runId, status: 'done', configs: [{ config: 'base', status: 'done' }, { config: 'tuned', status: 'done' }] } })
  })

  it('cancels a run', async () => {
    const s = make(freshDir())
    const events: RunEvent[] = []
    s.onEvent((e) => events.push(e))
    const { runId } = s.runs.start({ profile: tinyProfile(['base'], 300), configs: undefined, seed: undefined, durationSec: undefined })
    await new Promise((r) => setTimeout(r, 400))
    expect(s.runs.cancel({ runId })).toEqual({ cancelled: true })
    const record = await s.runs.whenFinished(runId)
    expect(record.status).toBe('cancelled')
    expect(events.map((e) => e.type)).toContain('config-cancelled')
  })

  it('refuses invalid profiles, unknown configurations and unknown runs', async () => {
    const s = make(freshDir())
    expect(await s.router.handle('runs.start', { profile: { schemaVersion: 1, vms: [] } })).toMatchObject({ ok: false, error: { code: 'bad-request', issues: [{ path: 'vms' }] } })
    expect(await s.router.handle('runs.start', { profile: tinyProfile(), configs: ['nope'] })).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('base, tuned') } })
    expect(await s.router.handle('runs.get', { runId: 'run-x' })).toMatchObject({ ok: false, error: { code: 'not-found' } })
    expect(await s.router.handle('app.info', {})).toEqual({ ok: true, value: { version: 't', host: 'browser', workers: 2 } })
  })
})
