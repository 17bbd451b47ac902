// The field table of a schema (the profile reference in docs/profile.md, the app's field help): every field with its
// type, default and description, read from the schema's JSON Schema so it matches what the validator checks.
import type { Schema } from './schema.ts'

export interface FieldDescription {
  /** Dotted path; array items are written `[]`, e.g. `vms[].pinning.vcpupin`. */
  path: string
  /** Short type text, e.g. `integer 1–16`, `"a" | "b"`, `string[]`. */
  type: string
  /** The default as JSON text, or '' when the field has none (required or optional). */
  default: string
  description: string
  /** The field must be written (no default, not optional). */
  required: boolean
}

/** Every field of a schema, depth first, read from its JSON Schema (so it matches what ajv validates).
 *  `collapse(path)` stops the walk below a field (its own row is still listed). */
export function describeFields(schema: Schema<unknown>, opts: { collapse?: (path: string) => boolean } = {}): FieldDescription[] {
  const out: FieldDescription[] = []
  const walk = (j: Record<string, unknown>, path: string): void => {
    const props = j.properties as Record<string, Record<string, unknown>> | undefined
    if (j.type === 'object' && props) {
      const required = new Set((j.required as string[] | undefined) ?? [])
      for (const [k, sub] of Object.entries(props)) {
        const p = path ? `${path}.${k}` : k
        out.push({ path: p, type: jsonTypeText(sub), default: defaultText(sub), description: String(sub.description ?? ''), required: required.has(k) })
        if (opts.collapse?.(p)) continue
        walk(sub, p)
      }
    } else if (j.type === 'array' && j.items) {
      walk(j.items as Record<string, unknown>, `${path}[]`)
    } else if (j.type === 'object' && j.additionalProperties && typeof j.additionalProperties === 'object') {
      walk(j.additionalProperties as Record<string, unknown>, `${path}.<name>`)
    }
  }
  walk(schema.json(), '')
  return out
}

function jsonTypeText(j: Record<string, unknown>): string {
  if (Array.isArray(j.enum)) return j.enum.map((x) => JSON.stringify(x)).join(' | ')
  if (j.const !== undefined) return JSON.stringify(j.const)
  const range = (): string => {
    const lo = j.minimum as number | undefined
    const hi = j.maximum as number | undefined
    if (lo === undefined && hi === undefined) return ''
    return ` ${lo ?? '…'}–${hi ?? '…'}`
  }
  switch (j.type) {
    case 'integer': return `integer${range()}`
    case 'number': return `number${range()}`
    case 'string': return j.pattern ? 'string (pattern)' : 'string'
    case 'boolean': return 'boolean'
    case 'array': return `${jsonTypeText((j.items ?? {}) as Record<string, unknown>)}[]`
    case 'object':
      if (j.properties) return 'object'
      if (j.additionalProperties && typeof j.additionalProperties === 'object') return `{ [name]: ${jsonTypeText(j.additionalProperties as Record<string, unknown>)} }`
      return 'object'
    default: return 'any'
  }
}

function defaultText(j: Record<string, unknown>): string {
  if (!('default' in j)) return ''
  const d = j.default
  if (Array.isArray(d) && d.length > 0 && d.every((x) => typeof x === 'object' && x !== null)) {
    const t = JSON.stringify(d)
    return t.length <= 60 ? t : `${d.length} item(s), fields as below`
  }
  return JSON.stringify(d)
}
