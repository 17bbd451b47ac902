// `npm run serve` as a real process (main/host/serve.ts) on a one-line renderer, and the simulation
// workers of a process as /proc shows them.
import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'

const root = resolve(import.meta.dirname, '../..')

export interface ServeProcess {
  child: ChildProcessByStdio<null, Readable, null>
  /** The address it printed (with ?token=). */
  url: URL
  exited: Promise<number | null>
  /** POST /api/<channel> with the token; the value, or throws with the error message. */
  call(channel: string, body: unknown): Promise<any>
}

export async function startServe(dir: string, dataDir: string, workers = 2): Promise<ServeProcess> {
  const rendererDir = join(dir, 'renderer')
  mkdirSync(rendererDir, { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>kvmbench</title>')
  const child = spawn(process.execPath, [join(root, 'main/host/serve.ts'), '--port', '0', '--data', dataDir, '--renderer', rendererDir, '--workers', String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)))
  const url = await new Promise<URL>((res, rej) => {
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += String(c)
      const m = /(http:\/\/\S+)/.exec(out)
      if (m) res(new URL(m[1]!))
    })
    void exited.then((c) => rej(new Error(`serve exited with ${c}`)))
  })
  const token = url.searchParams.get('token')
  return {
    child, url, exited,
    async call(channel, body) {
      const r = await fetch(`${url.origin}/api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) })
      const j = (await r.json()) as { ok: boolean; value?: unknown; error?: { message: string } }
      if (!j.ok) throw new Error(`${channel}: ${j.error?.message}`)
      return j.value
    },
  }
}

/** A process's state letter (R, S, T, Z, …), or undefined when it is gone. */
export function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
  } catch {
    return undefined
  }
}

/** Simulation worker processes whose parent is `ppid` (Linux /proc). */
export function workersOf(ppid: number): number[] {
  const out: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (parent === ppid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('sim-worker')) out.push(Number(d))
    } catch {
      // gone meanwhile
    }
  }
  return out
}
