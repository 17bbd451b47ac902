// The browser host's defences: it listens on 127.0.0.1 only, answers only requests addressed to itself
// (Host header: DNS-rebinding defence), accepts API calls and WebSocket upgrades only from its own origin
// (Origin header: CSRF / cross-site WebSocket defence), only from the user who started it (a random token
// per start, as Jupyter does), and sends the renderer's CSP with every response.
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** The renderer's CSP in the desktop app and the report printer: no WebSocket (renderer/index.html's meta
 *  tag also lists the browser host's ws: sources; a page gets the intersection of both policies). */
export const RENDERER_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'"
const HEADER_ONLY = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
export const CSP_HEADER = `${RENDERER_CSP}; ${HEADER_ONLY}`
/** The browser host's CSP: the same, plus its event WebSocket (`ws://` on this machine); the renderer's
 *  HTML files carry this one in their meta tag (the same files are served by both hosts). */
export const BROWSER_HOST_CSP = `${RENDERER_CSP} ws://127.0.0.1:* ws://localhost:*`
export const BROWSER_HOST_CSP_HEADER = `${BROWSER_HOST_CSP}; ${HEADER_ONLY}`

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': BROWSER_HOST_CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=()',
}

/** The Host header values this server answers to. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`]
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase())
}

/** An absent Origin is allowed (same-origin GETs, non-browser clients); a present one must be ours. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true
  return allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`)
}

/** A new access token: 192 random bits, URL-safe. */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url')
}

/** The token a request carries: `Authorization: Bearer <token>` (API calls) or `?token=` (the WebSocket,
 *  whose browser API cannot set headers). */
export function requestToken(authorization: string | undefined, url: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
  if (m) return m[1]
  try {
    return new URL(url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? undefined
  } catch {
    return undefined
  }
}

/** Constant-time comparison of a presented token with the host's. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false
  const a = Buffer.from(presented)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}
