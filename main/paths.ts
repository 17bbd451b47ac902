// Paths and facts about this checkout, for the hosts that run from source under Node 22 (CLI, browser host).
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
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
