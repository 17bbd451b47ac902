// A 200-point sweep of the posted-timer example through the built CLI (out/node/kvmbench.js, as the package
// runs): points per second on 1 and 2 local workers, and on 2 `kvmbench worker` processes through BullMQ
// over a local redis-server. Each point simulates 50 ms of virtual time (the sweep's run.durationSec axis)
// so the figure shows the sweep machinery as much as the model.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { startRedisServer } from '../main/sweep/redis-server.ts'
import { runChild } from './child.ts'
import { NODE_BUILD } from './js-build.ts'
import { section } from './report.ts'
import type { Figure } from './report.ts'

const ROOT = join(import.meta.dirname, '..')
const CLI = join(NODE_BUILD, 'kvmbench.js')
export const SWEEP_POINTS = 200

export interface SweepBench { local1: number | null; local2: number | null; queue2: number | null; note: string }

async function timedSweep(args: string[]): Promise<number> {
  const t0 = Date.now()
  const r = await runChild(process.execPath, [CLI, 'sweep', ...args], ROOT)
  if (r.code !== 0) throw new Error(`kvmbench sweep ${args.join(' ')} failed: ${r.stderr.trim().slice(-400)}`)
  return SWEEP_POINTS / ((Date.now() - t0) / 1000)
}

export async function sweepSection(emit: (f: Figure) => void): Promise<SweepBench> {
  console.log(section(`Sweep: ${SWEEP_POINTS} points of examples/posted-timer.json (10 halt_poll_ns × pi_inject_timer 0/1 × 10 seeds, 50 ms each) through the built CLI`))
  const dir = mkdtempSync(join(tmpdir(), 'kvmbench-bench-sweep-'))
  const spec = join(dir, 'spec.json')
  writeFileSync(spec, JSON.stringify({
    schemaVersion: 1, base: relative(dir, join(ROOT, 'examples', 'posted-timer.json')), configuration: 'posted-timer',
    axes: [
      { path: 'host.kvm.haltPoll.haltPollNs', range: { from: 0, to: 180000, step: 20000 } },
      { path: 'host.kvm.piInjectTimer', values: [0, 1] },
      { path: 'run.durationSec', values: [0.05] },
    ],
    seeds: Array.from({ length: 10 }, (_, i) => i + 1),
  }))
  const out: SweepBench = { local1: null, local2: null, queue2: null, note: '' }
  try {
    out.local1 = await timedSweep([spec, '--out', join(dir, 'w1.jsonl'), '--workers', '1'])
    out.local2 = await timedSweep([spec, '--out', join(dir, 'w2.jsonl'), '--workers', '2'])
    let redis
    try { redis = await startRedisServer() } catch (e) { out.note = (e as Error).message }
    if (redis) {
      const workers = [0, 1].map(() => spawn(process.execPath, [CLI, 'worker', '--queue', redis.url, '--concurrency', '1'], { cwd: ROOT, stdio: 'ignore' }))
      try {
        await new Promise((r) => setTimeout(r, 1500)) // the workers connect and start their simulation processes
        out.queue2 = await timedSweep([spec, '--out', join(dir, 'q2.jsonl'), '--queue', redis.url])
      } finally {
        for (const w of workers) w.kill('SIGTERM')
        await Promise.all(workers.map((w) => new Promise((r) => w.exitCode !== null ? r(null) : w.once('exit', r))))
        await redis.stop()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const fig = (id: string, label: string, v: number | null, note: string): void => emit({ id, label, value: v, unit: 'points/s', text: v === null ? 'n/a' : `${v.toFixed(2)} points/s`, target: '—', status: v === null ? 'n/a' : 'info', note })
  fig('sweep.local.1', `Sweep, ${SWEEP_POINTS} points · 1 local worker`, out.local1, '50 ms of virtual time a point; end to end, CLI start included')
  fig('sweep.local.2', `Sweep, ${SWEEP_POINTS} points · 2 local workers`, out.local2, out.local1 && out.local2 ? `${(out.local2 / out.local1).toFixed(2)}× 1 worker` : '')
  fig('sweep.queue.2', `Sweep, ${SWEEP_POINTS} points · 2 queue workers`, out.queue2, out.queue2 && out.local1 ? `${(out.queue2 / out.local1).toFixed(2)}× 1 local worker; BullMQ over a local redis-server` : out.note)
  return out
}
