import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useProfileStore, RECENT_STORAGE_KEY } from '../../renderer/src/stores/profile.ts'
import { setApi } from '../../renderer/src/api/index.ts'
import { handleMenuCommand } from '../../renderer/src/composables/useMenuCommands.ts'
import { fakeApi } from '../helpers/fake-api.ts'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('profile store', () => {
  it('opens a profile, fills defaults, and lists the configurations with their differences', () => {
    const p = useProfileStore()
    p.open({ schemaVersion: 1, name: 'x', configurations: [{ name: 'a', overrides: { host: { kvm: { piInjectTimer: 1 } } } }] }, { kind: 'file', name: 'x.json' })
    expect(p.issues).toEqual([])
    expect(p.host?.logicalCpus).toBe(32)
    expect(p.configurations).toEqual([{ name: 'a', description: '', differences: [{ path: 'host.kvm.piInjectTimer', value: '1' }] }])
    expect(JSON.parse(localStorage.getItem(RECENT_STORAGE_KEY) ?? '[]')).toHaveLength(1)
  })

  it('shows validation issues naming the field and the fix', () => {
    const p = useProfileStore()
    p.open({ schemaVersion: 1, host: { topology: { sockets: 0 } } }, { kind: 'file', name: 'bad.json' })
    expect(p.profile).toBeUndefined()
    expect(p.issues[0]?.path).toBe('host.topology.sockets')
    expect(p.issues[0]?.fix).not.toBe('')
  })

  it('reports a file that is not JSON', () => {
    const p = useProfileStore()
    p.openText('{ nope', 'broken.json')
    expect(p.error).toMatch(/^broken\.json is not JSON/)
    expect(p.isOpen).toBe(false)
  })

  it('saves through the API and then remembers the saved profile', async () => {
    const api = fakeApi()
    const save = vi.fn(async (r: { name: string; profile: unknown }) => ({ id: 'p1', name: r.name, description: '', tags: [], createdAt: '', updatedAt: '', profile: r.profile }))
    api.profiles.save = save as unknown as typeof api.profiles.save
    setApi(api)
    const p = useProfileStore()
    p.open({ schemaVersion: 1, name: 'mine' }, { kind: 'file', name: 'mine.json' })
    expect(await p.save()).toBe(true)
    expect(save.mock.calls[0]?.[0]).toMatchObject({ name: 'mine', profile: { schemaVersion: 1, name: 'mine' } })
    expect(p.source).toEqual({ kind: 'saved', id: 'p1' })
    expect(p.recent[0]?.source).toEqual({ kind: 'saved', id: 'p1' })
  })
})

describe('menu commands', () => {
  it('dispatches each command to its handler', () => {
    const h = { openProfile: vi.fn(), openFailed: vi.fn(), save: vi.fn(), toggleTheme: vi.fn() }
    handleMenuCommand({ command: 'open-profile', fileName: 'a.json', profile: { x: 1 } }, h)
    handleMenuCommand({ command: 'open-profile-failed', fileName: 'b.json', message: 'bad' }, h)
    handleMenuCommand({ command: 'save' }, h)
    handleMenuCommand({ command: 'toggle-theme' }, h)
    expect(h.openProfile).toHaveBeenCalledWith('a.json', { x: 1 })
    expect(h.openFailed).toHaveBeenCalledWith('b.json', 'bad')
    expect(h.save).toHaveBeenCalledOnce()
    expect(h.toggleTheme).toHaveBeenCalledOnce()
  })
})
