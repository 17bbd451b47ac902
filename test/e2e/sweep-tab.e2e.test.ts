// End to end: the Sweep tab in Debian's Chromium, through the real browser host and real simulation worker
// processes. Ticks two knobs of the posted-timer example with two values each (and the simulated seconds
// as a one-value axis), runs the 4 points, sees them and the heat map; a second, longer sweep is cancelled
// and keeps its finished points; a point opens as a configuration of the profile.
// KVMBENCH_SCREENSHOT_DIR=docs/screenshots saves the tab in both themes there.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { usePerTestPage } from '../helpers/e2e.ts'

const t = usePerTestPage('kvmbench-e2e-sweep-', { beforeAll, afterAll, beforeEach, afterEach }, { failedResponses: true })
let page: Page

const PI = 'host.kvm.piInjectTimer'
const HLT = 'vm.kvm.disableExits.hlt'
const DURATION = 'run.durationSec'

async function status(): Promise<{ status: string | null; done: number; total: number; text: string }> {
  const s = page.getByTestId('sweep-status')
  return { status: await s.getAttribute('data-status'), done: Number(await s.getAttribute('data-done')), total: Number(await s.getAttribute('data-total')), text: (await s.textContent()) ?? '' }
}

async function waitStatus(want: string, timeout: number): Promise<void> {
  await page.waitForSelector(`[data-testid="sweep-status"][data-status="${want}"]`, { timeout }).catch(async (e: unknown) => {
    const err = await page.getByTestId('sweep-error').textContent().catch(() => '')
    throw new Error(`the sweep did not reach ${want}: ${JSON.stringify(await status().catch(() => null))} ${err}; page errors: ${t.errors.join(' | ')}; ${String(e)}`)
  })
}

async function painted(testid: string): Promise<number> {
  const canvas = page.locator(`[data-testid="${testid}"] canvas`).first()
  await canvas.waitFor()
  type Canvas = { width: number; height: number; getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }
  return canvas.evaluate((el) => {
    const cv = el as unknown as Canvas
    const ctx = cv.getContext('2d')
    if (!ctx || cv.width === 0 || cv.height === 0) return 0
    const data = ctx.getImageData(0, 0, cv.width, cv.height).data
    let n = 0
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++
    return n
  })
}

describe('the Sweep tab in the browser host', () => {
  beforeEach(() => {
    page = t.page
  })

  it('runs a 2 × 2 sweep, shows 4 points and the heat map, cancels a second sweep, and opens a point as a configuration', async () => {
    await page.goto(t.host.url)
    await page.getByTestId('open-example-posted-timer').click()
    await page.getByTestId('workbench').waitFor()
    await page.getByTestId('tab-sweep').click()
    await page.getByTestId('sweep-screen').waitFor()

    // Two knobs with two values each, and the simulated time as a one-value setting.
    await page.getByTestId(`sweep-tick-${PI}`).check()
    await page.getByTestId(`sweep-values-${PI}`).fill('0, 1')
    await page.getByTestId(`sweep-tick-${HLT}`).check()
    await page.getByTestId(`sweep-values-${HLT}`).fill('false, true')
    await page.getByTestId(`sweep-tick-${DURATION}`).check()
    await page.getByTestId(`sweep-values-${DURATION}`).fill('0.05')
    // A value the knob's schema refuses is named before anything runs.
    await page.getByTestId(`sweep-values-${HLT}`).fill('false, maybe')
    expect(await page.getByTestId('sweep-plan-problem').textContent()).toContain('"maybe"')
    expect(await page.getByTestId('sweep-run').isDisabled()).toBe(true)
    await page.getByTestId(`sweep-values-${HLT}`).fill('false, true')
    expect(await page.getByTestId('sweep-run').textContent()).toContain('4 points')

    await page.getByTestId('sweep-run').click()
    await waitStatus('done', 120_000)
    const first = await status()
    expect(first.done).toBe(4)
    expect(first.total).toBe(4)
    await expect.poll(() => page.locator('[data-testid^="sweep-point-"]').count()).toBe(4)
    // each point has a throughput: the real runs' metrics
    for (let i = 0; i < 4; i++) {
      const thr = (await page.getByTestId(`sweep-point-${i}`).locator('td').nth(3).textContent()) ?? ''
      expect(Number(thr.replace(/[^0-9.]/g, ''))).toBeGreaterThan(0)
    }
    expect(await painted('sweep-heatmap')).toBeGreaterThan(1000)
    expect(await painted('sweep-sensitivity')).toBeGreaterThan(500)
    expect(await painted('sweep-pareto')).toBeGreaterThan(500)
    // latencies read in µs in the table too, and the points download as the CLI's JSONL lines
    expect(await page.getByTestId('sweep-points').locator('thead').textContent()).toContain('p99 latency (µs)')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sweep-jsonl').click()])
    expect(download.suggestedFilename()).toMatch(/^sweep-.*\.jsonl$/)
    const jsonl = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; index: number; values: Record<string, unknown>; metrics: Record<string, number> })
    expect(jsonl.map((l) => l.index).sort()).toEqual([0, 1, 2, 3])
    for (const l of jsonl) {
      expect(l.key).toMatch(/^[0-9a-f]{32}$/)
      expect([0, 1]).toContain(l.values['host.kvm.piInjectTimer'])
      expect(l.metrics['vms[0].workload.throughputPerSec']).toBeGreaterThan(0)
    }

    const shots = process.env.KVMBENCH_SCREENSHOT_DIR
    if (shots) {
      for (const theme of ['light', 'dark']) {
        if ((await page.evaluate('document.querySelector(".app").dataset.theme')) !== theme) await page.getByTestId('theme-toggle').click()
        await page.evaluate('window.scrollTo(0, 0)')
        await page.waitForTimeout(400)
        await page.screenshot({ path: join(resolve(shots), `sweep-tab-${theme}.png`), fullPage: true })
      }
    }

    // A second, longer sweep (12 points of 1 simulated second) is cancelled after its first point.
    await page.getByTestId(`sweep-values-${DURATION}`).fill('1')
    await page.getByTestId('sweep-seeds').fill('1, 2, 3')
    await page.getByTestId('sweep-run').click()
    await page.waitForSelector('[data-testid="sweep-status"][data-status="running"][data-total="12"]', { timeout: 30_000 })
    await page.waitForSelector('[data-testid="sweep-status"]:not([data-done="0"])', { timeout: 120_000 })
    await page.getByTestId('sweep-cancel').click()
    await waitStatus('cancelled', 60_000)
    const second = await status()
    expect(second.done).toBeGreaterThanOrEqual(1)
    expect(second.done).toBeLessThan(12)
    expect(await page.locator('[data-testid^="sweep-point-"]').count()).toBeGreaterThanOrEqual(1)
    expect(await page.getByTestId('sweep-cancel').isDisabled()).toBe(true)

    // A finished point of the cancelled sweep opens as a configuration with its values as overrides.
    const row = page.locator('[data-testid^="sweep-point-"]').first()
    const index = Number((await row.getAttribute('data-testid'))!.replace('sweep-point-', ''))
    const cell = async (i: number): Promise<string> => ((await row.locator('td').nth(i).textContent()) ?? '').trim()
    const [pi, hlt] = [await cell(1), await cell(2)]
    await page.getByTestId(`open-point-${index}`).click()
    expect(await page.getByTestId('sweep-opened').textContent()).toContain(`sweep-${index}`)
    await page.getByTestId('tab-setup').click()
    await page.getByTestId(`config-sweep-${index}`).waitFor()
    await page.getByTestId(`edit-sweep-${index}`).click()
    const editor = page.getByTestId('workbench')
    await expect.poll(async () => (await editor.textContent()) ?? '').toContain(`host.kvm.piInjectTimer = ${pi}`)
    const text = (await editor.textContent()) ?? ''
    expect(text).toContain(`kvm.disableExits.hlt = ${hlt}`)
    expect(text).toContain('run.durationSec = 1')

    // Three knobs that vary, two seeds: parallel coordinates instead of the heat map, and the sensitivity
    // has a CI from the seeds.
    await page.getByTestId('tab-sweep').click()
    await page.getByTestId('sweep-tick-host.kvm.haltPoll.haltPollNs').check()
    await page.getByTestId('sweep-values-host.kvm.haltPoll.haltPollNs').fill('0, 200000')
    await page.getByTestId(`sweep-values-${DURATION}`).fill('0.02')
    await page.getByTestId('sweep-seeds').fill('1, 2')
    await page.getByTestId('sweep-run').click()
    await page.waitForSelector('[data-testid="sweep-status"][data-total="16"]', { timeout: 30_000 })
    await waitStatus('done', 120_000)
    expect((await status()).done).toBe(16)
    expect(await painted('sweep-parallel')).toBeGreaterThan(1000)
    expect(await page.getByTestId('sweep-heatmap').count()).toBe(0)
    expect(await page.getByTestId('sweep-points').textContent()).toContain('±')
    if (shots) {
      for (const theme of ['light', 'dark']) {
        if ((await page.evaluate('document.querySelector(".app").dataset.theme')) !== theme) await page.getByTestId('theme-toggle').click()
        await page.evaluate('window.scrollTo(0, 0)')
        await page.waitForTimeout(400)
        await page.screenshot({ path: join(resolve(shots), `sweep-tab-parallel-${theme}.png`), fullPage: true })
      }
    }
    expect(t.errors).toEqual([])
  }, 300_000)
})
