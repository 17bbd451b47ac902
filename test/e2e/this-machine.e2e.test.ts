// End to end: "From this machine" in the built renderer, in Chromium, through the real browser host —
// which reads the machine the test runs on. Its entry on the first screen shows without scrolling at 1280×800.
// The dialog shows this machine's CPU count (nproc) and its /proc/cmdline, and opens the profile with a starter
// VM as a new, unsaved profile.
// Needs `out/renderer` (npm test builds it first).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { openPage, startE2eSession } from '../helpers/e2e.ts'
import type { E2eSession } from '../helpers/e2e.ts'

let session: E2eSession | undefined
afterAll(async () => {
  await session?.close()
})

describe('start from this machine in the browser host', () => {
  it('shows this machine\'s CPU count and /proc/cmdline, then opens it as an unsaved profile with a starter VM', async () => {
    const nproc = Number(execFileSync('nproc', ['--all'], { encoding: 'utf8' }).trim())
    const cmdline = readFileSync('/proc/cmdline', 'utf8').trim()
    session = await startE2eSession('kvmbench-e2e-machine-')
    const pageErrors: string[] = []
    const { page } = await openPage(session.browser, pageErrors)
    // On a 1280×800 screen the entry shows on first open, without scrolling (the examples load above the library).
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(session.host.url)
    await page.getByTestId('first-screen').waitFor()
    await page.locator('[data-testid^="open-example-"]').first().waitFor()
    const entry = page.getByTestId('start-from-machine')
    const box = await entry.boundingBox()
    expect(box).not.toBeNull()
    expect(box!.y).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height).toBeLessThanOrEqual(800)
    expect(await page.evaluate('window.scrollY')).toBe(0)
    expect(await entry.textContent()).toBe('From this machine…')
    await entry.click()
    const dialog = page.getByTestId('this-machine-dialog')
    await dialog.getByTestId('this-machine-read').waitFor()

    const cpus = await dialog.locator('[data-testid="this-machine-read"] tr[data-item="CPUs"] td').textContent()
    expect(cpus).toMatch(new RegExp(`^${nproc} online`))
    expect(await dialog.locator('[data-testid="this-machine-read"] tr[data-item="/proc/cmdline"] td').textContent()).toBe(cmdline)
    expect(await dialog.getByTestId('this-machine-preset').textContent()).toMatch(/CPU preset: [a-z-]+ — /)
    // every item the host's machine.read could not read is listed with its reason
    const api = (await (await fetch(new URL('/api/machine.read', session.host.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.host.token}` }, body: '{}' })).json()) as { value: { report: { notRead: { item: string; reason: string }[] } } }
    const rows = await dialog.locator('[data-testid="this-machine-not-read"] tr').allTextContents()
    expect(rows).toEqual(api.value.report.notRead.map((n) => `⚠ ${n.item}${n.reason}`))

    // A starter VM too big for any NUMA node is refused with the reason; 1 vCPU opens.
    await dialog.getByTestId('this-machine-add-vm').check()
    await dialog.getByTestId('this-machine-vcpus').fill(String(nproc + 1))
    await dialog.getByTestId('this-machine-open').click()
    await dialog.getByTestId('this-machine-starter-problem').waitFor()
    expect(await dialog.getByTestId('this-machine-starter-problem').textContent()).toContain(`no NUMA node has ${nproc + 1} free isolated CPUs`)
    await dialog.getByTestId('this-machine-vcpus').fill('1')
    await dialog.getByTestId('this-machine-open').click()
    await page.getByTestId('workbench').waitFor()
    expect(await page.getByTestId('this-machine-dialog').count()).toBe(0)
    // the profile is this machine, not saved yet, valid (no problems), with the starter VM
    const summary = page.getByTestId('profile-summary')
    expect(await summary.textContent()).toContain(`${nproc} logical CPUs`)
    expect(await page.getByTestId('profile-source').textContent()).toBe('machine')
    expect(await page.getByTestId('profile-name').textContent()).toContain('•')
    expect(await page.getByTestId('profile-issues').count()).toBe(0)
    await page.getByTestId('vm-vm0').waitFor()
    expect(pageErrors).toEqual([])
  })
})
