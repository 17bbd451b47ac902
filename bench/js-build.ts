// Bench scripts as plain JavaScript, as kvmbench runs in its workers: the package's Node build
// (`npm run build:node` → out/node, what `kvmbench` and its workers run) and bench/example.ts bundled with
// the same Vite SSR build and output options (nodeOutput) into a temp folder, so no measured process loads
// Node's TypeScript stripper.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { runChild } from './child.ts'
import { nodeOutput } from '../vite.node.config.ts'

const ROOT = join(import.meta.dirname, '..')
export const NODE_BUILD = join(ROOT, 'out', 'node')

/** `npm run build:node`: out/node from the current sources. */
export async function buildNode(): Promise<void> {
  const r = await runChild('npm', ['run', 'build:node'], ROOT)
  if (r.code !== 0) throw new Error(`npm run build:node failed: ${r.stderr.trim().slice(-1000)}`)
}

export interface BenchJs { dir: string; script(name: string): string; dispose(): void }

/** Bundles bench/NAME.ts (with the core it imports) to DIR/NAME.js. */
export async function bundleBenchScripts(names: string[]): Promise<BenchJs> {
  const dir = mkdtempSync(join(tmpdir(), 'kvmbench-bench-bundle-'))
  await build({
    configFile: false, logLevel: 'warn', root: ROOT,
    build: {
      ssr: true, target: 'node22', outDir: dir, emptyOutDir: false, minify: false, copyPublicDir: false,
      rollupOptions: { input: Object.fromEntries(names.map((n) => [n, join(ROOT, 'bench', `${n}.ts`)])), output: { ...nodeOutput, format: 'es', entryFileNames: '[name].js' } },
    },
  })
  return { dir, script: (name) => join(dir, `${name}.js`), dispose: () => rmSync(dir, { recursive: true, force: true }) }
}
