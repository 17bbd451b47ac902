// The Node build (out/node, `npm run build:node`) for tests that run it: rebuilt when a source is newer
// than it, under a lock so test files running in parallel never see a half-written out/node.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
export const NODE_BUILD = join(ROOT, 'out', 'node')
const LOCK = join(ROOT, 'out', '.node-build.lock')

function newest(dir: string): number {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0)
  }
  return t
}

function stale(): boolean {
  const built = join(NODE_BUILD, 'kvmbench.js')
  if (!existsSync(built)) return true
  const sources = Math.max(newest(join(ROOT, 'main')), newest(join(ROOT, 'core')), statSync(join(ROOT, 'vite.node.config.ts')).mtimeMs)
  return sources > statSync(built).mtimeMs
}

const sleep = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

/** Makes sure out/node is built from the current sources; returns its folder. */
export function ensureNodeBuild(): string {
  mkdirSync(join(ROOT, 'out'), { recursive: true })
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      if (waited > 120_000) throw new Error(`${LOCK} has been held for 2 minutes: remove it if no build is running`)
      sleep(100)
    }
  }
  try {
    if (stale()) {
      const r = spawnSync('npm', ['run', 'build:node'], { cwd: ROOT, encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`npm run build:node failed:\n${r.stdout}\n${r.stderr}`)
    }
  } finally {
    rmdirSync(LOCK)
  }
  return NODE_BUILD
}
