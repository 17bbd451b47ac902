import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { useProfileStore } from '../../renderer/src/stores/profile.ts'
import { useConfigEditorStore } from '../../renderer/src/stores/config-editor.ts'
import {
  addConfiguration, baseProfileOf, clearOverride, configNameProblem, deleteConfiguration, duplicateConfiguration, listOverrides, overrideAt,
  renameConfiguration, setKnob, setOverride,
} from '../../renderer/src/lib/config-edit.ts'
import { KNOBS, KNOB_GROUPS, knob, knobAt, knobProblem, spellingSegments } from '../../renderer/src/lib/config-knobs.ts'
import { configIssues, previewConfig } from '../../renderer/src/lib/decisions-preview.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import ConfigurationsScreen from '../../renderer/src/components/ConfigurationsScreen.vue'
import exampleJson from '../../examples/posted-timer.json'
import { isTextField } from '../../renderer/src/composables/useShortcuts.ts'

const example = structuredClone(exampleJson) as unknown as Record<string, unknown>
const PI = knob('host.kvm.piInjectTimer')
const HLT = knob('vm.kvm.disableExits.hlt')

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('knobs', () => {
  it('come from the schema with their explanation and kernel/QEMU/libvirt spelling', () => {
    expect(PI.description).toMatch(/pi_inject_timer/)
    expect(PI.spelling).toContain('kvm.pi_inject_timer')
    expect(PI.control).toEqual({ kind: 'enum', values: [-1, 0, 1] })
    expect(HLT.field).toBe('vms[].kvm.disableExits.hlt')
    expect(HLT.spelling).toMatch(/KVM_X86_DISABLE_EXITS_HLT.*cpu-pm=on/)
    expect(knob('host.kvm.haltPoll.haltPollNs').control).toEqual({ kind: 'number', integer: true, min: 0, max: 100_000_000 })
    expect(knob('host.kernel.cmdline.nohzFull').control).toEqual({ kind: 'cpulist', exclusion: false })
    expect(spellingSegments('`kvm.pi_inject_timer` (v5.3+)')).toEqual([{ code: true, text: 'kvm.pi_inject_timer' }, { code: false, text: ' (v5.3+)' }])
    expect(KNOB_GROUPS.map((g) => g.title)).toEqual(['Host kernel boot parameters', 'KVM module parameters', 'QEMU / libvirt per VM', 'Guest kernel', 'Workload', 'Contention', 'Experimental (seed RFCs)', 'Host noise', 'Run'])
    for (const k of KNOBS.values()) expect(k.description, k.id).not.toBe('')
    expect(knobAt(['vms', 'redis-vm', 'kvm', 'disableExits', 'hlt'])?.id).toBe('vm.kvm.disableExits.hlt')
    // the guest's x2APIC driver: interrupt remapping (a vIOMMU) per VM, x2apic_phys on the guest's command line
    expect(knob('vm.kvm.interruptRemapping').control).toEqual({ kind: 'boolean' })
    expect(knob('vm.kvm.interruptRemapping').spelling).toMatch(/intremap=on/)
    expect(knob('vm.guest.x2apicPhys').spelling).toMatch(/x2apic_phys/)
  })

  it('check a value with the schema before it is committed', () => {
    expect(knobProblem(knob('host.kvm.haltPoll.haltPollNs'), -5)).toMatch(/—/)
    expect(knobProblem(knob('host.kvm.haltPoll.haltPollNs'), 1.5)).toBeDefined()
    expect(knobProblem(knob('host.kernel.version'), 'six')).toMatch(/kernel version/)
    expect(knobProblem(knob('host.kvm.haltPoll.haltPollNs'), 50_000)).toBeUndefined()
  })
})

describe('configuration edits (pure)', () => {
  const base = baseProfileOf(example)!

  it('sets and clears an override, pruning the objects it leaves empty', () => {
    const a = setOverride(example, 'sw-timer', ['host', 'kvm', 'haltPoll', 'haltPollNs'], 0)
    expect(overrideAt(a, 'sw-timer', ['host', 'kvm', 'haltPoll', 'haltPollNs'])).toBe(0)
    expect(overrideAt(a, 'sw-timer', ['host', 'kvm', 'piInjectTimer'])).toBe(0)
    const b = clearOverride(a, 'sw-timer', ['host', 'kvm', 'haltPoll', 'haltPollNs'])
    expect(b).toEqual(example)
    const c = clearOverride(b, 'sw-timer', ['host', 'kvm', 'piInjectTimer'])
    expect(listOverrides(c, 'sw-timer')).toEqual([])
    expect((c.configurations as { overrides: unknown }[])[0]?.overrides).toEqual({})
    expect(example.configurations).toHaveLength(2) // the input is never mutated
  })

  it('removes the override when a knob is set back to the base value', () => {
    // The base profile has pi_inject_timer = -1 (auto); sw-timer overrides it with 0.
    expect(base.host.kvm.piInjectTimer).toBe(-1)
    const back = setKnob(example, base, 'sw-timer', PI, -1)
    expect(overrideAt(back, 'sw-timer', ['host', 'kvm', 'piInjectTimer'])).toBeUndefined()
    expect(listOverrides(back, 'sw-timer')).toEqual([])
    // A value that differs is stored; the base value of a VM knob is the VM's own.
    const hltOff = setKnob(example, base, 'sw-timer', HLT, false)
    expect(overrideAt(hltOff, 'sw-timer', ['vm', 'kvm', 'disableExits', 'hlt'])).toBe(false)
    expect(setKnob(hltOff, base, 'sw-timer', HLT, true)).toEqual(example)
  })

  it('per-VM overrides differ from the all-VM override, not from the bare base', () => {
    const all = setKnob(example, base, 'sw-timer', HLT, false)
    const one = setKnob(all, base, 'sw-timer', HLT, true, { kind: 'vm', name: 'redis-vm' })
    expect(overrideAt(one, 'sw-timer', ['vms', 'redis-vm', 'kvm', 'disableExits', 'hlt'])).toBe(true)
    expect(setKnob(one, base, 'sw-timer', HLT, false, { kind: 'vm', name: 'redis-vm' })).toEqual(all)
  })

  it('adds, duplicates, renames (keeping the overrides) and deletes configurations', () => {
    const added = addConfiguration(example)
    expect(added.name).toBe('variant')
    expect(listOverrides(added.json, 'variant')).toEqual([])
    const dup = duplicateConfiguration(added.json, 'sw-timer')
    expect(dup.name).toBe('sw-timer-copy')
    expect((dup.json.configurations as { name: string }[]).map((c) => c.name)).toEqual(['sw-timer', 'sw-timer-copy', 'posted-timer', 'variant'])
    expect(listOverrides(dup.json, 'sw-timer-copy')).toEqual(listOverrides(example, 'sw-timer'))

    const renamed = renameConfiguration(example, 'sw-timer', 'pi-off')
    expect(renamed.ok).toBe(true)
    if (!renamed.ok) return
    expect(listOverrides(renamed.json, 'pi-off')).toEqual([{ loc: ['host', 'kvm', 'piInjectTimer'], value: 0 }])
    expect(loadProfile(renamed.json).ok).toBe(true)
    expect(renameConfiguration(example, 'sw-timer', 'posted-timer')).toEqual({ ok: false, problem: 'is used by another configuration' })
    expect(renameConfiguration(example, 'sw-timer', 'has space').ok).toBe(false)
    expect(configNameProblem('', [])).toBeDefined()

    const del = deleteConfiguration(example, 'sw-timer')
    expect(del.ok && (del.json.configurations as unknown[]).length).toBe(1)
    expect(deleteConfiguration({ schemaVersion: 1 }, 'base')).toEqual({ ok: false, problem: 'a profile needs at least one configuration' })
  })

  it('materialises the default base configuration when the JSON has none', () => {
    const r = addConfiguration({ schemaVersion: 1 })
    expect((r.json.configurations as { name: string }[]).map((c) => c.name)).toEqual(['base', 'variant'])
  })
})

describe('decisions preview', () => {
  const p = loadProfile(example)
  if (!p.ok) throw new Error('example does not load')

  it('computes each configuration\'s decisions and marks what differs from the base', () => {
    const sw = previewConfig(p.profile, 'sw-timer')
    expect(sw.ok).toBe(true)
    if (!sw.ok) return
    const timer = sw.vms[0]?.decisions.find((d) => d.id === 'timer-path')
    expect(timer?.value).toBe('sw-hrtimer-unpinned')
    // The base profile (pi_inject_timer auto with nohz_full) posts the timer.
    expect(timer?.baseValue).toBe('posted-from-housekeeping')
    const posted = previewConfig(p.profile, 'posted-timer')
    expect(posted.ok && posted.vms[0]?.decisions.find((d) => d.id === 'timer-path')?.baseValue).toBeUndefined()
  })

  it('reports the issues that stop a configuration from running, with path, value and fix', () => {
    const bad = setOverride(example, 'sw-timer', ['vm', 'pinning', 'vcpupin'], ['4', '4', '4', '99'])
    const r = loadProfile(bad)
    const issues = r.ok ? (previewConfig(r.profile, 'sw-timer') as { ok: false; issues: { path: string; fix: string }[] }).issues : r.issues
    expect(issues.length).toBeGreaterThan(0)
    expect(issues[0]?.path).toMatch(/vcpupin/)
    expect(issues[0]?.fix).not.toBe('')
    expect(configIssues([{ path: 'configurations[1].overrides.host', value: '', message: '', fix: '' }, { path: 'configurations[10].name', value: '', message: '', fix: '' }], 1)).toHaveLength(1)
  })
})

describe('configuration editor (store and components)', () => {
  function openExample(): { profile: ReturnType<typeof useProfileStore>; editor: ReturnType<typeof useConfigEditorStore> } {
    const profile = useProfileStore()
    profile.open(structuredClone(example), { kind: 'example', name: 'posted-timer' })
    return { profile, editor: useConfigEditorStore() }
  }

  it('edits through the profile store, so undo and redo cover knob, name and list edits', () => {
    const { profile, editor } = openExample()
    expect(editor.selected).toBe('sw-timer')
    editor.add()
    expect(editor.selected).toBe('variant')
    editor.set(PI, 0)
    expect(editor.overrides.map((o) => o.loc.join('.'))).toEqual(['host.kvm.piInjectTimer'])
    expect(editor.valueOf(PI)).toMatchObject({ value: 0, overridden: true, base: -1 })
    expect(editor.rename('pi-off')).toBe(true)
    expect(editor.selected).toBe('pi-off')
    expect(editor.overrides.map((o) => o.knob?.id)).toEqual(['host.kvm.piInjectTimer'])
    expect(profile.configNames).toEqual(['sw-timer', 'posted-timer', 'pi-off'])
    expect(editor.rename('posted-timer')).toBe(false)
    expect(editor.problem).toMatch(/used by another configuration/)

    profile.undo() // the rename
    expect(profile.configNames).toEqual(['sw-timer', 'posted-timer', 'variant'])
    expect(editor.selected).toBe('sw-timer') // "pi-off" is gone: the first configuration
    profile.undo() // the knob
    expect(listOverrides(profile.json, 'variant')).toEqual([])
    profile.redo()
    expect(listOverrides(profile.json, 'variant')).toEqual([{ loc: ['host', 'kvm', 'piInjectTimer'], value: 0 }])

    editor.select('variant')
    editor.set(PI, -1) // the base value: no override left
    expect(listOverrides(profile.json, 'variant')).toEqual([])
    editor.remove()
    expect(profile.configNames).toEqual(['sw-timer', 'posted-timer'])
    profile.undo()
    expect(profile.configNames).toEqual(['sw-timer', 'posted-timer', 'variant'])
  })

  it('previews the timer path live as pi_inject_timer changes', async () => {
    const { editor } = openExample()
    const w = mount(ConfigurationsScreen, { attachTo: document.body })
    await w.get('[data-testid="cfg-add"]').trigger('click')
    await flushPromises()
    const timer = () => w.get('[data-testid="preview-redis-vm-timer-path"]')
    expect(timer().attributes('data-value')).toBe('posted-from-housekeeping')
    expect(timer().attributes('data-changed')).toBe('false')
    expect(w.get('[data-testid="cfg-diffs"]').text()).toContain('None')

    const select = w.get('[data-testid="knob-input-host.kvm.piInjectTimer"]')
    await select.setValue('0')
    await flushPromises()
    expect(editor.overrides.map((o) => o.loc.join('.'))).toEqual(['host.kvm.piInjectTimer'])
    expect(timer().attributes('data-value')).toBe('sw-hrtimer-unpinned')
    expect(timer().attributes('data-changed')).toBe('true')
    expect(w.get('[data-testid="knob-host.kvm.piInjectTimer"]').attributes('data-overridden')).toBe('true')
    expect(w.get('[data-testid="knob-base-host.kvm.piInjectTimer"]').text()).toContain('-1')
    expect(w.get('[data-testid="knob-host.kvm.piInjectTimer"]').text()).toContain('kvm.pi_inject_timer')
    expect(w.get('[data-testid="cfg-diffs"]').text()).toContain('host.kvm.piInjectTimer')

    // "Changed only" shows just the overridden knob.
    await w.get('[data-testid="cfg-show-changed"]').trigger('click')
    expect(w.findAll('.knob')).toHaveLength(1)
    await w.get('[data-testid="cfg-show-all"]').trigger('click')

    // Reset: back to the base value, the override and the preview change go away.
    await w.get('[data-testid="knob-reset-host.kvm.piInjectTimer"]').trigger('click')
    await flushPromises()
    expect(timer().attributes('data-value')).toBe('posted-from-housekeeping')
    expect(editor.overrides).toEqual([])
    w.unmount()
  }, 30_000) // the preview runs setup for every configuration; 5 s was short beside other suites

  it('refuses an out-of-range number inline, naming the field, and commits a valid one', async () => {
    const { editor } = openExample()
    const w = mount(ConfigurationsScreen, { attachTo: document.body })
    const input = w.get('[data-testid="knob-input-host.kvm.haltPoll.haltPollNs"]')
    await input.setValue('-3')
    await input.trigger('change')
    const row = w.get('[data-testid="knob-host.kvm.haltPoll.haltPollNs"]')
    expect(row.find('[role="alert"]').text()).toContain('host.kvm.haltPoll.haltPollNs')
    expect(editor.overrides).toHaveLength(1) // only sw-timer's own override
    await input.setValue('50000')
    await input.trigger('change')
    await flushPromises()
    expect(editor.overrides.map((o) => `${o.loc.join('.')}=${String(o.value)}`)).toContain('host.kvm.haltPoll.haltPollNs=50000')
    expect(w.find('[data-testid="preview-redis-vm-host-halt-poll"]').exists()).toBe(true)
    w.unmount()
  })

  it('lets Ctrl+Z undo a knob edit made with a select or checkbox (they keep no undo of their own)', () => {
    const el = (html: string): Element => {
      const d = document.createElement('div')
      d.innerHTML = html
      return d.firstElementChild!
    }
    expect(isTextField(el('<select></select>'))).toBe(false)
    expect(isTextField(el('<input type="checkbox">'))).toBe(false)
    expect(isTextField(el('<input type="text">'))).toBe(true)
    expect(isTextField(el('<input>'))).toBe(true)
    expect(isTextField(el('<textarea></textarea>'))).toBe(true)
  })

  it('shows the issues that stop a configuration from running in the preview', async () => {
    const { profile } = openExample()
    profile.edit(setOverride(profile.json, 'sw-timer', ['vm', 'pinning', 'vcpupin'], ['4', '5', '6', '999']))
    const w = mount(ConfigurationsScreen, { attachTo: document.body })
    await flushPromises()
    expect(w.get('[data-testid="preview-issues"]').text()).toMatch(/vcpupin/)
    w.unmount()
  })
})
