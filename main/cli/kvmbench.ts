#!/usr/bin/env node
// The kvmbench command line. The package's `bin` is its build, out/node/kvmbench.js (`npm run build:node`,
// vite.node.config.ts); tests and `npm run kvmbench` run this source on Node ≥ 22.18 (type stripping).
// Exit status: 0 success, 1 a configuration failed to run, 2 bad usage or an invalid profile.
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { profileJsonSchema } from '../../core/profile/load-profile.ts'
import { sweepSpecJsonSchema } from '../../core/sweep/sweep-spec.ts'
import { goalJsonSchema } from '../../core/advisor/goal-spec.ts'
import { summarize } from '../services/examples-service.ts'
import { EXAMPLES_DIR, packageVersion } from '../paths.ts'
import { UsageError, parseCommandArgs } from './args.ts'
import { COMMANDS, commandHelp, findCommand, mainHelp } from './commands.ts'
import { ProfileFileError } from './profile-file.ts'

function listExamples(): void {
  let names: string[] = []
  try {
    names = readdirSync(EXAMPLES_DIR).filter((n) => n.endsWith('.json')).sort()
  } catch {
    // none
  }
  if (!names.length) {
    console.log(`no examples found in ${EXAMPLES_DIR}`)
    return
  }
  for (const n of names) {
    let title = ''
    let summary = ''
    try {
      const p = JSON.parse(readFileSync(join(EXAMPLES_DIR, n), 'utf8')) as { name?: unknown; description?: unknown }
      title = typeof p.name === 'string' ? p.name : ''
      summary = typeof p.description === 'string' ? summarize(p.description) : ''
    } catch {
      summary = '(not valid JSON)'
    }
    console.log(`examples/${n}${title ? ` — ${title}` : ''}${summary ? `\n    ${summary}` : ''}`)
  }
  console.log(`\nRun one: kvmbench compare examples/${basename(names[0] ?? 'posted-timer.json')}`)
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help') {
    process.stdout.write(mainHelp())
    return first === undefined ? 2 : 0
  }
  if (first === '-V' || first === '--version') {
    console.log(`kvmbench ${packageVersion()}`)
    return 0
  }
  if (first === 'help') {
    const c = rest[0] !== undefined ? findCommand(rest[0]) : undefined
    process.stdout.write(c ? commandHelp(c) : mainHelp())
    return rest[0] === undefined || c ? 0 : 2
  }
  const spec = findCommand(first)
  if (!spec) {
    process.stderr.write(`kvmbench: unknown command ${JSON.stringify(first)} — use one of ${COMMANDS.map((c) => c.name).join(', ')} (kvmbench --help)\n`)
    return 2
  }
  const args = parseCommandArgs(spec, rest)
  if (args.values.help) {
    process.stdout.write(commandHelp(spec))
    return 0
  }
  // Commands load their modules when run: `compare` starts without the report and format code.
  switch (spec.name) {
    case 'run':
    case 'compare':
      return (await import('./run-command.ts')).runOrCompare(spec.name, args)
    case 'report':
      return (await import('./report-command.ts')).reportCommand(args)
    case 'import':
      return (await import('./import-export-command.ts')).importCommand(args)
    case 'export':
      return (await import('./import-export-command.ts')).exportCommand(args)
    case 'validate':
      return (await import('./validate-command.ts')).validateCommand(args)
    case 'init':
      return (await import('./init-command.ts')).initCommand(args)
    case 'sweep':
      return (await import('./sweep-command.ts')).sweepCommand(args)
    case 'advise':
      return (await import('./advise-command.ts')).adviseCommand(args)
    case 'worker':
      return (await import('./sweep-command.ts')).workerCommand(args)
    case 'schema':
      console.log(JSON.stringify(args.values.sweep ? sweepSpecJsonSchema() : args.values.goal ? goalJsonSchema() : profileJsonSchema(), null, 2))
      return 0
    case 'examples':
      listExamples()
      return 0
    default:
      return 2
  }
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`kvmbench: ${e.message}\n`)
    process.exitCode = 2
  } else if (e instanceof ProfileFileError) {
    process.stderr.write(`kvmbench: ${e.message}\n${e.lines.map((l) => `  ${l}\n`).join('')}`)
    process.exitCode = 2
  } else if (e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string') {
    // A file the system refused (full disk, permissions): its message names the path; a stack says nothing more.
    process.stderr.write(`kvmbench: ${e.message}\n`)
    process.exitCode = 1
  } else {
    process.stderr.write(`kvmbench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exitCode = 1
  }
}
