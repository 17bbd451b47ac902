// `npm run screenshots` case: the topology editor on a 256-CPU host (2 sockets × 64 cores × 2 threads,
// 2 NUMA nodes and 8 LLCs per socket, 8 VMs), to check the grid stays readable at that size.
// docs/screenshots/topology-256-{light,dark}.png (the topology panel) and topology-256-page-*.png.
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { bigHostProfile } from '../helpers/big-host.ts'
import { panelShot } from './screenshots-new-host.ts'

export async function topology256Shots(browser: Browser, url: string, outDir: string, theme: 'light' | 'dark'): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme: theme })
  await context.addInitScript((t: string) => localStorage.setItem('kvmbench.theme', t), theme)
  const page = await context.newPage()
  const written: string[] = []
  try {
    await page.goto(url)
    await page.getByTestId('first-screen').waitFor()
    // One VM pinned across sockets' SMT siblings of another, so a diagnostic and a flagged cell show.
    const profile = bigHostProfile()
    const vms = profile.vms as { pinning: { vcpupin: string[] } }[]
    vms[1]!.pinning.vcpupin[7] = '132'
    await page.getByTestId('open-file').setInputFiles({ name: 'big-host-256.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(profile)) })
    await page.getByTestId('cpu-255').waitFor()
    // A selection, so the selected style shows too.
    await page.getByTestId('selection-text').fill('40-47')
    await page.getByTestId('selection-text').press('Enter')
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
    await page.waitForTimeout(200)
    written.push(await panelShot(page, 'topology-map', join(outDir, `topology-256-${theme}.png`)))
    const whole = join(outDir, `topology-256-page-${theme}.png`)
    await page.screenshot({ path: whole })
    written.push(whole)
  } finally {
    await context.close()
  }
  return written
}
