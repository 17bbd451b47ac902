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

/** A PDF file name for a report: `kvmbench-<profile>-<date>.pdf`. */
export function reportFileName(s: ReportSnapshot): string {
  const name = s.title.normalize('NFKD').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 60) || 'report'
  return `kvmbench-${name}-${(s.run.startedAt ?? s.generatedAt).slice(0, 10)}.pdf`
}

export function snapshotOfRun(record: RunRecord, o: { generatedAt: string; kvmbenchVersion?: string; exporters?: ReportExporters }): ReportSnapshot {
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
    const cached = this.cache.get(req.runId)
    if (cached) return cached
    const record = await this.runs.get({ runId: req.runId })
    if (record.status === 'queued' || record.status === 'running') {
      throw new ApiFailure({ code: 'bad-request', message: `run ${req.runId} is still ${record.status}: a report is made of a finished run` })
    }
    if (!record.configs.some((c) => c.result)) {
      throw new ApiFailure({ code: 'bad-request', message: `run ${req.runId} has no results (${record.status}): there is nothing to report` })
    }
    let s: ReportSnapshot
    try {
      s = snapshotOfRun(record, { generatedAt: this.now().toISOString(), ...(this.version ? { kvmbenchVersion: this.version } : {}) })
    } catch (e) {
      throw new ApiFailure({ code: 'failed', message: `the report of run ${req.runId} could not be made: ${(e as Error).message}` })
    }
    this.cache.set(req.runId, s)
    return s
  }

  async dispose(): Promise<void> {
    await this.printer?.close?.()
  }

  async pdf(req: RequestOf<'reports.pdf'>): Promise<ReportPdf> {
    const snapshot = await this.snapshot({ runId: req.runId })
    if (!this.printer) throw new ApiFailure({ code: 'failed', message: 'this host cannot print PDF reports' })
    let bytes: Uint8Array
    try {
      bytes = await this.printer.print({ runId: req.runId, snapshot, pageSize: req.pageSize })
    } catch (e) {
      throw new ApiFailure({ code: 'failed', message: `printing the report failed: ${(e as Error).message}` })
    }
    return { fileName: reportFileName(snapshot), pageSize: req.pageSize, pdfBase64: Buffer.from(bytes).toString('base64') }
  }
}
