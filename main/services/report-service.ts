// reports.* : the PDF report of a finished run. `reports.snapshot` is read-only: it freezes the run into
// a ReportSnapshot (core/output/report-snapshot.ts) for the report page; `reports.pdf` has the host's
// ReportPrinter print that page — a hidden window's webContents.printToPDF in Electron, headless
// Chromium's page.pdf (playwright-core) in the browser host and the command line.
import { ApiFailure } from '../../core/api/protocol.ts'
import type { ReportPdf, ReportSnapshot, RequestOf, RunRecord } from '../../core/api/protocol.ts'
import { exportCmdline } from '../../core/formats/cmdline.ts'
import { exportLibvirt } from '../../core/formats/libvirt.ts'
import { buildReportSnapshot, kernelCmdlineOf } from '../../core/output/report-snapshot.ts'
import type { ReportExporters, ReportInput } from '../../core/output/report-snapshot.ts'
import type { RunService } from './run-service.ts'

export type PageSize = 'A4' | 'Letter'

export interface PrintJob {
  /** The run whose report is printed (the page fetches its snapshot with reports.snapshot). */
  runId: string
  /** The configuration the report compares with (the UI's pinned baseline), when chosen. */
  baseline?: string
  snapshot: ReportSnapshot
  pageSize: PageSize
}

/** Prints report.html for a job and returns the PDF's bytes. */
export interface ReportPrinter {
  print(job: PrintJob): Promise<Uint8Array>
  /** Frees what the printer holds (a shared browser); called when the host stops. */
  close?(): Promise<void>
}

/** The exporters the report uses for each configuration's command line and libvirt XML. */
export function reportExporters(): ReportExporters {
  return {
    // The exporters of core/formats (issue 6 item 4): the command line with isolation, idle and changed
    // KVM parameters, and a complete libvirt <domain> per VM.
    kernelCmdline: (c) => {
      const r = exportCmdline(c)
      return r.ok ? r.value : kernelCmdlineOf(c)
    },
    libvirtXml: (c, vm) => {
      const r = exportLibvirt(c, { vm })
      if (!r.ok) throw new Error(r.errors.map((e) => `${e.field}: ${e.message}`).join('; '))
      return r.value
    },
  }
}

const fileSlug = (s: string, max: number): string => s.normalize('NFKD').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, max)

/** A PDF file name for a report: `kvmbench-<profile>-<run id>-<date>.pdf`. */
export function reportFileName(s: ReportSnapshot): string {
  const name = fileSlug(s.title, 60) || 'report'
  const run = s.run.runId ? `${fileSlug(s.run.runId, 64)}-` : ''
  return `kvmbench-${name}-${run}${(s.run.startedAt ?? s.generatedAt).slice(0, 10)}.pdf`
}

export function snapshotOfRun(record: RunRecord, o: { generatedAt: string; kvmbenchVersion?: string; exporters?: ReportExporters; baseline?: string }): ReportSnapshot {
  const input: ReportInput = {
    profile: record.profile,
    configs: record.configs.map((c) => ({ config: c.config, status: c.status, ...(c.error ? { error: c.error } : {}), ...(c.result ? { result: c.result } : {}) })),
    generatedAt: o.generatedAt,
    runId: record.runId,
    startedAt: record.startedAt,
    seed: record.seed,
    status: record.status,
    ...(o.kvmbenchVersion ? { kvmbenchVersion: o.kvmbenchVersion } : {}),
    exporters: o.exporters ?? reportExporters(),
    ...(o.baseline !== undefined ? { baseline: o.baseline } : {}),
  }
  return buildReportSnapshot(input)
}

export class ReportService {
  private readonly runs: RunService
  private readonly printer: ReportPrinter | undefined
  private readonly version: string | undefined
  private readonly now: () => Date
  /** Snapshots are frozen: made once per run, then always the same. */
  private readonly cache = new Map<string, ReportSnapshot>()

  constructor(o: { runs: RunService; printer?: ReportPrinter; version?: string; now?: () => Date }) {
    this.runs = o.runs
    this.printer = o.printer
    this.version = o.version
    this.now = o.now ?? (() => new Date())
  }

  async snapshot(req: RequestOf<'reports.snapshot'>): Promise<ReportSnapshot> {
    const key = `${req.runId}\n${req.baseline ?? ''}`
    const cached = this.cache.get(key)
    if (cached) return cached
    const record = await this.runs.get({ runId: req.runId })
    if (record.status === 'queued' || record.status === 'running') {
      throw new ApiFailure({ code: 'bad-request', message: `run ${req.runId} is still ${record.status}: a report is made of a finished run` })
    }
    if (!record.configs.some((c) => c.result)) {
      throw new ApiFailure({ code: 'bad-request', message: `run ${req.runId} has no results (${record.status}): there is nothing to report` })
    }
    const withResult = record.configs.filter((c) => c.result).map((c) => c.config)
    if (req.baseline !== undefined && !withResult.includes(req.baseline)) {
      throw new ApiFailure({ code: 'bad-request', message: `baseline ${JSON.stringify(req.baseline)} is not a configuration with a result in run ${req.runId} — use one of ${withResult.join(', ')}` })
    }
    let s: ReportSnapshot
    try {
      s = snapshotOfRun(record, { generatedAt: this.now().toISOString(), ...(this.version ? { kvmbenchVersion: this.version } : {}), ...(req.baseline !== undefined ? { baseline: req.baseline } : {}) })
    } catch (e) {
      throw new ApiFailure({ code: 'failed', message: `the report of run ${req.runId} could not be made: ${(e as Error).message}` })
    }
    this.cache.set(key, s)
    return s
  }

  async dispose(): Promise<void> {
    await this.printer?.close?.()
  }

  async pdf(req: RequestOf<'reports.pdf'>): Promise<ReportPdf> {
    const snapshot = await this.snapshot({ runId: req.runId, ...(req.baseline !== undefined ? { baseline: req.baseline } : {}) })
    if (!this.printer) throw new ApiFailure({ code: 'failed', message: 'this host cannot print PDF reports' })
    let bytes: Uint8Array
    try {
      bytes = await this.printer.print({ runId: req.runId, snapshot, pageSize: req.pageSize, ...(req.baseline !== undefined ? { baseline: req.baseline } : {}) })
    } catch (e) {
      throw new ApiFailure({ code: 'failed', message: `printing the report failed: ${(e as Error).message}` })
    }
    return { fileName: reportFileName(snapshot), pageSize: req.pageSize, pdfBase64: Buffer.from(bytes).toString('base64') }
  }
}
