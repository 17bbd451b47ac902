// `kvmbench report PROFILE --pdf FILE [--page-size A4|Letter]`: runs every configuration of PROFILE
// through the worker pool (as `compare` does), freezes the results into a report snapshot and prints the
// report page (out/renderer/report.html) to FILE with headless Chromium — the same page and snapshot the
// apps print.
import { writeFileSync } from 'node:fs'
import { configurationNames } from '../../core/index.ts'
import { buildReportSnapshot } from '../../core/output/report-snapshot.ts'
import { ChromiumReportPrinter, RendererReportMissingError } from '../host/report-printer.ts'
import { packageVersion } from '../paths.ts'
import { reportExporters } from '../services/report-service.ts'
import type { PageSize } from '../services/report-service.ts'
import { UsageError, numberOption } from './args.ts'
import type { ParsedArgs } from './args.ts'
import { assertRunnable, readProfileFile } from './profile-file.ts'
import { ProgressLine } from './progress.ts'
import { runConfigs } from './run-command.ts'

export function pageSizeOption(v: unknown): PageSize {
  if (v === undefined) return 'A4'
  const s = String(v).toLowerCase()
  if (s === 'a4') return 'A4'
  if (s === 'letter') return 'Letter'
  throw new UsageError(`--page-size ${String(v)} is not valid — use A4 or Letter`)
}

/** Runs `report`; returns the exit code (1 when a configuration failed, the PDF is still written). */
export async function reportCommand(args: ParsedArgs): Promise<number> {
  const path = args.positionals[0] ?? ''
  const out = args.values.pdf
  if (typeof out !== 'string' || out === '') throw new UsageError('give the PDF file to write: --pdf FILE')
  const pageSize = pageSizeOption(args.values['page-size'])
  const seed = numberOption(args.values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true })
  const durationSec = numberOption(args.values, 'duration', { min: 0.001, max: 3600 })
  const workers = numberOption(args.values, 'workers', { min: 1, max: 256, integer: true })
  const file = readProfileFile(path)
  const configs = configurationNames(file.profile)
  assertRunnable(file, durationSec !== undefined ? { durationSec } : {})
  const printer = new ChromiumReportPrinter()
  try { printer.assertReady() } catch (e) { throw e instanceof RendererReportMissingError ? new UsageError(e.message) : e }
  // A run's duration override applies as the run settings of the snapshot's profile, too.
  const profileJson = durationSec !== undefined ? withDuration(file.json, durationSec) : file.json

  const startedAt = new Date().toISOString()
  const progress = new ProgressLine(configs)
  const { results, failures } = await runConfigs(profileJson, configs, {
    ...(seed !== undefined ? { seed } : {}), ...(workers !== undefined ? { workers } : {}),
    onProgress: (c, f) => progress.update(c, f),
  })
  progress.done()
  for (const f of failures) process.stderr.write(`kvmbench: configuration ${f.config} failed: ${f.message}\n`)
  if (!results.length) {
    process.stderr.write('kvmbench: no configuration produced a result; no report was written\n')
    return 1
  }
  const snapshot = buildReportSnapshot({
    profile: profileJson,
    configs: configs.map((config) => {
      const result = results.find((r) => r.config === config)
      const failure = failures.find((f) => f.config === config)
      return { config, status: result ? 'done' : 'failed', ...(failure ? { error: failure.message } : {}), ...(result ? { result } : {}) }
    }),
    generatedAt: new Date().toISOString(),
    startedAt,
    ...(seed !== undefined ? { seed } : {}),
    kvmbenchVersion: packageVersion(),
    exporters: reportExporters(),
  })
  if (typeof args.values.snapshot === 'string') writeFileSync(args.values.snapshot, `${JSON.stringify(snapshot, null, 2)}\n`)
  let pdf: Uint8Array
  try {
    pdf = await printer.print({ runId: 'cli', snapshot, pageSize })
  } finally {
    // The shared Chromium keeps the event loop alive: without this the command never exits.
    await printer.close()
  }
  writeFileSync(out, pdf)
  process.stderr.write(`kvmbench: wrote ${out} (${pageSize}, ${Math.round(pdf.length / 1024)} KiB)\n`)
  return failures.length ? 1 : 0
}

/** --duration for every configuration, as `run --duration` gives it: the base's run.durationSec and each
 *  configuration's own override of it (which would otherwise win, and run for its own duration). */
function withDuration(json: unknown, durationSec: number): unknown {
  const p = json as Record<string, unknown>
  const run = typeof p.run === 'object' && p.run !== null ? (p.run as Record<string, unknown>) : {}
  const configurations = Array.isArray(p.configurations) ? p.configurations.map((c: unknown) => {
    const o = (c as { overrides?: { run?: Record<string, unknown> } }).overrides
    return o?.run && 'durationSec' in o.run ? { ...(c as object), overrides: { ...o, run: { ...o.run, durationSec } } } : c
  }) : p.configurations
  return { ...p, run: { ...run, durationSec }, configurations }
}
