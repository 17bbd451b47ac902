// Parses one command's arguments against its spec (node:util parseArgs, strict).
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { CommandSpec, OptionSpec } from './commands.ts'

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
    throw new UsageError(argsMessage(e as Error, argv, spec.name))
  }
  const values = parsed.values as ParsedArgs['values']
  if (!values.help) {
    const [min, max] = spec.positionals
    if (parsed.positionals.length < min) throw new UsageError(`missing argument — usage: ${spec.usage}`)
    if (parsed.positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[max])} — usage: ${spec.usage}`)
    for (const o of spec.options) if (o.writes && typeof values[o.name] === 'string') checkOutputPath(o, values[o.name] as string)
  }
  return { positionals: parsed.positionals, values }
}

const isDir = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true

/** An output path checked before the command runs anything: a run of minutes must not end in ENOENT. A file
 *  needs an existing folder and must not be a folder itself; a folder (created with its parents) must not be
 *  a file, nor lie under one. */
function checkOutputPath(o: OptionSpec, path: string): void {
  if (path === '-' && o.writes === 'file') return
  const flag = `--${o.name} ${path}`
  if (path === '') throw new UsageError(`--${o.name} needs a path — give the ${o.writes === 'dir' ? 'folder' : 'file'} to write`)
  if (o.writes === 'file') {
    if (isDir(path)) throw new UsageError(`${flag}: is a folder — give a file name in it, e.g. ${join(path, `kvmbench.${o.name === 'pdf' ? 'pdf' : o.name === 'out' ? 'jsonl' : 'json'}`)}`)
    const dir = dirname(resolve(path))
    if (!isDir(dir)) throw new UsageError(`${flag}: the folder ${dir} does not exist — create it first (mkdir -p ${dir}) or write somewhere else`)
    return
  }
  let p = resolve(path)
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p)
  if (!isDir(p)) throw new UsageError(`${flag}: ${p} is a file, not a folder — give a folder to write the files into`)
}

/** parseArgs' messages, told as the other usage errors are: the option, the value, the fix. */
function argsMessage(e: Error, argv: string[], command: string): string {
  const m = /Option '(-[^ ']+)' argument is ambiguous/.exec(e.message)
  if (m) {
    const given = m[1]!
    const long = /use '(--[^=']+)=/.exec(e.message)?.[1] ?? given
    const value = argv[argv.indexOf(given) + 1] ?? ''
    return `${given} ${value}: a value that starts with "-" looks like an option — write ${long}=${value} if you mean it`
  }
  const u = /^Unknown option '([^']+)'/.exec(e.message.replace(/^TypeError \[ERR_PARSE_ARGS_[A-Z_]+\]: /, ''))
  if (u) return `unknown option ${u[1]} — \`kvmbench ${command} --help\` lists the options`
  return e.message.replace(/^TypeError \[ERR_PARSE_ARGS_[A-Z_]+\]: /, '')
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
