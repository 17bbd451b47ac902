// Load (issue 7, item 5): a compare of 16 configurations × 5 replications (a profile generated from
// examples/posted-timer.json) and a 256-CPU host with 8 VMs (test/helpers/big-host.ts), each through the
// worker pool in real worker processes, in a fresh Node process. Reports wall time and the peak RSS of the
// main process (getrusage maxRSS) and of the workers (the peak of their summed RSS, and the largest one
// worker's VmHWM, sampled from /proc every 25 ms), each beside a stated memory bound.
// Run alone: `node bench/load.ts` (prints the figures); `npm run bench` runs it as one section.
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { configurationNames, loadProfile } from '../core/index.ts'
import { ChildProcessLauncher } from '../main/worker/child-process-launcher.ts'
import { WorkerPool } from '../main/worker/pool.ts'
import { bigHostProfile } from '../test/helpers/big-host.ts'
import { runNodeJson } from './child.ts'
import { NODE_BUILD } from './js-build.ts'
import { fmtMB, fmtSec, judge, section } from './report.ts'
import type { Figure } from './report.ts'

const EXAMPLE = join(import.meta.dirname, '../examples/posted-timer.json')
const MB = 2 ** 20

/** The stated bounds: the main process stays under 300 MB; each worker under 250 MB; all workers
 *  together under 250 MB per worker slot. */
export const LOAD_BOUNDS = { mainMB: 300, workerMB: 250 }

export interface LoadRun { name: string; jobs: number; workers: number; wallSeconds: number; failed: number; mainPeakBytes: number; workersPeakBytes: number; workerMaxBytes: number }

function kbField(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** A profile of 16 configurations from the posted-timer example: its two configurations × 8 halt-polling windows. */
export function compareProfile(durationSec: number): Record<string, unknown> {
  const base = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & { configurations: { name: string; description: string; overrides: Record<string, unknown> }[] }
  const configurations = Array.from({ length: 16 }, (_, i) => {
    const c = base.configurations[i % base.configurations.length]!
    const ns = Math.floor(i / 2) * 50_000
    const host = (c.overrides.host ?? {}) as Record<string, unknown>
    const kvm = (host.kvm ?? {}) as Record<string, unknown>
    return { name: `${c.name}-hp${ns / 1000}us`, description: `${c.description} (halt_poll_ns ${ns})`, overrides: { ...c.overrides, host: { ...host, kvm: { ...kvm, haltPoll: { haltPollNs: ns } } } } }
  })
  return { ...base, name: 'load: 16 configurations', run: { ...(base.run as object), durationSec }, configurations }
}

async function runLoad(name: string, profile: unknown, replications: number, workers: number): Promise<LoadRun> {
  const loaded = loadProfile(profile)
  if (!loaded.ok) throw new Error(`${name}: the generated profile is invalid: ${JSON.stringify(loaded.issues.slice(0, 3))}`)
  const configs = configurationNames(loaded.profile)
  const pool = new WorkerPool(new ChildProcessLauncher({ workerPath: join(NODE_BUILD, 'sim-worker.js') }), { size: workers })
  let workersPeak = 0
  const hwm = new Map<number, number>()
  const sample = (): void => {
    let sum = 0
    for (const pid of pool.pids) {
      sum += kbField(pid, 'VmRSS')
      hwm.set(pid, Math.max(hwm.get(pid) ?? 0, kbField(pid, 'VmHWM')))
    }
    workersPeak = Math.max(workersPeak, sum)
  }
  const timer = setInterval(sample, 25)
  const t0 = process.hrtime.bigint()
  const outcomes = await Promise.allSettled(configs.flatMap((config) => Array.from({ length: replications }, (_, r) => pool.run({ profile, config, seed: 1 + r }).result)))
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  sample()
  clearInterval(timer)
  await pool.dispose()
  const failed = outcomes.filter((o) => o.status === 'rejected')
  if (failed.length) console.error(`${name}: ${failed.length} job(s) failed: ${(failed[0] as PromiseRejectedResult).reason}`)
  return { name, jobs: outcomes.length, workers, wallSeconds, failed: failed.length, mainPeakBytes: process.resourceUsage().maxRSS * 1024, workersPeakBytes: workersPeak, workerMaxBytes: Math.max(0, ...hwm.values()) }
}

export function loadFigures(runs: LoadRun[]): Figure[] {
  return runs.flatMap((r) => {
    const id = `load.${r.name}`
    const label = r.name === 'compare' ? 'load: compare 16 × 5' : 'load: 256 CPUs, 8 VMs'
    const workerBound = LOAD_BOUNDS.workerMB * r.workers
    return [
      { id: `${id}.wall`, label: `${label}: wall`, value: r.wallSeconds, unit: 's', text: fmtSec(r.wallSeconds), target: `all ${r.jobs} jobs done`, status: r.failed ? 'missed' : 'met', note: `${r.jobs} jobs on ${r.workers} workers${r.failed ? `, ${r.failed} failed` : ''}` },
      { id: `${id}.mainRss`, label: `${label}: main peak RSS`, value: r.mainPeakBytes / MB, unit: 'MB', text: fmtMB(r.mainPeakBytes), target: `< ${LOAD_BOUNDS.mainMB} MB`, status: judge(r.mainPeakBytes / MB, (v) => v < LOAD_BOUNDS.mainMB) },
      { id: `${id}.workerRss`, label: `${label}: one worker peak RSS`, value: r.workerMaxBytes / MB, unit: 'MB', text: fmtMB(r.workerMaxBytes), target: `< ${LOAD_BOUNDS.workerMB} MB`, status: judge(r.workerMaxBytes / MB, (v) => v < LOAD_BOUNDS.workerMB) },
      { id: `${id}.workersRss`, label: `${label}: workers peak RSS`, value: r.workersPeakBytes / MB, unit: 'MB', text: fmtMB(r.workersPeakBytes), target: `< ${workerBound} MB (${LOAD_BOUNDS.workerMB} × ${r.workers})`, status: judge(r.workersPeakBytes / MB, (v) => v < workerBound) },
    ] satisfies Figure[]
  })
}

/** The bench section: runs this file in a fresh process (so the main-process RSS is the load's alone). */
export async function loadSection(emit: (f: Figure) => void): Promise<LoadRun[]> {
  console.log(section('Load: a compare of 16 configurations × 5 replications, and a 256-CPU host with 8 VMs, through the worker pool (fresh process each)'))
  const runs: LoadRun[] = []
  for (const which of ['compare', 'big-host']) {
    const [r] = await runNodeJson<LoadRun>(import.meta.filename, [which])
    if (r) runs.push(r)
  }
  for (const f of loadFigures(runs)) emit(f)
  return runs
}

if (import.meta.main) {
  const which = process.argv[2]
  const workers = availableParallelism()
  if (which === 'compare') console.log(JSON.stringify(await runLoad('compare', compareProfile(0.25), 5, workers)))
  else if (which === 'big-host') console.log(JSON.stringify(await runLoad('big-host', bigHostProfile({ configurations: 4, durationSec: 0.25 }), 1, workers)))
  else {
    const { tableHeader, tableRow } = await import('./report.ts')
    console.log(tableHeader())
    await loadSection((f) => console.log(tableRow(f)))
  }
}
