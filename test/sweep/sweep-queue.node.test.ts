// The sweep on BullMQ over a real redis-server (never a mock): two `kvmbench worker` processes, one killed
// with SIGKILL while it runs a point; BullMQ's stalled-job check gives that point to the other worker, and
// the lines equal a local run of the same spec.
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SWEEP_QUEUE } from '../../main/sweep/queue-sweep.ts'
import { readSweepLines } from '../../main/sweep/sweep-file.ts'
import type { SweepLine } from '../../main/sweep/sweep-file.ts'
import { startRedisServer } from '../../main/sweep/redis-server.ts'
import type { RedisServer } from '../../main/sweep/redis-server.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const root = resolve(import.meta.dirname, '../..')
const cli = join(root, 'main/cli/kvmbench.ts')
const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-queue-'))
let redis: RedisServer
const workers: ChildProcess[] = []

beforeAll(async () => { redis = await startRedisServer() })
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL')
  await redis?.stop()
  rmSync(tmp, { recursive: true, force: true })
})

writeFileSync(join(tmp, 'base.json'), JSON.stringify(tinyProfile(['base'], 0.15)))
const specPath = join(tmp, 'spec.json')
writeFileSync(specPath, JSON.stringify({
  schemaVersion: 1, base: 'base.json',
  axes: [{ path: 'host.kvm.haltPoll.haltPollNs', values: [0, 50000, 200000] }, { path: 'vms[0].kvm.disableExits.hlt', values: [false, true] }],
  seeds: [3],
}))

function startWorker(): ChildProcess {
  const w = spawn(process.execPath, [cli, 'worker', '--queue', redis.url, '--concurrency', '1', '--lock-ms', '2000'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
  workers.push(w)
  return w
}

const byKey = (ls: SweepLine[]): SweepLine[] => [...ls].sort((a, b) => a.key.localeCompare(b.key))

describe('kvmbench sweep --queue (BullMQ over redis-server)', () => {
  it('two workers, one killed mid-point: every point finishes once, the lines equal a local run', async () => {
    const a = startWorker()
    const b = startWorker()
    const out = join(tmp, 'queue.jsonl')
    const sweep = spawn(process.execPath, [cli, 'sweep', specPath, '--queue', redis.url, '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    sweep.stderr!.on('data', (d: Buffer) => { err += d.toString() })
    const done = new Promise<number | null>((res) => sweep.once('exit', (code) => res(code)))
    // kill worker a while both workers hold a point (concurrency 1 each: two active jobs)
    const q = new Queue(SWEEP_QUEUE, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } })
    let killed = false
    for (let i = 0; i < 600 && !killed; i++) {
      if ((await q.getActiveCount()) === 2) { a.kill('SIGKILL'); killed = true } else await new Promise((r) => setTimeout(r, 50))
    }
    await q.close()
    expect(killed).toBe(true)
    expect(await done, err).toBe(0)
    const viaQueue = readSweepLines(out)
    expect(viaQueue).toHaveLength(6)
    expect(new Set(viaQueue.map((l) => l.key)).size).toBe(6)
    const localOut = join(tmp, 'local.jsonl')
    const local = spawnSync(process.execPath, [cli, 'sweep', specPath, '--out', localOut, '--workers', '2'], { cwd: root, encoding: 'utf8', timeout: 120_000 })
    expect(local.status, local.stderr).toBe(0)
    expect(byKey(viaQueue)).toEqual(byKey(readSweepLines(localOut)))
    b.kill('SIGTERM')
    await new Promise((res) => b.once('exit', res))
  }, 180_000)
})
