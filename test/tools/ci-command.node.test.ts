// The README's Quick start promises two commands; CI (.ci/run) runs the second, the test command, and
// nothing else. The test command installs the Debian packages the tests need itself (system-deps.ts).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SYSTEM_PACKAGES, installPlan, missingPackages } from './system-deps.ts'

const root = resolve(import.meta.dirname, '../..')

/** The shell blocks of the README's "Quick start" section. */
function quickStartCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = /^## Quick start\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1]
  if (section === undefined) throw new Error('README.md has no "## Quick start" section')
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim())
}

/** The commands .ci/run runs, besides `set -…`, `cd` and exporting CI. */
function ciCommands(): string[] {
  return readFileSync(join(root, '.ci/run'), 'utf8').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !/^set -/.test(l) && !/^cd /.test(l) && !/^export CI=/.test(l))
}

describe('the two commands', () => {
  it('the Quick start has exactly two: compare the example, and the test command', () => {
    const cmds = quickStartCommands()
    expect(cmds).toHaveLength(2)
    expect(cmds[0]).toMatch(/npx kvmbench compare examples\/posted-timer\.json$/)
    expect(cmds[1]).toMatch(/npm test$/)
  })

  it('.ci/run runs the README test command and nothing else', () => {
    expect(ciCommands()).toEqual([quickStartCommands()[1]])
  })

  it('npm test installs the Debian packages first', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts.test).toMatch(/^node test\/tools\/system-deps\.ts && /)
    for (const p of ['chromium', 'poppler-utils', 'libvirt-clients', 'libxml2-utils', 'redis-server', 'qemu-system-x86']) {
      expect(SYSTEM_PACKAGES[p]?.length, p).toBeGreaterThan(0)
    }
  })
})

describe('system-deps', () => {
  const table = { chromium: ['chromium'], 'poppler-utils': ['pdftoppm', 'pdftotext'], 'redis-server': ['redis-server'] }

  it('names a package when any of its binaries is missing', () => {
    const present = new Set(['chromium', 'pdftoppm'])
    expect(missingPackages(table, (b) => present.has(b))).toEqual(['poppler-utils', 'redis-server'])
    expect(missingPackages(table, () => true)).toEqual([])
  })

  it('as root: apt-get update, then install only the missing packages without recommends', () => {
    expect(installPlan(['poppler-utils', 'redis-server'], { root: true, sudo: false, ci: false })).toEqual({
      action: 'install',
      commands: [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', 'poppler-utils', 'redis-server']],
    })
    expect(installPlan([], { root: false, sudo: false, ci: false })).toEqual({ action: 'none' })
  })

  it('not root: refuses with the packages and the command to run (sudo only on CI)', () => {
    const plan = installPlan(['chromium', 'redis-server'], { root: false, sudo: true, ci: false })
    expect(plan.action).toBe('refuse')
    if (plan.action !== 'refuse') return
    expect(plan.message).toContain('chromium, redis-server')
    expect(plan.message).toContain('sudo apt-get install -y --no-install-recommends chromium redis-server')
    const ci = installPlan(['chromium'], { root: false, sudo: true, ci: true })
    expect(ci.action === 'install' && ci.commands[1]).toEqual(['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', 'chromium'])
  })

  it('the real script reports this machine: a missing binary makes --check fail', () => {
    const tool = join(root, 'test/tools/system-deps.ts')
    const here = spawnSync(process.execPath, [tool, '--check'], { encoding: 'utf8' })
    const missing = missingPackages()
    expect(here.status).toBe(missing.length ? 1 : 0)
    expect(here.stdout).toContain(missing.length ? missing.join(' ') : 'all Debian packages')
  })
})
