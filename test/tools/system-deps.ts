#!/usr/bin/env node
// The Debian packages the tests need, in one place: `npm test` starts here. When a binary is missing it
// installs the packages that provide it (as root, or with passwordless sudo on CI) with
// `apt-get update` + `apt-get install -y --no-install-recommends`; otherwise it stops with a message that
// names the packages and the command to run. `node test/tools/system-deps.ts --check` only reports.
import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'

/** Debian package → the binaries the tests run from it. */
export const SYSTEM_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  // the end-to-end tests and `kvmbench report` drive Debian's Chromium with playwright-core
  chromium: ['chromium'],
  // PDF checks: pdftoppm renders report pages, pdftotext reads them
  'poppler-utils': ['pdftoppm', 'pdftotext'],
  // the libvirt domain XML round trip: virt-xml-validate (which runs xmllint)
  'libvirt-clients': ['virt-xml-validate'],
  'libxml2-utils': ['xmllint'],
  // the BullMQ sweep queue tests run a real redis-server
  'redis-server': ['redis-server'],
  // QEMU's own option parser checks the exported command lines
  'qemu-system-x86': ['qemu-system-x86_64'],
}

/** Where binaries are looked for besides $PATH (root's PATH has sbin, a user's may not). */
const SYSTEM_DIRS = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']

export function hasBinary(name: string, pathEnv = process.env.PATH ?? ''): boolean {
  const dirs = [...pathEnv.split(delimiter).filter(Boolean), ...SYSTEM_DIRS]
  return dirs.some((d) => {
    try {
      accessSync(join(d, name), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** The packages with at least one binary missing, in table order. */
export function missingPackages(
  table: Readonly<Record<string, readonly string[]>> = SYSTEM_PACKAGES,
  has: (binary: string) => boolean = (b) => hasBinary(b),
): string[] {
  return Object.entries(table).filter(([, bins]) => bins.some((b) => !has(b))).map(([pkg]) => pkg)
}

export type InstallPlan =
  | { action: 'none' }
  | { action: 'install'; commands: string[][] }
  | { action: 'refuse'; message: string }

/** What to do about the missing packages: as root, install them; with passwordless sudo on CI, the same
 *  through `sudo -n`; otherwise refuse with the command for the user to run. */
export function installPlan(missing: string[], o: { root: boolean; sudo: boolean; ci: boolean }): InstallPlan {
  if (!missing.length) return { action: 'none' }
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing]
  const update = ['apt-get', 'update']
  if (o.root) return { action: 'install', commands: [update, install] }
  // sudo resets the environment: pass DEBIAN_FRONTEND through env(1)
  const sudo = ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive']
  if (o.ci && o.sudo) return { action: 'install', commands: [[...sudo, ...update], [...sudo, ...install]] }
  return {
    action: 'refuse',
    message: [
      `The tests need these Debian packages, which are not installed: ${missing.join(', ')}`,
      `(missing: ${missing.map((p) => SYSTEM_PACKAGES[p]?.join(', ') ?? p).join('; ')}).`,
      'Install them as root, then run the tests again:',
      `  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`,
      'or run the test command as root, which installs them itself.',
    ].join('\n'),
  }
}

function main(argv: string[]): number {
  const missing = missingPackages()
  if (argv.includes('--check')) {
    console.log(missing.length ? `missing Debian packages: ${missing.join(' ')}` : 'all Debian packages the tests need are installed')
    return missing.length ? 1 : 0
  }
  const root = process.getuid?.() === 0
  const sudo = !root && hasBinary('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0
  const plan = installPlan(missing, { root, sudo, ci: Boolean(process.env.CI) && process.env.CI !== 'false' })
  if (plan.action === 'none') return 0
  if (plan.action === 'refuse') {
    process.stderr.write(`system-deps: ${plan.message}\n`)
    return 1
  }
  console.log(`system-deps: installing ${missing.join(' ')} (apt-get)`)
  for (const [cmd, ...args] of plan.commands) {
    const r = spawnSync(cmd!, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (r.status !== 0) {
      process.stderr.write(`system-deps: \`${[cmd, ...args].join(' ')}\` failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})\n`)
      return 1
    }
  }
  const still = missingPackages()
  if (still.length) {
    process.stderr.write(`system-deps: after apt-get install, still missing the binaries of ${still.join(', ')}\n`)
    return 1
  }
  return 0
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) process.exitCode = main(process.argv.slice(2))
