// The Node-side programs as plain JavaScript, for the npm package (`bin`) and a start without Node's
// TypeScript stripper: the CLI, the simulation worker and the browser host, in one flat folder out/node
// (child-process-launcher.ts finds sim-worker.js beside itself; main/paths.ts finds the package root by
// its package.json). Packages stay external: they are `dependencies`, loaded from node_modules.
import { chmodSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

const r = (p: string): string => resolve(import.meta.dirname, p)

/** Output of every bundle that runs the core under Node or Electron's utility process (this build, the Electron main
 *  bundle's worker chunk, the bench's example): no comments, and non-ASCII characters escaped. A source with a
 *  non-ASCII character (the core's messages and comments have µ, →, —) is held by V8 as a two-byte string, which it
 *  decodes from UTF-8 at load and scans more slowly each time it compiles a function lazily — in a worker's first run,
 *  while the model runs; pure ASCII stays one-byte, and without comments the bundle is a quarter smaller
 *  (bench/README.md, issue 12). Names stay as written (no minification): stack traces read as the source. */
export const nodeOutput = { comments: false, charset: 'ascii' } as const

export default defineConfig({
  // the package's bin: npm marks it executable when it links the package, but a later build (npm test, npm run build)
  // writes a new file, which without this would make `npx kvmbench` fail with "Permission denied"
  plugins: [{ name: 'kvmbench-bin-executable', writeBundle: () => chmodSync(r('out/node/kvmbench.js'), 0o755) }],
  build: {
    ssr: true,
    target: 'node22',
    outDir: r('out/node'),
    emptyOutDir: true,
    minify: false,
    copyPublicDir: false,
    rollupOptions: {
      input: { kvmbench: r('main/cli/kvmbench.ts'), 'sim-worker': r('main/worker/sim-worker.ts'), serve: r('main/host/serve.ts') },
      output: { ...nodeOutput, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
})
