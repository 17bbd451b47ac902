// Form fields read from the profile schema (core/profile/profile-schema.ts): each field's meaning, default,
// range and choices come from its description there, never copied by hand. Pure.
import type { Schema } from '../../../core/schema/schema.ts'
import { workloadSchema } from '../../../core/profile/profile-schema.ts'

export interface FormField {
  key: string
  type: 'integer' | 'number' | 'boolean' | 'enum' | 'string'
  description: string
  default: unknown
  min?: number
  max?: number
  options?: (string | number)[]
}

type JsonSchema = Record<string, unknown>

function fieldOf(key: string, j: JsonSchema): FormField | undefined {
  const base = { key, description: String(j.description ?? ''), default: j.default }
  if (Array.isArray(j.enum)) return { ...base, type: 'enum', options: j.enum as (string | number)[] }
  if (j.type === 'integer' || j.type === 'number') return { ...base, type: j.type, min: j.minimum as number | undefined, max: j.maximum as number | undefined }
  if (j.type === 'boolean') return { ...base, type: 'boolean' }
  if (j.type === 'string') return { ...base, type: 'string' }
  return undefined // objects, arrays, literals: edited elsewhere
}

/** The scalar fields of an object schema, in schema order (nested objects and the `kind` literal left out). */
export function formFields(schema: Schema<unknown>): FormField[] {
  const props = (schema.json().properties ?? {}) as Record<string, JsonSchema>
  return Object.entries(props).flatMap(([k, j]) => (k === 'kind' ? [] : (fieldOf(k, j) ?? [])))
}

export const WORKLOAD_KINDS: readonly string[] = workloadSchema.variants.map((v) => v.shape.kind.defaultValue as string)

/** A workload kind's description (what it models and what it reports). */
export function workloadDescription(kind: string): string {
  return workloadSchema.variants.find((v) => v.shape.kind.defaultValue === kind)?.description ?? ''
}

/** The parameters of a workload kind with their meanings and defaults. */
export function workloadFields(kind: string): FormField[] {
  const v = workloadSchema.variants.find((x) => x.shape.kind.defaultValue === kind)
  return v ? formFields(v) : []
}

export type FieldInput = { ok: true; value: unknown } | { ok: false; message: string }

/** A typed value read from an input's text (or a checkbox's state), checked against the field's range. */
export function readFieldInput(f: FormField, raw: string | boolean): FieldInput {
  if (f.type === 'boolean') return { ok: true, value: raw === true || raw === 'true' }
  const text = String(raw).trim()
  if (f.type === 'string') return { ok: true, value: text }
  if (f.type === 'enum') {
    const hit = f.options?.find((o) => String(o) === text)
    return hit === undefined ? { ok: false, message: `${f.key}: use one of ${f.options?.join(', ')}` } : { ok: true, value: hit }
  }
  const n = Number(text)
  if (text === '' || !Number.isFinite(n)) return { ok: false, message: `${f.key}: "${text}" is not a number — write e.g. ${String(f.default)}` }
  if (f.type === 'integer' && !Number.isInteger(n)) return { ok: false, message: `${f.key}: ${text} must be a whole number` }
  if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) return { ok: false, message: `${f.key}: ${text} is outside ${f.min ?? '…'}–${f.max ?? '…'}` }
  return { ok: true, value: n }
}

/** Words a label keeps as written (acronyms and units). */
const LABEL_WORDS: Record<string, string> = { numa: 'NUMA', llc: 'LLC', cpu: 'CPU', cpus: 'CPUs', vcpus: 'vCPUs', vcpu: 'vCPU', hz: 'HZ', ns: 'ns', us: 'µs', io: 'I/O', irq: 'IRQ', irqs: 'IRQs', kvm: 'KVM', tsc: 'TSC', pv: 'PV', ipi: 'IPI', tx: 'TX' }

/** A readable label for a schema field name: `coresPerSocket` → "Cores per socket", `numaNodesPerSocket`
 *  → "NUMA nodes per socket". The field's own name stays in the row's title (it is what the JSON says). */
export function fieldLabel(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(/[\s_]+/).filter(Boolean)
  const out = words.map((w) => LABEL_WORDS[w.toLowerCase()] ?? w.toLowerCase())
  const first = out[0] ?? key
  out[0] = LABEL_WORDS[first.toLowerCase()] ? first : first.charAt(0).toUpperCase() + first.slice(1)
  return out.join(' ')
}
