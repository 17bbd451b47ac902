// electron-vite: three bundles from top-level folders (main/, preload/, renderer/). The simulation worker is
// its own chunk in out/main, pulled in by `import simWorkerPath from '../worker/sim-worker.ts?modulePath'`
// in main/electron/utility-process-launcher.ts.
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { nodeOutput } from './vite.node.config.ts'

const r = (p: string): string => resolve(import.meta.dirname, p)

export default defineConfig({
  main: {
    build: { rollupOptions: { input: { index: r('main/electron/index.ts') }, output: nodeOutput } },
  },
  preload: {
    // Sandboxed preloads cannot load ESM: force CommonJS `index.cjs` despite "type": "module".
    build: { rollupOptions: { input: { index: r('preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    root: r('renderer'),
    resolve: { alias: { '@renderer': r('renderer/src'), '@core': r('core') } },
    // Two pages: the app, and the PDF report page (report.html: a frozen snapshot, printed to PDF).
    build: { rollupOptions: { input: { index: r('renderer/index.html'), report: r('renderer/report.html') } } },
    plugins: [vue()],
  },
})
