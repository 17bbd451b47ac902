// Test projects named by where the tests run: `*.node.test.ts` (plain Node 22), `*.component.test.ts`
// (Vue components in happy-dom) and `*.e2e.test.ts` (the browser host driven in Chromium, serially).
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

const r = (p: string): string => resolve(import.meta.dirname, p)

export default defineConfig({
  resolve: { alias: { '@renderer': r('renderer/src'), '@core': r('core') } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'node', environment: 'node', sequence: { groupOrder: 0 }, include: ['test/**/*.node.test.ts'], testTimeout: 60_000 },
      },
      {
        extends: true,
        plugins: [vue()],
        test: { name: 'component', environment: 'happy-dom', sequence: { groupOrder: 0 }, include: ['test/**/*.component.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // After the node and component projects, so Chromium and the workers get the CPU to themselves.
          sequence: { concurrent: false, groupOrder: 1 },
        },
      },
    ],
  },
})
