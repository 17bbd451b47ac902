// Serving the built renderer (out/renderer) with correct types; paths never leave the directory.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.wasm': 'application/wasm',
}

/** Resolves a URL path inside `root`; undefined for anything that would escape it. */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const base = resolve(root)
  const p = resolve(base, `.${normalize(`/${decoded}`)}`)
  return p === base || p.startsWith(base + sep) ? p : undefined
}

/** Sends a file of the renderer; paths without an extension fall back to index.html (client-side routes). */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, headOnly: boolean): Promise<void> {
  let file = resolveInside(root, urlPath === '/' ? '/index.html' : urlPath)
  if (!file) return sendText(res, 400, 'bad path')
  let st = await stat(file).catch(() => undefined)
  if (st?.isDirectory()) {
    file = join(file, 'index.html')
    st = await stat(file).catch(() => undefined)
  }
  if (!st?.isFile()) {
    if (extname(urlPath) !== '') return sendText(res, 404, 'not found')
    file = join(root, 'index.html')
    st = await stat(file).catch(() => undefined)
    if (!st?.isFile()) return sendText(res, 404, 'not found')
  }
  const isHtml = file.endsWith('.html')
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=3600',
  })
  if (headOnly) {
    res.end()
    return
  }
  createReadStream(file).pipe(res)
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
  res.end(text)
}
