// The topology map's thread chips: drag onto a CPU (HTML5 drag and drop) or pick with the keyboard and
// press Enter on a CPU; the cpuset text and the grid follow, and undo covers it.
import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import TopologyMap from '../../renderer/src/components/TopologyMap.vue'
import ProfileSummary from '../../renderer/src/components/ProfileSummary.vue'
import { useProfileStore } from '../../renderer/src/stores/profile.ts'
import { CHIP_MIME } from '../../renderer/src/lib/topology-edit.ts'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

const PROFILE = {
  schemaVersion: 1,
  host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 }, kernel: { cmdline: { nohzFull: '1-3,5-7' } } },
  vms: [{ name: 'vm', vcpus: 2, pinning: { vcpupin: ['2', '3'], emulatorpin: '0' } }],
}

/** A DataTransfer stand-in (happy-dom has none that carries data between events). */
function transfer(): { types: string[]; setData(t: string, v: string): void; getData(t: string): string; effectAllowed: string; dropEffect: string } {
  const data = new Map<string, string>()
  return {
    get types() {
      return [...data.keys()]
    },
    setData: (t, v) => void data.set(t, v),
    getData: (t) => data.get(t) ?? '',
    effectAllowed: 'all',
    dropEffect: 'none',
  }
}

describe('pinning by dragging a thread chip', () => {
  it('drops vCPU 0 on a CPU: the cpuset text, the grid and the diagnostics follow; undo and redo cover it', async () => {
    const p = useProfileStore()
    p.open(structuredClone(PROFILE), { kind: 'file', name: 't.json' })
    const summary = mount(ProfileSummary, { attachTo: document.body })
    const w = mount(TopologyMap, { attachTo: document.body })
    const chip = w.get('[data-testid="chip-vm-v0"]')
    expect(chip.attributes('draggable')).toBe('true')
    expect(chip.attributes('data-cpuset')).toBe('2')

    const dt = transfer()
    await chip.trigger('dragstart', { dataTransfer: dt })
    expect(dt.getData(CHIP_MIME)).toBe('0:v0')
    const over = new Event('dragover', { cancelable: true, bubbles: true }) as DragEvent
    Object.defineProperty(over, 'dataTransfer', { value: dt })
    w.get('[data-testid="cpu-4"]').element.dispatchEvent(over)
    expect(over.defaultPrevented).toBe(true) // the cell accepts the drop
    await w.vm.$nextTick()
    expect(w.get('[data-testid="cpu-4"]').classes()).toContain('drop-target')
    await w.get('[data-testid="cpu-4"]').trigger('drop', { dataTransfer: dt })

    expect(p.profile?.vms[0]?.pinning.vcpupin).toEqual(['4', '3'])
    expect((summary.get('[data-testid="pin-vm-vCPU-0"]').element as HTMLInputElement).value).toBe('4')
    expect(w.get('[data-testid="chip-vm-v0"]').attributes('data-cpuset')).toBe('4')
    expect(w.get('[data-testid="cpu-4"]').text()).toContain('v0')
    expect(w.get('[data-testid="cpu-2"]').text()).not.toContain('v0')
    expect(w.get('[data-testid="cpu-4"]').classes()).not.toContain('drop-target')
    // CPU 4 is a housekeeping CPU
    expect(w.get('[data-testid="topology-diagnostics"]').text()).toContain('vm vCPU 0 pinned to housekeeping CPU 4')

    await w.get('[data-testid="undo"]').trigger('click')
    expect(p.profile?.vms[0]?.pinning.vcpupin).toEqual(['2', '3'])
    expect((summary.get('[data-testid="pin-vm-vCPU-0"]').element as HTMLInputElement).value).toBe('2')
    await w.get('[data-testid="redo"]').trigger('click')
    expect(p.profile?.vms[0]?.pinning.vcpupin).toEqual(['4', '3'])
    w.unmount()
    summary.unmount()
  })

  it('ignores drops that carry no thread chip', async () => {
    const p = useProfileStore()
    p.open(structuredClone(PROFILE), { kind: 'file', name: 't.json' })
    const w = mount(TopologyMap, { attachTo: document.body })
    const dt = transfer()
    dt.setData('text/plain', '0:v0')
    await w.get('[data-testid="cpu-5"]').trigger('drop', { dataTransfer: dt })
    dt.setData(CHIP_MIME, 'javascript:alert(1)')
    await w.get('[data-testid="cpu-5"]').trigger('drop', { dataTransfer: dt })
    expect(p.canUndo).toBe(false)
    w.unmount()
  })

  it('pins with the keyboard: Enter on a chip, then Enter on a CPU (Shift adds the CPU to the set)', async () => {
    const p = useProfileStore()
    p.open(structuredClone(PROFILE), { kind: 'file', name: 't.json' })
    const w = mount(TopologyMap, { attachTo: document.body })
    await w.get('[data-testid="chip-vm-v1"]').trigger('click') // Enter/Space on a button is a click
    expect(w.get('[data-testid="chip-vm-v1"]').attributes('aria-pressed')).toBe('true')
    expect(w.get('[data-testid="pin-status"]').text()).toContain('press Enter')
    await w.get('[data-testid="cpu-6"]').trigger('keydown', { key: 'Enter' })
    expect(p.profile?.vms[0]?.pinning.vcpupin).toEqual(['2', '6'])
    expect(w.get('[data-testid="chip-vm-v1"]').attributes('aria-pressed')).toBe('false')
    expect(w.get('[data-testid="pin-status"]').text()).toContain('vm vCPU 1 pinned to CPU 6')

    // the emulator thread: pick, then Shift+Enter adds CPU 4 to its set
    await w.get('[data-testid="chip-vm-emu"]').trigger('click')
    await w.get('[data-testid="cpu-4"]').trigger('keydown', { key: 'Enter', shiftKey: true })
    expect(p.profile?.vms[0]?.pinning.emulatorpin).toBe('0,4')
    // the I/O thread by click on a CPU; Escape cancels a pick
    await w.get('[data-testid="chip-vm-io"]').trigger('click')
    await w.get('[data-testid="cpu-0"]').trigger('mousedown', { button: 0 })
    expect(p.profile?.vms[0]?.pinning.iothreadpin).toBe('0')
    await w.get('[data-testid="chip-vm-v0"]').trigger('click')
    await w.get('[data-testid="cpu-1"]').trigger('keydown', { key: 'Escape' })
    await w.get('[data-testid="cpu-1"]').trigger('keydown', { key: 'Enter' })
    expect(p.profile?.vms[0]?.pinning.vcpupin).toEqual(['2', '6'])
    expect((w.get('[data-testid="selection-text"]').element as HTMLInputElement).value).toBe('1') // Enter selects when nothing is picked

    await w.get('[data-testid="undo"]').trigger('click')
    await w.get('[data-testid="undo"]').trigger('click')
    await w.get('[data-testid="undo"]').trigger('click')
    expect(p.profile?.vms[0]?.pinning).toMatchObject({ vcpupin: ['2', '3'], emulatorpin: '0', iothreadpin: '' })
    w.unmount()
  })

  it('offers no chips for a configuration (read only)', async () => {
    const p = useProfileStore()
    p.open({ ...structuredClone(PROFILE), configurations: [{ name: 'c', overrides: {} }] }, { kind: 'file', name: 't.json' })
    const w = mount(TopologyMap)
    expect(w.find('[data-testid="thread-chips"]').exists()).toBe(true)
    await w.get('[data-testid="topology-config"]').setValue('c')
    expect(w.find('[data-testid="thread-chips"]').exists()).toBe(false)
  })
})
