// The built CLI stays runnable as the package's bin (`npx kvmbench`) after every build, not only after npm's install.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/cli.ts'

describe('the built bin', () => {
  it('out/node/kvmbench.js is executable (npm test rebuilds it after npm ci marked it)', () => {
    expect(statSync(join(repoRoot, 'out/node/kvmbench.js')).mode & 0o111).toBe(0o111)
  })
})
