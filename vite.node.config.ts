// The Node-side programs as plain JavaScript, for the npm package (`bin`) and a start without Node's
// TypeScript stripper: the CLI, the simulation worker and the browser host, in one flat folder out/node
// (child-process-launcher.ts finds sim-worker.js beside itself; main/paths.ts finds the package root by
// its package.json). Packages stay external: they are `dependencies`, loaded from node_modules.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

const r = (p: string): string => resolve(import.meta.dirname, p)

export default defineConfig({
  build: {
    ssr: true,
    target: 'node22',
    outDir: r('out/node'),
    emptyOutDir: true,
    minify: false,
    copyPublicDir: false,
    rollupOptions: {
      input: { kvmbench: r('main/cli/kvmbench.ts'), 'sim-worker': r('main/worker/sim-worker.ts'), serve: r('main/host/serve.ts') },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
})
