// The browser host's access token, as Jupyter does it: the address `npm run serve` prints carries
// `?token=…`; the page keeps it for this tab (sessionStorage, so a reload keeps working) and takes it out of
// the address bar. Every API call and the event WebSocket send it.
const KEY = 'kvmbench.token'

export function pageToken(): string | undefined {
  const url = new URL(location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    try {
      sessionStorage.setItem(KEY, fromUrl)
    } catch {
      // storage off: the token lives as long as the page
    }
    url.searchParams.delete('token')
    history.replaceState(history.state, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  try {
    return sessionStorage.getItem(KEY) ?? undefined
  } catch {
    return undefined
  }
}
