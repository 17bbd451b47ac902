// VM edits as pure functions over the profile JSON as written: add, remove, duplicate, rename (unique names,
// configuration overrides follow), the vCPU count (pins follow), and any one field. A new or duplicated VM goes
// on free isolated CPUs of one NUMA node (core/topology/vm-placement.ts).
import type { Profile } from '../../../core/profile/profile-schema.ts'
import { tryBuildHostTopology } from '../../../core/topology/host-topology.ts'
import { defaultVmPinning } from '../../../core/topology/vm-placement.ts'
import { guestTopologyFor } from './host-form.ts'

type Json = Record<string, unknown>

export const VM_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/

function clone(json: unknown): Json {
  return structuredClone((json ?? {}) as Json)
}

function vmsOf(json: Json): Json[] {
  if (!Array.isArray(json.vms)) json.vms = [{}]
  return json.vms as Json[]
}

/** `base`, else `base-2`, `base-3`, … : the first name no VM has. */
export function uniqueVmName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken)
  const stem = base.replace(/-\d+$/, '').slice(0, 60) || 'vm'
  if (!names.has(base)) return base
  for (let i = 2; ; i++) if (!names.has(`${stem}-${i}`)) return `${stem}-${i}`
}

export type VmEdit = { ok: true; json: Json; note: string } | { ok: false; message: string }

function hostThreads(p: Profile): number {
  const t = tryBuildHostTopology(p.host.topology)
  return t.ok ? t.topology.threadsPerCore : 1
}

/** A new VM with `vcpus` vCPUs, pinned by default. */
export function addVm(json: unknown, p: Profile, vcpus: number, name?: string): VmEdit {
  const out = clone(json)
  const vms = vmsOf(out)
  const vmName = uniqueVmName(name ?? `vm${p.vms.length}`, p.vms.map((v) => v.name))
  const place = defaultVmPinning(p.host, p.vms, vcpus)
  vms.push({ name: vmName, vcpus, guestTopology: guestTopologyFor(vcpus, hostThreads(p)), pinning: { vcpupin: place.vcpupin, emulatorpin: place.emulatorpin, iothreadpin: place.iothreadpin } })
  return { ok: true, json: out, note: `${vmName}: ${place.note}` }
}

/** A copy of VM `index` (its guest, workload and KVM settings as written), pinned on free CPUs like a new VM. */
export function duplicateVm(json: unknown, p: Profile, index: number): VmEdit {
  const src = p.vms[index]
  if (!src) return { ok: false, message: `no VM ${index}` }
  const out = clone(json)
  const vms = vmsOf(out)
  const copy = structuredClone(vms[index] ?? {})
  const name = uniqueVmName(`${src.name}-copy`, p.vms.map((v) => v.name))
  const place = defaultVmPinning(p.host, p.vms, src.vcpus)
  copy.name = name
  copy.pinning = { vcpupin: place.vcpupin, emulatorpin: place.emulatorpin, iothreadpin: place.iothreadpin }
  vms.splice(index + 1, 0, copy)
  return { ok: true, json: out, note: `${name}: ${place.note}` }
}

/** Removes VM `index` and the configurations' overrides of it; a profile keeps at least one VM. */
export function removeVm(json: unknown, p: Profile, index: number): VmEdit {
  if (p.vms.length <= 1) return { ok: false, message: 'a profile has at least one VM: add another before removing this one' }
  const name = p.vms[index]?.name
  const out = clone(json)
  vmsOf(out).splice(index, 1)
  forEachVmOverrides(out, (o) => { if (name !== undefined) delete o[name] })
  return { ok: true, json: out, note: `${name} removed` }
}

/** Renames VM `index`; the configurations' per-VM overrides follow the new name. */
export function renameVm(json: unknown, p: Profile, index: number, name: string): VmEdit {
  const old = p.vms[index]?.name
  if (old === undefined) return { ok: false, message: `no VM ${index}` }
  if (name === old) return { ok: true, json: json as Json, note: '' }
  if (!VM_NAME_RE.test(name)) return { ok: false, message: `VM name "${name}": use 1–64 letters, digits, "-", "_" or "."` }
  if (p.vms.some((v, i) => i !== index && v.name === name)) return { ok: false, message: `VM name "${name}" is taken: give each VM a unique name` }
  const out = clone(json)
  vmsOf(out)[index]!.name = name
  forEachVmOverrides(out, (o) => {
    if (!(old in o)) return
    o[name] = o[old]
    delete o[old]
  })
  return { ok: true, json: out, note: `${old} renamed ${name}` }
}

function forEachVmOverrides(json: Json, fn: (o: Json) => void): void {
  if (!Array.isArray(json.configurations)) return
  for (const c of json.configurations as Json[]) {
    const vms = (c.overrides as Json | undefined)?.vms
    if (vms && typeof vms === 'object') fn(vms as Json)
  }
}

/**
 * A new vCPU count: pins of removed vCPUs go, added vCPUs go on free isolated CPUs of the node the VM's vCPUs
 * already use (or float when it has none left); the guest topology follows when it no longer adds up.
 */
export function setVcpus(json: unknown, p: Profile, index: number, vcpus: number): VmEdit {
  const vm = p.vms[index]
  if (!vm) return { ok: false, message: `no VM ${index}` }
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > 1024) return { ok: false, message: `vcpus: ${vcpus} must be a whole number from 1 to 1024` }
  const out = clone(json)
  const target = vmsOf(out)[index]!
  const pins = vm.pinning.vcpupin.slice(0, Math.min(vcpus, vm.vcpus))
  let note = `${vm.name}: ${vcpus} vCPUs`
  if (vcpus > vm.vcpus && vm.pinning.vcpupin.some((x) => x.trim())) {
    const t = tryBuildHostTopology(p.host.topology)
    const firstPinned = Number.parseInt(vm.pinning.vcpupin.find((x) => /^\d+$/.test(x.trim())) ?? '', 10)
    const node = t.ok && Number.isInteger(firstPinned) ? t.topology.numaOf[firstPinned] : undefined
    const place = defaultVmPinning(p.host, p.vms, vcpus - vm.vcpus, node === undefined ? {} : { node })
    while (pins.length < vm.vcpus) pins.push('')
    pins.push(...place.vcpupin)
    note += `; the new vCPUs: ${place.note}`
  }
  target.vcpus = vcpus
  target.pinning = { ...(target.pinning as Json | undefined), vcpupin: pins }
  const g = vm.guestTopology
  if (g.sockets * g.cores * g.threads !== vcpus) target.guestTopology = guestTopologyFor(vcpus, g.threads)
  return { ok: true, json: out, note }
}

/** Sets one field of VM `index` by its path below the VM, e.g. ['guest', 'hz'] or ['workload', 'connections']. */
export function setVmField(json: unknown, index: number, path: readonly string[], value: unknown): Json {
  const out = clone(json)
  let o: Json = vmsOf(out)[index] ?? {}
  for (const k of path.slice(0, -1)) {
    const next = o[k]
    o = (typeof next === 'object' && next !== null && !Array.isArray(next) ? next : (o[k] = {})) as Json
  }
  o[path[path.length - 1]!] = value
  return out
}

/** A new workload kind: its parameters start from that kind's defaults (another kind's fields do not carry over). */
export function setWorkloadKind(json: unknown, index: number, kind: string): Json {
  const out = clone(json)
  const vm = vmsOf(out)[index]
  if (vm) vm.workload = { kind }
  return out
}
