// Paths and facts about this package, for the Node hosts (CLI, browser host), whether they run from the
// sources (main/paths.ts) or from the build (out/node/*.js, in a checkout or an installed package).
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The nearest folder above this module that has a package.json: the checkout or the installed package. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return join(from, '..')
  }
}

export const REPO_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)))
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples')
export const RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer')

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/** Default data directory of the browser host: $XDG_DATA_HOME/kvmbench (~/.local/share/kvmbench). */
export function defaultDataDir(): string {
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'kvmbench')
}
