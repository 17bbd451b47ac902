// Reading an input file (lscpu, /proc/cmdline, domain XML, perf output) within its reader's size limit:
// the size is checked before anything is read, and the file is read as a stream that stops as soon as
// it passes the limit (a pipe, stdin or /dev/zero has no size to check first). Peak memory is the
// limit, not the file.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'

export class InputFileError extends Error {}

const KIB = 1024
const size = (n: number): string => (n >= KIB * KIB ? `${(n / (KIB * KIB)).toFixed(1)} MiB` : n >= KIB ? `${(n / KIB).toFixed(1)} KiB` : `${n} bytes`)

/** The text of `path` ("-" = standard input), refused with an InputFileError past `maxBytes`. */
export async function readInputFile(path: string, maxBytes: number, what: string): Promise<string> {
  if (path === '-') return readLimited(process.stdin, maxBytes, `standard input (${what})`, what)
  let st
  try {
    st = await stat(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputFileError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read: ${(e as Error).message}`)
  }
  if (st.isDirectory()) throw new InputFileError(`${path}: is a directory — give the ${what} file`)
  if (st.isFile() && st.size > maxBytes) throw new InputFileError(tooBig(path, st.size, maxBytes, what))
  return readLimited(createReadStream(path, { highWaterMark: 64 * KIB }), maxBytes, path, what)
}

function tooBig(name: string, bytes: number | null, maxBytes: number, what: string): string {
  const is = bytes === null ? `is longer than the ${size(maxBytes)}` : `is ${size(bytes)}, more than the ${size(maxBytes)}`
  return `${name}: ${is} the ${what} reader accepts — cut the file down to the part that matters`
}

async function readLimited(stream: Readable, maxBytes: number, name: string, what = name): Promise<string> {
  const decoder = new TextDecoder('utf-8')
  let bytes = 0
  let text = ''
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length
      if (bytes > maxBytes) throw new InputFileError(tooBig(name, null, maxBytes, what))
      text += decoder.decode(chunk, { stream: true })
    }
  } catch (e) {
    if (e instanceof InputFileError) throw e
    throw new InputFileError(`${name}: cannot read: ${(e as Error).message}`)
  } finally {
    if (stream !== process.stdin) stream.destroy()
  }
  return text + decoder.decode()
}
