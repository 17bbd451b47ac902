// The C reference for the hold model: bench/c/hold.c (a plain binary heap of the same 32-byte entries,
// ordered by (time, sequence), xorshift64* + -log(u)), compiled with gcc -O2 into a temp dir and run on
// this machine with the same sizes and steps.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jsonLines, runChild } from './child.ts'

const SOURCE = join(import.meta.dirname, 'c', 'hold.c')

export interface CHold { n: number; steps: number; cpuSeconds: number; wallSeconds: number }
export interface CRng { rng: true; draws: number; cpuSeconds: number; wallSeconds: number }

export type CReference =
  | { ok: true; compiler: string; holds: CHold[]; rng: CRng }
  | { ok: false; note: string }

function findGcc(): string | null {
  for (const cmd of [process.env['CC'], 'gcc']) {
    if (!cmd) continue
    try {
      execFileSync(cmd, ['--version'], { stdio: 'ignore' })
      return cmd
    } catch {
      // try the next one
    }
  }
  return null
}

export async function runCReference(sizes: number[], steps: number): Promise<CReference> {
  const gcc = findGcc()
  if (gcc === null) return { ok: false, note: 'gcc not found (install gcc or set CC): C reference skipped' }
  const dir = mkdtempSync(join(tmpdir(), 'kvmbench-bench-c-'))
  try {
    const exe = join(dir, 'hold')
    try {
      execFileSync(gcc, ['-std=gnu99', '-O2', '-o', exe, SOURCE, '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] })
    } catch (e) {
      const err = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e)
      return { ok: false, note: `${gcc} could not compile bench/c/hold.c: ${err.split('\n')[0]}` }
    }
    const r = await runChild(exe, [String(steps), ...sizes.map(String)])
    if (r.code !== 0) throw new Error(`bench/c/hold failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim()}`)
    const lines = jsonLines<CHold | CRng>(r.stdout)
    const rng = lines.find((l): l is CRng => 'rng' in l)
    const holds = lines.filter((l): l is CHold => !('rng' in l))
    if (!rng || holds.length !== sizes.length) throw new Error(`bench/c/hold printed unexpected output: ${r.stdout}`)
    const version = execFileSync(gcc, ['-dumpfullversion'], { encoding: 'utf8' }).trim()
    return { ok: true, compiler: `${gcc} ${version} -O2`, holds, rng }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
