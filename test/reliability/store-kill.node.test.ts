// A store write killed mid-way loses nothing saved before (issue 7, item 4). A child process saves profiles
// in a loop through the real conf repository and reports each save once it has returned; the test kills it
// with SIGKILL at a random moment, reopens the store, and finds every reported profile. conf writes the
// file atomically (a temporary file, then rename), so a kill leaves the old file or the new one — never a
// torn one. A torn file (a non-atomic writer, a full disk, an editor) is kept aside by the recovery logic
// and every entry that can still be read is recovered: tested by tearing the file by hand.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfProfileRepository } from '../../main/services/conf-profile-repository.ts'
import { processExists } from '../helpers/profiles.ts'

const WRITER = join(import.meta.dirname, 'store-writer.ts')
const dirs: string[] = []
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

/** Runs the writer until it has reported `minSaves` saves plus a random few, kills it with SIGKILL, and
 *  returns the ids it reported. */
function saveThenKill(dir: string, prefix: string, minSaves: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, prefix], { stdio: ['ignore', 'pipe', 'inherit'] })
    const saved: string[] = []
    const extra = Math.floor(Math.random() * 15)
    let killed = false
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^saved (\S+)$/.exec(line)
      if (!m || killed) return
      saved.push(m[1]!)
      if (saved.length >= minSaves + extra) {
        killed = true
        // Kill in the middle of the next save: a random delay of 0–3 ms into it.
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 3)
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the writer ended by itself (code ${code})`))
      expect(processExists(child.pid!)).toBe(false)
      resolve([...saved])
    })
  })
}

describe('kill -9 during profile saves', () => {
  it('every profile saved before the kill is in the reopened store, over several kills', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-kill-'))
    dirs.push(dir)
    const all: string[] = []
    for (let round = 0; round < 6; round++) {
      const saved = await saveThenKill(dir, `round${round}`, 10 + round * 5)
      all.push(...saved)
      const repo = new ConfProfileRepository(dir)
      const ids = new Set(repo.list().map((p) => p.id))
      const missing = all.filter((id) => !ids.has(id))
      expect(missing, `round ${round}: profiles lost after kill -9`).toEqual([])
      expect(repo.reports(), `round ${round}: the store needed a repair`).toEqual([])
    }
    expect(all.length).toBeGreaterThanOrEqual(75)
  })

  it('a torn store file is kept aside untouched and every readable profile is recovered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-torn-'))
    dirs.push(dir)
    const saved = await saveThenKill(dir, 'torn', 20)
    const file = join(dir, 'profiles.json')
    const size = statSync(file).size
    truncateSync(file, Math.floor(size * 0.6))
    const torn = readFileSync(file, 'utf8')
    const repo = new ConfProfileRepository(dir)
    const [report] = repo.reports()
    expect(report?.keptAside).toBeDefined()
    expect(existsSync(report!.keptAside!)).toBe(true)
    expect(readFileSync(report!.keptAside!, 'utf8')).toBe(torn)
    expect(report!.problems[0]!.message).toMatch(/not valid JSON/)
    const ids = repo.list().map((p) => p.id)
    // Recovered: the entries wholly inside the first 60 % of the file; each is one that was saved.
    expect(ids.length).toBeGreaterThan(0)
    expect(ids.length).toBe(report!.recovered)
    for (const id of ids) expect(saved).toContain(id)
    expect(readdirSync(dir).filter((f) => f.startsWith('profiles.corrupt-'))).toHaveLength(1)
    // The repaired store is a good store: it reopens without another repair and accepts saves.
    expect(new ConfProfileRepository(dir).reports()).toEqual([])
  })
})
