// Which URLs and frames belong to the app. No 'electron' import, so it is unit-tested under Node.

/** `scheme://host[:port]` of a URL. (URL.origin is "null" for custom schemes such as app://.) */
export function originOf(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}`
}

/** A predicate that accepts URLs on one of the given origins (e.g. app://kvmbench, the dev server). */
export function appUrlCheck(origins: string[]): (url: string) => boolean {
  const allowed = new Set(origins.map(originOf))
  return (url) => {
    try {
      return allowed.has(originOf(url))
    } catch {
      return false
    }
  }
}

/** The part of Electron's WebFrameMain the check needs. */
export interface FrameLike {
  readonly parent: unknown
  readonly url: string
}

/** IPC is accepted only from the main frame (no iframes) of a page on the app's origin. */
export function isTrustedFrame(frame: FrameLike | null | undefined, isAppUrl: (url: string) => boolean): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url)
}

/** The report page (report.html) only reads its frozen snapshot; the app page may call every channel. */
export const REPORT_PAGE_CHANNELS: readonly string[] = ['reports.snapshot']

/** The paths of the app page, which may call every channel. */
const APP_PAGE_PATHS: readonly string[] = ['/', '/index.html']

/** A URL's path as the app protocol resolves it (main/host/static-files.ts resolveInside): percent-decoded,
 *  repeated slashes and dot segments collapsed — so `//report.html` and `/%72eport.html` are
 *  `/report.html`. Undefined when it cannot be decoded. */
export function normalizedPath(url: string): string | undefined {
  try {
    const decoded = decodeURIComponent(new URL(url).pathname)
    if (decoded.includes('\0')) return undefined
    const parts: string[] = []
    for (const seg of decoded.split(/[/\\]+/)) {
      if (seg === '' || seg === '.') continue
      if (seg === '..') parts.pop()
      else parts.push(seg)
    }
    return `/${parts.join('/')}`
  } catch {
    return undefined
  }
}

/** Whether a frame at `url` may call `channel`: only the app page (`/`, `/index.html`, compared after
 *  normalizing) may call every channel; the report page, and any other page of the app, only
 *  REPORT_PAGE_CHANNELS. */
export function channelAllowed(url: string, channel: string): boolean {
  const path = normalizedPath(url)
  if (path === undefined) return false
  return APP_PAGE_PATHS.includes(path) || REPORT_PAGE_CHANNELS.includes(channel)
}
