import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import App from '../../renderer/src/App.vue'
import { setApi } from '../../renderer/src/api/index.ts'
import { useThemeStore, THEME_STORAGE_KEY } from '../../renderer/src/stores/theme.ts'
import { RECENT_STORAGE_KEY } from '../../renderer/src/stores/profile.ts'
import { fakeApi, type FakeApi } from '../helpers/fake-api.ts'

let api: FakeApi

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi()
  setApi(api)
})

describe('App', () => {
  it('offers the examples first, opens one into the workbench and runs all its configurations', async () => {
    const w = mount(App, { attachTo: document.body })
    await flushPromises()
    expect(w.get('[data-testid="first-screen"]').text()).toContain('Posted timer')

    await w.get('[data-testid="open-example-posted-timer"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="workbench"]').exists()).toBe(true)
    expect(w.get('[data-testid="config-sw-timer"]').text()).toContain('not run')
    expect(JSON.parse(localStorage.getItem(RECENT_STORAGE_KEY) ?? '[]')[0].source).toEqual({ kind: 'example', name: 'posted-timer' })

    await w.get('[data-testid="run-all"]').trigger('click')
    await flushPromises()
    expect(api.calls.some((c) => c.channel === 'runs.start')).toBe(true)
    api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.5 })
    await flushPromises()
    expect(w.get('[data-testid="status-sw-timer"]').text()).toBe('running')
    expect((w.get('[data-testid="progress-sw-timer"]').element as HTMLProgressElement).value).toBe(0.5)
    expect(w.get('[data-testid="run-all"]').attributes('disabled')).toBeDefined()

    // Escape never cancels a run (it closes the topmost dialog or popover); the Cancel button does.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()
    expect(api.calls.some((c) => c.channel === 'runs.cancel')).toBe(false)
    await w.get('[data-testid="cancel-run"]').trigger('click')
    await flushPromises()
    expect(api.calls.some((c) => c.channel === 'runs.cancel')).toBe(true)
    w.unmount()
  })

  it('switches theme with Ctrl+Shift+L and remembers it', async () => {
    const w = mount(App, { attachTo: document.body })
    const theme = useThemeStore()
    theme.setTheme('light')
    await flushPromises()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'L', ctrlKey: true, shiftKey: true }))
    await flushPromises()
    expect(theme.theme).toBe('dark')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
    w.unmount()
  })
})
