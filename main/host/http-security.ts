// The browser host's defences: it listens on 127.0.0.1 only, answers only requests addressed to itself
// (Host header: DNS-rebinding defence), accepts API calls and WebSocket upgrades only from its own origin
// (Origin header: CSRF / cross-site WebSocket defence), and sends the renderer's CSP with every response.

/** The renderer's CSP (renderer/index.html has the same policy in a meta tag), plus the directives that
 *  only work as a header. */
export const RENDERER_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*"
export const CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'`

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP_HEADER,
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
