// One configuration of a profile run in this process, as `kvmbench run` does in a worker:
//   node bench/example.ts PROFILE CONFIG
// runs it twice — cold (the first run in a fresh process, JIT compilation included, which is what a
// worker does) and warm (the same again) — and prints one JSON line per run: the model's events, wall
// and CPU time around runConfiguration (setup included) and the process's peak RSS so far. bench.ts runs
// each configuration in a fresh process so the peak RSS is that configuration's, as in a worker, with the V8 flags of
// a worker in a pool with one worker per core (workerV8Flags(), main/worker/launcher.ts).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadProfile, runConfiguration } from '../core/index.ts'

export interface ExampleRun {
  config: string
  /** 'cold': the first run in a fresh process; 'warm': the second. */
  phase: 'cold' | 'warm'
  seed: number
  events: number
  virtualNs: number
  wallSeconds: number
  cpuSeconds: number
  /** result.wallMs: the engine loop and result collection, without setup. */
  runWallMs: number
  /** RSS after loading the core and the profile, before the run. */
  rssBeforeBytes: number
  /** Peak RSS of the process so far (resourceUsage().maxRSS). */
  maxRssBytes: number
}

export function runExample(profileJson: unknown, config: string, phase: 'cold' | 'warm'): ExampleRun {
  const loaded = loadProfile(profileJson)
  if (!loaded.ok) throw new Error(`invalid profile: ${loaded.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
  const rssBeforeBytes = process.memoryUsage.rss()
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const r = runConfiguration(loaded.profile, config)
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  return {
    config, phase, seed: r.seed, events: r.events, virtualNs: r.virtualNs, wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6, runWallMs: r.wallMs,
    rssBeforeBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const [profilePath, config] = process.argv.slice(2)
  if (!profilePath || !config) {
    console.error('usage: node bench/example.ts PROFILE CONFIG')
    process.exit(2)
  }
  const json: unknown = JSON.parse(readFileSync(profilePath, 'utf8'))
  console.log(JSON.stringify(runExample(json, config, 'cold')))
  console.log(JSON.stringify(runExample(json, config, 'warm')))
}
