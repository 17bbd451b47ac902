// docs/model.md opens with a map from the kernel functions the model mirrors to the files that mirror them (issue 12):
// every mechanism file — each file under core/kvm/, core/guest/ and core/host/ — is named in it, so a new mechanism
// cannot land without its row, and every file the map names exists.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

function mapSection(): string {
  const doc = readFileSync(join(ROOT, 'docs/model.md'), 'utf8')
  const start = doc.indexOf('## Map')
  const end = doc.indexOf('\n## ', start + 1)
  if (start < 0 || end < 0) throw new Error('docs/model.md has no "## Map" section')
  return doc.slice(start, end)
}

describe('docs/model.md map', () => {
  const map = mapSection()
  const named = new Set([...map.matchAll(/`(core\/[^`]+)`/g)].map((m) => m[1]!))

  it('names every mechanism file under core/kvm, core/guest and core/host', () => {
    const files = ['kvm', 'guest', 'host'].flatMap((d) =>
      readdirSync(join(ROOT, 'core', d)).filter((f) => f.endsWith('.ts')).map((f) => `core/${d}/${f}`))
    expect(files.length).toBeGreaterThan(40)
    expect(files.filter((f) => !named.has(f))).toEqual([])
  })

  it('names only files and folders that exist', () => {
    expect([...named].filter((f) => !existsSync(join(ROOT, f)))).toEqual([])
  })
})
