// `kvmbench init --from-this-machine`: the machine the CLI runs on as a profile (JSON on stdout, or --out
// FILE), with a starter VM when --vm N gives its vCPU count; what was read and what was not goes to stderr.
import { existsSync, writeFileSync } from 'node:fs'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { readThisMachine } from '../services/this-machine/this-machine.ts'
import { UsageError, numberOption } from './args.ts'
import type { ParsedArgs } from './args.ts'

/** Returns the exit code: 0 written, 2 bad usage or a starter VM that does not fit. */
export function initCommand(args: ParsedArgs): number {
  if (!args.values['from-this-machine']) throw new UsageError('init: give --from-this-machine (kvmbench init --help); a profile from scratch is the app\'s "New profile" or `kvmbench schema`')
  const vcpus = numberOption(args.values, 'vm', { min: 1, max: 1024, integer: true })
  const out = args.values.out as string | undefined
  if (out !== undefined && out !== '-' && existsSync(out) && !args.values.force) throw new UsageError(`--out ${out}: the file exists — give another name, or --force to replace it`)
  const root = args.values.root as string | undefined
  const { profile, report } = readThisMachine({ ...(root !== undefined ? { root } : {}), ...(vcpus !== undefined ? { vcpus } : {}) })

  const err = (s: string): boolean => process.stderr.write(`${s}\n`)
  err(`kvmbench init: read ${root ?? 'this machine'}`)
  for (const r of report.read) err(`  read      ${r.item}: ${r.value}`)
  for (const n of report.notRead) err(`  not read  ${n.item}: ${n.reason}`)
  err(`  preset    ${report.preset.name}: ${report.preset.reason}`)
  const starter = report.notRead.find((n) => n.item === 'starter VM')
  if (vcpus !== undefined && starter) {
    err(`kvmbench init: --vm ${vcpus}: ${starter.reason}`)
    return 2
  }
  const l = loadProfile(profile)
  const left = l.ok ? [] : l.issues.filter((i) => i.path !== 'vms')
  if (left.length) {
    err('kvmbench init: the profile read is not valid:')
    for (const i of left) err(`  ${i.path}: ${i.value} ${i.message} — ${i.fix}`)
    return 2
  }
  if (!profile.vms.length) err('kvmbench init: the profile has no VM yet — add one (or give --vm N) before `kvmbench run`')
  const text = `${JSON.stringify(profile, null, 2)}\n`
  if (out === undefined || out === '-') process.stdout.write(text)
  else {
    writeFileSync(out, text)
    err(`kvmbench init: wrote ${out}`)
  }
  return 0
}
