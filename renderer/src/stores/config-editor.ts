// The configuration editor: which configuration is selected, where VM knobs are overridden (all VMs or
// one), and the edits — each one a profile edit, so undo/redo (profile store) covers them.
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useProfileStore } from './profile.ts'
import {
  ALL_VMS, addConfiguration, baseProfileOf, clearOverride, configNames, deleteConfiguration, describeConfiguration, duplicateConfiguration,
  effectiveValueOf, listOverrides, overrideLoc, renameConfiguration, setKnob, type VmTarget,
} from '../lib/config-edit.ts'
import { knobAt, type Knob } from '../lib/config-knobs.ts'
import { configIssues, previewConfig, type ConfigPreview } from '../lib/decisions-preview.ts'

export const useConfigEditorStore = defineStore('configEditor', () => {
  const profile = useProfileStore()

  /** The configuration being edited (the first one when unset or gone, e.g. after an undo). */
  const chosen = ref<string | undefined>(undefined)
  /** Where VM knobs are read and written. */
  const vmTarget = ref<VmTarget>(ALL_VMS)
  /** Show every knob, or only the ones this configuration changes. */
  const showAll = ref(true)
  const filter = ref('')
  /** The last refused edit (a bad name, deleting the last configuration). */
  const problem = ref<string | undefined>(undefined)

  const names = computed(() => (profile.json === undefined ? [] : configNames(profile.json)))
  const selected = computed(() => (chosen.value !== undefined && names.value.includes(chosen.value) ? chosen.value : names.value[0]))
  const selectedIndex = computed(() => (selected.value === undefined ? -1 : names.value.indexOf(selected.value)))
  /** The base profile alone, defaults filled: what overrides differ from. */
  const base = computed(() => baseProfileOf(profile.json))
  const vmNames = computed(() => base.value?.vms.map((v) => v.name) ?? [])
  const overrides = computed(() => (selected.value === undefined ? [] : listOverrides(profile.json, selected.value).map((o) => ({ ...o, knob: knobAt(o.loc) }))))
  const description = computed(() => {
    const c = profile.profile?.configurations.find((x) => x.name === selected.value)
    return c?.description ?? ''
  })
  /** Validation issues of the selected configuration (field path, value, message, fix). */
  const issues = computed(() => configIssues(profile.issues, selectedIndex.value))
  /** The kernel decisions of the selected configuration, recomputed as knobs change. */
  const preview = computed<ConfigPreview | undefined>(() => (profile.profile && selected.value !== undefined ? previewConfig(profile.profile, selected.value) : undefined))

  // A VM target naming a VM that no longer exists falls back to all VMs.
  watch(vmNames, (n) => {
    if (vmTarget.value.kind === 'vm' && !n.includes(vmTarget.value.name)) vmTarget.value = ALL_VMS
  })

  function select(name: string): void {
    chosen.value = name
    problem.value = undefined
  }

  function valueOf(k: Knob): ReturnType<typeof effectiveValueOf> | undefined {
    if (!base.value || selected.value === undefined) return undefined
    return effectiveValueOf(base.value, profile.json, selected.value, k, vmTarget.value)
  }

  function set(k: Knob, value: unknown): void {
    if (!base.value || selected.value === undefined) return
    const next = setKnob(profile.json, base.value, selected.value, k, value, vmTarget.value)
    if (JSON.stringify(next) !== JSON.stringify(profile.json)) profile.edit(next)
  }

  /** Back to the base value: removes the override at a location (`overrides` path). */
  function resetAt(loc: readonly string[]): void {
    if (selected.value === undefined) return
    profile.edit(clearOverride(profile.json, selected.value, loc))
  }

  function reset(k: Knob): void {
    resetAt(overrideLoc(k, vmTarget.value))
  }

  function add(): void {
    const r = addConfiguration(profile.json)
    profile.edit(r.json)
    select(r.name)
  }

  function duplicate(): void {
    if (selected.value === undefined) return
    const r = duplicateConfiguration(profile.json, selected.value)
    profile.edit(r.json)
    select(r.name)
  }

  function rename(to: string): boolean {
    if (selected.value === undefined) return false
    const r = renameConfiguration(profile.json, selected.value, to.trim())
    if (!r.ok) {
      problem.value = `"${to}" ${r.problem}`
      return false
    }
    problem.value = undefined
    if (to.trim() !== selected.value) {
      profile.edit(r.json)
      chosen.value = to.trim()
    }
    return true
  }

  function remove(): void {
    if (selected.value === undefined) return
    const i = selectedIndex.value
    const r = deleteConfiguration(profile.json, selected.value)
    if (!r.ok) {
      problem.value = r.problem
      return
    }
    problem.value = undefined
    profile.edit(r.json)
    chosen.value = names.value[Math.min(i, names.value.length - 1)]
  }

  function describe(text: string): void {
    if (selected.value === undefined || text === description.value) return
    profile.edit(describeConfiguration(profile.json, selected.value, text))
  }

  return {
    chosen, vmTarget, showAll, filter, problem, names, selected, selectedIndex, base, vmNames, overrides, description, issues, preview,
    select, valueOf, set, reset, resetAt, add, duplicate, rename, remove, describe,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useConfigEditorStore, import.meta.hot))
