// `npm run screenshots` case: the "From this machine" dialog, reading the 2-socket HT Xeon fixture machine
// (test/main/fixtures/this-machine/xeon-2s-ht: isolcpus/nohz_full, a running libvirt VM) through its own
// browser host, with the dialog over the first screen and the profile it opens.
// docs/screenshots/this-machine-{light,dark}.png and this-machine-opened-{light,dark}.png.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { startBrowserHost } from '../../main/host/serve.ts'
import { resetWorkbench } from '../helpers/e2e.ts'

const FIXTURE = resolve(import.meta.dirname, '../main/fixtures/this-machine/xeon-2s-ht')

export async function thisMachineShots(browser: Browser, outDir: string): Promise<string[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kvmbench-shots-machine-'))
  const host = await startBrowserHost({ port: 0, dataDir, workers: 1, machineRoot: FIXTURE })
  const written: string[] = []
  try {
    for (const theme of ['light', 'dark'] as const) {
      resetWorkbench(host)
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: theme })
      await context.addInitScript((t: string) => localStorage.setItem('kvmbench.theme', t), theme)
      const page = await context.newPage()
      try {
        await page.goto(host.url)
        await page.getByTestId('start-from-machine').click()
        await page.getByTestId('this-machine-read').waitFor()
        await page.getByTestId('this-machine-add-vm').check()
        await page.getByTestId('this-machine-vcpus').fill('4')
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
        const dialog = join(outDir, `this-machine-${theme}.png`)
        await page.screenshot({ path: dialog })
        written.push(dialog)
        await page.getByTestId('this-machine-open').click()
        await page.getByTestId('workbench').waitFor()
        await page.getByTestId('vm-vm0').waitFor()
        await page.waitForTimeout(300)
        const opened = join(outDir, `this-machine-opened-${theme}.png`)
        await page.screenshot({ path: opened })
        written.push(opened)
      } finally {
        await context.close()
      }
    }
  } finally {
    await host.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return written
}
