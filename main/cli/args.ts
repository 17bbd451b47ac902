// Parses one command's arguments against its spec (node:util parseArgs, strict).
import { parseArgs } from 'node:util'
import type { CommandSpec } from './commands.ts'

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[]
  values: Record<string, string | boolean | string[] | undefined>
}

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {}
  for (const o of spec.options) options[o.name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }
  let parsed: { values: Record<string, unknown>; positionals: string[] }
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[ERR_PARSE_ARGS_[A-Z_]+\]: /, ''))
  }
  const values = parsed.values as ParsedArgs['values']
  if (!values.help) {
    const [min, max] = spec.positionals
    if (parsed.positionals.length < min) throw new UsageError(`missing argument — usage: ${spec.usage}`)
    if (parsed.positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])} — usage: ${spec.usage}`)
  }
  return { positionals: parsed.positionals, values }
}

export function numberOption(values: ParsedArgs['values'], name: string, o: { min: number; max: number; integer?: boolean }): number | undefined {
  const v = values[name]
  if (v === undefined) return undefined
  const n = Number(v)
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || n < o.min || n > o.max) {
    throw new UsageError(`--${name} ${String(v)} is not valid — give ${o.integer ? 'an integer' : 'a number'} from ${o.min} to ${o.max}`)
  }
  return n
}
