// The browser host: the same services as the desktop app, over HTTP and a WebSocket, for any browser on
// this machine. `POST /api/<channel>` with a JSON body answers `{ ok: true, value }` or
// `{ ok: false, error }`; `GET /api/events` upgrades to a WebSocket that pushes every RunEvent as JSON;
// everything else serves the built renderer (out/renderer). Every API call and the WebSocket need the
// token of this start (`url` carries it; the page keeps it): only the user who started the host reaches
// its data. Data files are created 0600 and folders 0700.
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import type { WebSocket } from 'ws'
import { ConfProfileRepository } from '../services/conf-profile-repository.ts'
import { createServices } from '../services/create-services.ts'
import { confWorkbenchStore } from '../services/conf-workbench-store.ts'
import type { Services } from '../services/create-services.ts'
import type { ApiResult } from '../services/api-router.ts'
import { ChildProcessLauncher } from '../worker/child-process-launcher.ts'
import type { ProcessLauncher } from '../worker/launcher.ts'
import { EXAMPLES_DIR, RENDERER_DIR, packageVersion } from '../paths.ts'
import { SECURITY_HEADERS, isAllowedHost, isAllowedOrigin, newAccessToken, requestToken, tokenMatches } from './http-security.ts'
import { BODY_TIMEOUT_MS, MAX_BODY_BYTES, MAX_CONCURRENT_PARSES, MAX_CONNECTIONS, MAX_EVENT_SOCKETS, MAX_WS_MESSAGE_BYTES, Slots } from './request-limits.ts'
import { sendText, serveStatic } from './static-files.ts'
import { ChromiumReportPrinter } from './report-printer.ts'
import type { ReportPrinter } from '../services/report-service.ts'

export { MAX_BODY_BYTES } from './request-limits.ts'
export const EVENTS_PATH = '/api/events'

export interface BrowserHostOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /** Profiles (`profiles.json`) and finished runs (`results/`) go here. */
  dataDir: string
  /** The built renderer; default out/renderer. */
  rendererDir?: string
  examplesDir?: string
  /** Worker pool size; default one per core. */
  workers?: number
  /** Start the workers with the host, not at the first run (default true; ServicesOptions.prestartWorkers). */
  prestartWorkers?: boolean
  /** Default: child processes running main/worker/sim-worker.ts. */
  launcher?: ProcessLauncher
  /** Prints reports.pdf; default headless Chromium (playwright-core) over the built report page. */
  printer?: ReportPrinter
  /** Where machine.read reads the machine (default "/"; a fixture tree for screenshots). */
  machineRoot?: string
  /** Finished runs kept in `results/`; older ones are deleted (default 200). */
  keepRuns?: number
  /** The access token; default a new random one per start. */
  token?: string
}

export interface BrowserHost {
  /** `http://127.0.0.1:PORT/?token=TOKEN`: what `npm run serve` prints, the address to open. */
  readonly url: string
  /** `http://127.0.0.1:PORT/` */
  readonly origin: string
  /** This start's access token: `Authorization: Bearer TOKEN` on API calls, `?token=TOKEN` on the WebSocket. */
  readonly token: string
  readonly port: number
  readonly services: Services
  close(): Promise<void>
}

export class RendererMissingError extends Error {}

class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    const timer = setTimeout(() => {
      reject(new HttpError(408, `the request body did not arrive within ${BODY_TIMEOUT_MS} ms`))
      req.removeAllListeners('data')
      req.pause()
    }, BODY_TIMEOUT_MS)
    req.once('close', () => clearTimeout(timer))
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`))
        req.removeAllListeners('data')
        req.pause()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve({})
      try {
        resolve(JSON.parse(text) as unknown)
      } catch (e) {
        reject(new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`))
      }
    })
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: ApiResult): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
  res.end(text)
}

const STATUS: Record<string, number> = { 'bad-request': 400, 'not-found': 404, forbidden: 403, failed: 500 }

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const rendererDir = options.rendererDir ?? RENDERER_DIR
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new RendererMissingError(`the built renderer is missing (${join(rendererDir, 'index.html')}) — run \`npm run build\` first`)
  }
  // Only this user may read what the host keeps: folders 0700 (also when they exist already), files 0600.
  const resultsDir = join(options.dataDir, 'results')
  for (const dir of [options.dataDir, resultsDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
  }
  const services = createServices({
    host: 'browser',
    version: packageVersion(),
    launcher: options.launcher ?? new ChildProcessLauncher(),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    prestartWorkers: options.prestartWorkers ?? true,
    repository: new ConfProfileRepository(options.dataDir),
    workbenchStore: confWorkbenchStore(options.dataDir),
    resultsDir,
    ...(options.keepRuns !== undefined ? { keepRuns: options.keepRuns } : {}),
    examplesDir: options.examplesDir ?? EXAMPLES_DIR,
    printer: options.printer ?? new ChromiumReportPrinter({ rendererDir }),
    ...(options.machineRoot !== undefined ? { machineRoot: options.machineRoot } : {}),
  })
  await services.runs.loadSaved()
  let port = 0
  const token = options.token ?? newAccessToken()
  const parses = new Slots(MAX_CONCURRENT_PARSES)

  const handleApi = async (req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      return sendJson(res, 405, { ok: false, error: { code: 'bad-request', message: 'use POST with a JSON body' } })
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') return sendJson(res, 415, { ok: false, error: { code: 'bad-request', message: 'send Content-Type: application/json' } })
    let payload: unknown
    const release = await parses.acquire()
    try {
      payload = await readJsonBody(req)
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 400
      if (status === 413 || status === 408) {
        // Do not read the rest of an oversized body: answer, then drop the connection.
        res.setHeader('Connection', 'close')
        res.on('finish', () => req.socket.destroy())
      }
      return sendJson(res, status, { ok: false, error: { code: 'bad-request', message: (e as Error).message } })
    } finally {
      release()
    }
    const result = await services.router.handle(channel, payload)
    sendJson(res, result.ok ? 200 : (STATUS[result.error.code] ?? 500), result)
  }

  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v)
    // API callers get every refusal as an ApiError JSON, like the router's own errors.
    const isApi = (req.url ?? '').startsWith('/api/')
    const refuse = (status: number, code: 'bad-request' | 'forbidden', message: string): void => {
      if (isApi) sendJson(res, status, { ok: false, error: { code, message } })
      else sendText(res, status, message)
    }
    if (!isAllowedHost(req.headers.host, port)) return refuse(421, 'forbidden', 'misdirected request: this server only answers to 127.0.0.1 and localhost')
    if (!isAllowedOrigin(req.headers.origin, port)) return refuse(403, 'forbidden', 'forbidden: cross-origin request')
    let path: string
    try {
      path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    } catch {
      return refuse(400, 'bad-request', 'bad request: the URL cannot be parsed')
    }
    const done = (p: Promise<void>): void => {
      p.catch((e: unknown) => {
        console.error('kvmbench browser host:', e)
        if (!res.headersSent) sendText(res, 500, 'internal error')
        else res.destroy()
      })
    }
    if (path.startsWith('/api/')) {
      if (!tokenMatches(requestToken(req.headers.authorization, undefined), token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="kvmbench"')
        return refuse(401, 'forbidden', 'this kvmbench host answers only its user: open the address `npm run serve` printed (it ends with ?token=…), or send Authorization: Bearer TOKEN')
      }
      let channel: string
      try {
        channel = decodeURIComponent(path.slice('/api/'.length))
      } catch {
        // (a throw here would be an uncaught exception in the server: it would stop the host)
        return refuse(400, 'bad-request', `the channel in ${JSON.stringify(path.slice(0, 80))} is not valid percent-encoding`)
      }
      return done(handleApi(req, res, channel))
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return sendText(res, 405, 'method not allowed')
    }
    done(serveStatic(rendererDir, path, res, req.method === 'HEAD'))
  })

  server.maxConnections = MAX_CONNECTIONS
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES })
  const clients = new Set<WebSocket>()
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== EVENTS_PATH || !isAllowedHost(req.headers.host, port) || !isAllowedOrigin(req.headers.origin, port)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    if (!tokenMatches(requestToken(undefined, req.url), token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    if (clients.size >= MAX_EVENT_SOCKETS) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws)
      ws.on('close', () => clients.delete(ws))
      ws.on('error', () => clients.delete(ws))
      // The socket only pushes; the client has nothing to say.
      ws.on('message', () => {})
    })
  })
  const unsubscribe = services.onEvent((e) => {
    const text = JSON.stringify(e)
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}/`
  const url = `${origin}?token=${token}`

  let closing: Promise<void> | undefined
  return {
    url,
    origin,
    token,
    port,
    services,
    close() {
      closing ??= (async () => {
        unsubscribe()
        for (const ws of clients) ws.terminate()
        wss.close()
        await services.dispose()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      })()
      return closing
    },
  }
}
