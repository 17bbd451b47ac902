// End to end: the profile library and the imports/exports of issue 6 in the built renderer, in Chromium,
// through the real browser host (profiles in its store, runs in real workers, the PDF by page.pdf).
// Needs `out/renderer` (npm test builds it first).
import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { BrowserHost } from '../../main/host/serve.ts'
import { usePerTestPage } from '../helpers/e2e.ts'
import { lscpuText } from '../helpers/lscpu.ts'

const t = usePerTestPage('kvmbench-e2e-lib-', { beforeAll, afterAll, beforeEach, afterEach })
let host: BrowserHost
let page: Page
const pageErrors = t.errors
beforeEach(() => {
  ;({ host, page } = t)
})

const download = async (click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> => {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()])
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) }
}

describe('the profile library, imports and exports in the browser host', () => {
  it('saves as, renames, deletes and undoes, imports lscpu, exports libvirt XML and downloads the PDF', async () => {
    await page.goto(host.url)
    await page.getByTestId('first-screen').waitFor()
    await page.getByTestId('library').waitFor()
    await page.getByTestId('open-example-posted-timer').click()
    await page.getByTestId('workbench').waitFor()

    // Save as under a new name, with tags.
    await page.getByTestId('save-as').click()
    await page.getByTestId('save-as-name').fill('my bench')
    await page.getByTestId('save-as-tags').fill('skylake, redis')
    await page.getByTestId('save-as-ok').click()
    await page.waitForSelector('[data-testid="profile-name"]:has-text("my bench")')

    // Rename it in the library.
    await page.getByTestId('open-library').click()
    await page.getByTestId('lib-my bench').waitFor()
    expect(await page.getByTestId('lib-my bench').textContent()).toContain('skylake')
    await page.getByTestId('lib-rename-my bench').click()
    await page.getByTestId('lib-rename-input').fill('renamed bench')
    await page.getByTestId('lib-rename-input').press('Enter')
    await page.getByTestId('lib-renamed bench').waitFor()
    await page.waitForSelector('[data-testid="profile-name"]:has-text("renamed bench")')

    // Delete, then Undo.
    await page.getByTestId('lib-delete-renamed bench').click()
    await page.getByTestId('undo-toast').waitFor()
    // the toast can show a frame before the list re-renders: wait for the card to go, then check it is gone
    await page.getByTestId('lib-renamed bench').waitFor({ state: 'detached' })
    expect(await page.getByTestId('lib-renamed bench').count()).toBe(0)
    await page.getByTestId('undo-delete').click()
    await page.getByTestId('lib-renamed bench').waitFor()
    await page.getByTestId('undo-toast').waitFor({ state: 'detached' })
    await page.getByTestId('library-dialog-close').click()

    // Import an lscpu text: 2 sockets × 16 cores × 2 threads; CPU 63 appears on the topology map.
    expect(await page.getByTestId('cpu-63').count()).toBe(0)
    await page.getByTestId('open-import').click()
    await page.getByTestId('import-kind').selectOption('lscpu')
    await page.getByTestId('import-text').fill(lscpuText(2, 16, 2))
    await page.getByTestId('diff-host.topology.sockets').waitFor()
    expect(await page.getByTestId('diff-host.topology.sockets').textContent()).toMatch(/1\s*2/)
    await page.getByTestId('import-apply').click()
    await page.getByTestId('cpu-63').waitFor()

    // Export the libvirt XML of a configuration.
    await page.getByTestId('export-toggle-posted-timer').click()
    await page.getByTestId('export-kind-posted-timer').selectOption('libvirt')
    const xml = await page.getByTestId('export-text-posted-timer').textContent()
    expect(xml).toContain('<vcpupin')
    expect(xml).toContain("<domain type='kvm'")
    await page.getByTestId('export-toggle-posted-timer').click()

    // Run (short), and download the PDF report of the run.
    await page.getByTestId('run-duration').fill('0.2')
    await page.getByTestId('run-duration').press('Tab')
    await page.getByTestId('run-all').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 150_000 })
    await page.getByTestId('tab-results').click()
    await page.getByTestId('report-pdf').waitFor()
    const shortId = /run (\S+)/.exec((await page.getByTestId('run-status').textContent()) ?? '')?.[1] ?? ''
    const pdf = await download(() => page.getByTestId('report-pdf').click())
    expect(pdf.bytes.subarray(0, 4).toString('latin1')).toBe('%PDF')
    // The run carries the name the profile was saved and renamed under.
    expect(pdf.name).toMatch(/^kvmbench-renamed-bench-.+-\d{4}-\d\d-\d\d\.pdf$/)
    expect(shortId).not.toBe('')
    expect(pdf.name).toContain(shortId)
    expect(pageErrors).toEqual([])
  })
})
