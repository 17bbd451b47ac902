// Runs a Node script (or any program) as a child process and collects its output and wall time.
import { spawn } from 'node:child_process'

export interface ChildResult {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
  wallSeconds: number
}

export function runChild(cmd: string, args: string[], cwd?: string): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      resolvePromise({ code, signal, stdout, stderr, wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9 })
    })
  })
}

/** Runs `node NODEARGS SCRIPT ARGS` with this Node and returns the JSON objects it printed one per line. */
export async function runNodeJson<T>(script: string, args: string[], nodeArgs: readonly string[] = []): Promise<T[]> {
  const r = await runChild(process.execPath, [...nodeArgs, script, ...args])
  if (r.code !== 0) {
    throw new Error(`node ${[...nodeArgs, script, ...args].join(' ')} failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim().slice(-2000)}`)
  }
  return jsonLines<T>(r.stdout)
}

export function jsonLines<T>(text: string): T[] {
  return text.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as T)
}
