// The kvmbench CLI spawned for real with this Node (as the package.json bin runs it), for the CLI tests.
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'

export const repoRoot = resolve(import.meta.dirname, '../..')
export const cliPath = join(repoRoot, 'main/cli/kvmbench.ts')

export interface CliRun { code: number | null; stdout: string; stderr: string }

/** A runner of `kvmbench ARGS…` with `cwd` as its working directory, killed after `timeoutMs`. */
export function kvmbenchIn(cwd: string, timeoutMs: number): (...args: string[]) => CliRun {
  return (...args) => {
    const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
}
