// End to end (issue 15): a 2-socket, 28-core, HT host built from scratch in the browser host — the New profile
// form, a second VM, pins on isolated CPUs of different sockets with the emulator threads on housekeeping CPUs —
// then two configurations run in real workers, with results for both VMs. Also: a drag on the map selects the
// rectangle between its ends and moves nothing on the page; warnings do not block Run. Needs `out/renderer`.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { BrowserHost } from '../../main/host/serve.ts'
import { usePerTestPage } from '../helpers/e2e.ts'

const t = usePerTestPage('kvmbench-e2e-newhost-', { beforeAll, afterAll, beforeEach, afterEach }, { failedResponses: true })
let host: BrowserHost
let page: Page
const pageErrors = t.errors
beforeEach(() => {
  ;({ host, page } = t)
})

async function setNumber(testid: string, value: number): Promise<void> {
  await page.getByTestId(testid).fill(String(value))
  await page.getByTestId(testid).press('Tab')
}

async function newTwoSocketHost(): Promise<void> {
  await page.goto(host.url)
  await page.getByTestId('new-profile-open').click()
  await page.getByTestId('new-profile').waitFor()
  await page.getByTestId('new-profile-name').fill('two-socket icelake')
  await page.getByTestId('new-host-cpu').selectOption('icelake-sp')
  await setNumber('new-host-sockets', 2)
  await setNumber('new-host-coresPerSocket', 28)
  await setNumber('new-host-threadsPerCore', 2)
  await page.getByTestId('new-host-kernel').fill('6.8')
  await page.getByTestId('new-host-kernel').press('Tab')
  expect(await page.getByTestId('new-host-summary').textContent()).toBe('2 sockets × 28 cores × 2 threads = 112 CPUs')
  await setNumber('new-profile-vcpus', 16)
  await page.getByTestId('new-profile-ok').click()
  await page.getByTestId('workbench').waitFor()
}

describe('a host from scratch', () => {
  it('creates a 2×28×2 host with a 16- and an 8-vCPU VM on different sockets, runs two configurations, and shows both VMs', async () => {
    await newTwoSocketHost()
    await page.getByTestId('cpu-111').waitFor()
    // Housekeeping: the first core of each socket and its siblings.
    for (const cpu of [0, 28, 56, 84]) expect(await page.getByTestId(`cpu-${cpu}`).getAttribute('data-roles')).toContain('housekeeping')
    expect(await page.getByTestId('cpu-1').getAttribute('data-roles')).toContain('nohz_full')
    expect(await page.getByTestId('cmdline-irqaffinity').inputValue()).toBe('0,28,56,84')

    // The second VM: 8 vCPUs, placed on the other socket.
    await page.getByTestId('vm-add-vcpus').fill('8')
    await page.getByTestId('vm-add').click()
    await page.getByTestId('vm-tab-vm1').waitFor()
    expect(await page.getByTestId('profile-notice').textContent()).toContain('NUMA node 1 (socket 1)')
    expect(await page.getByTestId('pin-vm0-vCPU-0').inputValue()).toBe('1')
    expect(await page.getByTestId('pin-vm0-vCPU-15').inputValue()).toBe('64')
    expect(await page.getByTestId('pin-vm1-vCPU-0').inputValue()).toBe('29')
    expect(await page.getByTestId('pin-vm1-vCPU-7').inputValue()).toBe('88')
    expect(await page.getByTestId('pin-vm0-emulator').inputValue()).toBe('0,56')
    expect(await page.getByTestId('pin-vm1-emulator').inputValue()).toBe('28,84')
    await page.waitForSelector('[data-testid="cpu-29"] .cpu-pins:has-text("v0")')
    await page.getByTestId('topology-ok').waitFor()
    expect(await page.getByTestId('run-all').isEnabled()).toBe(true)

    // The second VM runs a timer workload; its form shows each parameter's meaning and default.
    await page.getByTestId('vm-tab-vm1').click()
    await page.getByTestId('vm-workload-kind').selectOption('timer')
    const interval = page.getByTestId('vm-workload-intervalUs')
    await interval.waitFor()
    expect(await interval.textContent()).toContain('cyclictest -i')
    expect(await interval.textContent()).toContain('default 1000')

    // A second configuration: pi_inject_timer off.
    await page.getByTestId('tab-configs').click()
    await page.getByTestId('cfg-add').click()
    await page.getByTestId('cfg-nav-variant').waitFor()
    await page.getByTestId('knob-input-host.kvm.piInjectTimer').selectOption('0')
    await page.getByTestId('cfg-name').fill('pi-off')
    await page.getByTestId('cfg-name').press('Enter')
    await page.getByTestId('cfg-nav-pi-off').waitFor()

    await page.getByTestId('run-duration').fill('0.05')
    await page.getByTestId('run-duration').press('Tab')
    await page.getByTestId('run-all').click()
    await page.waitForSelector('[data-testid="run-status"][data-status="done"]', { timeout: 170_000 }).catch(async (e: unknown) => {
      throw new Error(`the run did not finish: ${await page.getByTestId('run-status').textContent()}; page errors: ${pageErrors.join(' | ')}; ${String(e)}`)
    })
    await page.getByTestId('tab-results').click()
    for (const config of ['base', 'pi-off']) {
      const card = page.getByTestId(`result-${config}`)
      await card.waitFor()
      for (const vm of ['vm0', 'vm1']) {
        // Each VM has its row in the summary, and its decisions (folded) in the configuration's card.
        expect(await page.getByTestId(`summary-row-${config}-${vm}`).count()).toBe(1)
        await card.getByTestId(`decisions-${vm}`).waitFor({ state: 'attached' })
        await card.getByTestId(`vm-scope-${config}`).selectOption(vm)
        const rows = card.locator('[data-testid^="perf-row-"]')
        await rows.first().waitFor()
        let total = 0
        for (const n of await rows.locator('td:nth-child(2)').allTextContents()) total += Number(n.trim())
        expect(total, `${config} ${vm} exits`).toBeGreaterThan(0)
      }
    }
    expect(pageErrors).toEqual([])
  })

  it('drags a rectangle on the map without moving the page; warnings show but do not block Run; a new topology lists the pins it moves', async () => {
    await newTwoSocketHost()
    const grid = page.locator('.sockets')
    // Layout settles first (fonts, the diagnostics list): under load a sub-pixel shift came after the first box.
    await page.evaluate('document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))')
    const scrollY = (): Promise<number> => page.evaluate('window.scrollY') as Promise<number>
    const scrolledBefore = await scrollY()
    const before = await grid.boundingBox()
    // the page does not scroll and the map does not move (within a pixel: layout rounding is not a move)
    const expectInPlace = async (): Promise<void> => {
      expect(await scrollY()).toBe(scrolledBefore)
      expect(Math.abs(((await grid.boundingBox())?.y ?? Infinity) - before!.y)).toBeLessThan(1)
    }
    const a = await page.getByTestId('cpu-2').boundingBox()
    const b = await page.getByTestId('cpu-5').boundingBox()
    if (!a || !b || !before) throw new Error('no layout')
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
    await page.mouse.down()
    // Pass over other cells on the way (down and back) — only the ends count.
    const c = await page.getByTestId('cpu-60').boundingBox()
    await page.mouse.move(c!.x + 5, c!.y + 5, { steps: 4 })
    await expectInPlace()
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 4 })
    await page.mouse.up()
    expect(await page.getByTestId('selection-text').inputValue()).toBe('2-5')
    await expectInPlace()

    // The emulator thread on an isolated CPU: a warning, Run stays enabled.
    const emu = page.getByTestId('pin-vm0-emulator')
    await emu.fill('0,30')
    await emu.press('Enter')
    await page.waitForSelector('[data-testid="topology-diagnostics"] [data-code="emulator-on-isolated"]')
    expect(await page.getByTestId('run-all').isEnabled()).toBe(true)

    // Device IRQs: steer a new source onto the selected CPUs; the cells show it.
    await page.getByTestId('irq-add').click()
    await page.getByTestId('irq-steer-irq0').click()
    expect(await page.getByTestId('irq-cpus-irq0').textContent()).toBe('2-5')
    expect(await page.getByTestId('cpu-3').getAttribute('data-irqs')).toBe('irq0')
    expect(await page.getByTestId('topology-diagnostics').textContent()).not.toContain('irq0')

    // Fewer cores: the preview lists the pins that move or become invalid; Apply, then Undo restores them.
    await page.getByTestId('host-edit-toggle').click()
    await setNumber('edit-host-coresPerSocket', 8)
    await page.getByTestId('host-apply').click()
    await page.getByTestId('host-changes').waitFor()
    expect(await page.getByTestId('host-change-vms[0].pinning.vcpupin[14]').textContent()).toContain('invalid')
    await page.getByTestId('host-changes-apply').click()
    await page.getByTestId('cpu-31').waitFor()
    expect(await page.locator('[data-testid^="cpu-"][data-cpu]').count()).toBe(32)
    await page.getByTestId('undo').click()
    await page.getByTestId('cpu-111').waitFor()
    expect(await page.getByTestId('pin-vm0-vCPU-14').inputValue()).toBe('8')
    expect(pageErrors).toEqual([])
  })
})
