// End to end: what a benchmark printed, on the Results page and in the PDF report, in Chromium through the real
// browser host and real workers. A cyclictest profile (examples/cyclictest.json, two of its configurations) run with
// 3 replications: each configuration's card shows cyclictest's own "T: n … Min: Act: Avg: Max:" lines — rendered from
// the figures, so they print the means over the replications, say so, and carry each figure's 95 % half-width beside
// the line — and the PDF's appendix prints the same lines. KVMBENCH_SHOTS_DIR keeps the screenshots (both themes) and
// the PDF's pages (pdftoppm) to be looked at. Needs `out/renderer` (npm test builds it first).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePerTestPage, saveOpenAndRun } from '../helpers/e2e.ts'

const t = usePerTestPage('kvmbench-e2e-bench-', { beforeAll, afterAll, beforeEach, afterEach }, { dataSubdir: 'data' })
const shotsDir = (): string => process.env.KVMBENCH_SHOTS_DIR ?? t.dir
const CONFIGS = ['hlt-exits', 'guest-haltpoll']

/** examples/cyclictest.json with two configurations, 3 replications of 0.05 s each. */
function profile(): Record<string, unknown> {
  const p = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/cyclictest.json'), 'utf8')) as { run: Record<string, unknown>; configurations: { name: string }[]; name: string }
  p.name = 'cyclictest replicated'
  p.run = { ...p.run, durationSec: 0.05, replications: 3 }
  p.configurations = p.configurations.filter((c) => CONFIGS.includes(c.name))
  return p as unknown as Record<string, unknown>
}

describe('a benchmark\'s own lines', () => {
  it('show on each result card and in the PDF as the means of the replications, with their CIs', async () => {
    const { host, page } = t
    await page.setViewportSize({ width: 1440, height: 900 })
    await saveOpenAndRun(host, page, 'cyclictest replicated', profile())
    await page.getByTestId('tab-results').click()

    for (const c of CONFIGS) {
      const out = page.getByTestId(`benchmark-${c}`)
      await out.waitFor()
      const text = (await out.textContent()) ?? ''
      expect(text).toContain('Benchmark output · rt-vm (timer)')
      expect(text).toContain('the benchmark\'s lines print the means of 3 replications, ± their 95 % CI')
      // one line per cyclictest thread, as cyclictest prints it, with the half-widths beside
      const lines = ((await out.locator('pre').textContent()) ?? '').split('\n')
      expect(lines.length).toBe(4)
      for (const [i, l] of lines.entries()) expect(l).toMatch(new RegExp(`^T:\\s*${i} \\(\\s*\\d+\\) P:\\s*\\d+ I:1000 C:\\s*\\d+ Min:\\s*\\d+ Act:\\s*\\d+ Avg:\\s*\\d+ Max:\\s*\\d+ {3}\\(C ±\\d+ loops, Min ±[\\d.]+ µs, Act ±[\\d.]+ µs, Avg ±[\\d.]+ µs, Max ±[\\d.]+ µs\\)$`))
    }
    const card = page.getByTestId(`result-${CONFIGS[0]}`)
    for (const theme of ['light', 'dark']) {
      if ((await page.evaluate('document.querySelector(".app").dataset.theme')) !== theme) await page.getByTestId('theme-toggle').click()
      await card.scrollIntoViewIfNeeded()
      await card.screenshot({ path: join(shotsDir(), `results-benchmark-${theme}.png`) })
    }

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('report-pdf').click()])
    const file = join(shotsDir(), 'kvmbench-results-benchmark.pdf')
    await writeFile(file, await readFile(await dl.path()))
    const all = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    expect(all).toContain('Benchmark output (timer)')
    expect(all).toContain('The benchmark\'s lines print the means of 3 replications, ± their 95 % CI.')
    expect(all).toMatch(/T:\s*0 \(\s*\d+\) P:\s*\d+ I:1000 C:\s*\d+ Min:\s*\d+ Act:\s*\d+ Avg:\s*\d+ Max:\s*\d+/)
    if (process.env.KVMBENCH_SHOTS_DIR) execFileSync('pdftoppm', ['-r', '60', '-png', file, file.replace(/\.pdf$/, '')])
    expect(t.errors).toEqual([])
  }, 240_000)
})
