// README.md's command-line section and example, against the CLI they describe.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatCompareTable } from '../../core/index.ts'
import type { ConfigResult } from '../../core/result.ts'
import { COMMANDS } from '../../main/cli/commands.ts'

const root = resolve(import.meta.dirname, '../..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

describe('README.md', () => {
  it('names every command of `kvmbench --help` in its command-line section', () => {
    const section = readme.slice(readme.indexOf('- **Command line:**'), readme.indexOf('## npm scripts'))
    for (const c of COMMANDS) expect(section, c.name).toContain(`\`${c.name}\``)
  })

  it('shows the compare summary of examples/posted-timer.json with the header and rows `compare` prints', () => {
    const block = /```\n(configuration .*\n(?:.*\n)*?)```/.exec(readme)?.[1] ?? ''
    const golden = JSON.parse(readFileSync(join(root, 'test/golden/posted-timer.json'), 'utf8')) as Record<string, ConfigResult>
    const printed = formatCompareTable(Object.values(golden)).split('\n').filter(Boolean)
    const shown = block.split('\n').filter(Boolean)
    expect(shown[0]).toBe(printed[0])
    expect(shown.map((l) => l.split(/\s+/)[0])).toEqual(printed.map((l) => l.split(/\s+/)[0]))
    // the same columns in the same places: each row as long as the printed one
    expect(shown.map((l) => l.length)).toEqual(printed.map((l) => l.length))
  })
})
