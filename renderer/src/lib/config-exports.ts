// Exports of one configuration in the formats ops engineers use (kernel command line, the guest's kernel
// command line, tuned variables,
// libvirt domain XML, QEMU options, modprobe.d options), and a finished run's results as JSON and CSV.
// Pure: the Export menu shows the text with its warnings, copies it and downloads it.
import { exportCmdline, exportGuestCmdline, exportLibvirt, exportModprobe, exportQemu, exportResultsCsv, exportTuned } from '@core/formats/index.ts'
import type { FormatResult } from '@core/formats/index.ts'
import { RESULT_SCHEMA_VERSION, resolveConfiguration } from '@core/index.ts'
import type { Profile } from '@core/profile/profile-schema.ts'
import type { ConfigResult, RunResultJson } from '@core/result.ts'
import { fromFieldError, type Problem } from './import-preview.ts'

export type ConfigExportKind = 'cmdline' | 'guest-cmdline' | 'tuned-cpu-partitioning' | 'tuned-realtime-virtual-host' | 'libvirt' | 'qemu' | 'modprobe'

export interface ConfigExportSpec { kind: ConfigExportKind; label: string; perVm: boolean; ext: string; mime: string }

export const CONFIG_EXPORTS: readonly ConfigExportSpec[] = [
  { kind: 'cmdline', label: 'Kernel command line', perVm: false, ext: 'cmdline.txt', mime: 'text/plain' },
  { kind: 'guest-cmdline', label: 'Guest kernel command line (a VM)', perVm: true, ext: 'guest-cmdline.txt', mime: 'text/plain' },
  { kind: 'tuned-cpu-partitioning', label: 'tuned cpu-partitioning variables', perVm: false, ext: 'cpu-partitioning-variables.conf', mime: 'text/plain' },
  { kind: 'tuned-realtime-virtual-host', label: 'tuned realtime-virtual-host variables', perVm: false, ext: 'realtime-virtual-host-variables.conf', mime: 'text/plain' },
  { kind: 'libvirt', label: 'libvirt domain XML', perVm: true, ext: 'xml', mime: 'application/xml' },
  { kind: 'qemu', label: 'QEMU options', perVm: true, ext: 'qemu.txt', mime: 'text/plain' },
  { kind: 'modprobe', label: 'KVM module options (modprobe.d)', perVm: false, ext: 'modprobe.conf', mime: 'text/plain' },
]

export type ExportText = { ok: true; text: string; warnings: string[]; fileName: string; mime: string } | { ok: false; problems: Problem[] }

const slug = (s: string): string => s.replace(/[^A-Za-z0-9_.+-]+/g, '-').replace(/^-+|-+$/g, '') || 'x'

/** One configuration (and, for per-VM formats, one VM: default the first) in one format. */
export function exportConfiguration(profile: Profile, config: string, kind: ConfigExportKind, vm?: string): ExportText {
  const spec = CONFIG_EXPORTS.find((s) => s.kind === kind)
  if (!spec) return { ok: false, problems: [{ where: 'kind', value: kind, message: 'is not an export format', fix: `use one of ${CONFIG_EXPORTS.map((s) => s.kind).join(', ')}` }] }
  let cfg
  try {
    cfg = resolveConfiguration(profile, config)
  } catch (e) {
    return { ok: false, problems: [{ where: 'configuration', value: config, message: (e as Error).message, fix: 'choose a configuration of the profile' }] }
  }
  const vmOpt = vm === undefined ? {} : { vm }
  let r: FormatResult<string>
  switch (kind) {
    case 'cmdline': r = exportCmdline(cfg); break
    case 'guest-cmdline': r = exportGuestCmdline(cfg, vmOpt); break
    case 'tuned-cpu-partitioning': r = exportTuned(cfg, 'cpu-partitioning'); break
    case 'tuned-realtime-virtual-host': r = exportTuned(cfg, 'realtime-virtual-host'); break
    case 'libvirt': r = exportLibvirt(cfg, vmOpt); break
    case 'qemu': r = exportQemu(cfg, vmOpt); break
    case 'modprobe': r = exportModprobe(cfg); break
  }
  if (!r.ok) return { ok: false, problems: r.errors.map(fromFieldError) }
  const vmName = spec.perVm ? (vm ?? cfg.vms[0]?.name ?? 'vm') : undefined
  const text = r.value.endsWith('\n') ? r.value : `${r.value}\n`
  const fileName = [slug(profile.name), slug(config), vmName ? slug(vmName) : undefined].filter(Boolean).join('-') + `.${spec.ext}`
  return { ok: true, text, warnings: r.warnings, fileName, mime: spec.mime }
}

/** A run's results as `kvmbench run --json` writes them. */
export function resultsJson(profileName: string, results: readonly ConfigResult[]): string {
  const doc: RunResultJson = { schemaVersion: RESULT_SCHEMA_VERSION, profile: profileName, results: [...results] }
  return `${JSON.stringify(doc, null, 2)}\n`
}

export function resultsCsv(results: readonly ConfigResult[]): string {
  return exportResultsCsv(results)
}
