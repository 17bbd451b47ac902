// Hostile input files: the size is checked before a file is read and the read is a stream that stops at
// the reader's limit (a 100 MB file, /dev/zero, an endless pipe); a value that is echoed in a warning is
// cut, however long it is.
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputFile, InputFileError } from '../../main/services/input-file.ts'
import { importLibvirt } from '../../core/formats/libvirt.ts'
import { importCmdline } from '../../core/formats/cmdline.ts'
import { MAX_PERF_CHARS, importPerfKvmStat } from '../../core/formats/perf-kvm-stat.ts'

const CLI = join(import.meta.dirname, '..', '..', 'main', 'cli', 'kvmbench.ts')

describe('input files are size-checked before they are read, and streamed', () => {
  it('a 100 MB file is refused from its size, before any of it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-hostile-'))
    try {
      const file = join(dir, 'perf.txt')
      const fd = openSync(file, 'w')
      ftruncateSync(fd, 100 * 1024 * 1024) // sparse: 100 MiB long, nothing written
      closeSync(fd)
      await expect(readInputFile(file, MAX_PERF_CHARS, 'perf')).rejects.toThrow(/perf.txt: is 100.0 MiB, more than the 4.0 MiB the perf reader accepts — cut the file down/)
      const r = spawnSync(process.execPath, [CLI, 'import', 'perf', file], { encoding: 'utf8' })
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/is 100.0 MiB, more than the 4.0 MiB the perf reader accepts/)
      // at the limit it is read
      const small = join(dir, 'small.txt')
      writeFileSync(small, 'x'.repeat(1000))
      expect(await readInputFile(small, 1000, 'perf')).toHaveLength(1000)
      await expect(readInputFile(small, 999, 'perf')).rejects.toBeInstanceOf(InputFileError)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a file without a size (/dev/zero) is read as a stream that stops at the limit', async () => {
    await expect(readInputFile('/dev/zero', 64 * 1024, 'cmdline')).rejects.toThrow(/^\/dev\/zero: is longer than the 64.0 KiB the cmdline reader accepts/)
  })

  it('standard input past the limit is refused too (kvmbench import cmdline -)', () => {
    const r = spawnSync(process.execPath, [CLI, 'import', 'cmdline', '-'], { input: `${'quiet '.repeat(20_000)}\n`, encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/standard input \(cmdline\): is longer than the 64.0 KiB the cmdline reader accepts/)
  })

  it('a directory or a missing file says so', async () => {
    await expect(readInputFile(tmpdir(), 1000, 'lscpu')).rejects.toThrow(/is a directory — give the lscpu file/)
    await expect(readInputFile(join(tmpdir(), 'no-such-kvmbench-file'), 1000, 'lscpu')).rejects.toThrow(/no such file/)
  })
})

describe('echoes of long values are cut', () => {
  it('a 200,000-character <name> is cut in the warning that echoes it', () => {
    const r = importLibvirt(`<domain type='kvm'><name>${'a '.repeat(100_000)}</name><vcpu>2</vcpu></domain>`)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const w = r.warnings.find((x) => x.startsWith('<name>'))!
    expect(w.length).toBeLessThan(300)
    expect(w).toMatch(/… \(199999 characters\) has characters a profile VM name cannot have/)
    expect(r.value.name).toHaveLength(64)
  })

  it('a huge element name, attribute value or repeated parameter is cut where it is echoed', () => {
    const el = `x${'y'.repeat(100_000)}`
    const r = importLibvirt(`<domain type='${'q'.repeat(100_000)}'><${el}/><clock><timer name='${'t'.repeat(50_000)}'/></clock></domain>`)
    expect(r.ok).toBe(true)
    if (r.ok) for (const w of r.warnings) expect(w.length, w.slice(0, 100)).toBeLessThan(400)
    const c = importCmdline(`nohz_full=1 nohz_full=${'1,'.repeat(100)}2 isolcpus=${'f'.repeat(10_000)},2`, { nrCpus: 8 })
    expect(c.ok).toBe(true)
    if (c.ok) for (const w of c.warnings) expect(w.length, w.slice(0, 100)).toBeLessThan(400)
  })
})

describe('a perf file full of near-tables', () => {
  it('long runs of spaces and thousands of table-like lines: read in linear work, named up to 20 and then counted', () => {
    const report = readFileSync(join(import.meta.dirname, 'fixtures', 'perf-msr-report.txt'), 'utf8')
    const junk = [`x${' '.repeat(1990)}`, `x${' '.repeat(1900)} Samples Samples% Time%`, `   HLT${' '.repeat(1900)}1  1.00%  2.00us`]
    const text = `${report}\n${junk.join('\n').concat('\n').repeat(Math.floor((MAX_PERF_CHARS - report.length) / 6000))}`
    const r = importPerfKvmStat(text)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.tables).toHaveLength(1)
    expect(r.warnings).toHaveLength(21)
    expect(r.warnings[20]).toMatch(/^perf kvm stat: \d+ more lines look like a table or a row but are kept as text, not read$/)
  })
})
