// The CPU model from /proc/cpuinfo (the first processor's vendor_id, cpu family, model, stepping, model
// name, flags and "vmx flags") → the nearest cost preset, with the reason. Generations are told apart as
// the kernel tells them: Intel by family 6 model numbers (arch/x86/include/asm/intel-family.h:
// INTEL_SKYLAKE_X 0x55 — Cascade Lake is its steppings 5-7 and Cooper Lake 10-11 —, INTEL_ICELAKE_X 0x6A,
// INTEL_ICELAKE_D 0x6C, INTEL_SAPPHIRERAPIDS_X 0x8F, INTEL_EMERALDRAPIDS_X 0xCF, INTEL_GRANITERAPIDS_X 0xAD,
// INTEL_GRANITERAPIDS_D 0xAE, INTEL_ATOM_CRESTMONT_X 0xAF), AMD by the Zen generation bsp_init_amd()
// (arch/x86/kernel/cpu/amd.c) derives from family and model.
import type { CpuPreset } from '../../../core/profile/profile-schema.ts'

export interface CpuModel {
  vendor: string
  family?: number
  model?: number
  stepping?: number
  modelName: string
  /** CPU flags and VMX feature names ("vmx flags", v5.8+). */
  flags: Set<string>
}

export interface PresetChoice { preset: CpuPreset; reason: string; exact: boolean }

/** The first processor block of /proc/cpuinfo, or undefined when it names no vendor (not x86). */
export function parseCpuinfo(text: string): CpuModel | undefined {
  const block = text.split(/\n\s*\n/)[0] ?? ''
  const fields = new Map<string, string>()
  for (const line of block.split('\n')) {
    const at = line.indexOf(':')
    if (at > 0) fields.set(line.slice(0, at).trim(), line.slice(at + 1).trim())
  }
  const vendor = fields.get('vendor_id')
  if (!vendor) return undefined
  const num = (k: string): number | undefined => (/^\d+$/.test(fields.get(k) ?? '') ? Number(fields.get(k)) : undefined)
  const flags = new Set(`${fields.get('flags') ?? ''} ${fields.get('vmx flags') ?? ''}`.split(/\s+/).filter(Boolean))
  const m: CpuModel = { vendor, modelName: fields.get('model name') ?? '', flags }
  const family = num('cpu family')
  const model = num('model')
  const stepping = num('stepping')
  if (family !== undefined) m.family = family
  if (model !== undefined) m.model = model
  if (stepping !== undefined) m.stepping = stepping
  return m
}

const hex = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`
const inRanges = (n: number, ranges: [number, number][]): boolean => ranges.some(([a, b]) => n >= a && n <= b)

/** The Zen generation of bsp_init_amd(), or undefined for another family/model. */
export function zenGeneration(family: number, model: number): number | undefined {
  if (family === 0x17) return inRanges(model, [[0x00, 0x2f], [0x50, 0x5f]]) ? 1 : inRanges(model, [[0x30, 0x4f], [0x60, 0x7f], [0x90, 0x91], [0xa0, 0xaf]]) ? 2 : undefined
  if (family === 0x19) return inRanges(model, [[0x00, 0x0f], [0x20, 0x5f]]) ? 3 : inRanges(model, [[0x10, 0x1f], [0x60, 0xaf]]) ? 4 : undefined
  if (family === 0x1a) return inRanges(model, [[0x00, 0x2f], [0x40, 0x4f], [0x70, 0x7f]]) ? 5 : undefined
  return undefined
}

function intel(m: CpuModel, id: string): PresetChoice {
  const model = m.model!
  const s = m.stepping ?? 0
  if (model === 0x55) {
    if (s <= 4) return { preset: 'skylake-sp', exact: true, reason: `${id}: INTEL_SKYLAKE_X, stepping ${s} (0-4) is Skylake-SP` }
    if (s <= 7) return { preset: 'cascadelake-sp', exact: true, reason: `${id}: INTEL_SKYLAKE_X, stepping ${s} (5-7) is Cascade Lake-SP` }
    return { preset: 'cascadelake-sp', exact: false, reason: `${id}: INTEL_SKYLAKE_X stepping ${s} is Cooper Lake, which has no preset; Cascade Lake-SP is the same core (APICv, VMX preemption timer, no IPIv)` }
  }
  if (model === 0x6a || model === 0x6c) return { preset: 'icelake-sp', exact: true, reason: `${id}: INTEL_ICELAKE_${model === 0x6a ? 'X' : 'D'} is Ice Lake-SP` }
  if (model === 0x8f) return { preset: 'sapphirerapids', exact: true, reason: `${id}: INTEL_SAPPHIRERAPIDS_X is Sapphire Rapids` }
  const newer: Record<number, string> = { 0xcf: 'Emerald Rapids', 0xad: 'Granite Rapids', 0xae: 'Granite Rapids-D', 0xaf: 'Sierra Forest', 0xdd: 'Clearwater Forest' }
  if (newer[model]) return { preset: 'sapphirerapids', exact: false, reason: `${id}: ${newer[model]}, newer than any preset; Sapphire Rapids is the newest, with the same KVM features (APICv, IPI virtualization, VMX preemption timer)` }
  const older: Record<number, string> = { 0x2d: 'Sandy Bridge-EP', 0x3e: 'Ivy Bridge-EP', 0x3f: 'Haswell-EP', 0x4f: 'Broadwell-EP', 0x56: 'Broadwell-DE' }
  if (older[model]) return { preset: 'skylake-sp', exact: false, reason: `${id}: ${older[model]}, older than any preset; Skylake-SP is the oldest preset` }
  if (m.flags.has('ipi_virt')) return { preset: 'sapphirerapids', exact: false, reason: `${id}: no server model the presets know, but its vmx flags include ipi_virt (IPI virtualization) as Sapphire Rapids' do` }
  return { preset: 'skylake-sp', exact: false, reason: `${id}: no server model the presets know, and no ipi_virt in its vmx flags; Skylake-SP, the default, has that feature set (APICv, VMX preemption timer, no IPIv)` }
}

function amd(m: CpuModel, id: string): PresetChoice {
  const zen = zenGeneration(m.family!, m.model!)
  const byZen: Record<number, PresetChoice> = {
    1: { preset: 'rome', exact: false, reason: `${id}: Zen 1 (Naples), older than any preset; Rome (Zen 2) is the nearest` },
    2: { preset: 'rome', exact: true, reason: `${id}: Zen 2 (bsp_init_amd() X86_FEATURE_ZEN2) is Rome` },
    3: { preset: 'milan', exact: true, reason: `${id}: Zen 3 (X86_FEATURE_ZEN3) is Milan` },
    4: { preset: 'genoa', exact: true, reason: `${id}: Zen 4 (X86_FEATURE_ZEN4) is Genoa` },
    5: { preset: 'genoa', exact: false, reason: `${id}: Zen 5 (Turin), newer than any preset; Genoa (Zen 4) is the nearest` },
  }
  if (zen !== undefined) return byZen[zen]!
  if (m.vendor === 'HygonGenuine') return { preset: 'rome', exact: false, reason: `${id}: Hygon Dhyana, a Zen 1 derivative; Rome is the nearest` }
  return m.family! < 0x17
    ? { preset: 'rome', exact: false, reason: `${id}: older than Zen; Rome is the oldest AMD preset` }
    : { preset: 'genoa', exact: false, reason: `${id}: a family/model bsp_init_amd() does not know; Genoa is the newest AMD preset` }
}

/** From the model name alone ("Intel(R) Xeon(R) Gold 6238R", "AMD EPYC 7763"): the generation digit. */
function byName(m: CpuModel): PresetChoice | undefined {
  const epyc = /EPYC\s+\d{3}(\d)/.exec(m.modelName)
  if (epyc) {
    const g = Number(epyc[1])
    const preset: CpuPreset = g <= 2 ? 'rome' : g === 3 ? 'milan' : 'genoa'
    return { preset, exact: g >= 2 && g <= 4, reason: `model name "${m.modelName}": EPYC generation digit ${g}` }
  }
  const xeon = /Xeon.*(?:Platinum|Gold|Silver|Bronze)\s+\d(\d)\d\d/.exec(m.modelName)
  if (xeon) {
    const g = Number(xeon[1])
    const presets: CpuPreset[] = ['skylake-sp', 'skylake-sp', 'cascadelake-sp', 'icelake-sp', 'sapphirerapids']
    return { preset: presets[Math.min(g, 4)]!, exact: g >= 1 && g <= 4, reason: `model name "${m.modelName}": Xeon Scalable generation digit ${g}` }
  }
  return undefined
}

export function nearestPreset(m: CpuModel): PresetChoice {
  const name = m.modelName ? ` "${m.modelName}"` : ''
  if (m.family !== undefined && m.model !== undefined) {
    const id = `${m.vendor}${name} family ${m.family} (${hex(m.family)}) model ${m.model} (${hex(m.model)})${m.stepping !== undefined ? ` stepping ${m.stepping}` : ''}`
    if (m.vendor === 'GenuineIntel' && m.family === 6) return intel(m, id)
    if (m.vendor === 'AuthenticAMD' || m.vendor === 'HygonGenuine') return amd(m, id)
  }
  const n = byName(m)
  if (n) return n
  return { preset: 'skylake-sp', exact: false, reason: `${m.vendor}${name}: not a CPU the presets know; Skylake-SP is the default` }
}
