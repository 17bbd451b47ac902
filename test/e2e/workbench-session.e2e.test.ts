// End to end (issue 16 item 1): work is never lost or mixed up — in the built renderer, in Chromium,
// through the real browser host (its workbench store file, its profile store, real worker processes).
// A reload brings back the unsaved profile as a draft (and asks first), and the last run and baseline;
// each profile shows only its own runs; Save as writes the new name into the profile; names are unique;
// Escape closes the topmost dialog or popover and never cancels a run; the duration validates as typed.
// Needs `out/renderer` (npm test builds it first).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { BrowserHost } from '../../main/host/serve.ts'
import { usePerTestPage } from '../helpers/e2e.ts'

const t = usePerTestPage('kvmbench-e2e-session-', { beforeAll, afterAll, beforeEach, afterEach })
let host: BrowserHost
let page: Page
beforeEach(() => {
  ;({ host, page } = t)
})

async function openExample(name = 'posted-timer'): Promise<void> {
  await page.goto(host.url)
  await page.getByTestId('first-screen').waitFor()
  await page.getByTestId(`open-example-${name}`).click()
  await page.getByTestId('workbench').waitFor()
}

/** Runs every configuration with a short virtual duration and waits for the end. */
async function runAll(durationSec = '0.05'): Promise<string> {
  await page.getByTestId('run-duration').fill(durationSec)
  await page.getByTestId('run-all').click()
  await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 150_000 })
  return (await page.getByTestId('run-status').getAttribute('data-run-id')) ?? ''
}

async function saveAs(name: string): Promise<void> {
  await page.getByTestId('save-as').click()
  await page.getByTestId('save-as-name').fill(name)
  await page.getByTestId('save-as-ok').click()
}

describe('the workbench keeps each profile\'s work apart and loses none of it', () => {
  it('brings back an unsaved edit as a draft after a reload (asking first), with the last run and baseline', async () => {
    await openExample()
    await runAll()
    await page.getByTestId('tab-results').click()
    await page.getByTestId('pin-posted-timer').click()
    expect(await page.getByTestId('baseline-label').textContent()).toContain('posted-timer (pinned)')
    const runId = await page.getByTestId('run-status').getAttribute('data-run-id')

    // An edit on the grid: CPUs 2-3 become housekeeping.
    await page.getByTestId('tab-setup').click()
    await page.getByTestId('cpu-2').click()
    await page.getByTestId('cpu-3').click({ modifiers: ['Shift'] })
    await page.getByTestId('paint-housekeeping').click()
    expect(await page.getByTestId('cmdline-nohzFull').inputValue()).toBe('4-15,18-31')
    await page.waitForSelector('[data-testid="draft-status"][data-status="saved"]')

    // Leaving asks first (beforeunload); the reload goes on when the user says so.
    const dialogs: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.type())
      void d.accept()
    })
    await page.reload()
    expect(dialogs).toEqual(['beforeunload'])
    await page.getByTestId('workbench').waitFor()
    expect(await page.getByTestId('cmdline-nohzFull').inputValue()).toBe('4-15,18-31')
    expect(await page.getByTestId('draft-status').textContent()).toContain('unsaved')
    expect(await page.getByTestId('profile-notice').textContent()).toContain('Unsaved changes restored from the draft')
    // The last run and the pinned baseline came back too.
    await page.waitForSelector(`[data-testid="run-status"][data-run-id="${runId}"][data-status="done"]`)
    expect(await page.getByTestId('baseline-label').textContent()).toContain('posted-timer (pinned)')
    await page.getByTestId('tab-results').click()
    await page.getByTestId('result-sw-timer').waitFor()
    expect(t.errors).toEqual([])
  })

  it('shows each profile only its own runs, and Save as writes the new name into the profile', async () => {
    await openExample()
    await saveAs('alpha host')
    await page.waitForSelector('[data-testid="profile-name"]:has-text("alpha host")')
    const alphaRun = await runAll()

    // Save as again: the new name is in the profile (library, export, later runs), not just the header.
    await saveAs('beta host')
    await page.waitForSelector('[data-testid="profile-name"]:has-text("beta host")')
    const saved = host.services.profiles.list()
    expect(saved.map((p) => p.name).sort()).toEqual(['alpha host', 'beta host'])
    const beta = host.services.profiles.get({ id: saved.find((p) => p.name === 'beta host')!.id })
    expect((beta.profile as { name: string }).name).toBe('beta host')
    expect(JSON.parse(host.services.profiles.export({ id: beta.id }).json).profile.name).toBe('beta host')
    // beta host has no run of its own: alpha host's run is not shown as if it were beta's.
    await page.getByTestId('tab-results').click()
    await page.getByTestId('no-results').waitFor()
    await page.getByTestId('tab-setup').click()
    expect((await page.getByTestId('status-sw-timer').textContent())?.trim()).not.toBe('done')
    const betaRun = await runAll()
    expect(betaRun).not.toBe(alphaRun)
    expect(host.services.runs.list().find((r) => r.runId === betaRun)?.profileName).toBe('beta host')

    // Names are unique: Save as an existing name is refused with a clear message.
    await page.getByTestId('save-as').click()
    await page.getByTestId('save-as-name').fill('Alpha Host')
    await page.getByTestId('save-as-ok').click()
    await page.waitForSelector('[data-testid="save-as"] [role="alert"]:has-text("exists already")')
    await page.keyboard.press('Escape')
    await page.locator('[role="dialog"][data-testid="save-as"]').waitFor({ state: 'detached' })

    // Another profile (an example) shows none of them; alpha host, opened again, shows its own run.
    await page.getByTestId('home').click()
    await page.getByTestId('open-example-halt-polling').click()
    await page.getByTestId('workbench').waitFor()
    await page.getByTestId('tab-results').click()
    await page.getByTestId('no-results').waitFor()
    await page.getByTestId('tab-comparison').click()
    expect(await page.getByTestId('comparison').textContent()).not.toContain(alphaRun.slice(-6))
    await page.getByTestId('open-library').click()
    await page.getByTestId('lib-open-alpha host').click()
    await page.waitForSelector(`[data-testid="run-status"][data-run-id="${alphaRun}"]`)
    await page.getByTestId('tab-results').click()
    await page.getByTestId('result-posted-timer').waitFor()
    // (the refused Save as is the one 400 answer)
    expect(t.errors.filter((e) => !e.includes('status of 400'))).toEqual([])
  })

  it('Escape closes the topmost dialog or popover, one popover at a time, and never cancels a run', async () => {
    await openExample()
    // The duration is checked as it is typed; Run waits for a valid one.
    await page.getByTestId('run-duration').fill('abc')
    expect(await page.getByTestId('run-setting-error').textContent()).toContain('duration “abc” is not a number')
    expect(await page.getByTestId('run-all').isDisabled()).toBe(true)
    await page.getByTestId('run-duration').fill('99999')
    expect(await page.getByTestId('run-setting-error').textContent()).toContain('out of range')
    await page.getByTestId('run-duration').fill('250')
    expect(await page.getByTestId('run-setting-error').count()).toBe(0)

    await page.getByTestId('run-all').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="running"]', { timeout: 60_000 })

    // Two export menus: opening the second (from the keyboard: the first one's panel covers it) closes the first.
    await page.getByTestId('export-toggle-sw-timer').click()
    await page.getByTestId('export-kind-sw-timer').waitFor()
    await page.getByTestId('export-toggle-posted-timer').focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('export-kind-posted-timer').waitFor()
    expect(await page.getByTestId('export-kind-sw-timer').count()).toBe(0)

    // Escape closes the open popover; a click outside would too.
    await page.keyboard.press('Escape')
    expect(await page.getByTestId('export-kind-posted-timer').count()).toBe(0)

    // A dialog over a dialog: Escape closes the topmost only, then the other; the run goes on.
    await page.getByTestId('open-library').click()
    await page.getByTestId('library-dialog').waitFor()
    await page.getByTestId('lib-from-machine').click()
    await page.getByTestId('this-machine-dialog').waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId('this-machine-dialog').waitFor({ state: 'detached' })
    expect(await page.getByTestId('library-dialog').count()).toBe(1)
    await page.keyboard.press('Escape')
    await page.getByTestId('library-dialog').waitFor({ state: 'detached' })
    await page.keyboard.press('Escape')
    expect(await page.getByTestId('run-status').getAttribute('data-status')).toBe('running')

    await page.getByTestId('cancel-run').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="cancelled"]', { timeout: 30_000 })
    expect(t.errors).toEqual([])
  })
})
