import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { checkPurity } from './core-purity.ts'

const root = resolve(import.meta.dirname, '../..')
const tool = join(root, 'test/tools/core-purity.ts')
const dir = mkdtempSync(join(tmpdir(), 'kvmbench-purity-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function runTool(target: string) {
  return spawnSync(process.execPath, [tool, target], { cwd: root, encoding: 'utf8' })
}

describe('core purity check', () => {
  it('passes on the real core/', () => {
    expect(checkPurity(join(root, 'core'), root)).toEqual([])
    const r = runTool('core')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('fails naming file:line and the import for Electron, node:* and builtin imports', () => {
    const d = join(dir, 'imports')
    mkdirSync(join(d, 'sub'), { recursive: true })
    writeFileSync(join(d, 'ok.ts'), "import { x } from './sub/y.ts'\nexport const a = x\n")
    writeFileSync(join(d, 'sub', 'y.ts'), "export const x = 1\nimport { app } from 'electron'\nimport { join } from 'node:path'\nimport * as fs from 'fs/promises'\nexport { Worker } from 'worker_threads'\nexport const m = () => import('child_process')\n")
    const r = runTool(d)
    expect(r.status).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines.some((l) => l.endsWith("y.ts:2: imports 'electron' (an Electron/Node-only package)"))).toBe(true)
    expect(r.stderr).toMatch(/y\.ts:3: imports 'node:path'/)
    expect(r.stderr).toMatch(/y\.ts:4: imports 'fs\/promises'/)
    expect(r.stderr).toMatch(/y\.ts:5: re-exports 'worker_threads'/)
    expect(r.stderr).toMatch(/y\.ts:6: imports 'child_process'/)
    expect(r.stderr).not.toMatch(/ok\.ts/)
  })

  it('fails on DOM and Node globals but not on comments, strings, property names or local names', () => {
    const d = join(dir, 'globals')
    mkdirSync(d, { recursive: true })
    writeFileSync(join(d, 'g.ts'), [
      '// window.document and process.env in a comment',
      "const s = 'localStorage.getItem(1)'",
      'const o = { window: 1, fetch: 2 }',
      'export const p = o.window + o.fetch + s.length',
      'export function f(document: number): number { return document }',
      'export const a = process.env',
      'export const b = window.innerWidth',
      'export const c = globalThis.Buffer',
      'export const d = typeof setImmediate',
      'export const e = fetch',
      'export const g = __dirname',
    ].join('\n'))
    const v = checkPurity(d, dir)
    expect(v.map((x) => `${x.line} ${x.message}`)).toEqual([
      "6 uses the global 'process'",
      "7 uses the global 'window'",
      "8 uses the global 'Buffer' (via globalThis)",
      "9 uses the global 'setImmediate'",
      "10 uses the global 'fetch'",
      "11 uses the global '__dirname'",
    ])
  })
})
