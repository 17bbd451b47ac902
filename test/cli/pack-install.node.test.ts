// The npm package, as a user gets it: `npm pack`, install the tarball into an empty folder, and run
// `npx kvmbench compare examples/posted-timer.json` there with Node 22 — the built JavaScript (bin:
// out/node/kvmbench.js), its runtime dependencies from the registry, the examples inside the package.
import { spawnSync } from 'node:child_process'
import type { SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureNodeBuild } from '../tools/node-build.ts'

const root = resolve(import.meta.dirname, '../..')
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-pack-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Node 22 (the `node` devDependency) first on PATH, so npm and the bin's `#!/usr/bin/env node` use it. */
const env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH].join(delimiter), npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' }

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`.slice(-4000))
  return r
}

describe('the npm package', () => {
  it('packs, installs into an empty folder and runs `npx kvmbench compare` there on Node 22', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> }
    expect(pkg.bin.kvmbench).toBe('out/node/kvmbench.js')
    expect(pkg.scripts.prepack).toBe('npm run build')
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['playwright-core', 'ws', 'conf']))
    // `npm pack` runs prepack (the whole build); here only the Node build is refreshed, with scripts
    // off, so a full rebuild does not pull out/renderer from under tests that serve it.
    ensureNodeBuild()
    const packed = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root)
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]
    const files = info!.files.map((f) => f.path)
    expect(files).toEqual(expect.arrayContaining(['out/node/kvmbench.js', 'out/node/sim-worker.js', 'out/node/serve.js', 'examples/posted-timer.json', 'package.json']))
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([])

    // every package the build loads at run time (static or dynamic import) is a dependency
    const built = readdirSync(join(root, 'out', 'node')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(root, 'out', 'node', f), 'utf8')).join('\n')
    const loaded = new Set([...built.matchAll(/(?:from |import\()"([^"./$][^"]*)"/g)].map((m) => m[1]!).filter((id) => !id.startsWith('node:')).map((id) => id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]!))
    expect([...loaded]).toContain('playwright-core')
    for (const id of loaded) expect(pkg.dependencies, `${id} is loaded by out/node at run time`).toHaveProperty([id])

    const app = join(tmp, 'app')
    sh('mkdir', ['-p', app], tmp)
    writeFileSync(join(app, 'package.json'), '{ "name": "kvmbench-user", "private": true }\n')
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(tmp, info!.filename)], app)
    expect(existsSync(join(app, 'node_modules', 'playwright-core', 'package.json'))).toBe(true)

    const r = sh('npx', ['--no-install', 'kvmbench', 'compare', 'examples/posted-timer.json'], app)
    expect(r.stdout).toMatch(/Analyze events for all VMs, all VCPUs:/)
    expect(r.stdout).toMatch(/Summary \(deltas against sw-timer\):/)
    expect(r.stdout).toMatch(/^posted-timer\s+[\d,]+\s+[+-][\d.]+%/m)
    expect(sh('npx', ['--no-install', 'kvmbench', '--version'], app).stdout.trim()).toBe(`kvmbench ${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`)
  }, 240_000)
})
