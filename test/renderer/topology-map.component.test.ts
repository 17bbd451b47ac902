import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import TopologyMap from '../../renderer/src/components/TopologyMap.vue'
import { bigHostProfile } from '../helpers/big-host.ts'
import { useProfileStore } from '../../renderer/src/stores/profile.ts'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('TopologyMap', () => {
  it('shows roles and pins per CPU, and follows the chosen configuration', async () => {
    const p = useProfileStore()
    p.open(
      {
        schemaVersion: 1,
        host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 }, kernel: { cmdline: { nohzFull: '1-3,5-7' } } },
        vms: [{ name: 'vm', vcpus: 1, pinning: { vcpupin: ['2'] } }],
        configurations: [
          { name: 'base', overrides: {} },
          { name: 'on-hk', overrides: { vm: { pinning: { vcpupin: ['0'] } } } },
        ],
      },
      { kind: 'file', name: 't.json' },
    )
    const w = mount(TopologyMap)
    expect(w.get('[data-testid="cpu-0"]').attributes('data-roles')).toBe('housekeeping')
    expect(w.get('[data-testid="cpu-2"]').attributes('data-roles')).toContain('nohz_full')
    expect(w.get('[data-testid="cpu-2"]').text()).toContain('v0')
    expect(w.find('[data-testid="topology-ok"]').exists()).toBe(true)

    await w.get('[data-testid="topology-config"]').setValue('on-hk')
    expect(w.get('[data-testid="cpu-0"]').text()).toContain('v0')
    expect(w.get('[data-testid="topology-diagnostics"]').text()).toContain('pinned to housekeeping CPU 0')
  })
})

describe('topology editing', () => {
  it('selects CPUs on the grid, paints nohz_full, keeps the text in sync, and undoes', async () => {
    const p = useProfileStore()
    p.open({ schemaVersion: 1, host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 } } }, { kind: 'file', name: 't.json' })
    const w = mount(TopologyMap, { attachTo: document.body })
    await w.get('[data-testid="cpu-1"]').trigger('mousedown', { button: 0 })
    await w.get('[data-testid="cpu-3"]').trigger('mousedown', { button: 0, shiftKey: true })
    window.dispatchEvent(new MouseEvent('mouseup'))
    expect((w.get('[data-testid="selection-text"]').element as HTMLInputElement).value).toBe('1-3')
    expect(w.get('[data-testid="cpu-2"]').attributes('aria-selected')).toBe('true')

    await w.get('[data-testid="paint-nohz_full"]').trigger('click')
    expect(p.profile?.host.kernel.cmdline.nohzFull).toBe('1-3')
    expect(p.profile?.host.kernel.cmdline.rcuNocbs).toBe('1-3')
    expect((w.get('[data-testid="cmdline-nohzFull"]').element as HTMLInputElement).value).toBe('1-3')
    expect(w.get('[data-testid="cpu-2"]').attributes('data-roles')).toContain('nohz_full')

    // typing a cpulist changes the grid
    const input = w.get('[data-testid="cmdline-nohzFull"]')
    await input.setValue('1-3,5-7')
    await input.trigger('change')
    expect(w.get('[data-testid="cpu-6"]').attributes('data-roles')).toContain('nohz_full')

    // a bad cpulist is shown, not applied
    await input.setValue('1-99')
    await input.trigger('change')
    expect(w.find('.cpulist-error').text()).toContain('nohz_full')
    expect(p.profile?.host.kernel.cmdline.nohzFull).toBe('1-3,5-7')

    await w.get('[data-testid="undo"]').trigger('click')
    expect(p.profile?.host.kernel.cmdline.nohzFull).toBe('1-3')
    await w.get('[data-testid="undo"]').trigger('click')
    expect(p.profile?.host.kernel.cmdline.nohzFull).toBe('')
    expect(p.canUndo).toBe(false)
    await w.get('[data-testid="redo"]').trigger('click')
    expect(p.profile?.host.kernel.cmdline.nohzFull).toBe('1-3')
    w.unmount()
  })

  it('pins a vCPU to the selected CPUs', async () => {
    const p = useProfileStore()
    p.open({ schemaVersion: 1, host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 } }, vms: [{ name: 'vm', vcpus: 2 }] }, { kind: 'file', name: 't.json' })
    const w = mount(TopologyMap, { attachTo: document.body })
    const sel = w.get('[data-testid="selection-text"]')
    await sel.setValue('6')
    await sel.trigger('change')
    await w.get('[data-testid="pin-target"]').setValue('0:v1')
    await w.get('[data-testid="pin-apply"]').trigger('click')
    expect(p.profile?.vms[0]?.pinning.vcpupin).toEqual(['', '6'])
    expect(w.get('[data-testid="cpu-6"]').text()).toContain('v1')
    w.unmount()
  })
})

describe('topology map on a 256-CPU host', () => {
  it('re-renders only the cells whose selection changed on a click, a shift-click and a ctrl-click', async () => {
    const p = useProfileStore()
    p.open(bigHostProfile(), { kind: 'file', name: 'big.json' })
    const rendered: number[] = []
    const w = mount(TopologyMap, {
      attachTo: document.body,
      global: { mixins: [{ updated(this: { $options: { __name?: string }; $props: { cell?: { cpu: number } } }) { if (this.$options.__name === 'TopologyCell') rendered.push(this.$props.cell!.cpu) } }] },
    })
    expect(w.findAll('.cpu')).toHaveLength(256)
    const cell = (cpu: number) => w.get(`[data-testid="cpu-${cpu}"]`)

    await cell(10).trigger('mousedown', { button: 0 })
    window.dispatchEvent(new MouseEvent('mouseup'))
    await nextTick()
    expect(rendered.sort((a, b) => a - b)).toEqual([10])
    expect(cell(10).attributes('aria-selected')).toBe('true')

    rendered.length = 0
    await cell(13).trigger('mousedown', { button: 0, shiftKey: true })
    window.dispatchEvent(new MouseEvent('mouseup'))
    await nextTick()
    expect(rendered.sort((a, b) => a - b)).toEqual([11, 12, 13])
    expect((w.get('[data-testid="selection-text"]').element as HTMLInputElement).value).toBe('10-13')

    rendered.length = 0
    await cell(20).trigger('mousedown', { button: 0, ctrlKey: true })
    window.dispatchEvent(new MouseEvent('mouseup'))
    await nextTick()
    expect(rendered).toEqual([20])
    expect((w.get('[data-testid="selection-text"]').element as HTMLInputElement).value).toBe('10-13,20')

    rendered.length = 0
    await cell(30).trigger('mousedown', { button: 0 })
    window.dispatchEvent(new MouseEvent('mouseup'))
    await nextTick()
    expect(rendered.sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 20, 30])
    w.unmount()
  })
})
