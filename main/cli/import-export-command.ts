// `kvmbench import KIND FILE [--json OUT]` and `kvmbench export KIND PROFILE [--config NAME] [--vm NAME]`:
// the formats of core/formats on the command line. Bad input, profiles and usage exit 2 with the messages.
import { writeFileSync } from 'node:fs'
import { resolveConfiguration, configurationNames, runConfiguration, RESULT_SCHEMA_VERSION } from '../../core/index.ts'
import type { RunResultJson } from '../../core/result.ts'
import type { FieldError } from '../../core/field-error.ts'
import type { FormatResult } from '../../core/formats/format-result.ts'
import { importLscpu, MAX_LSCPU_CHARS } from '../../core/formats/lscpu.ts'
import { importCmdline, exportCmdline, exportModprobe, MAX_CMDLINE_CHARS } from '../../core/formats/cmdline.ts'
import { DEFAULT_XML_LIMITS } from '../../core/formats/xml.ts'
import { importLibvirtDomains, exportLibvirt } from '../../core/formats/libvirt.ts'
import { exportGuestCmdline } from '../../core/formats/guest-cmdline.ts'
import { importPerfKvmStat, printPerfImport, MAX_PERF_CHARS } from '../../core/formats/perf-kvm-stat.ts'
import { readInputFile, InputFileError } from '../services/input-file.ts'
import { exportTuned } from '../../core/formats/tuned.ts'
import { exportQemu } from '../../core/formats/qemu.ts'
import { exportResultsCsv, exportWorkloadCsv } from '../../core/formats/results-csv.ts'
import { UsageError, numberOption } from './args.ts'
import type { ParsedArgs } from './args.ts'
import { assertRunnable, readProfileFile, ProfileFileError } from './profile-file.ts'

export const IMPORT_KINDS = ['lscpu', 'cmdline', 'libvirt', 'perf'] as const
export const EXPORT_KINDS = ['cmdline', 'tuned-cpu-partitioning', 'tuned-realtime-virtual-host', 'libvirt', 'qemu', 'modprobe', 'guest-cmdline', 'json', 'csv', 'workload-csv'] as const

/** Each reader's limit, in bytes of the file (a character is at least one byte). */
const MAX_BYTES: Record<(typeof IMPORT_KINDS)[number], number> = { lscpu: MAX_LSCPU_CHARS, cmdline: MAX_CMDLINE_CHARS, libvirt: DEFAULT_XML_LIMITS.maxChars, perf: MAX_PERF_CHARS }

async function readInput(path: string, kind: (typeof IMPORT_KINDS)[number]): Promise<string> {
  try {
    return await readInputFile(path, MAX_BYTES[kind], kind)
  } catch (e) {
    if (e instanceof InputFileError) throw new ProfileFileError(e.message)
    throw e
  }
}

function unwrap<T>(r: FormatResult<T>, what: string): T {
  if (!r.ok) throw new ProfileFileError(`${what}: ${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}:`, r.errors.map((e: FieldError) => e.message))
  for (const w of r.warnings) process.stderr.write(`kvmbench: warning: ${w}\n`)
  return r.value
}

export async function importCommand(args: ParsedArgs): Promise<number> {
  const [kind, file] = args.positionals as [string, string]
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown import kind ${JSON.stringify(kind)} — use one of ${IMPORT_KINDS.join(', ')}`)
  const text = await readInput(file, kind as (typeof IMPORT_KINDS)[number])
  const jsonOut = args.values.json as string | undefined
  let json: unknown
  let shown: string
  switch (kind) {
    case 'lscpu': {
      const v = unwrap(importLscpu(text), file)
      json = v.host ? { host: v.host } : { rows: v.rows }
      shown = `${JSON.stringify(json, null, 2)}\n`
      break
    }
    case 'cmdline': {
      const v = unwrap(importCmdline(text), file)
      json = { host: v.host, ignored: v.ignored }
      shown = `${JSON.stringify(json, null, 2)}\n`
      break
    }
    case 'libvirt': {
      const v = unwrap(importLibvirtDomains(text), file)
      json = { vms: v }
      shown = `${JSON.stringify(json, null, 2)}\n`
      break
    }
    default: {
      const v = unwrap(importPerfKvmStat(text), file)
      json = { tables: v.tables }
      shown = printPerfImport(v)
    }
  }
  if (jsonOut !== undefined && jsonOut !== '-') writeFileSync(jsonOut, `${JSON.stringify(json, null, 2)}\n`)
  process.stdout.write(jsonOut === '-' ? `${JSON.stringify(json, null, 2)}\n` : shown)
  return 0
}

export function exportCommand(args: ParsedArgs): number {
  const [kind, path] = args.positionals as [string, string]
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown export kind ${JSON.stringify(kind)} — use one of ${EXPORT_KINDS.join(', ')}`)
  const file = readProfileFile(path)
  const names = configurationNames(file.profile)
  const wanted = args.values.config as string | undefined
  if (wanted !== undefined && !names.includes(wanted)) throw new UsageError(`${path} has no configuration ${JSON.stringify(wanted)} — use one of ${names.join(', ')}`)
  const config = wanted ?? names[0]!
  if (wanted === undefined && names.length > 1) process.stderr.write(`kvmbench: exporting configuration ${config} (the profile also has ${names.slice(1).join(', ')}; choose with --config)\n`)
  const cfg = resolveConfiguration(file.profile, config)
  const vm = args.values.vm as string | undefined
  if (vm !== undefined && !cfg.vms.some((v) => v.name === vm)) throw new UsageError(`${path} has no VM ${JSON.stringify(vm)} — use one of ${cfg.vms.map((v) => v.name).join(', ')}`)
  const seed = numberOption(args.values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true })
  const durationSec = numberOption(args.values, 'duration', { min: 0.001, max: 3600 })
  const runs = kind === 'json' || kind === 'csv' || kind === 'workload-csv'
  if (!runs && (seed !== undefined || durationSec !== undefined)) throw new UsageError(`--seed and --duration apply to the kinds that run (json, csv, workload-csv), not to ${kind}`)
  const what = `${path} (configuration ${config})`
  let out: string
  switch (kind) {
    case 'cmdline': out = `${unwrap(exportCmdline(cfg), what)}\n`; break
    case 'tuned-cpu-partitioning': out = unwrap(exportTuned(cfg, 'cpu-partitioning'), what); break
    case 'tuned-realtime-virtual-host': out = unwrap(exportTuned(cfg, 'realtime-virtual-host'), what); break
    case 'libvirt': out = unwrap(exportLibvirt(cfg, vm !== undefined ? { vm } : {}), what); break
    case 'qemu': out = unwrap(exportQemu(cfg, vm !== undefined ? { vm } : {}), what); break
    case 'modprobe': out = unwrap(exportModprobe(cfg), what); break
    case 'guest-cmdline':
      out = unwrap(exportGuestCmdline(cfg, vm !== undefined ? { vm } : {}), what)
      // An empty line alone reads as a failure: say that nothing needs setting.
      if (out.trim() === '') process.stderr.write(`kvmbench: VM ${vm ?? cfg.vms[0]?.name ?? ''} of configuration ${config} needs no guest kernel boot parameter: the line is empty on purpose\n`)
      break
    default: {
      // Refused as run refuses it (exit 2, the field and the fix), not as a failed run.
      assertRunnable(file, { configs: [config], ...(durationSec !== undefined ? { durationSec } : {}) })
      let result
      try {
        result = runConfiguration(file.profile, config, { ...(seed !== undefined ? { seed } : {}), ...(durationSec !== undefined ? { durationSec } : {}) })
      } catch (e) {
        process.stderr.write(`kvmbench: configuration ${config} failed: ${(e as Error).message}\n`)
        return 1
      }
      if (kind === 'csv') out = exportResultsCsv([result])
      else if (kind === 'workload-csv') out = exportWorkloadCsv([result])
      else {
        const json: RunResultJson = { schemaVersion: RESULT_SCHEMA_VERSION, profile: file.profile.name, results: [result] }
        out = `${JSON.stringify(json, null, 2)}\n`
      }
    }
  }
  process.stdout.write(out)
  return 0
}
