// End to end (issue 16 items 2 and 3): a 2-VM, 3-configuration run in the built renderer, in Chromium,
// through the real browser host and real workers. The Results page leads with the summary (comparison
// with deltas, the decisions that differ, the equivalent configurations) within the first screen; the
// PDF downloaded from it compares with the baseline pinned in the UI (pdftotext), has at most 4 pages
// before its appendix (pdfinfo, pdftotext per page), names the profile, date and run id in its header and
// file name, and never breaks a cpulist. Pages are rendered with pdftoppm to be looked at.
// Needs `out/renderer` (npm test builds it first).
import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { BrowserHost } from '../../main/host/serve.ts'
import { usePerTestPage, saveOpenAndRun } from '../helpers/e2e.ts'
import { TWO_VM_CONFIGS, twoVmProfile } from '../helpers/two-vm-profile.ts'

const t = usePerTestPage('kvmbench-e2e-results-', { beforeAll, afterAll, beforeEach, afterEach }, { dataSubdir: 'data' })
let host: BrowserHost
let page: Page
beforeEach(() => {
  ;({ host, page } = t)
})

/** Where the PDF and its pages (pdftoppm) and the screenshots go to be looked at: KVMBENCH_SHOTS_DIR, else
 *  the session's temp dir (removed after the test). */
const shotsDir = (): string => process.env.KVMBENCH_SHOTS_DIR ?? t.dir

function pageText(file: string, p?: number): string {
  const range = p === undefined ? [] : ['-f', String(p), '-l', String(p)]
  return execFileSync('pdftotext', ['-layout', ...range, file, '-'], { encoding: 'utf8' })
}

async function openAndRun(): Promise<string> {
  return saveOpenAndRun(host, page, 'two redis VMs', twoVmProfile())
}

describe('a 2-VM, 3-configuration run', () => {
  it('prints a PDF that compares with the UI\'s baseline, with at most 4 summary pages before the appendix', async () => {
    const runId = await openAndRun()
    // The Results page leads with its summary, all of it within the first screen (1280×800).
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.getByTestId('tab-results').click()
    const summary = page.getByTestId('results-summary')
    await summary.waitFor()
    // The baseline is chosen here (it is the UI's pinned baseline everywhere, the PDF included).
    await page.getByTestId('results-baseline').selectOption('posted-timer')
    expect(await page.getByTestId('baseline-label').textContent()).toContain('posted-timer (pinned)')
    const box = await summary.boundingBox()
    expect(box).not.toBeNull()
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(800)
    expect(await page.getByTestId('summary-table').locator('tbody tr').count()).toBe(6)
    expect(await page.getByTestId('equivalent').textContent()).toMatch(/^posted-timer and pi-default end up with the same kernel decisions/)
    expect(await page.getByTestId('decision-diffs').locator('tbody tr').count()).toBe(4)
    await page.getByTestId('decisions-show-all').click()
    expect(await page.getByTestId('decision-diffs').locator('tbody tr').count()).toBeGreaterThan(4)
    await page.getByTestId('decisions-show-all').click()
    // Configurations reorder: sw-timer down one place.
    await page.getByTestId('move-down-sw-timer').click()
    expect(await page.getByTestId('summary-table').locator('tbody tr').first().getAttribute('data-testid')).toBe('summary-row-posted-timer-redis-vm')
    if (process.env.KVMBENCH_SHOTS_DIR) {
      for (const theme of ['light', 'dark']) {
        if ((await page.evaluate('document.querySelector(".app").dataset.theme')) !== theme) await page.getByTestId('theme-toggle').click()
        await page.screenshot({ path: join(shotsDir(), `results-2vm-${theme}.png`) })
        await page.screenshot({ path: join(shotsDir(), `results-2vm-${theme}-full.png`), fullPage: true })
      }
    }

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('report-pdf').click()])
    const name = dl.suggestedFilename()
    expect(name).toMatch(new RegExp(`^kvmbench-two-redis-VMs-${runId}-\\d{4}-\\d\\d-\\d\\d\\.pdf$`))
    const file = join(shotsDir(), 'kvmbench-results-report.pdf')
    await writeFile(file, await readFile(await dl.path()))

    const pages = Number(/^Pages:\s*(\d+)/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1])
    const first = pageText(file, 1).replace(/[ \t]+/g, ' ')
    // The header: title (profile), run id, date; the first page names the UI's baseline.
    expect(first).toContain(`kvmbench report · profile two redis VMs · run ${runId}`)
    expect(first).toMatch(/Baseline posted-timer \(the baseline chosen in kvmbench\)/)
    expect(first).toContain('Compared with posted-timer (the baseline)')
    // The summary pages, then the appendix on page 5 at the latest.
    let appendixPage = 0
    for (let p = 1; p <= pages && !appendixPage; p++) if (/^\s*Appendix\s*$/m.test(pageText(file, p))) appendixPage = p
    expect(appendixPage).toBeGreaterThan(1)
    expect(appendixPage - 1).toBeLessThanOrEqual(4)
    const summaryText = Array.from({ length: appendixPage - 1 }, (_, i) => pageText(file, i + 1)).join('\n').replace(/[ \t]+/g, ' ')
    for (const s of ['What was compared', 'Headline deltas against posted-timer', 'Host pinning (posted-timer)', 'Exit-table deltas', 'Kernel decisions that differ', 'cache-vm', 'redis-vm']) expect(summaryText, s).toContain(s)
    // pi-default ends up with posted-timer's decisions, and the report says so.
    expect(summaryText).toMatch(/posted-timer and pi-default end up with the same kernel decisions/)
    // A cpulist in a command line is never broken inside a token.
    const all = pageText(file)
    expect(all).toContain('irqaffinity=0-1,16-17')
    execFileSync('pdftoppm', ['-r', '60', '-png', '-l', String(appendixPage), file, file.replace(/\.pdf$/, '')])
    expect(t.errors).toEqual([])
  })
})
