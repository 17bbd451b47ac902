// End to end: the built renderer in Debian's Chromium, through the real browser host (HTTP + WebSocket)
// and real simulation worker processes. Needs `out/renderer` (npm test builds it first).
import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { BrowserHost } from '../../main/host/serve.ts'
import { usePerTestPage } from '../helpers/e2e.ts'

const CONFIGS = ['sw-timer', 'posted-timer'] as const

const t = usePerTestPage('kvmbench-e2e-', { beforeAll, afterAll, beforeEach, afterEach }, { failedResponses: true })
let host: BrowserHost
let page: Page
const pageErrors = t.errors
beforeEach(() => {
  ;({ host, page } = t)
})

async function openExample(): Promise<void> {
  await page.goto(host.url)
  await page.getByTestId('first-screen').waitFor()
  await page.getByTestId('open-example-posted-timer').click()
  await page.getByTestId('workbench').waitFor()
  for (const c of CONFIGS) await page.getByTestId(`config-${c}`).waitFor()
}

describe('the posted-timer example in the browser host', () => {
  it('runs both configurations and shows the exit tables, the comparison and the histogram', async () => {
    await openExample()
    await page.getByTestId('run-all').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 150_000 }).catch(async (e: unknown) => {
      throw new Error(`the run did not finish: ${await page.getByTestId('run-status').textContent()}; page errors: ${pageErrors.join(' | ')}; ${String(e)}`)
    })
    await page.getByTestId('tab-setup').click()
    for (const c of CONFIGS) expect((await page.getByTestId(`status-${c}`).textContent())?.trim()).toBe('done')

    await page.getByTestId('tab-results').click()
    for (const c of CONFIGS) {
      const row = page.locator(`[data-testid="result-${c}"] [data-testid="perf-row-EXTERNAL_INTERRUPT"]`)
      await row.waitFor()
      expect(Number((await row.locator('td').nth(1).textContent())?.trim())).toBeGreaterThan(0)
      expect(await row.getAttribute('title')).toContain('caused by')
    }

    // The overlaid histogram drew something on its canvas.
    const canvas = page.locator('[data-testid="chart-histogram"] canvas').first()
    await canvas.waitFor()
    // (typed structurally: the Node tsconfig has no DOM lib)
    type Canvas = { width: number; height: number; getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }
    const painted = await canvas.evaluate((el) => {
      const cv = el as unknown as Canvas
      const ctx = cv.getContext('2d')
      if (!ctx || cv.width === 0 || cv.height === 0) return 0
      const data = ctx.getImageData(0, 0, cv.width, cv.height).data
      let n = 0
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++
      return n
    })
    expect(painted).toBeGreaterThan(1000)

    // Export: the histogram's data as CSV, and the chart as SVG (rendered on demand).
    const download = async (click: () => Promise<void>): Promise<{ name: string; text: string }> => {
      const [dl] = await Promise.all([page.waitForEvent('download'), click()])
      return { name: dl.suggestedFilename(), text: await readFile(await dl.path(), 'utf8') }
    }
    const csv = await download(() => page.getByTestId('chart-histogram-csv').click())
    expect(csv.name).toMatch(/\.csv$/)
    expect(csv.text.split('\r\n')[0]).toBe('config,low_ns,high_ns,count')
    expect(csv.text).toContain('posted-timer,')
    const svg = await download(() => page.locator('[data-testid="chart-histogram"] button[title="Save as SVG"]').click())
    expect(svg.name).toMatch(/\.svg$/)
    expect(svg.text).toMatch(/^<svg/)

    await page.getByTestId('tab-comparison').click()
    const delta = page.getByTestId('delta-extint-posted-timer')
    await delta.waitFor()
    expect(Number(await delta.getAttribute('data-pct'))).toBeLessThan(0)
    expect(await delta.getAttribute('data-tone')).toBe('good')

    // Ctrl+Shift+L switches the theme; the charts are drawn again in it.
    const before = await page.evaluate('document.documentElement.dataset.theme')
    await page.keyboard.press('Control+Shift+L')
    expect(await page.evaluate('document.documentElement.dataset.theme')).not.toBe(before)
    await page.getByTestId('tab-results').click()
    await page.locator('[data-testid="chart-histogram"] canvas').first().waitFor()
    expect(pageErrors).toEqual([])
  })

  it('cancels a run and marks its configurations cancelled', async () => {
    await openExample()
    // A long virtual duration, so the run is still going when Cancel is clicked.
    // (within run.maxEvents: about 3·10⁸ events estimated)
    await page.getByTestId('run-duration').fill('250')
    await page.getByTestId('run-duration').press('Tab')
    await page.getByTestId('run-all').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="running"]', { timeout: 60_000 })
    await page.getByTestId('cancel-run').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="cancelled"]', { timeout: 30_000 })
    await page.getByTestId('tab-setup').click()
    for (const c of CONFIGS) expect((await page.getByTestId(`status-${c}`).textContent())?.trim()).toBe('cancelled')
    expect(await page.getByTestId('run-all').isEnabled()).toBe(true)
    expect(pageErrors).toEqual([])
  })

  it('edits the topology on the grid and in text, undoes, and runs the edited profile', async () => {
    await openExample()
    const nohz = page.getByTestId('cmdline-nohzFull')
    expect(await nohz.inputValue()).toBe('2-15,18-31')

    // Select CPUs 2-3 on the grid (click, shift-click) and paint them housekeeping.
    await page.getByTestId('cpu-2').click()
    await page.getByTestId('cpu-3').click({ modifiers: ['Shift'] })
    expect(await page.getByTestId('selection-text').inputValue()).toBe('2-3')
    await page.getByTestId('paint-housekeeping').click()
    expect(await nohz.inputValue()).toBe('4-15,18-31')
    expect(await page.getByTestId('cpu-2').getAttribute('data-roles')).toBe('housekeeping')
    expect(await page.getByTestId('cmdline').textContent()).toContain('nohz_full=4-15,18-31')

    // Ctrl+Z undoes it (outside a text field).
    await page.locator('body').click({ position: { x: 5, y: 300 } })
    await page.keyboard.press('Control+z')
    expect(await nohz.inputValue()).toBe('2-15,18-31')

    // Pin vCPU 0 by cpuset text onto a housekeeping CPU: the grid follows and the diagnostics say so.
    const pin = page.getByTestId('pin-redis-vm-vCPU-0')
    await pin.fill('0')
    await pin.press('Enter')
    await page.waitForSelector('[data-testid="cpu-0"] .cpu-pins:has-text("v0")')
    expect(await page.getByTestId('topology-diagnostics').textContent()).toContain('pinned to housekeeping CPU 0')

    // Drag vCPU 0's chip onto CPU 9 (HTML5 drag and drop): the cpuset text and the grid follow.
    await page.getByTestId('chip-redis-vm-v0').dragTo(page.getByTestId('cpu-9'))
    await page.waitForSelector('[data-testid="cpu-9"] .cpu-pins:has-text("v0")')
    expect(await pin.inputValue()).toBe('9')
    expect(await page.getByTestId('chip-redis-vm-v0').getAttribute('data-cpuset')).toBe('9')
    expect((await page.getByTestId('topology-map').textContent()) ?? '').not.toContain('pinned to housekeeping CPU 0')

    // The edited profile is what the worker simulates.
    await page.getByTestId('run-posted-timer').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 150_000 })
    await page.getByTestId('tab-results').click()
    await page.locator('[data-testid="result-posted-timer"] [data-testid="perf-table"]').waitFor()
    expect(await page.locator('[data-testid="result-sw-timer"]').count()).toBe(0)
    expect(pageErrors).toEqual([])
  })

  it('makes a new configuration in the editor, previews its timer path, and runs it', async () => {
    await openExample()
    await page.getByTestId('tab-configs').click()
    await page.getByTestId('cfg-add').click()
    await page.getByTestId('cfg-nav-variant').waitFor()
    // A new configuration is the base profile: pi_inject_timer auto with nohz_full posts the timer.
    const timer = page.getByTestId('preview-redis-vm-timer-path')
    expect(await timer.getAttribute('data-value')).toBe('posted-from-housekeeping')
    expect(await page.getByTestId('cfg-diffs').textContent()).toContain('None')

    await page.getByTestId('knob-input-host.kvm.piInjectTimer').selectOption('0')
    await page.waitForSelector('[data-testid="preview-redis-vm-timer-path"][data-value="sw-hrtimer-unpinned"]')
    expect(await timer.getAttribute('data-changed')).toBe('true')
    expect(await page.getByTestId('knob-host.kvm.piInjectTimer').getAttribute('data-overridden')).toBe('true')
    expect(await page.getByTestId('cfg-diffs').textContent()).toContain('host.kvm.piInjectTimer')

    // Renaming keeps the override; the configuration list on the setup tab shows it too.
    await page.getByTestId('cfg-name').fill('pi-off')
    await page.getByTestId('cfg-name').press('Enter')
    await page.getByTestId('cfg-nav-pi-off').waitFor()
    expect(await page.getByTestId('knob-host.kvm.piInjectTimer').getAttribute('data-overridden')).toBe('true')

    await page.getByTestId('cfg-run').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 150_000 })
    await page.getByTestId('tab-results').click()
    const row = page.locator('[data-testid="result-pi-off"] [data-testid="perf-row-EXTERNAL_INTERRUPT"]')
    await row.waitFor()
    expect(Number((await row.locator('td').nth(1).textContent())?.trim())).toBeGreaterThan(0)
    const decision = page.locator('[data-testid="result-pi-off"] [data-testid="decisions-redis-vm"]')
    expect(await decision.textContent()).toContain('sw-hrtimer-unpinned')
    // The whole Avg time cell, "( +-" and all, is visible: the table is not cut off.
    const wrap = page.locator('[data-testid="result-pi-off"] .perf-wrap')
    type Box = { scrollWidth: number; clientWidth: number }
    expect(await wrap.evaluate((el) => (el as unknown as Box).scrollWidth <= (el as unknown as Box).clientWidth)).toBe(true)
    expect(pageErrors).toEqual([])
  })
})
