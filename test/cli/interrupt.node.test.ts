// Ctrl-C on the kvmbench CLI, for real: the terminal's SIGINT reaches the whole process group (the command
// and its worker processes); the command exits 130 with a line saying what it kept, and leaves no worker.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { processExists, tinyProfile } from '../helpers/profiles.ts'

const root = resolve(import.meta.dirname, '../..')
const cli = join(root, 'main/cli/kvmbench.ts')
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-cli-interrupt-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((l) => Number(l.trim())).filter((n) => n > 0)
  } catch {
    return [] // ps exits 1 when it lists nothing
  }
}

/** Starts the CLI in its own process group, waits until `ready` is on stderr and `workers` children run, then
 *  sends SIGINT to the group as a terminal's Ctrl-C does. */
async function interrupt(args: string[], ready: RegExp, workers: number): Promise<{ code: number | null; stderr: string; workerPids: number[] }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: tmp, detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
  const deadline = Date.now() + 60_000
  let workerPids: number[] = []
  while (Date.now() < deadline) {
    workerPids = childrenOf(child.pid!)
    if (ready.test(stderr) && workerPids.length >= workers) break
    await new Promise((r) => setTimeout(r, 200))
  }
  expect(workerPids.length, stderr).toBeGreaterThanOrEqual(workers)
  await new Promise((r) => setTimeout(r, 500))
  process.kill(-child.pid!, 'SIGINT')
  const code = await exited
  await new Promise((r) => setTimeout(r, 500))
  return { code, stderr, workerPids }
}

const profilePath = join(tmp, 'long.json')
writeFileSync(profilePath, JSON.stringify(tinyProfile(['base', 'tuned'], 60)))

describe('Ctrl-C', () => {
  it('sweep: exits 130, says how many points it kept and to --resume, no stack trace, no worker left', async () => {
    const spec = join(tmp, 'long-sweep.json')
    writeFileSync(spec, JSON.stringify({ schemaVersion: 1, base: 'long.json', axes: [{ path: 'host.kvm.haltPoll.haltPollNs', values: [0, 100000] }] }))
    const r = await interrupt(['sweep', spec, '--out', join(tmp, 'points.jsonl'), '--workers', '2'], /on 2 local workers/, 2)
    expect(r.code).toBe(130)
    expect(r.stderr).toMatch(/kvmbench: interrupted after 0 points in [\d.]+ s .* — run again with --resume to finish\n$/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    for (const pid of r.workerPids) expect(processExists(pid), `worker ${pid}`).toBe(false)
  }, 90_000)

  it('compare: exits 130 and says it wrote nothing, no worker left', async () => {
    const r = await interrupt(['compare', profilePath, '--workers', '2'], /^/, 2)
    expect(r.code).toBe(130)
    expect(r.stderr).toBe('kvmbench: interrupted — the workers are stopped; no report or JSON was written\n')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    for (const pid of r.workerPids) expect(processExists(pid), `worker ${pid}`).toBe(false)
  }, 90_000)
})
