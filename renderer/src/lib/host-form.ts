// The host form (New profile, and the host's own editor): its values, the CPU-model choices, the new profile it
// makes and the edit it applies to an open one. Pure, over core/topology.
import { CPU_PRESETS, hostSchema, topologySchema } from '../../../core/profile/profile-schema.ts'
import type { Host, Profile } from '../../../core/profile/profile-schema.ts'
import { CPU_FEATURES } from '../../../core/costs/cpu-presets.ts'
import { newHost } from '../../../core/topology/new-host.ts'
import type { NewHostSpec } from '../../../core/topology/new-host.ts'
import { defaultVmPinning } from '../../../core/topology/vm-placement.ts'
import { formatCpuList } from '../../../core/topology/cpulist.ts'
import { loadProfile } from '../../../core/profile/load-profile.ts'
import { changeHostTopology } from '../../../core/topology/host-change.ts'
import type { PinChange } from '../../../core/topology/host-change.ts'
import type { FieldError } from '../../../core/field-error.ts'
import { formFields } from './schema-form.ts'
import type { FormField } from './schema-form.ts'

export type HostFormValue = NewHostSpec

export const CPU_CHOICES = CPU_PRESETS.map((p) => ({ value: p, label: `${CPU_FEATURES[p].label} (${p})` }))
export const TOPOLOGY_FIELDS: FormField[] = formFields(topologySchema)
export const HZ_CHOICES = (hostSchema.shape.kernel.shape.hz.json().enum as number[])
const VERSION_RE = /^\d+\.\d+(\.\d+)?$/

export const DEFAULT_HOST_FORM: HostFormValue = { cpu: 'icelake-sp', sockets: 2, coresPerSocket: 28, threadsPerCore: 2, numaNodesPerSocket: 1, llcPerSocket: 1, kernelVersion: '6.8', hz: 1000 }

export function hostFormOf(host: Host): HostFormValue {
  const t = host.topology
  return { cpu: host.cpu, sockets: t.sockets, coresPerSocket: t.coresPerSocket, threadsPerCore: t.threadsPerCore, numaNodesPerSocket: t.numaNodesPerSocket, llcPerSocket: t.llcPerSocket, kernelVersion: host.kernel.version, hz: host.kernel.hz }
}

/** "2 sockets × 28 cores × 2 threads = 112 CPUs" */
export function hostFormSummary(v: HostFormValue): string {
  return `${v.sockets} socket${v.sockets > 1 ? 's' : ''} × ${v.coresPerSocket} cores × ${v.threadsPerCore} thread${v.threadsPerCore > 1 ? 's' : ''} = ${v.sockets * v.coresPerSocket * v.threadsPerCore} CPUs`
}

function versionError(v: HostFormValue): FieldError[] {
  return VERSION_RE.test(v.kernelVersion) ? [] : [{ field: 'kernel.version', value: v.kernelVersion, message: `kernel.version: "${v.kernelVersion}" is not a kernel version — write one like "6.8" or "5.14.0"`, what: 'is not a kernel version', fix: 'write a kernel version like "6.8"' }]
}

export type NewProfileResult = { ok: true; json: Record<string, unknown>; note: string } | { ok: false; errors: FieldError[] }

/** A new profile: the host with its default housekeeping and isolation, and a first VM on free isolated CPUs. */
export function newProfileJson(v: HostFormValue, name: string, firstVmVcpus: number): NewProfileResult {
  const h = newHost(v)
  if (!h.ok) return h
  const bad = versionError(v)
  if (bad.length) return { ok: false, errors: bad }
  const vcpus = Math.max(1, Math.floor(firstVmVcpus))
  const vm = { name: 'vm0', vcpus, guestTopology: guestTopologyFor(vcpus, v.threadsPerCore), pinning: { vcpupin: [] as string[], emulatorpin: '', iothreadpin: '' } }
  const json = { schemaVersion: 1, name: name.trim() || 'new host', description: '', host: h.host, vms: [vm] }
  const loaded = loadProfile(json)
  if (!loaded.ok) return { ok: false, errors: loaded.issues.map((i) => ({ field: i.path, value: i.value, message: `${i.path}: ${i.value} ${i.message}`, what: i.message, fix: i.fix })) }
  const place = defaultVmPinning(loaded.profile.host, [], vcpus)
  vm.pinning = { vcpupin: place.vcpupin, emulatorpin: place.emulatorpin, iothreadpin: place.iothreadpin }
  return { ok: true, json, note: `Housekeeping CPUs ${formatCpuList(new Set(h.housekeeping))} (the first core of each socket and its siblings); the rest isolated. vm0: ${place.note}.` }
}

/** The guest topology QEMU would be given for pins that take whole host cores. */
export function guestTopologyFor(vcpus: number, hostThreads: number): { sockets: number; cores: number; threads: number } {
  const threads = hostThreads > 1 && vcpus % hostThreads === 0 ? hostThreads : 1
  return { sockets: 1, cores: vcpus / threads, threads }
}

export type HostEditResult = { ok: true; json: unknown; changes: PinChange[]; topologyChanged: boolean } | { ok: false; errors: FieldError[] }

/** The open profile with the form's host: CPU model and kernel set as given; a new topology carries the pins
 *  (changeHostTopology) and lists what moves or becomes invalid. */
export function applyHostForm(json: unknown, p: Profile, v: HostFormValue): HostEditResult {
  const bad = versionError(v)
  if (bad.length) return { ok: false, errors: bad }
  const from = p.host.topology
  const spec = { sockets: v.sockets, coresPerSocket: v.coresPerSocket, threadsPerCore: v.threadsPerCore, numaNodesPerSocket: v.numaNodesPerSocket, llcPerSocket: v.llcPerSocket }
  const topologyChanged = (Object.keys(spec) as (keyof typeof spec)[]).some((k) => spec[k] !== from[k])
  let next: Record<string, unknown>
  let changes: PinChange[] = []
  if (topologyChanged) {
    const r = changeHostTopology(json, from, spec)
    if (!r.ok) return r
    next = r.json
    changes = r.changes
  } else {
    next = structuredClone((json ?? {}) as Record<string, unknown>)
  }
  const host = (next.host ??= {}) as Record<string, unknown>
  host.cpu = v.cpu
  const kernel = (host.kernel ??= {}) as Record<string, unknown>
  kernel.version = v.kernelVersion
  kernel.hz = v.hz
  return { ok: true, json: next, changes, topologyChanged }
}
