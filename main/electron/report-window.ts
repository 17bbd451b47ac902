// PDF reports in the desktop app: a hidden, sandboxed window loads app://kvmbench/report.html?run=ID with
// the same preload; the page fetches its frozen snapshot over IPC (reports.snapshot is the only channel
// a report page may call: see trust.ts `channelAllowed`), renders, draws its charts and marks itself
// ready; then webContents.printToPDF prints it and the window is closed.
import { join } from 'node:path'
import { BrowserWindow } from 'electron'
import type { PrintToPDFOptions } from 'electron'
import { PDF_MARGINS_MM, footerTemplate, headerTemplate, reportQuery } from '../host/pdf-layout.ts'
import type { PrintJob, ReportPrinter } from '../services/report-service.ts'

const MM_PER_INCH = 25.4

export class ElectronReportPrinter implements ReportPrinter {
  private readonly baseUrl: string
  private readonly timeoutMs: number

  /** `baseUrl`: where the renderer is served, e.g. app://kvmbench (or the dev server). */
  constructor(baseUrl: string, timeoutMs = 60_000) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.timeoutMs = timeoutMs
  }

  async print(job: PrintJob): Promise<Uint8Array> {
    const win = new BrowserWindow({
      show: false,
      width: 800,
      height: 1100,
      // written out (not shared with window.ts) so that Electronegativity can read the literal options
      webPreferences: {
        preload: join(import.meta.dirname, '../preload/index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webviewTag: false,
        spellcheck: false,
        offscreen: false,
      },
    })
    try {
      await win.loadURL(`${this.baseUrl}/report.html?${reportQuery(job)}`)
      await this.waitReady(win)
      const options: PrintToPDFOptions = {
        pageSize: job.pageSize,
        printBackground: true,
        preferCSSPageSize: true,
        generateTaggedPDF: true,
        generateDocumentOutline: true,
        displayHeaderFooter: true,
        headerTemplate: headerTemplate(job.snapshot),
        footerTemplate: footerTemplate(job.snapshot.title),
        margins: {
          top: PDF_MARGINS_MM.top / MM_PER_INCH,
          bottom: PDF_MARGINS_MM.bottom / MM_PER_INCH,
          left: PDF_MARGINS_MM.left / MM_PER_INCH,
          right: PDF_MARGINS_MM.right / MM_PER_INCH,
        },
      }
      return new Uint8Array(await win.webContents.printToPDF(options))
    } finally {
      if (!win.isDestroyed()) win.destroy()
    }
  }

  /** Polls the page's ready (or error) mark. */
  private async waitReady(win: BrowserWindow): Promise<void> {
    const deadline = Date.now() + this.timeoutMs
    while (Date.now() < deadline) {
      const state = (await win.webContents.executeJavaScript('[document.documentElement.dataset.reportReady ?? "", document.documentElement.dataset.reportError ?? ""]', true)) as [string, string]
      if (state[1]) throw new Error(`the report page failed: ${state[1]}`)
      if (state[0] === 'true') return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`the report page was not ready after ${this.timeoutMs} ms`)
  }
}
