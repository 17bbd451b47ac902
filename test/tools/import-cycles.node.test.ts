// The import-cycle check finds a planted circle (and names its files), passes an acyclic tree, and the project's
// sources have none.
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { describe, it, expect, afterAll } from 'vitest'
import { findCycles, importGraph } from './import-cycles.ts'

const root = mkdtempSync(join(tmpdir(), 'kvmbench-cycles-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name)
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true })
    writeFileSync(join(dir, f), text)
  }
  return dir
}

describe('import-cycles check', () => {
  it('finds a circle through a type-only import and a re-export, naming its files', () => {
    const dir = tree('planted', {
      'a.ts': "import { b } from './sub/b.ts'\nexport const a = b + 1\n",
      'sub/b.ts': "export { c as b } from '../c.ts'\n",
      'c.ts': "import type { A } from './types.ts'\nexport const c: A = 1\n",
      'types.ts': "import type { a } from './a.ts'\nexport type A = typeof a extends number ? number : never\n",
      'leaf.ts': "import { a } from './a.ts'\nexport const leaf = a\n",
    })
    const cycles = findCycles(importGraph([dir]))
    expect(cycles).toHaveLength(1)
    const names = cycles[0]!.map((f) => f.slice(dir.length + 1))
    expect(names).toEqual(['a.ts', 'sub/b.ts', 'c.ts', 'types.ts', 'a.ts'])
  })

  it('exits 1 on a planted circle and 0 on an acyclic tree (the CLI that npm test runs)', () => {
    const bad = tree('cli-bad', { 'x.ts': "import './y.ts'\n", 'y.ts': "import './x.ts'\n" })
    const good = tree('cli-good', { 'x.ts': "import './y.ts'\n", 'y.ts': 'export {}\n' })
    const run = (dir: string): { code: number; err: string } => {
      try {
        execFileSync(process.execPath, [join(import.meta.dirname, 'import-cycles.ts'), dir], { stdio: 'pipe' })
        return { code: 0, err: '' }
      } catch (e) {
        const x = e as { status: number; stderr: Buffer }
        return { code: x.status, err: x.stderr.toString() }
      }
    }
    const r = run(bad)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/import circle: .*x\.ts → .*y\.ts → .*x\.ts/)
    expect(run(good).code).toBe(0)
  })

  // this is the check `npm test` runs (through vitest); `npm run check:cycles` runs the same from the command line
  it('core/, main/ and renderer/src have no import circle', () => {
    const root = join(import.meta.dirname, '../..')
    const cycles = findCycles(importGraph(['core', 'main', 'renderer/src'].map((d) => join(root, d))))
    expect(cycles.map((c) => c.join(' → '))).toEqual([])
  })
})
