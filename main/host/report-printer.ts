// Printing the report page to PDF with headless Chromium (playwright-core `page.pdf`), for the browser host
// and `kvmbench report`. The page is the built renderer's report.html, served to the headless page by
// request interception from the renderer directory, on a private origin: its one API call,
// reports.snapshot, is answered with the job's frozen snapshot and every other API call is refused. No
// port is opened and no live state is reachable from the page. One Chromium serves every print, one page at
// a time (a queue of at most MAX_QUEUED_PRINTS), started on the first print with its sandbox on; only where
// the machine cannot give it one (no unprivileged user namespaces, e.g. in a container) is it started with
// `--no-sandbox`, and that is logged once.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import type { Browser, Route } from 'playwright-core'
import { RENDERER_DIR } from '../paths.ts'
import type { PageSize, PrintJob, ReportPrinter } from '../services/report-service.ts'
import { CSP_HEADER } from './http-security.ts'
import { resolveInside } from './static-files.ts'
import { PDF_MARGINS_MM, footerTemplate, headerTemplate, reportQuery } from './pdf-layout.ts'
import type { ReportHeading } from './pdf-layout.ts'
import { Slots } from './request-limits.ts'

const ORIGIN = 'http://kvmbench.report'
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json',
}

/** Where Chromium is: $KVMBENCH_CHROMIUM, else the usual Linux paths. */
export function findChromium(): string | undefined {
  const candidates = [process.env.KVMBENCH_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']
  return candidates.find((p): p is string => !!p && existsSync(p))
}

export const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** Reports printed at once (one page in the shared Chromium) and waiting at most; more are refused. */
export const MAX_CONCURRENT_PRINTS = 1
export const MAX_QUEUED_PRINTS = 8

export class RendererReportMissingError extends Error {}

export interface ChromiumReportPrinterOptions {
  /** The built renderer (default out/renderer); must contain report.html. */
  rendererDir?: string
  executablePath?: string
  /** How long to wait for the page to render (ms). */
  timeoutMs?: number
}

export class ChromiumReportPrinter implements ReportPrinter {
  private readonly rendererDir: string
  private readonly executablePath: string | undefined
  private readonly timeoutMs: number
  private readonly prints = new Slots(MAX_CONCURRENT_PRINTS)
  private waiting = 0
  private browser: Promise<Browser> | undefined
  /** Chromium processes started (one unless one crashed); whether the last one has its sandbox. */
  launches = 0
  sandboxed: boolean | undefined

  constructor(o: ChromiumReportPrinterOptions = {}) {
    this.rendererDir = o.rendererDir ?? RENDERER_DIR
    this.executablePath = o.executablePath ?? findChromium()
    this.timeoutMs = o.timeoutMs ?? 60_000
  }

  /** Throws what would stop a print (no built report page, no Chromium), so `kvmbench report` says so before
   *  it runs the configurations. */
  assertReady(): void {
    if (!existsSync(join(this.rendererDir, 'report.html'))) {
      throw new RendererReportMissingError(`the built report page is missing (${join(this.rendererDir, 'report.html')}) — run \`npm run build\` first`)
    }
    if (!this.executablePath) throw new RendererReportMissingError('Chromium was not found: install it (apt-get install chromium) or set KVMBENCH_CHROMIUM to its path')
  }

  async print(job: PrintJob): Promise<Uint8Array> {
    this.assertReady()
    if (this.waiting >= MAX_CONCURRENT_PRINTS + MAX_QUEUED_PRINTS) {
      throw new Error(`${this.waiting} reports are being printed or waiting (at most ${MAX_CONCURRENT_PRINTS + MAX_QUEUED_PRINTS}): try again when they are done`)
    }
    this.waiting++
    const release = await this.prints.acquire()
    try {
      return await this.printOne(job)
    } finally {
      release()
      this.waiting--
    }
  }

  /** Closes the shared Chromium (host shutdown). */
  async close(): Promise<void> {
    const b = this.browser
    this.browser = undefined
    if (b) await b.then((x) => x.close(), () => undefined)
  }

  private shared(): Promise<Browser> {
    this.browser ??= this.launch().catch((e: unknown) => {
      this.browser = undefined
      throw e
    })
    return this.browser
  }

  private async launch(): Promise<Browser> {
    let chromium: typeof import('playwright-core').chromium
    try {
      ;({ chromium } = await import('playwright-core'))
    } catch {
      throw new Error('printing PDFs needs the playwright-core package (npm install)')
    }
    const path = this.executablePath!
    let browser: Browser
    try {
      // Chromium refuses its sandbox to root: do not try.
      if (process.getuid?.() === 0) throw new Error('running as root')
      browser = await chromium.launch({ executablePath: path, args: CHROMIUM_ARGS, chromiumSandbox: true })
      this.sandboxed = true
    } catch (e) {
      console.warn(`kvmbench: Chromium cannot start its sandbox on this machine (${(e as Error).message.split('\n')[0]}); printing reports without it — the page printed is only kvmbench's own report page`)
      browser = await chromium.launch({ executablePath: path, args: [...CHROMIUM_ARGS, '--no-sandbox'], chromiumSandbox: false })
      this.sandboxed = false
    }
    this.launches++
    browser.on('disconnected', () => { if (this.browser) this.browser = undefined })
    return browser
  }

  private async printOne(job: PrintJob): Promise<Uint8Array> {
    const browser = await this.shared()
    // About the width of a portrait page's text, so the screen layout is the print layout.
    const context = await browser.newContext({ viewport: { width: 760, height: 1000 }, deviceScaleFactor: 1 })
    try {
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.route('**/*', (route) => this.serve(route, job))
      await page.goto(`${ORIGIN}/report.html?${reportQuery(job)}`)
      await page.waitForSelector('html[data-report-ready="true"], html[data-report-error]', { state: 'attached', timeout: this.timeoutMs })
      const failed = await page.evaluate('document.documentElement.dataset.reportError')
      if (typeof failed === 'string') throw new Error(`the report page failed: ${failed}`)
      if (errors.length) throw new Error(`the report page had errors: ${errors.join('; ')}`)
      return await page.pdf(pdfOptions(job.pageSize, job.snapshot))
    } finally {
      await context.close().catch(() => undefined)
    }
  }

  private async serve(route: Route, job: PrintJob): Promise<void> {
    const req = route.request()
    const url = new URL(req.url())
    if (url.origin !== ORIGIN) return route.abort('blockedbyclient')
    if (url.pathname.startsWith('/api/')) {
      const ok = url.pathname === '/api/reports.snapshot' && req.method() === 'POST'
      const body = ok ? { ok: true, value: job.snapshot } : { ok: false, error: { code: 'forbidden', message: 'the report page may only read its snapshot' } }
      return route.fulfill({ status: ok ? 200 : 403, contentType: 'application/json', body: JSON.stringify(body) })
    }
    const file = resolveInside(this.rendererDir, url.pathname === '/' ? '/report.html' : url.pathname)
    const body = file ? await readFile(file).catch(() => undefined) : undefined
    if (!file || !body) return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' })
    return route.fulfill({ status: 200, headers: { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP_HEADER }, body })
  }
}

export function pdfOptions(pageSize: PageSize, heading: ReportHeading): NonNullable<Parameters<import('playwright-core').Page['pdf']>[0]> {
  const mm = (n: number): string => `${n}mm`
  return {
    format: pageSize,
    printBackground: true,
    preferCSSPageSize: true,
    tagged: true,
    outline: true,
    displayHeaderFooter: true,
    headerTemplate: headerTemplate(heading),
    footerTemplate: footerTemplate(heading.title),
    margin: { top: mm(PDF_MARGINS_MM.top), bottom: mm(PDF_MARGINS_MM.bottom), left: mm(PDF_MARGINS_MM.left), right: mm(PDF_MARGINS_MM.right) },
  }
}
