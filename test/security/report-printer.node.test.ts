// One Chromium for every reports.pdf (issue 17 item 7): concurrent prints share one browser, wait in a
// bounded queue, and the browser runs with its sandbox wherever the machine allows it. Real Chromium over a
// minimal report page (the printer's real route handling and page.pdf).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { ChromiumReportPrinter, MAX_CONCURRENT_PRINTS, MAX_QUEUED_PRINTS, findChromium } from '../../main/host/report-printer.ts'
import type { PrintJob } from '../../main/services/report-service.ts'

const dir = mkdtempSync(join(tmpdir(), 'kvmbench-printer-'))
writeFileSync(join(dir, 'report.html'), '<!doctype html><html><head><title>r</title><script src="/r.js"></script></head><body><h1>report</h1></body></html>')
writeFileSync(join(dir, 'r.js'), "document.documentElement.dataset.reportReady = 'true'")
const printer = new ChromiumReportPrinter({ rendererDir: dir })
afterAll(async () => {
  await printer.close()
  rmSync(dir, { recursive: true, force: true })
})

const job = (n: number): PrintJob => ({ runId: `run-${n}`, snapshot: { title: `report ${n}` } as PrintJob['snapshot'], pageSize: 'A4' })

/** Whether Chromium can have its sandbox here: not as root (Chromium refuses it), and the machine lets an
 *  unprivileged process create the user namespace the sandbox uses. */
function sandboxPossible(): boolean {
  if (process.getuid?.() === 0) return false
  try {
    execFileSync('unshare', ['--user', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('the report printer', () => {
  it('prints concurrent reports in one Chromium, with the sandbox where the machine allows it', async () => {
    expect(findChromium()).toBeDefined()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const pdfs = await Promise.all([1, 2, 3].map((n) => printer.print(job(n))))
      for (const p of pdfs) expect(Buffer.from(p).subarray(0, 5).toString()).toBe('%PDF-')
      expect(printer.launches).toBe(1)
      expect(printer.sandboxed).toBe(sandboxPossible())
      expect(warn).toHaveBeenCalledTimes(printer.sandboxed ? 0 : 1)
      // a later print reuses it
      await printer.print(job(4))
      expect(printer.launches).toBe(1)
    } finally {
      warn.mockRestore()
    }
  })

  it('refuses prints beyond the queue with a clear error, and prints the rest', async () => {
    const n = MAX_CONCURRENT_PRINTS + MAX_QUEUED_PRINTS + 2
    const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => printer.print(job(i))))
    const refused = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[]
    expect(refused).toHaveLength(2)
    for (const r of refused) expect(String(r.reason)).toMatch(/being printed or waiting \(at most 9\)/)
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(n - 2)
    expect(printer.launches).toBe(1)
  })
})
