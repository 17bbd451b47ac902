import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { describe, it, expect } from 'vitest'
import { DOC_PATH, BEGIN, END, renderDoc, fieldRows, renderTable } from './gen-profile-doc.ts'

const root = resolve(import.meta.dirname, '../..')

describe('docs/profile.md', () => {
  const doc = readFileSync(DOC_PATH, 'utf8')
  it('is up to date with core/profile/profile-schema.ts (run `node test/tools/gen-profile-doc.ts` to fix)', () => {
    expect(renderDoc(doc)).toBe(doc)
  })
  it('the --check mode of the generator agrees', () => {
    const r = spawnSync(process.execPath, [join(root, 'test/tools/gen-profile-doc.ts'), '--check'], { cwd: root, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
  it('lists every leaf field of the schema, with its counterpart where the brief names one', () => {
    const table = renderTable()
    for (const f of fieldRows()) expect(table).toContain(`| \`${f.path}\` |`)
    expect(table).toMatch(/`host\.kernel\.cmdline\.nohzFull` .*`nohz_full=`/)
    expect(table).toMatch(/`vms\[\]\.kvm\.disableExits\.hlt` .*KVM_X86_DISABLE_EXITS_HLT.*cpu-pm=on/)
    expect(table).toMatch(/`vms\[\]\.pinning\.vcpupin` .*<vcpupin/)
  })
  it('detects a stale table and a missing marker', () => {
    const stale = doc.replace('| `host.kvm.piInjectTimer` |', '| `host.kvm.piInjectTimerOld` |')
    expect(renderDoc(stale)).not.toBe(stale)
    expect(() => renderDoc(doc.replace(BEGIN, ''))).toThrow(/markers/)
    expect(doc.indexOf(END)).toBeGreaterThan(doc.indexOf(BEGIN))
  })
  it('documents the override mechanism and a minimal example', () => {
    expect(doc).toContain('arrays and scalars **replace**')
    expect(doc).toContain('overrides.vms.<name>')
    expect(doc).toContain('"schemaVersion": 1')
  })
})
