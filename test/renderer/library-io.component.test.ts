// The library, the Import dialog and the Export menu as components, on a fake API with an in-memory library.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import LibraryPanel from '../../renderer/src/components/LibraryPanel.vue'
import ImportDialog from '../../renderer/src/components/ImportDialog.vue'
import ExportMenu from '../../renderer/src/components/ExportMenu.vue'
import { setApi } from '../../renderer/src/api/index.ts'
import { useProfileStore } from '../../renderer/src/stores/profile.ts'
import { useLibraryStore } from '../../renderer/src/stores/library.ts'
import { fakeApi, type FakeApi } from '../helpers/fake-api.ts'
import { withLibrary } from '../helpers/fake-library.ts'
import { lscpuText } from '../helpers/lscpu.ts'

import exampleJson from '../../examples/posted-timer.json'

const example = exampleJson as unknown as Record<string, unknown>

let api: FakeApi
let lib: ReturnType<typeof withLibrary>

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi()
  lib = withLibrary(api, [])
  setApi(api)
})

const byTest = (id: string): string => `[data-testid="${id}"]`

describe('LibraryPanel', () => {
  it('lists saved profiles; delete moves to the trash and Undo restores', async () => {
    await api.profiles.save({ name: 'alpha', description: 'first one', tags: ['skylake'], profile: example })
    await api.profiles.save({ name: 'beta', description: '', tags: ['amd'], profile: example })
    const w = mount(LibraryPanel)
    await flushPromises()
    expect(w.find(byTest('lib-alpha')).text()).toContain('first one')
    expect(w.find(byTest('lib-alpha')).text()).toContain('skylake')

    await w.find(byTest('lib-delete-alpha')).trigger('click')
    await flushPromises()
    expect(w.find(byTest('lib-alpha')).exists()).toBe(false)
    expect(w.find(byTest('undo-toast')).text()).toContain('alpha')
    expect(lib.trash.size).toBe(1)

    await w.find(byTest('undo-delete')).trigger('click')
    await flushPromises()
    expect(api.calls.some((c) => c.channel === 'profiles.restore')).toBe(true)
    expect(w.find(byTest('lib-alpha')).exists()).toBe(true)
    expect(w.find(byTest('undo-toast')).exists()).toBe(false)
    expect(lib.trash.size).toBe(0)
  })

  it('filters by tag, renames, and restores and purges from the trash', async () => {
    await api.profiles.save({ name: 'alpha', description: '', tags: ['skylake'], profile: example })
    await api.profiles.save({ name: 'beta', description: '', tags: ['amd'], profile: example })
    const w = mount(LibraryPanel)
    await flushPromises()
    await w.find(byTest('lib-tag')).setValue('amd')
    expect(w.find(byTest('lib-alpha')).exists()).toBe(false)
    expect(w.find(byTest('lib-beta')).exists()).toBe(true)
    await w.find(byTest('lib-tag')).setValue('')

    await w.find(byTest('lib-rename-beta')).trigger('click')
    await w.find(byTest('lib-rename-input')).setValue('gamma')
    await w.find(byTest('lib-rename-input')).trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(w.find(byTest('lib-gamma')).exists()).toBe(true)

    await w.find(byTest('lib-delete-gamma')).trigger('click')
    await flushPromises()
    await w.find(byTest('lib-view-trash')).trigger('click')
    expect(w.find(byTest('trash-gamma')).exists()).toBe(true)
    await w.find(byTest('restore-gamma')).trigger('click')
    await flushPromises()
    expect(w.find(byTest('trash-gamma')).exists()).toBe(false)
    await w.find(byTest('lib-view-profiles')).trigger('click')
    expect(w.find(byTest('lib-gamma')).exists()).toBe(true)
  })

  it('shows an import’s validation issues with path, value and fix', async () => {
    const w = mount(LibraryPanel)
    await flushPromises()
    await useLibraryStore().importText(JSON.stringify({ schemaVersion: 1, host: { topology: { sockets: 0 } } }), 'bad.json')
    await flushPromises()
    const t = w.find(byTest('lib-import-issues')).text()
    expect(t).toContain('host.topology.sockets')
    expect(t).toContain('use a number from 1 to 8')
    expect(w.find(byTest('lib-error')).text()).toContain('bad.json')
  })

  it('shows a repaired store as a banner saying where the original was kept', async () => {
    api = fakeApi()
    withLibrary(api, [{ file: '/data/profiles.json', at: '2025-01-01T00:00:00Z', keptAside: '/data/profiles.json.corrupt-2025', problems: [{ path: '', message: 'not JSON' }], migrated: [], recovered: 2, lost: [] }])
    setApi(api)
    const w = mount(LibraryPanel)
    await flushPromises()
    expect(w.find(byTest('store-report')).text()).toContain('/data/profiles.json.corrupt-2025')
  })
})

describe('ImportDialog', () => {
  it('previews an lscpu import as changed fields, applies it, and Undo takes it back', async () => {
    const profile = useProfileStore()
    profile.open(example, { kind: 'example', name: 'posted-timer' })
    const w = mount(ImportDialog)
    await w.find(byTest('import-text')).setValue(lscpuText(2, 8, 2))
    expect(w.find(byTest('diff-host.topology.sockets')).text()).toContain('2')
    await w.find(byTest('import-apply')).trigger('click')
    expect(profile.profile?.host.topology).toMatchObject({ sockets: 2, coresPerSocket: 8 })
    expect(w.emitted('close')).toBeTruthy()
    profile.undo()
    expect(profile.profile?.host.topology).toMatchObject({ sockets: 1, coresPerSocket: 16 })
  })

  it('shows the problems of a bad input and does not apply', async () => {
    const profile = useProfileStore()
    profile.open(example, { kind: 'example', name: 'posted-timer' })
    const w = mount(ImportDialog)
    await w.find(byTest('import-kind')).setValue('cmdline')
    await w.find(byTest('import-text')).setValue('nohz_full=2-99')
    expect(w.find(byTest('import-problems')).text()).toContain('2-99')
    expect((w.find(byTest('import-apply')).element as HTMLButtonElement).disabled).toBe(true)
  })
})

describe('ExportMenu', () => {
  it('shows the configuration’s libvirt XML and kernel command line', async () => {
    const profile = useProfileStore()
    profile.open(example, { kind: 'example', name: 'posted-timer' })
    const w = mount(ExportMenu, { props: { config: 'posted-timer' } })
    await w.find(byTest('export-toggle-posted-timer')).trigger('click')
    expect(w.find(byTest('export-text-posted-timer')).text()).toContain('nohz_full=2-15,18-31')
    await w.find(byTest('export-kind-posted-timer')).setValue('libvirt')
    const xml = w.find(byTest('export-text-posted-timer')).text()
    expect(xml).toContain("<vcpupin vcpu='0' cpuset='4'/>")
    expect(xml).toContain('<domain')
    await w.find(byTest('export-kind-posted-timer')).setValue('modprobe')
    expect(w.find(byTest('export-text-posted-timer')).text()).toMatch(/options kvm/)
  })
})
