// The CLI's progress on stderr when stderr is not a terminal (a CI log, `2>&1 | tee`): a long run says how
// far it is every interval; a short one writes nothing; no terminal escapes.
import { describe, expect, it } from 'vitest'
import { ProgressLine } from '../../main/cli/progress.ts'

function sink(isTTY: boolean) {
  const out: string[] = []
  const stream = { isTTY, columns: 80, write: (s: string) => { out.push(s); return true } } as unknown as NodeJS.WriteStream
  return { out, stream }
}

describe('ProgressLine off a terminal', () => {
  it('writes one plain line per interval once the run lasts that long, none before, and none once every part is done', () => {
    let t = 0
    const { out, stream } = sink(false)
    const p = new ProgressLine(['sw-timer', 'posted-timer'], stream, { intervalMs: 10_000, now: () => t })
    t = 9_000; p.update('sw-timer', 0.3)
    expect(out).toEqual([])
    t = 10_500; p.update('posted-timer', 0.25)
    t = 12_000; p.update('sw-timer', 0.4)
    t = 21_000; p.update('sw-timer', 0.6)
    t = 25_000; p.update('posted-timer', 1)
    t = 35_000; p.update('sw-timer', 1) // all done: the report follows, no 100 % line
    p.done()
    expect(out).toEqual(['kvmbench: running: sw-timer 30%, posted-timer 25%\n', 'kvmbench: running: sw-timer 60%, posted-timer 25%\n'])
  })

  it('on a terminal, redraws one line of bars in place and clears it at the end', () => {
    const { out, stream } = sink(true)
    const p = new ProgressLine(['base'], stream, { now: () => 1_000 })
    p.update('base', 1)
    p.done()
    expect(out).toEqual([`\r\x1b[Kbase [${'#'.repeat(20)}] 100%`, '\r\x1b[K'])
  })
})
