// `npm run screenshots` case (issue 15): a host from scratch — the New profile dialog, the setup tab with two VMs
// (host editor, VM editor with the workload form, the map with device IRQs and a warning) and a new topology's
// pin-change preview. docs/screenshots/new-profile-*, new-host-setup-*, new-host-map-*, host-change-preview-*.
// Alone: `node test/tools/screenshots-new-host.ts` (with the renderer built).
import { join, resolve } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import type { Browser, Page } from 'playwright-core'

async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
  await page.waitForTimeout(200)
}

/** One panel, cut from a full-page shot (an element shot would let the sticky header cover it). */
export async function panelShot(page: Page, testid: string, file: string): Promise<string> {
  await page.evaluate('window.scrollTo(0, 0)')
  await settle(page)
  const box = await page.getByTestId(testid).evaluate((el) => {
    const r = el.getBoundingClientRect()
    const w = globalThis as unknown as { scrollX: number; scrollY: number }
    return { x: r.left + w.scrollX, y: r.top + w.scrollY, width: r.width, height: r.height }
  })
  await page.screenshot({ path: file, fullPage: true, clip: box })
  return file
}

export async function newHostShots(browser: Browser, url: string, outDir: string, theme: 'light' | 'dark'): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: theme })
  await context.addInitScript((t: string) => localStorage.setItem('kvmbench.theme', t), theme)
  const page = await context.newPage()
  const written: string[] = []
  const shot = async (name: string, fullPage = false): Promise<void> => {
    await settle(page)
    const file = join(outDir, `${name}-${theme}.png`)
    await page.screenshot({ path: file, fullPage })
    written.push(file)
  }
  try {
    await page.goto(url)
    await page.getByTestId('new-profile-open').click()
    await page.getByTestId('new-profile-name').fill('two-socket icelake')
    await page.getByTestId('new-profile-vcpus').fill('16')
    await shot('new-profile')
    await page.getByTestId('new-profile-ok').click()
    await page.getByTestId('workbench').waitFor()
    await page.getByTestId('vm-add-vcpus').fill('8')
    await page.getByTestId('vm-add').click()
    await page.getByTestId('vm-tab-vm1').waitFor()
    await page.getByTestId('host-edit-toggle').click()
    await shot('new-host-setup', true)
    // The map: an IRQ source steered to a few CPUs, the emulator thread of vm1 on an isolated CPU (a warning).
    await page.getByTestId('selection-text').fill('30-31')
    await page.getByTestId('selection-text').press('Enter')
    await page.getByTestId('irq-add').click()
    await page.getByTestId('irq-steer-irq0').click()
    await page.getByTestId('pin-vm1-emulator').fill('28,30')
    await page.getByTestId('pin-vm1-emulator').press('Enter')
    await page.waitForSelector('[data-code="emulator-on-isolated"]')
    written.push(await panelShot(page, 'topology-map', join(outDir, `new-host-map-${theme}.png`)))
    // A smaller topology: the pins it moves or invalidates, before they apply.
    await page.getByTestId('edit-host-coresPerSocket').fill('8')
    await page.getByTestId('edit-host-coresPerSocket').press('Tab')
    await page.getByTestId('host-apply').click()
    await page.getByTestId('host-changes').waitFor()
    written.push(await panelShot(page, 'host-editor', join(outDir, `host-change-preview-${theme}.png`)))
  } finally {
    await context.close()
  }
  return written
}

if (import.meta.main) {
  const { startBrowserHost } = await import('../../main/host/serve.ts')
  const { launchChromium } = await import('../helpers/chromium.ts')
  const dataDir = await mkdtemp(join(tmpdir(), 'kvmbench-shots-'))
  const host = await startBrowserHost({ port: 0, dataDir, workers: 1 })
  const browser = await launchChromium()
  try {
    for (const theme of ['light', 'dark'] as const) for (const f of await newHostShots(browser, host.url, resolve(import.meta.dirname, '../../docs/screenshots'), theme)) console.log(f)
  } finally {
    await browser.close()
    await host.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
