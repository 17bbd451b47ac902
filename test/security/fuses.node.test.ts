// Checklist item 19: the packaged app's Electron fuses are set in electron-builder.yml (flipped at packaging).
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'

const yml = readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')

function fuses(): Record<string, string> {
  const block = /^electronFuses:\n((?:[ ]{2}\w+: \w+\n?)+)/m.exec(yml)
  if (!block) return {}
  return Object.fromEntries([...block[1]!.matchAll(/^[ ]{2}(\w+): (\w+)$/gm)].map((m) => [m[1]!, m[2]!]))
}

describe('electron-builder.yml electronFuses', () => {
  it('turns off running as Node, NODE_OPTIONS, the inspector flags and file:// extra privileges', () => {
    const f = fuses()
    expect(f).toMatchObject({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      grantFileProtocolExtraPrivileges: 'false',
    })
  })

  it('loads the app only from an integrity-checked asar', () => {
    expect(fuses()).toMatchObject({ onlyLoadAppFromAsar: 'true', enableEmbeddedAsarIntegrityValidation: 'true' })
  })
})
