// `npm run screenshots`: starts the browser host on the built renderer, runs the posted-timer example
// in Chromium and writes a PNG of each main screen (first screen, configuration editor, results, comparison,
// workbench) in both themes to docs/screenshots/.
// Build first (`npm run build`).
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { startBrowserHost } from '../../main/host/serve.ts'
import { launchChromium } from '../helpers/chromium.ts'

const OUT = resolve(import.meta.dirname, '../../docs/screenshots')
const THEMES = ['light', 'dark'] as const
const EXAMPLE = 'posted-timer'

async function settle(page: Page): Promise<void> {
  // Let ECharts finish its first frame (animation is off) and fonts settle.
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
  await page.waitForTimeout(300)
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true })
  const dataDir = await mkdtemp(join(tmpdir(), 'kvmbench-shots-'))
  const host = await startBrowserHost({ port: 0, dataDir, workers: 2 })
  const browser = await launchChromium()
  const written: string[] = []
  try {
    for (const theme of THEMES) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: theme })
      await context.addInitScript((t: string) => localStorage.setItem('kvmbench.theme', t), theme)
      const page = await context.newPage()
      const shot = async (name: string, fullPage = false): Promise<void> => {
        await settle(page)
        const file = join(OUT, `${name}-${theme}.png`)
        await page.screenshot({ path: file, fullPage })
        written.push(file)
      }

      await page.goto(host.url)
      await page.getByTestId(`open-example-${EXAMPLE}`).waitFor()
      await shot('first-screen')

      await page.getByTestId(`open-example-${EXAMPLE}`).click()
      await page.getByTestId('workbench').waitFor()

      // The configuration editor: sw-timer, with one more knob changed so the preview marks a change.
      await page.getByTestId('tab-configs').click()
      await page.getByTestId('cfg-nav-sw-timer').click()
      await page.getByTestId('decisions-preview').waitFor()
      await shot('config-editor')
      await page.getByTestId('cfg-show-changed').click()
      await shot('config-editor-changed')
      await page.getByTestId('cfg-show-all').click()

      await page.getByTestId('run-all').click()
      await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 180_000 })
      await page.getByTestId('tab-results').click()
      await page.locator('[data-testid="chart-histogram"] canvas').first().waitFor()
      await shot('results', true)

      await page.getByTestId('tab-comparison').click()
      await page.getByTestId('comparison-table').waitFor()
      await shot('comparison')

      // The workbench after the run: statuses and full progress bars.
      await page.getByTestId('tab-setup').click()
      await page.getByTestId('config-list').waitFor()
      await shot('workbench', true)
      await context.close()
    }
  } finally {
    await browser.close()
    await host.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  for (const f of written) console.log(f)
}

await main()
