#!/usr/bin/env node
// The topology editor's responsiveness on a 256-CPU host (issue 5: "a 256-CPU host stays responsive while
// editing and running"), measured in the built renderer in Chromium through the real browser host and
// real worker processes. Needs `npm run build` (out/renderer).
//   node bench/ui-responsiveness.ts [--json FILE] [--trace FILE]   (also part of `npm run bench`; --trace writes a
//   Chrome trace of the run phase, for chrome://tracing or DevTools' Performance panel)
//
// Interaction latency = from the input event's timestamp (Event.timeStamp, when the browser received it)
// to the first task after the next animation frame, i.e. handler + Vue update + style/layout/paint of the
// frame that shows the result (what INP approximates). Measured by capture-phase listeners installed
// before the app loads; long tasks by PerformanceObserver('longtask'); frame gaps by a rAF loop;
// slow events (≥ 16 ms) also by PerformanceObserver('event') as a cross-check.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { startBrowserHost } from '../main/host/serve.ts'
import { launchChromium } from '../test/helpers/chromium.ts'
import { bigHostProfile } from '../test/helpers/big-host.ts'
import { judge, section, tableHeader, tableRow } from './report.ts'
import type { Figure } from './report.ts'

const ROOT = join(import.meta.dirname, '..')
const RENDERER = join(ROOT, 'out', 'renderer', 'index.html')

/** What a trace of the run records: the main thread's tasks, script, style/layout/paint, and the garbage collector. */
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.gc', 'blink.user_timing', 'toplevel']

export const UI_TARGET = { interactionMs: 100, longestTaskMs: 200, frameGapMs: 200 } as const

/** Installed before the app: per-label interaction latencies, long tasks, slow events, frame gaps. */
const PROBE = `(() => {
  const p = { label: 'idle', lat: {}, longtasks: [], events: [], frames: { on: false, last: 0, maxGap: 0, gaps: [] } }
  window.__perf = p
  const kinds = ['mousedown', 'mouseup', 'mouseover', 'click', 'keydown', 'change', 'drop']
  for (const k of kinds) {
    window.addEventListener(k, (e) => {
      const label = p.label, start = e.timeStamp
      requestAnimationFrame(() => setTimeout(() => {
        ;(p.lat[label] ||= []).push({ type: k, at: start, ms: performance.now() - start, target: (e.target && e.target.dataset && e.target.dataset.testid) || (e.target && e.target.tagName) })
      }, 0))
    }, true)
  }
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) p.longtasks.push({ label: p.label, start: e.startTime, ms: e.duration }) })
      .observe({ type: 'longtask', buffered: true })
  } catch {}
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) p.events.push({ label: p.label, type: e.name, ms: e.duration }) })
      .observe({ type: 'event', durationThreshold: 16, buffered: true })
  } catch {}
  p.statusAt = {}
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid="run-status"]')
    const st = el && el.getAttribute('data-status')
    if (st && !(st in p.statusAt)) p.statusAt[st] = performance.now()
    // After the run: when the Results tab has drawn everything (no chart or card waits to be rendered).
    if (p.statusAt.done && !p.drawnAt && document.querySelector('[data-testid="results"] .chart-card') && !document.querySelector('[data-render="pending"]')) p.drawnAt = performance.now()
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-render'] })
  const tick = (t) => {
    const f = p.frames
    if (f.on) { if (f.last) { const g = t - f.last; f.gaps.push([t, g]); if (g > f.maxGap) f.maxGap = g } f.last = t }
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})()`

interface Probe {
  lat: Record<string, { type: string; at: number; ms: number; target?: string }[]>
  longtasks: { label: string; start: number; ms: number }[]
  events: { label: string; type: string; ms: number }[]
  frames: { maxGap: number; gaps: [number, number][] }
  statusAt: Record<string, number>
}

export interface UiInteraction { label: string; what: string; count: number; p50: number; p95: number; max: number }
export interface UiResult {
  ok: true
  interactions: UiInteraction[]
  run: { configs: number; workers: number; wallSeconds: number; loadAvg: [number, number]; longestTaskMs: number; longTasks: number; maxFrameGapMs: number; p99FrameGapMs: number; frames: number; selectWhileRunning: UiInteraction | undefined; completion: { longestTaskMs: number; longTasks: number; maxFrameGapMs: number; drawnMs: number }; doneAtMs: number; tasks: { label: string; atMs: number; ms: number }[]; slowestEdits: Record<string, { type: string; ms: number; target?: string }[]>; slowestWhileRunning: { type: string; atMs: number; ms: number; target?: string }[] }
  editing: { longestTaskMs: number; slowestEventMs: number }
}
export type UiOutcome = UiResult | { ok: false; note: string }

const pct = (xs: number[], q: number): number => {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] as number
}

async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))')
}

const setLabel = (page: Page, label: string): Promise<unknown> => page.evaluate(`window.__perf.label = ${JSON.stringify(label)}`)

async function center(page: Page, testid: string): Promise<{ x: number; y: number }> {
  const el = page.getByTestId(testid)
  await el.scrollIntoViewIfNeeded()
  const b = await el.boundingBox()
  if (!b) throw new Error(`${testid} is not visible`)
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 }
}

export async function measureUiResponsiveness(o: { durationSec?: number; workers?: number; traceFile?: string } = {}): Promise<UiOutcome> {
  if (!existsSync(RENDERER)) return { ok: false, note: 'out/renderer is missing: run `npm run build` first' }
  const workers = o.workers ?? availableParallelism()
  const profile = bigHostProfile({ configurations: 4, durationSec: o.durationSec ?? 0.6 })
  const dataDir = await mkdtemp(join(tmpdir(), 'kvmbench-uibench-'))
  const host = await startBrowserHost({ port: 0, dataDir, workers })
  // The host starts its workers at once (prestartWorkers); measure the app as a user has it after launch, with
  // the workers up, not while Node starts them.
  await host.services.pool.ready()
  const loadBefore = loadavg()[0] as number
  let browser
  try {
    browser = await launchChromium()
  } catch (e) {
    await host.close()
    await rm(dataDir, { recursive: true, force: true })
    return { ok: false, note: (e as Error).message }
  }
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 })
    await context.addInitScript(PROBE)
    const page = await context.newPage()
    await page.goto(host.url)
    await page.getByTestId('first-screen').waitFor()
    await page.getByTestId('open-file').setInputFiles({ name: 'big-host-256.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(profile)) })
    await page.getByTestId('cpu-255').waitFor()
    await settle(page)

    // 1. Select a range by dragging across the grid (mousedown, moves over ~24 cells, mouseup), 8 times.
    await setLabel(page, 'drag-select')
    for (let k = 0; k < 8; k++) {
      const a = await center(page, `cpu-${2 + k * 4}`)
      const b = await center(page, `cpu-${2 + k * 4 + 24}`)
      await page.mouse.move(a.x, a.y)
      await page.mouse.down()
      await page.mouse.move(b.x, b.y, { steps: 12 })
      await page.mouse.up()
      await settle(page)
    }

    // 2. Paint a role on a 64-CPU selection (typed), alternating housekeeping / nohz_full, 8 times.
    await setLabel(page, 'setup')
    const sel = page.getByTestId('selection-text')
    await sel.fill('2-33,130-161')
    await sel.press('Enter')
    await settle(page)
    await setLabel(page, 'paint')
    for (let k = 0; k < 8; k++) {
      await page.getByTestId(k % 2 ? 'paint-nohz_full' : 'paint-housekeeping').click()
      await settle(page)
    }

    // 3. Type a cpuset into a vCPU's pin field and commit it with Enter, 6 times.
    await setLabel(page, 'type-cpuset')
    const pin = page.getByTestId('pin-vm-0-vCPU-0')
    for (let k = 0; k < 6; k++) {
      await pin.click()
      await pin.press('Control+a')
      await page.keyboard.type(`${130 + k},${200 + k}`, { delay: 20 })
      await page.keyboard.press('Enter')
      await settle(page)
    }

    // 4. Undo (Ctrl+Z with the grid focused), 10 times.
    await page.getByTestId('cpu-0').focus()
    await setLabel(page, 'undo')
    for (let k = 0; k < 10; k++) {
      await page.keyboard.press('Control+z')
      await settle(page)
    }

    // 5. Drag a vCPU chip onto a CPU (HTML5 drag and drop), 6 times.
    await setLabel(page, 'drag-pin')
    for (let k = 0; k < 6; k++) {
      await page.getByTestId('chip-vm-1-v0').dragTo(page.getByTestId(`cpu-${140 + k}`))
      await settle(page)
    }
    await setLabel(page, 'idle')
    const editing = (await page.evaluate('window.__perf')) as Probe

    // 6. Run every configuration in parallel workers; measure long tasks and frame gaps meanwhile, and
    //    click CPUs (selection) while progress streams in.
    await page.evaluate('window.__perf.longtasks.length = 0; window.__perf.frames.on = true; window.__perf.frames.last = 0; window.__perf.frames.gaps = []; window.__perf.frames.maxGap = 0')
    await setLabel(page, 'run')
    // --trace FILE: a Chrome trace of the run (open it in chrome://tracing or the Performance panel).
    if (o.traceFile) await browser.startTracing(page, { path: o.traceFile, screenshots: false, categories: TRACE_CATEGORIES })
    const t0 = Date.now()
    const runStart = (await page.evaluate('performance.now()')) as number
    await page.getByTestId('run-all').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="running"]', { timeout: 60_000 })
    await setLabel(page, 'select-while-running')
    for (let k = 0; k < 20; k++) {
      const status = await page.getByTestId('run-status').getAttribute('data-status')
      if (status !== 'running') break
      // The run may finish (and the Results tab open) between the check and the click.
      const clicked = await page.getByTestId(`cpu-${10 + k}`).click({ modifiers: k % 2 ? ['Shift'] : [], timeout: 2000 }).then(() => true, () => false)
      if (!clicked) break
      await page.waitForTimeout(150)
    }
    await setLabel(page, 'run')
    await page.waitForSelector('[data-testid="run-status"]:is([data-status="done"],[data-status="failed"],[data-status="error"])', { timeout: 600_000 })
    const wallSeconds = (Date.now() - t0) / 1000
    // The Results tab opens and draws its cards and charts (one per task): measure until the last one.
    const drawnAt = (await page
      .waitForFunction(() => (globalThis as unknown as { __perf: { drawnAt?: number } }).__perf.drawnAt, undefined, { timeout: 30_000 })
      .then((h) => h.jsonValue(), () => NaN)) as number
    await settle(page)
    if (o.traceFile) await browser.stopTracing()
    await page.evaluate('window.__perf.frames.on = false')
    const during = (await page.evaluate('window.__perf')) as Probe

    const WHAT: Record<string, string> = {
      'drag-select': 'select by drag on the grid',
      paint: 'paint a role (64 CPUs)',
      'type-cpuset': 'type a cpuset (keys + Enter)',
      undo: 'undo (Ctrl+Z)',
      'drag-pin': 'drag a vCPU chip onto a CPU',
      'select-while-running': 'click a CPU while running',
    }
    const summarize = (p: Probe, label: string): UiInteraction | undefined => {
      const ms = (p.lat[label] ?? []).map((x) => x.ms)
      if (!ms.length) return undefined
      return { label, what: WHAT[label] ?? label, count: ms.length, p50: pct(ms, 0.5), p95: pct(ms, 0.95), max: Math.max(...ms) }
    }
    const interactions = ['drag-select', 'paint', 'type-cpuset', 'undo', 'drag-pin'].map((l) => summarize(editing, l)).filter((x): x is UiInteraction => !!x)
    const editTasks = editing.longtasks.filter((t) => t.label !== 'idle' && t.label !== 'setup')
    return {
      ok: true,
      interactions,
      editing: { longestTaskMs: Math.max(0, ...editTasks.map((t) => t.ms)), slowestEventMs: Math.max(0, ...editing.events.filter((e) => e.label !== 'idle' && e.label !== 'setup').map((e) => e.ms)) },
      run: (() => {
        const end = during.statusAt.done ?? during.statusAt.failed ?? Infinity
        // A task that contains the moment the status turned done is the completion's (it drew the results).
        const streaming = during.longtasks.filter((t) => t.start + t.ms < end)
        const after = during.longtasks.filter((t) => t.start + t.ms >= end)
        const gapsBefore = during.frames.gaps.filter(([t]) => t < end).map(([, g]) => g)
        const gapsAfter = during.frames.gaps.filter(([t]) => t >= end).map(([, g]) => g)
        return {
          configs: 4, workers, wallSeconds, loadAvg: [loadBefore, loadavg()[0] as number],
          longestTaskMs: Math.max(0, ...streaming.map((t) => t.ms)),
          longTasks: streaming.length,
          maxFrameGapMs: Math.max(0, ...gapsBefore),
          p99FrameGapMs: pct(gapsBefore, 0.99),
          frames: gapsBefore.length,
          selectWhileRunning: summarize(during, 'select-while-running'),
          completion: { longestTaskMs: Math.max(0, ...after.map((t) => t.ms)), longTasks: after.length, maxFrameGapMs: Math.max(0, ...gapsAfter), drawnMs: drawnAt - end },
          doneAtMs: end - runStart,
          tasks: during.longtasks.map((t) => ({ label: t.label, atMs: Math.round(t.start - runStart), ms: t.ms })),
          slowestEdits: Object.fromEntries(Object.entries(editing.lat).map(([k, v]) => [k, [...v].sort((a, b) => b.ms - a.ms).slice(0, 3).map(({ at: _, ...x }) => x)])),
          slowestWhileRunning: [...(during.lat['select-while-running'] ?? [])].sort((a, b) => b.ms - a.ms).slice(0, 5).map(({ at, ...x }) => ({ ...x, atMs: Math.round(at - runStart) })),
        }
      })(),
    }
  } finally {
    await browser.close()
    await host.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a')

/** The figures of a measurement (for bench.ts's table and JSON). */
export function uiFigures(r: UiOutcome): Figure[] {
  if (!r.ok) return [{ id: 'ui.interaction', label: 'UI responsiveness (256 CPUs)', value: null, unit: 'ms', text: 'n/a', target: `< ${UI_TARGET.interactionMs} ms`, status: 'n/a', note: r.note }]
  const out: Figure[] = []
  const inter = `< ${UI_TARGET.interactionMs} ms`
  for (const i of [...r.interactions, ...(r.run.selectWhileRunning ? [r.run.selectWhileRunning] : [])]) {
    out.push({ id: `ui.${i.label}.p50`, label: `${i.what}: p50`, value: i.p50, unit: 'ms', text: ms(i.p50), target: inter, status: judge(i.p50, (v) => v < UI_TARGET.interactionMs), note: `${i.count} events` })
    out.push({ id: `ui.${i.label}.max`, label: `${i.what}: max`, value: i.max, unit: 'ms', text: ms(i.max), target: inter, status: judge(i.max, (v) => v < UI_TARGET.interactionMs), note: `p95 ${ms(i.p95)}` })
  }
  out.push({ id: 'ui.editing.longestTask', label: 'editing: longest main-thread task', value: r.editing.longestTaskMs, unit: 'ms', text: r.editing.longestTaskMs ? ms(r.editing.longestTaskMs) : '< 50 ms', target: `< ${UI_TARGET.longestTaskMs} ms`, status: judge(r.editing.longestTaskMs, (v) => v < UI_TARGET.longestTaskMs), note: `slowest event by Event Timing: ${ms(r.editing.slowestEventMs)}` })
  out.push({ id: 'ui.run.longestTask', label: 'running: longest main-thread task', value: r.run.longestTaskMs, unit: 'ms', text: r.run.longestTaskMs ? ms(r.run.longestTaskMs) : '< 50 ms', target: `< ${UI_TARGET.longestTaskMs} ms`, status: judge(r.run.longestTaskMs, (v) => v < UI_TARGET.longestTaskMs), note: `${r.run.longTasks} tasks ≥ 50 ms while progress streams; ${r.run.configs} configs on ${r.run.workers} workers, ${r.run.wallSeconds.toFixed(1)} s; load average ${r.run.loadAvg.map((l) => l.toFixed(1)).join(' → ')} on ${availableParallelism()} CPUs` })
  const c = r.run.completion
  out.push({ id: 'ui.done.longestTask', label: 'run done: longest task (results drawn)', value: c.longestTaskMs, unit: 'ms', text: c.longestTaskMs ? ms(c.longestTaskMs) : '< 50 ms', target: `< ${UI_TARGET.longestTaskMs} ms`, status: judge(c.longestTaskMs, (v) => v < UI_TARGET.longestTaskMs), note: `${c.longTasks} tasks ≥ 50 ms, longest frame gap ${ms(c.maxFrameGapMs)}, all charts drawn ${ms(c.drawnMs)} after done: the Results tab opening on 4 configurations × 8 VMs` })
  out.push({ id: 'ui.run.frameGap', label: 'running: longest frame gap', value: r.run.maxFrameGapMs, unit: 'ms', text: ms(r.run.maxFrameGapMs), target: `< ${UI_TARGET.frameGapMs} ms`, status: judge(r.run.maxFrameGapMs, (v) => v < UI_TARGET.frameGapMs), note: `p99 ${ms(r.run.p99FrameGapMs)} over ${r.run.frames} frames` })
  return out
}

/** bench.ts's section: prints the heading and emits the figures; returns the raw measurement. */
export async function uiResponsivenessSection(emit: (f: Figure) => void, o: { traceFile?: string } = {}): Promise<UiOutcome> {
  console.log(section('Topology editor on a 256-CPU host with 8 VMs, in Chromium through the browser host: interaction latency to the next frame, long tasks while running'))
  const r = await measureUiResponsiveness(o).catch((e: unknown): UiOutcome => ({ ok: false, note: `failed: ${(e as Error).message.split('\n')[0]}` }))
  for (const f of uiFigures(r)) emit(f)
  return r
}

if (import.meta.main) {
  const i = process.argv.indexOf('--json')
  const t = process.argv.indexOf('--trace')
  console.log(tableHeader())
  const figs: Figure[] = []
  const raw = await uiResponsivenessSection((f) => {
    figs.push(f)
    console.log(tableRow(f))
  }, t > 0 && process.argv[t + 1] ? { traceFile: process.argv[t + 1] as string } : {})
  if (i > 0 && process.argv[i + 1]) {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(process.argv[i + 1] as string, JSON.stringify({ figures: figs, raw }, null, 2) + '\n')
  }
  if (!raw.ok && !raw.note.startsWith('out/renderer')) process.exitCode = 1
}
