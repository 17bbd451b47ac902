// `npm run screenshots`: starts the browser host on the built renderer, runs the posted-timer example
// in Chromium and writes a PNG of each main screen (first screen, profile library, import dialog, export
// menu, configuration editor, results, comparison, workbench) in both themes to docs/screenshots/.
// Build first (`npm run build`).
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { startBrowserHost } from '../../main/host/serve.ts'
import { launchChromium } from '../helpers/chromium.ts'
import { resetWorkbench } from '../helpers/e2e.ts'
import { topology256Shots } from './screenshots-topology.ts'
import { thisMachineShots } from './screenshots-this-machine.ts'
import { newHostShots } from './screenshots-new-host.ts'
import { lscpuText } from '../helpers/lscpu.ts'

const OUT = resolve(import.meta.dirname, '../../docs/screenshots')
const THEMES = ['light', 'dark'] as const
const EXAMPLE = 'posted-timer'
/** perf kvm stat report of the posted-timer host before the patch (Wanpeng Li's mail, KVM commit 0c5f81dad46c). */
const MEASURED = `Analyze events for all VMs, all VCPUs:

             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time

  EXTERNAL_INTERRUPT      42916    49.43%    39.30%      0.47us    106.09us      0.71us ( +-   1.09% )
           MSR_WRITE      21780    25.09%     9.70%      0.32us     44.19us      0.35us ( +-   1.35% )
      IO_INSTRUCTION      11036    12.71%    38.01%      1.71us     59.84us      2.72us ( +-   0.68% )
   PREEMPTION_TIMER        8512     9.80%     8.95%      0.31us     43.09us      0.83us ( +-   1.37% )
       EPT_MISCONFIG       2577     2.97%     4.04%      0.89us     29.51us      1.23us ( +-   2.12% )

Total Samples:86821, Total events handled time:77564.51us.
`

async function settle(page: Page): Promise<void> {
  // The Results and Comparison tabs create their charts and later cards one per task: wait for all of them.
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[data-render="pending"]'))
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
      // Each theme starts as a first start would (the workbench restores the last profile otherwise).
      resetWorkbench(host)
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

      // The profile library: the example saved under a name with tags, and a copy of it.
      await page.getByTestId('save-as').click()
      await page.getByTestId('save-as-name').fill(`Skylake redis, posted timer (${theme})`)
      await page.getByTestId('save-as-description').fill('The posted-timer example on a 1-socket Skylake host: pi_inject_timer 0 vs 1.')
      await page.getByTestId('save-as-tags').fill('skylake, redis, timer')
      await shot('save-as')
      await page.getByTestId('save-as-ok').click()
      await page.getByTestId('open-library').click()
      await page.getByTestId('library').waitFor()
      await page.locator('[data-testid^="lib-duplicate-"]').first().click()
      await page.waitForSelector('[data-testid="lib-list"] li:nth-child(2)')
      await shot('library')
      await page.getByTestId('library-dialog-close').click()

      // The Import dialog: an lscpu text previewed as changed fields.
      await page.getByTestId('open-import').click()
      await page.getByTestId('import-text').fill(lscpuText(2, 16, 2))
      await page.getByTestId('import-diff').waitFor()
      await shot('import-dialog')
      await page.getByTestId('import-dialog-close').click()

      // The Export menu of a configuration: its libvirt domain XML.
      await page.getByTestId('export-toggle-posted-timer').click()
      await page.getByTestId('export-kind-posted-timer').selectOption('libvirt')
      await shot('export-menu')
      await page.getByTestId('export-toggle-posted-timer').click()

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

      // A measured perf kvm stat table beside the simulated one.
      await page.getByTestId('measured-text').fill(MEASURED)
      await page.getByTestId('measured-deltas').waitFor()
      await page.getByTestId('measured').scrollIntoViewIfNeeded()
      await shot('measured')
      await page.getByTestId('measured').getByText('Clear').click()

      await page.getByTestId('tab-comparison').click()
      await page.getByTestId('comparison-table').waitFor()
      await shot('comparison')

      // The workbench after the run: statuses and full progress bars.
      await page.getByTestId('tab-setup').click()
      await page.getByTestId('config-list').waitFor()
      await shot('workbench', true)
      await context.close()
    }
    for (const theme of THEMES) {
      resetWorkbench(host)
      written.push(...(await topology256Shots(browser, host.url, OUT, theme)))
    }
    written.push(...(await thisMachineShots(browser, OUT)))
    for (const theme of THEMES) {
      resetWorkbench(host)
      written.push(...(await newHostShots(browser, host.url, OUT, theme)))
    }
  } finally {
    await browser.close()
    await host.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  for (const f of written) console.log(f)
}

await main()
