// `kvmbench run` and `kvmbench compare`: each configuration runs in its own worker process through the
// same WorkerPool as the apps use (child-process launcher), with progress on stderr.
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { configurationNames, formatCompareTable, formatConfigReport } from '../../core/index.ts'
import { RESULT_SCHEMA_VERSION } from '../../core/result.ts'
import type { ConfigResult, RunResultJson } from '../../core/result.ts'
import { ChildProcessLauncher } from '../worker/child-process-launcher.ts'
import { WorkerPool } from '../worker/pool.ts'
import { UsageError, numberOption } from './args.ts'
import type { ParsedArgs } from './args.ts'
import { perfVersionOption } from './perf-version.ts'
import { assertRunnable, readProfileFile } from './profile-file.ts'
import { ProgressLine } from './progress.ts'

export interface RunOutcome { results: ConfigResult[]; failures: { config: string; message: string }[] }

export async function runConfigs(
  profileJson: unknown,
  configs: string[],
  o: { seed?: number; durationSec?: number; workers?: number; onProgress?: (config: string, fraction: number) => void },
): Promise<RunOutcome> {
  const pool = new WorkerPool(new ChildProcessLauncher(), { size: Math.max(1, Math.min(o.workers ?? availableParallelism(), configs.length)) })
  const onSignal = (): void => {
    void pool.dispose().then(() => {
      process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}kvmbench: interrupted — the workers are stopped; no report or JSON was written\n`)
      process.exit(130)
    })
  }
  process.once('SIGINT', onSignal)
  try {
    const settled = await Promise.allSettled(configs.map((config) => pool.run(
      { profile: profileJson, config, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.durationSec !== undefined ? { durationSec: o.durationSec } : {}) },
      { onProgress: (f) => o.onProgress?.(config, f) },
    ).result))
    const results: ConfigResult[] = []
    const failures: RunOutcome['failures'] = []
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') results.push(s.value)
      else failures.push({ config: configs[i] ?? '?', message: s.reason instanceof Error ? s.reason.message : String(s.reason) })
    })
    return { results, failures }
  } finally {
    process.off('SIGINT', onSignal)
    await pool.dispose()
  }
}

/** Runs `run` or `compare`; returns the exit code. */
export async function runOrCompare(mode: 'run' | 'compare', args: ParsedArgs): Promise<number> {
  const path = args.positionals[0] ?? ''
  const seed = numberOption(args.values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true })
  const durationSec = numberOption(args.values, 'duration', { min: 0.001, max: 3600 })
  const workers = numberOption(args.values, 'workers', { min: 1, max: 256, integer: true })
  const jsonOut = args.values.json as string | undefined
  const perfVersion = perfVersionOption(args.values['perf-version'] as string | undefined)
  const file = readProfileFile(path)
  const all = configurationNames(file.profile)
  const wanted = mode === 'run' ? ((args.values.config as string[] | undefined) ?? []) : []
  const unknown = wanted.filter((c) => !all.includes(c))
  if (unknown.length) throw new UsageError(`${path} has no configuration ${unknown.map((c) => JSON.stringify(c)).join(', ')} — use one of ${all.join(', ')}`)
  const configs = wanted.length ? [...new Set(wanted)] : all
  assertRunnable(file, { configs, ...(durationSec !== undefined ? { durationSec } : {}) })

  const progress = new ProgressLine(configs)
  const { results, failures } = await runConfigs(file.json, configs, {
    ...(seed !== undefined ? { seed } : {}), ...(durationSec !== undefined ? { durationSec } : {}), ...(workers !== undefined ? { workers } : {}),
    onProgress: (c, f) => progress.update(c, f),
  })
  progress.done()

  const ordered = configs.flatMap((c) => results.filter((r) => r.config === c))
  if (jsonOut !== undefined) {
    const out: RunResultJson = { schemaVersion: RESULT_SCHEMA_VERSION, profile: file.profile.name, results: ordered }
    const text = `${JSON.stringify(out, null, 2)}\n`
    if (jsonOut === '-') process.stdout.write(text)
    else writeFileSync(jsonOut, text)
  }
  if (jsonOut !== '-') {
    // run: a report per configuration; compare: the same reports, then the summary with deltas
    const reports = ordered.map((r) => formatConfigReport(r, perfVersion !== undefined ? { perfVersion } : {})).join('\n')
    if (mode === 'run') process.stdout.write(reports)
    else if (ordered.length) process.stdout.write(`${reports}\nSummary (deltas against ${ordered[0]!.config}):\n${formatCompareTable(ordered)}\n`)
  }
  for (const f of failures) process.stderr.write(`kvmbench: configuration ${f.config} failed: ${f.message}\n`)
  return failures.length ? 1 : 0
}
