// A small schema language: one source for the TypeScript types (Infer<S>), the JSON Schema
// (toJsonSchema) and validation whose messages name the field, the bad value and the fix.

export interface Issue {
  /** Dotted path of the field, e.g. `vms[0].pinning.vcpupin[3]`. */
  path: string
  /** The offending value, printed short. */
  value: string
  message: string
  fix: string
}

export interface Ctx {
  issues: Issue[]
  /** When false, missing fields are not filled with defaults (used for partial overrides). */
  applyDefaults: boolean
}

export interface Schema<T> {
  readonly kind: string
  readonly description?: string
  readonly defaultValue?: T
  /** Validates `v` at `path`; returns the normalised value, or undefined after recording issues. */
  check(v: unknown, path: string, ctx: Ctx): T | undefined
  json(): Record<string, unknown>
}

export type Infer<S> = S extends Schema<infer T> ? T : never

export function show(v: unknown): string {
  if (v === undefined) return 'undefined'
  let s: string
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)
  } catch {
    // Too deep for JSON.stringify (or cyclic): String() of a deep array would overflow the stack too.
    s = Array.isArray(v) ? '[…]' : typeof v === 'object' && v !== null ? '{…}' : String(v)
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s
}

function issue(ctx: Ctx, path: string, v: unknown, message: string, fix: string): undefined {
  ctx.issues.push({ path: path || '(root)', value: show(v), message, fix })
  return undefined
}

function base(desc: string | undefined, def: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  if (desc) o.description = desc
  if (def !== undefined) o.default = def
  return o
}

interface NumOpts { min?: number; max?: number; integer?: boolean; default?: number; description?: string; unit?: string }

export function number(o: NumOpts = {}): Schema<number> {
  return {
    kind: 'number',
    description: o.description,
    defaultValue: o.default,
    check(v, path, ctx) {
      if (typeof v !== 'number' || !Number.isFinite(v)) return issue(ctx, path, v, 'must be a finite number', `write a number${o.unit ? ' in ' + o.unit : ''}, e.g. ${o.default ?? o.min ?? 0}`)
      if (o.integer && !Number.isInteger(v)) return issue(ctx, path, v, 'must be a whole number', `write an integer, e.g. ${Math.round(v)}`)
      if (o.min !== undefined && v < o.min) return issue(ctx, path, v, `must be at least ${o.min}`, `use a value from ${o.min}${o.max !== undefined ? ' to ' + o.max : ''}`)
      if (o.max !== undefined && v > o.max) return issue(ctx, path, v, `must be at most ${o.max}`, `use a value from ${o.min ?? '…'} to ${o.max}`)
      return v
    },
    json() {
      const j: Record<string, unknown> = { type: o.integer ? 'integer' : 'number', ...base(o.description, o.default) }
      if (o.min !== undefined) j.minimum = o.min
      if (o.max !== undefined) j.maximum = o.max
      return j
    },
  }
}

export const integer = (o: Omit<NumOpts, 'integer'> = {}): Schema<number> => number({ ...o, integer: true })

interface StrOpts { default?: string; description?: string; maxLength?: number; pattern?: RegExp; patternHint?: string }

export function string(o: StrOpts = {}): Schema<string> {
  const max = o.maxLength ?? 4096
  return {
    kind: 'string',
    description: o.description,
    defaultValue: o.default,
    check(v, path, ctx) {
      if (typeof v !== 'string') return issue(ctx, path, v, 'must be a string', `write text in double quotes${o.default !== undefined ? `, e.g. ${JSON.stringify(o.default)}` : ''}`)
      if (v.length > max) return issue(ctx, path, v, `is ${v.length} characters long, more than ${max}`, `shorten it to at most ${max} characters`)
      if (o.pattern && !o.pattern.test(v)) return issue(ctx, path, v, `does not match the expected form`, o.patternHint ?? `match ${o.pattern}`)
      return v
    },
    json() {
      const j: Record<string, unknown> = { type: 'string', maxLength: max, ...base(o.description, o.default) }
      if (o.pattern) j.pattern = o.pattern.source
      return j
    },
  }
}

export function boolean(o: { default?: boolean; description?: string } = {}): Schema<boolean> {
  return {
    kind: 'boolean',
    description: o.description,
    defaultValue: o.default,
    check(v, path, ctx) {
      if (typeof v !== 'boolean') return issue(ctx, path, v, 'must be true or false', 'write true or false (without quotes)')
      return v
    },
    json: () => ({ type: 'boolean', ...base(o.description, o.default) }),
  }
}

export function oneOf<const T extends readonly (string | number)[]>(values: T, o: { default?: T[number]; description?: string } = {}): Schema<T[number]> {
  return {
    kind: 'enum',
    description: o.description,
    defaultValue: o.default,
    check(v, path, ctx) {
      if (!(values as readonly unknown[]).includes(v)) return issue(ctx, path, v, `is not one of the accepted values`, `use one of ${values.map((x) => JSON.stringify(x)).join(', ')}`)
      return v as T[number]
    },
    json: () => ({ enum: [...values], ...base(o.description, o.default) }),
  }
}

export function literal<const T extends string | number>(value: T, o: { description?: string } = {}): Schema<T> {
  return {
    kind: 'literal',
    description: o.description,
    defaultValue: value,
    check(v, path, ctx) {
      if (v !== value) return issue(ctx, path, v, `must be ${JSON.stringify(value)}`, `write ${JSON.stringify(value)}`)
      return value
    },
    json: () => ({ const: value, ...base(o.description, undefined) }),
  }
}

export function array<T>(item: Schema<T>, o: { default?: T[]; description?: string; maxItems?: number; minItems?: number } = {}): Schema<T[]> {
  const maxItems = o.maxItems ?? 4096
  return {
    kind: 'array',
    description: o.description,
    defaultValue: o.default,
    check(v, path, ctx) {
      if (!Array.isArray(v)) return issue(ctx, path, v, 'must be a list', 'write a JSON array, e.g. []')
      if (v.length > maxItems) return issue(ctx, path, `[${v.length} items]`, `has ${v.length} items, more than ${maxItems}`, `keep at most ${maxItems} items`)
      if (o.minItems !== undefined && v.length < o.minItems) return issue(ctx, path, v, `needs at least ${o.minItems} item(s)`, `add at least ${o.minItems} item(s)`)
      const out: T[] = []
      let ok = true
      for (let i = 0; i < v.length; i++) {
        const r = item.check(v[i], `${path}[${i}]`, ctx)
        if (r === undefined) ok = false
        else out.push(r)
      }
      return ok ? out : undefined
    },
    json() {
      const j: Record<string, unknown> = { type: 'array', items: item.json(), maxItems, ...base(o.description, o.default) }
      if (o.minItems !== undefined) j.minItems = o.minItems
      return j
    },
  }
}

export function record<T>(value: Schema<T>, o: { description?: string; default?: Record<string, T> } = {}): Schema<Record<string, T>> {
  return {
    kind: 'record',
    description: o.description,
    defaultValue: o.default,
    check(v, path, ctx) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return issue(ctx, path, v, 'must be an object', 'write a JSON object, e.g. {}')
      const out: Record<string, T> = {}
      let ok = true
      for (const [k, x] of Object.entries(v)) {
        // `out["__proto__"] = r` would set the prototype of the map instead of adding an entry.
        if (k === '__proto__') { issue(ctx, path ? `${path}.${k}` : k, x, 'is not allowed as a name', 'choose another name'); ok = false; continue }
        const r = value.check(x, path ? `${path}.${k}` : k, ctx)
        if (r === undefined) ok = false
        else out[k] = r
      }
      return ok ? out : undefined
    },
    json: () => ({ type: 'object', additionalProperties: value.json(), ...base(o.description, o.default) }),
  }
}

type Shape = Record<string, Schema<unknown>>
/** A field that may be left out (optional() and partial()): its key is optional in the TypeScript type. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true
}
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S]
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>
type Flat<T> = { [K in keyof T]: T[K] }
export type ObjectOf<S extends Shape> = Flat<{ [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }>

export interface ObjectSchema<S extends Shape> extends Schema<ObjectOf<S>> {
  readonly shape: S
}

function closest(key: string, keys: string[]): string | undefined {
  let best: string | undefined
  let bestD = Infinity
  for (const k of keys) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase())
    if (d < bestD) { bestD = d; best = k }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99
  const prev = new Array<number>(b.length + 1)
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length]!
}

/** An object with known fields only; every field has a default or is optional(). */
export function object<S extends Shape>(shape: S, o: { description?: string } = {}): ObjectSchema<S> {
  const keys = Object.keys(shape)
  return {
    kind: 'object',
    shape,
    description: o.description,
    get defaultValue(): ObjectOf<S> {
      const out: Record<string, unknown> = {}
      for (const k of keys) {
        const d = shape[k]!.defaultValue
        if (d !== undefined) out[k] = structuredCloneJson(d)
      }
      return out as ObjectOf<S>
    },
    check(v, path, ctx) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return issue(ctx, path, v, 'must be an object', 'write a JSON object with { } around its fields')
      const src = v as Record<string, unknown>
      let ok = true
      for (const k of Object.keys(src)) {
        // Own keys only: `k in shape` would let "__proto__", "constructor", "toString"… through unreported.
        if (!Object.prototype.hasOwnProperty.call(shape, k)) {
          const near = closest(k, keys)
          issue(ctx, path ? `${path}.${k}` : k, src[k], 'is not a known field', near ? `did you mean "${near}"? (known: ${keys.join(', ')})` : `remove it; known fields here: ${keys.join(', ')}`)
          ok = false
        }
      }
      const out: Record<string, unknown> = {}
      for (const k of keys) {
        const s = shape[k]!
        const p = path ? `${path}.${k}` : k
        if (src[k] === undefined) {
          if (!ctx.applyDefaults) continue
          if (s.kind === 'optional') continue
          const d = s.defaultValue
          if (d === undefined) { issue(ctx, p, undefined, 'is required', `add "${k}"`); ok = false; continue }
          out[k] = structuredCloneJson(d)
          continue
        }
        const r = s.check(src[k], p, ctx)
        if (r === undefined) ok = false
        else out[k] = r
      }
      return ok ? (out as ObjectOf<S>) : undefined
    },
    json() {
      const props: Record<string, unknown> = {}
      const required: string[] = []
      for (const k of keys) {
        const s = shape[k]!
        props[k] = s.json()
        if (s.kind !== 'optional' && s.defaultValue === undefined) required.push(k)
      }
      const j: Record<string, unknown> = { type: 'object', properties: props, additionalProperties: false, ...base(o.description, undefined) }
      if (required.length) j.required = required
      return j
    },
  }
}

export function optional<T>(s: Schema<T>): OptionalSchema<T> {
  return {
    kind: 'optional',
    optional: true,
    description: s.description,
    check: (v, path, ctx) => s.check(v, path, ctx),
    json: () => s.json(),
  }
}

/** Deep-partial view of an object schema: every field optional, no defaults applied. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

export function partial<T>(s: Schema<T>): OptionalSchema<DeepPartial<T>> {
  return {
    kind: 'optional',
    optional: true,
    description: s.description,
    check(v, path, ctx) {
      const saved = ctx.applyDefaults
      ctx.applyDefaults = false
      try {
        return s.check(v, path, ctx) as DeepPartial<T> | undefined
      } finally {
        ctx.applyDefaults = saved
      }
    },
    json() {
      return stripRequired(s.json())
    },
  }
}

function stripRequired(j: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...j }
  delete out.required
  delete out.default
  if (out.properties) {
    const p: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(out.properties as Record<string, Record<string, unknown>>)) p[k] = stripRequired(v)
    out.properties = p
  }
  return out
}

export function unknownValue(o: { description?: string } = {}): Schema<unknown> {
  return { kind: 'unknown', description: o.description, check: (v) => v, json: () => ({ ...base(o.description, undefined) }) }
}

/** A refinement: extra checks after the base schema passed (e.g. a cpulist parse). */
export function refine<T>(s: Schema<T>, test: (v: T) => { message: string; fix: string } | undefined): Schema<T> {
  return {
    kind: s.kind,
    description: s.description,
    get defaultValue() { return s.defaultValue },
    check(v, path, ctx) {
      const r = s.check(v, path, ctx)
      if (r === undefined) return undefined
      const bad = test(r)
      if (bad) return issue(ctx, path, v, bad.message, bad.fix)
      return r
    },
    json: () => s.json(),
  }
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: Issue[] }

export function parse<T>(s: Schema<T>, v: unknown, opts: { applyDefaults?: boolean } = {}): ParseResult<T> {
  const ctx: Ctx = { issues: [], applyDefaults: opts.applyDefaults ?? true }
  const r = s.check(v, '', ctx)
  if (r === undefined || ctx.issues.length) return { ok: false, issues: ctx.issues }
  return { ok: true, value: r }
}

export function formatIssue(i: Issue): string {
  return `${i.path}: ${i.value} ${i.message} — ${i.fix}`
}

export function toJsonSchema(s: Schema<unknown>, meta: { id: string; title: string }): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: meta.id, title: meta.title, ...s.json() }
}

export function structuredCloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T)
}
