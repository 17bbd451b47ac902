#!/usr/bin/env node
// The Electron security gate (issue 7, item 1): runs Electronegativity (@doyensec/electronegativity,
// offline) over the sources — main/, preload/ and the renderer's HTML pages — and over the built out/,
// and exits 1 listing `file:line CHECK_ID` for every finding that docs/security.md does not explain in
// its "Accepted findings" table (keyed by check id + file). Electronegativity exits 0 even with findings,
// so this reads its SARIF output. A file it could not parse (its parser predates current TypeScript) also
// fails the gate: an unparsed file is an unchecked file.
//
// Usage: `node test/tools/electronegativity.ts` (npm run check:electron-security; run `npm run build`
// first). Offline: AvailableSecurityFixesGlobalCheck needs GitHub, so it is excluded; the Electron
// version is read from node_modules/electron instead of being guessed.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'node_modules/@doyensec/electronegativity/dist/index.js')
export const SECURITY_DOC = join(ROOT, 'docs/security.md')
const TIMEOUT_MS = 120_000

export interface Finding { check: string; file: string; line: number; column: number; message: string }
export interface Accepted { check: string; file: string; reason: string }

/** The "Accepted findings" table of docs/security.md: rows `| CHECK_ID | file | reason |` (backticks optional). */
export function parseAcceptedFindings(markdown: string): Accepted[] {
  const lines = markdown.split('\n')
  const start = lines.findIndex((l) => /^#+\s.*accepted findings/i.test(l))
  if (start < 0) return []
  const out: Accepted[] = []
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] ?? ''
    if (/^#+\s/.test(l)) break
    if (!l.trim().startsWith('|')) continue
    const cells = l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim().replace(/^`|`$/g, ''))
    const [check = '', file = '', reason = ''] = cells
    if (!/^[A-Z][A-Z0-9_]+$/.test(check) || !file || /^-+$/.test(file)) continue
    out.push({ check, file, reason })
  }
  return out
}

/** Findings not explained by an accepted row (same check id, same file). */
export function unexplained(findings: Finding[], accepted: Accepted[]): Finding[] {
  return findings.filter((f) => !accepted.some((a) => a.check === f.check && a.file === f.file))
}

interface SarifResult {
  ruleId?: string
  message?: { text?: string }
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number; startColumn?: number } } }[]
}

/** Findings of a SARIF file; `prefix` turns the scan-relative path into a repository path. */
export function parseSarif(text: string, prefix: string): Finding[] {
  const sarif = JSON.parse(text) as { runs?: { results?: SarifResult[] }[] }
  return (sarif.runs ?? []).flatMap((run) => (run.results ?? []).map((r) => {
    const loc = r.locations?.[0]?.physicalLocation
    const uri = (loc?.artifactLocation?.uri ?? '(unknown)').replace(/^\.\//, '')
    return { check: r.ruleId ?? '(unknown)', file: `${prefix}${uri}`, line: loc?.region?.startLine ?? 0, column: loc?.region?.startColumn ?? 0, message: r.message?.text ?? '' }
  }))
}

function electronVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version
}

interface Scan { findings: Finding[]; parseErrors: string[] }

function scan(input: string, prefix: string, sarifPath: string): Promise<Scan> {
  return new Promise((resolvePromise, reject) => {
    const args = [BIN, '-i', input, '-r', '-e', electronVersion(), '-x', 'AvailableSecurityFixesGlobalCheck', '-v', 'false', '-o', sarifPath]
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } })
    let output = ''
    child.stdout.on('data', (c: Buffer) => { output += c.toString() })
    child.stderr.on('data', (c: Buffer) => { output += c.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`electronegativity did not finish within ${TIMEOUT_MS / 1000} s on ${input}`)) }, TIMEOUT_MS)
    child.on('error', (e) => { clearTimeout(timer); reject(e) })
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code !== 0) return reject(new Error(`electronegativity exited with code ${code} on ${input}:\n${output}`))
      if (!existsSync(sarifPath)) return reject(new Error(`electronegativity wrote no report for ${input}:\n${output}`))
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\u001b\[[0-9;]*m/g, '')
      const parseErrors = plain.split('\n').filter((l) => /^Error parsing /.test(l.trim())).map((l) => l.trim())
      resolvePromise({ findings: parseSarif(readFileSync(sarifPath, 'utf8'), prefix), parseErrors })
    })
  })
}

/** Copies what is scanned from the sources into a temporary tree with the same relative paths. */
function stageSources(dir: string): void {
  cpSync(join(ROOT, 'main'), join(dir, 'main'), { recursive: true })
  cpSync(join(ROOT, 'preload'), join(dir, 'preload'), { recursive: true })
  mkdirSync(join(dir, 'renderer'), { recursive: true })
  for (const f of readdirSync(join(ROOT, 'renderer'))) if (f.endsWith('.html')) cpSync(join(ROOT, 'renderer', f), join(dir, 'renderer', f))
}

async function main(): Promise<number> {
  const t0 = Date.now()
  if (!existsSync(BIN)) {
    console.error('check:electron-security: @doyensec/electronegativity is not installed (npm ci)')
    return 1
  }
  if (!existsSync(join(ROOT, 'out/main/index.js'))) {
    console.error('check:electron-security: out/ is missing — run `npm run build` first')
    return 1
  }
  const accepted = parseAcceptedFindings(readFileSync(SECURITY_DOC, 'utf8'))
  const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-ee-'))
  try {
    const src = join(tmp, 'src')
    stageSources(src)
    const [a, b] = await Promise.all([
      scan(src, '', join(tmp, 'src.sarif')),
      scan(join(ROOT, 'out'), 'out/', join(tmp, 'out.sarif')),
    ])
    const findings = [...a.findings, ...b.findings]
    const parseErrors = [...a.parseErrors, ...b.parseErrors]
    const bad = unexplained(findings, accepted)
    const stale = accepted.filter((x) => !findings.some((f) => f.check === x.check && f.file === x.file))
    const secs = ((Date.now() - t0) / 1000).toFixed(1)
    for (const s of stale) console.log(`note: accepted finding ${s.check} in ${s.file} no longer occurs — remove its row from docs/security.md`)
    if (bad.length || parseErrors.length) {
      console.error(`check:electron-security: ${bad.length} finding(s) not explained in ${relative(ROOT, SECURITY_DOC)} ("Accepted findings"), ${parseErrors.length} file(s) not parsed (${secs} s):`)
      for (const f of bad) console.error(`  ${f.file}:${f.line}:${f.column}  ${f.check}  ${f.message}`)
      for (const e of parseErrors) console.error(`  ${e}`)
      console.error('Fix the code, or explain the finding in the table (check id + file + why it is safe).')
      return 1
    }
    console.log(`check:electron-security: ${findings.length} finding(s), all explained in ${relative(ROOT, SECURITY_DOC)} (${secs} s)`)
    return 0
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

if (import.meta.main) process.exitCode = await main()
