// The PDF report end to end: the posted-timer example run by real workers in the browser host, its frozen
// snapshot (reports.snapshot), the report page in Chromium, and the PDF printed by page.pdf in A4 and
// Letter (reports.pdf) and by `kvmbench report --pdf`. The PDFs are checked with poppler: page count and
// size (pdfinfo), every section's text (pdftotext), no table cut by a page break, and each page rendered
// to PNG (pdftoppm). Needs `out/renderer` (npm test builds it first) and Chromium.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { ReportPdf, ReportSnapshot } from '../../core/api/protocol.ts'
import type { BrowserHost } from '../../main/host/serve.ts'
import { REPO_ROOT } from '../../main/paths.ts'
import { startE2eSession } from '../helpers/e2e.ts'
import type { E2eSession } from '../helpers/e2e.ts'

let session: E2eSession
let host: BrowserHost
let browser: Browser
let dir: string
let runId: string

const example = JSON.parse(await readFile(join(REPO_ROOT, 'examples', 'posted-timer.json'), 'utf8')) as Record<string, unknown>
// A shorter virtual run keeps the test fast; the report shows what ran.
const profile = { ...example, run: { ...(example.run as object), durationSec: 0.2 } }

async function api<T>(channel: string, body: unknown): Promise<T> {
  const res = await fetch(`${host.origin}api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` }, body: JSON.stringify(body) })
  const env = (await res.json()) as { ok: true; value: T } | { ok: false; error: { message: string } }
  if (!env.ok) throw new Error(`${channel}: ${env.error.message}`)
  return env.value
}

beforeAll(async () => {
  session = await startE2eSession('kvmbench-report-', { dataSubdir: 'data' })
  ;({ host, browser, dir } = session)
  runId = (await api<{ runId: string }>('runs.start', { profile })).runId
  await host.services.runs.whenFinished(runId)
})

afterAll(async () => {
  await session?.close()
})

function pdfinfo(file: string): { pages: number; size: string; tagged: string } {
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' })
  const field = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(out)?.[1]?.trim() ?? ''
  return { pages: Number(field('Pages')), size: field('Page size'), tagged: field('Tagged') }
}

function pageText(file: string, page?: number): string {
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)]
  return execFileSync('pdftotext', ['-layout', ...range, file, '-'], { encoding: 'utf8' })
}

const SECTIONS = [
  'KVMBENCH COMPARISON REPORT', 'posted-timer', 'Date', 'Summary', 'Compared with sw-timer (the baseline), posted-timer: EXTERNAL_INTERRUPT exits −',
  'What was compared', 'Headline deltas against sw-timer', 'Host pinning (sw-timer)', 'Exit-table deltas', 'Kernel decisions that differ', 'Appendix', 'Intel Xeon Skylake-SP', '1 socket × 16 cores × 2 threads = 32 logical CPUs', 'Linux 5.3',
  'Comparison', '(baseline)', 'Differences between configurations', 'host.kvm.piInjectTimer',
  'Charts', 'EXTERNAL_INTERRUPT handling time (all VMs)', 'Throughput over virtual time', 'Request latency percentiles',
  'Configuration sw-timer', 'Configuration posted-timer', 'Kernel command line', 'nohz_full=2-15,18-31 rcu_nocbs=2-15,18-31',
  'libvirt domain XML', '<vcpupin vcpu=', 'perf kvm stat report (all VMs)', 'Analyze events for all VMs, all VCPUs:', 'Total Samples:',
  'Kernel decisions', 'Guest LAPIC timer path', 'kvm_can_post_timer_interrupt',
]

/** Checks a printed report: size, sections, whole tables per page, PNG pages. Returns the PNG files. */
async function checkPdf(file: string, size: RegExp): Promise<string[]> {
  const info = pdfinfo(file)
  expect(info.size).toMatch(size)
  expect(info.pages).toBeGreaterThanOrEqual(4)
  expect(info.pages).toBeLessThanOrEqual(16)
  expect(info.tagged).toBe('yes')
  const text = pageText(file).replace(/[ \t]+/g, ' ')
  for (const s of SECTIONS) expect(text, s).toContain(s)

  // No table cut by a page break: each perf table starts and ends on one page; a decisions table (longer than a
  // page with every mechanism's decision) may go on over the next pages, each repeating its header row, until its
  // last rows (the guest scheduler's select_idle_sibling()).
  let perfPages = 0
  let decisionTables = 0
  const pages = Array.from({ length: info.pages }, (_, i) => pageText(file, i + 1))
  pages.forEach((t, i) => {
    const p = i + 1
    if (t.includes('Analyze events for all VMs')) {
      perfPages++
      expect(t, `page ${p}`).toMatch(/Total Samples:\d+/)
      expect(t).toMatch(/EXTERNAL_INTERRUPT\s+\d+/)
    }
    if (/Kernel decisions(?! that differ)/.test(t)) {
      decisionTables++
      let q = i
      while (q < pages.length && !pages[q]!.includes('select_idle_sibling')) q++
      expect(q, `the decisions table that starts on page ${p} ends`).toBeLessThan(pages.length)
      for (let k = i; k <= q; k++) expect(pages[k], `page ${k + 1}: the decisions table's header row`).toContain('Mirrors')
    }
  })
  expect(perfPages).toBe(2)
  expect(decisionTables).toBe(2)

  // Every page rendered to PNG, and none of them blank.
  const prefix = file.replace(/\.pdf$/, '')
  execFileSync('pdftoppm', ['-r', '50', '-png', file, prefix])
  const pngs = (await readdir(dir)).filter((f) => f.startsWith(prefix.split('/').pop() as string) && f.endsWith('.png')).sort()
  expect(pngs).toHaveLength(info.pages)
  for (const png of pngs) {
    const buf = await readFile(join(dir, png))
    expect(buf.subarray(1, 4).toString()).toBe('PNG')
    expect((await stat(join(dir, png))).size).toBeGreaterThan(5000)
  }
  return pngs.map((p) => join(dir, p))
}

describe('the PDF report of the posted-timer example', () => {
  it('serves a frozen, read-only snapshot of the finished run', async () => {
    const s = await api<ReportSnapshot>('reports.snapshot', { runId })
    expect(s.title).toBe('posted-timer')
    expect(s.configurations.map((c) => c.name)).toEqual(['sw-timer', 'posted-timer'])
    expect(s.differences).toEqual([{ path: 'host.kvm.piInjectTimer', values: ['0', '1'] }])
    expect(s.comparison[1]?.deltas.externalInterrupts).toBeLessThan(-50)
    // Frozen: asking again gives the same snapshot, to the millisecond.
    expect(await api<ReportSnapshot>('reports.snapshot', { runId })).toEqual(s)
    await expect(api('reports.snapshot', { runId: 'run-nope' })).rejects.toThrow(/no run has the id/)
  })

  it('renders the report page in the browser host without errors, charts as SVG', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 1100 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
    await page.goto(`${host.origin}report.html?run=${runId}&pageSize=Letter&token=${host.token}`)
    await page.waitForSelector('html[data-report-ready="true"]', { state: 'attached', timeout: 60_000 })
    expect(await page.locator('.chart svg').count()).toBe(3)
    expect(await page.locator('[data-chart="ei-histogram"] svg path').count()).toBeGreaterThan(5)
    expect(await page.evaluate('document.documentElement.dataset.pageSize')).toBe('Letter')
    expect(await page.getByTestId('report-summary').textContent()).toMatch(/^Compared with sw-timer/)
    expect(errors).toEqual([])
    await page.close()
  })

  it('prints A4 with page.pdf (reports.pdf) and every section is in the PDF', async () => {
    const pdf = await api<ReportPdf>('reports.pdf', { runId, pageSize: 'A4' })
    expect(pdf.fileName).toBe(`kvmbench-posted-timer-${runId}-${new Date().toISOString().slice(0, 10)}.pdf`)
    const file = join(dir, 'report-a4.pdf')
    await writeFile(file, Buffer.from(pdf.pdfBase64, 'base64'))
    expect((await readFile(file)).subarray(0, 5).toString()).toBe('%PDF-')
    await checkPdf(file, /^59[45]\.\d+ x 841\.\d+ pts \(A4\)$/)
  })

  it('prints Letter', async () => {
    const pdf = await api<ReportPdf>('reports.pdf', { runId, pageSize: 'Letter' })
    const file = join(dir, 'report-letter.pdf')
    await writeFile(file, Buffer.from(pdf.pdfBase64, 'base64'))
    await checkPdf(file, /^612 x 792 pts \(letter\)$/)
  })

  it('kvmbench report PROFILE --pdf FILE runs the configurations and prints the same report', async () => {
    const file = join(dir, 'cli-report.pdf')
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'main/cli/kvmbench.ts'), 'report', join(REPO_ROOT, 'examples/posted-timer.json'), '--pdf', file, '--page-size', 'letter', '--duration', '0.2', '--workers', '2'], { encoding: 'utf8', timeout: 120_000 })
    expect(r.stderr).toMatch(/wrote .*cli-report\.pdf \(Letter/)
    expect(r.status).toBe(0)
    await checkPdf(file, /\(letter\)$/)
    const bad = spawnSync(process.execPath, [join(REPO_ROOT, 'main/cli/kvmbench.ts'), 'report', join(REPO_ROOT, 'examples/posted-timer.json'), '--pdf', file, '--page-size', 'A3'], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/--page-size A3 is not valid — use A4 or Letter/)
  })
})
