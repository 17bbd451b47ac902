// Reading this machine's files under a root directory ("/" for the real machine, a fixture tree in tests):
// every read answers with the text, or why it could not be read (missing, permission denied, …) in words
// the "not read" list shows. Bounded: pseudo-files are small, and no read takes more than MAX_FILE_BYTES.
import { openSync, readSync, closeSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** The largest file read (a libvirt domain status XML is a few tens of KiB; sysfs files are one page). */
export const MAX_FILE_BYTES = 1024 * 1024

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string }

/** Why a file system call failed, as the report says it. */
export function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  return e instanceof Error ? e.message : String(e)
}

export class MachineFs {
  readonly root: string
  constructor(root = '/') {
    this.root = root
  }

  /** The path as shown in the report: absolute, as on the machine (without the fixture root). */
  shown(path: string): string {
    return path.startsWith('/') ? path : `/${path}`
  }

  private real(path: string): string {
    return join(this.root, path)
  }

  /** One buffer for every read, grown when a file needs it (sysfs files are one page; a host has
   *  thousands), so reading a large machine allocates almost nothing. */
  private buf = Buffer.alloc(64 * 1024)

  read(path: string): ReadResult {
    let fd: number
    try {
      fd = openSync(this.real(path), 'r')
    } catch (e) {
      return { ok: false, reason: reasonOf(e) }
    }
    try {
      let n = 0
      for (;;) {
        if (n === this.buf.length) {
          if (n >= MAX_FILE_BYTES) return { ok: false, reason: `larger than ${MAX_FILE_BYTES} bytes` }
          const bigger = Buffer.alloc(Math.min(MAX_FILE_BYTES, n * 2))
          this.buf.copy(bigger, 0, 0, n)
          this.buf = bigger
        }
        const got = readSync(fd, this.buf, n, this.buf.length - n, null)
        if (got === 0) break
        n += got
      }
      return { ok: true, text: this.buf.toString('utf8', 0, n) }
    } catch (e) {
      return { ok: false, reason: reasonOf(e) }
    } finally {
      closeSync(fd)
    }
  }

  /** A one-line pseudo-file (sysfs attribute) without its newline, or undefined. */
  line(path: string): string | undefined {
    const r = this.read(path)
    return r.ok ? r.text.trim() : undefined
  }

  /** Entry names of a directory, sorted, or why it cannot be listed. */
  list(path: string): { ok: true; names: string[] } | { ok: false; reason: string } {
    try {
      return { ok: true, names: readdirSync(this.real(path)).sort() }
    } catch (e) {
      return { ok: false, reason: reasonOf(e) }
    }
  }
}
