// Device IRQ sources per CPU, as tuna's IRQ view shows them: each source's affinity as written ("default" =
// irqaffinity=, "managed" = spread but kept off isolcpus=managed_irq CPUs, or a cpulist) and the CPUs it
// resolves to on this host — the same resolution the model uses (core/sim/setup.ts). Edits are pure functions
// over the profile JSON as written.
import type { Host } from '../../../core/profile/profile-schema.ts'
import { tryBuildHostTopology } from '../../../core/topology/host-topology.ts'
import { deriveHousekeeping, managedIrqAffinity } from '../../../core/topology/housekeeping.ts'
import { cpusOf, formatCpuList, fullCpuSet, parseCpuList } from '../../../core/topology/cpulist.ts'

type Json = Record<string, unknown>

export interface IrqRow { index: number; name: string; ratePerSec: number; durationNs: number; affinity: string; cpus: number[]; problem?: string }

export interface IrqView { rows: IrqRow[]; /** Per CPU, the names of the sources that may fire there. */ perCpu: string[][] }

export function irqView(host: Host): IrqView {
  const t = tryBuildHostTopology(host.topology)
  if (!t.ok) return { rows: [], perCpu: [] }
  const n = t.topology.nrCpus
  const c = host.kernel.cmdline
  const hk = deriveHousekeeping({ kernelVersion: host.kernel.version, nrCpus: n, nohzFull: c.nohzFull, isolcpus: c.isolcpus, rcuNocbs: c.rcuNocbs, irqaffinity: c.irqaffinity })
  const perCpu: string[][] = Array.from({ length: n }, () => [])
  const rows = host.noise.irqs.map((src, index): IrqRow => {
    let set: Uint8Array | undefined
    let problem: string | undefined
    if (src.affinity === 'default') set = hk.ok ? hk.hk.irqAffinity : fullCpuSet(n)
    else if (src.affinity === 'managed') set = hk.ok ? managedIrqAffinity(hk.hk, fullCpuSet(n)) : fullCpuSet(n)
    else {
      const r = parseCpuList(src.affinity, { nrCpus: n, field: `IRQ ${src.name} affinity` })
      if (r.ok) set = r.cpus
      else problem = `${r.error.message} — ${r.error.fix}`
    }
    const cpus = set ? cpusOf(set) : []
    for (const cpu of cpus) perCpu[cpu]!.push(src.name)
    return { index, name: src.name, ratePerSec: src.ratePerSec, durationNs: src.durationNs, affinity: src.affinity, cpus, ...(problem ? { problem } : {}) }
  })
  return { rows, perCpu }
}

function irqsOf(json: unknown): { out: Json; irqs: Json[] } {
  const out = structuredClone((json ?? {}) as Json)
  const host = (out.host ??= {}) as Json
  const noise = (host.noise ??= {}) as Json
  if (!Array.isArray(noise.irqs)) noise.irqs = []
  return { out, irqs: noise.irqs as Json[] }
}

/** Sets one field of IRQ source `index` ("affinity", "name", "ratePerSec", "durationNs"). */
export function setIrqField(json: unknown, index: number, key: 'affinity' | 'name' | 'ratePerSec' | 'durationNs', value: string | number): unknown {
  const { out, irqs } = irqsOf(json)
  if (irqs[index]) irqs[index]![key] = value
  return out
}

/** Steers IRQ source `index` to the given CPUs (its affinity becomes their cpulist). */
export function steerIrq(json: unknown, index: number, cpus: readonly number[]): unknown {
  return cpus.length ? setIrqField(json, index, 'affinity', formatCpuList(new Set(cpus))) : json
}

/** A new IRQ source with a unique name, on the default affinity. */
export function addIrq(json: unknown, taken: readonly string[]): unknown {
  const { out, irqs } = irqsOf(json)
  let i = irqs.length
  while (taken.includes(`irq${i}`)) i++
  irqs.push({ name: `irq${i}`, ratePerSec: 1000, durationNs: 2000, affinity: 'default' })
  return out
}

export function removeIrq(json: unknown, index: number): unknown {
  const { out, irqs } = irqsOf(json)
  irqs.splice(index, 1)
  return out
}
