// Writes type-stripped JavaScript copies of bench/hold.ts and the engine files it imports into a temp dir,
// so the hold model can also run in a process that never loads Node's TypeScript stripper. That stripper
// is WebAssembly; growing its memory detaches an ArrayBuffer, which invalidates V8's ArrayBufferDetaching
// protector, and from then on optimised code checks for detachment on every typed-array access. The
// built app (electron-vite output) runs plain JS, the CLI and `node bench/…` run .ts: both are measured.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { stripTypeScriptTypes } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const FILES = ['bench/hold.ts', 'core/engine/engine.ts', 'core/engine/event-queue.ts', 'core/engine/rng.ts']

export interface PlainJs {
  /** The stripped bench/hold.ts, as bench/hold.js in the temp dir. */
  holdScript: string
  dispose(): void
}

export function writePlainJs(): PlainJs {
  const dir = mkdtempSync(join(tmpdir(), 'kvmbench-bench-js-'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  // stripTypeScriptTypes is "experimental" on Node 22 and says so once; the bench's output stays clean.
  const emit = process.emitWarning
  process.emitWarning = () => {}
  try {
    for (const f of FILES) {
      const js = stripTypeScriptTypes(readFileSync(join(ROOT, f), 'utf8'))
        .replace(/(from\s+'\.{1,2}\/[^']*)\.ts'/g, "$1.js'")
      const out = join(dir, f.replace(/\.ts$/, '.js'))
      mkdirSync(dirname(out), { recursive: true })
      writeFileSync(out, js)
    }
  } finally {
    process.emitWarning = emit
  }
  return { holdScript: join(dir, 'bench/hold.js'), dispose: () => rmSync(dir, { recursive: true, force: true }) }
}
