// A new host topology for a profile that has pins and isolation lists: every CPU number is carried to the CPU
// at the same place (socket, core within the socket, SMT thread) of the new host. A pin whose CPUs all vanish
// becomes invalid and is cleared (the thread floats); one that loses some CPUs, or whose CPUs are renumbered,
// moves. New CPUs get the default role of their place (the first core of a socket housekeeping, the rest
// isolated) when the host was partitioned. Pure: the caller shows the changes before it applies them.
import { formatCpuList, parseCpuList } from './cpulist.ts'
import { tryBuildHostTopology } from './host-topology.ts'
import type { HostTopology, HostTopologySpec } from './host-topology.ts'
import { defaultHousekeepingCpus } from './new-host.ts'
import type { FieldError } from '../field-error.ts'
import { structuredCloneJson } from '../schema/schema.ts'

type Json = Record<string, unknown>

export interface PinChange {
  /** Profile field, e.g. `vms[0].pinning.vcpupin[3]`, `host.kernel.cmdline.nohzFull`. */
  path: string
  /** Shown to the user, e.g. "web vCPU 3". */
  label: string
  from: string
  to: string
  kind: 'moved' | 'narrowed' | 'invalid'
}

export type HostChangeResult = { ok: true; json: Json; changes: PinChange[]; nrCpus: { from: number; to: number } } | { ok: false; errors: FieldError[] }

const place = (t: HostTopology, cpu: number): string => {
  const s = t.socketOf[cpu]!
  const firstCoreOfSocket = t.coreOf[t.socketOf.indexOf(s)]!
  return `${s}/${t.coreOf[cpu]! - firstCoreOfSocket}/${t.threadOf[cpu]}`
}

/** old CPU → new CPU at the same place, or undefined when the new host has no such place. */
export function cpuCarry(from: HostTopology, to: HostTopology): (cpu: number) => number | undefined {
  const byPlace = new Map<string, number>()
  for (let cpu = 0; cpu < to.nrCpus; cpu++) byPlace.set(place(to, cpu), cpu)
  const map = Array.from({ length: from.nrCpus }, (_, cpu) => byPlace.get(place(from, cpu)))
  return (cpu) => map[cpu]
}

/**
 * The profile JSON (as written) with `spec` as its host topology and every CPU number carried over.
 * `fromSpec` is the current topology as loaded (defaults filled in).
 */
export function changeHostTopology(json: unknown, fromSpec: HostTopologySpec, spec: HostTopologySpec): HostChangeResult {
  const a = tryBuildHostTopology(fromSpec)
  const b = tryBuildHostTopology(spec)
  if (!b.ok) return b
  if (!a.ok) return a
  const from = a.topology
  const to = b.topology
  const carry = cpuCarry(from, to)
  const out = structuredCloneJson((json ?? {}) as Json)
  const changes: PinChange[] = []
  const obj = (parent: Json, key: string): Json => (typeof parent[key] === 'object' && parent[key] !== null ? parent[key] as Json : (parent[key] = {}) as Json)
  const host = obj(out, 'host')
  host.topology = { ...obj(host, 'topology'), ...spec }

  /** Carries one cpulist; records the change; '' when nothing is left. */
  const remap = (text: unknown, path: string, label: string, extra: number[] = [], prefix = ''): string | undefined => {
    if (typeof text !== 'string' || !text.trim() || text === 'default' || text === 'managed') return undefined
    const r = parseCpuList(text, { nrCpus: from.nrCpus, allowExclusion: true })
    if (!r.ok) return undefined // already invalid: the diagnostics name it
    const kept = new Set<number>(extra)
    let lost = 0
    r.cpus.forEach((bit, cpu) => {
      if (!bit) return
      const c = carry(cpu)
      if (c === undefined) lost++
      else kept.add(c)
    })
    const next = kept.size ? formatCpuList(kept) : ''
    if (next !== formatCpuList(r.cpus)) changes.push({ path, label, from: prefix + text, to: next ? prefix + next : '', kind: !kept.size ? 'invalid' : lost ? 'narrowed' : 'moved' })
    return next
  }

  // The isolation lists; new places get their default role when the host was partitioned.
  const cmd = obj(obj(host, 'kernel'), 'cmdline')
  const carried = new Set<number>()
  for (let cpu = 0; cpu < from.nrCpus; cpu++) { const c = carry(cpu); if (c !== undefined) carried.add(c) }
  const hkDefault = new Set(defaultHousekeepingCpus(to))
  const fresh: number[] = []
  for (let cpu = 0; cpu < to.nrCpus; cpu++) if (!carried.has(cpu)) fresh.push(cpu)
  const partitioned = ['nohzFull', 'isolcpus'].some((k) => typeof cmd[k] === 'string' && (cmd[k] as string).trim())
  for (const key of ['nohzFull', 'isolcpus', 'rcuNocbs', 'irqaffinity'] as const) {
    const text = cmd[key]
    if (typeof text !== 'string' || !text.trim()) continue
    const flags = key === 'isolcpus' ? /^(?:[A-Za-z_]+,)*/.exec(text)?.[0] ?? '' : ''
    const extra = !partitioned ? [] : fresh.filter((cpu) => (key === 'irqaffinity') === hkDefault.has(cpu))
    const next = remap(text.slice(flags.length), `host.kernel.cmdline.${key}`, `${key === 'nohzFull' ? 'nohz_full' : key === 'rcuNocbs' ? 'rcu_nocbs' : key}=`, extra, flags)
    if (next !== undefined) cmd[key] = next ? `${flags}${next}` : ''
  }

  // Pins of every VM, device IRQ affinities and host tasks.
  const vms = Array.isArray(out.vms) ? (out.vms as Json[]) : []
  vms.forEach((vm, i) => {
    const name = typeof vm.name === 'string' ? vm.name : `vms[${i}]`
    const p = vm.pinning as Json | undefined
    if (!p) return
    if (Array.isArray(p.vcpupin)) p.vcpupin = (p.vcpupin as unknown[]).map((t, v) => remap(t, `vms[${i}].pinning.vcpupin[${v}]`, `${name} vCPU ${v}`) ?? t)
    for (const [k, label] of [['emulatorpin', 'emulator'], ['iothreadpin', 'I/O thread']] as const) {
      const next = remap(p[k], `vms[${i}].pinning.${k}`, `${name} ${label}`)
      if (next !== undefined) p[k] = next
    }
  })
  const irqs = (host.noise as Json | undefined)?.irqs
  if (Array.isArray(irqs)) (irqs as Json[]).forEach((q, i) => { const next = remap(q.affinity, `host.noise.irqs[${i}].affinity`, `IRQ ${String(q.name ?? i)}`); if (next !== undefined) q.affinity = next || 'default' })
  if (Array.isArray(host.tasks)) (host.tasks as Json[]).forEach((t, i) => { const next = remap(t.cpus, `host.tasks[${i}].cpus`, `task ${String(t.name ?? i)}`); if (next !== undefined) t.cpus = next || '0' })
  return { ok: true, json: out, changes, nrCpus: { from: from.nrCpus, to: to.nrCpus } }
}
