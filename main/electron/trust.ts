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

/** Whether a frame at `url` may call `channel`: a report page is limited to REPORT_PAGE_CHANNELS. */
export function channelAllowed(url: string, channel: string): boolean {
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    return false
  }
  return path === '/report.html' ? REPORT_PAGE_CHANNELS.includes(channel) : true
}
