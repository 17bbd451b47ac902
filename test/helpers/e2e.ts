// What every end-to-end test starts with: the real browser host (temp data dir, real workers) and
// Debian's Chromium; and pages whose errors are collected for the test to assert on.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startBrowserHost } from '../../main/host/serve.ts'
import type { BrowserHost } from '../../main/host/serve.ts'
import { launchChromium } from './chromium.ts'

export interface E2eSession {
  host: BrowserHost
  browser: Browser
  /** The temp dir holding the host's data (under `dataSubdir` when given). */
  dir: string
  close(): Promise<void>
}

/** Starts the browser host on a free port with 2 workers and a fresh data dir, and Chromium. */
export async function startE2eSession(prefix: string, opts: { dataSubdir?: string } = {}): Promise<E2eSession> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const host = await startBrowserHost({ port: 0, dataDir: opts.dataSubdir ? join(dir, opts.dataSubdir) : dir, workers: 2 })
  const browser = await launchChromium()
  return {
    host,
    browser,
    dir,
    async close() {
      await browser.close()
      await host.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A new context (1400×1000, downloads allowed) and page; page errors and console errors go to `errors`,
 *  and with `failedResponses` also every HTTP response ≥ 400. */
export async function openPage(browser: Browser, errors: string[], opts: { failedResponses?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })
  const page = await context.newPage()
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  if (opts.failedResponses) {
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`)
    })
  }
  return { context, page }
}

/** Forgets the workbench's session and drafts (what the app restores on start), so that the next page
 *  starts on the first screen: each test begins as a user's first start would. Real service, in-process. */
export function resetWorkbench(host: BrowserHost): void {
  const wb = host.services.workbench
  for (const d of wb.state().drafts) wb.dropDraft({ key: d.key })
  wb.remember({})
}

export interface PerTestPage {
  readonly host: BrowserHost
  readonly browser: Browser
  /** The session's temp dir (removed after the file's tests). */
  readonly dir: string
  readonly context: BrowserContext
  readonly page: Page
  /** Page errors, console errors (and failed responses with `failedResponses`) of the current test. */
  readonly errors: string[]
}

/**
 * The per-test page of the workbench e2e tests (new-host, run-example, library-io, workbench-session):
 * one browser host and Chromium for the file (beforeAll), a fresh context and page per test on a reset
 * workbench (beforeEach), closed after it (afterEach).
 */
export function usePerTestPage(prefix: string, hooks: { beforeAll: (f: () => Promise<void>) => void; afterAll: (f: () => Promise<void>) => void; beforeEach: (f: () => Promise<void>) => void; afterEach: (f: () => Promise<void>) => void }, opts: { failedResponses?: boolean; dataSubdir?: string } = {}): PerTestPage {
  let session: E2eSession | undefined
  let current: { context: BrowserContext; page: Page } | undefined
  const errors: string[] = []
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`usePerTestPage: no ${what} yet (used outside a test?)`)
    return v
  }
  hooks.beforeAll(async () => {
    session = await startE2eSession(prefix, opts.dataSubdir ? { dataSubdir: opts.dataSubdir } : {})
  })
  hooks.afterAll(async () => {
    await session?.close()
  })
  hooks.beforeEach(async () => {
    errors.length = 0
    const s = need(session, 'session')
    resetWorkbench(s.host)
    current = await openPage(s.browser, errors, { failedResponses: opts.failedResponses ?? false })
  })
  hooks.afterEach(async () => {
    await current?.context.close()
    current = undefined
  })
  return {
    get host() { return need(session, 'session').host },
    get browser() { return need(session, 'session').browser },
    get dir() { return need(session, 'session').dir },
    get context() { return need(current, 'page').context },
    get page() { return need(current, 'page').page },
    errors,
  }
}

/** Saves `profile` in the library, opens it from the first screen, runs all its configurations and waits for the
 *  run to finish; returns the run id. */
export async function saveOpenAndRun(host: BrowserHost, page: Page, name: string, profile: unknown): Promise<string> {
  const saved = host.services.profiles.save({ id: undefined, name, description: '', tags: [], profile })
  await page.goto(host.url)
  await page.getByTestId('first-screen').waitFor()
  await page.getByTestId(`lib-open-${saved.name}`).click()
  await page.getByTestId('workbench').waitFor()
  await page.getByTestId('run-all').click()
  await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 170_000 })
  return (await page.getByTestId('run-status').getAttribute('data-run-id')) ?? ''
}
