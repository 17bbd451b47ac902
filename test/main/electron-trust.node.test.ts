// The Electron shell's trust decisions (which URLs are the app, which frames may call IPC), without Electron.
import { describe, expect, it } from 'vitest'
import { appUrlCheck, channelAllowed, isTrustedFrame, normalizedPath, originOf } from '../../main/electron/trust.ts'

describe('app URL check', () => {
  const isApp = appUrlCheck(['app://kvmbench', 'http://localhost:5173/'])
  it('accepts the app scheme and the dev server, nothing else', () => {
    expect(originOf('app://kvmbench/index.html')).toBe('app://kvmbench')
    expect(isApp('app://kvmbench/index.html#/runs')).toBe(true)
    expect(isApp('http://localhost:5173/src/main.ts')).toBe(true)
    for (const u of ['app://evil/index.html', 'http://localhost:5174/', 'https://localhost:5173/', 'file:///etc/passwd', 'https://example.com/', 'app://kvmbench.evil.com/', 'javascript:alert(1)', 'not a url', '']) {
      expect(isApp(u), u).toBe(false)
    }
  })
  it('trusts only the main frame of an app page', () => {
    expect(isTrustedFrame({ parent: null, url: 'app://kvmbench/index.html' }, isApp)).toBe(true)
    expect(isTrustedFrame({ parent: {}, url: 'app://kvmbench/index.html' }, isApp)).toBe(false)
    expect(isTrustedFrame({ parent: null, url: 'https://example.com/' }, isApp)).toBe(false)
    expect(isTrustedFrame(null, isApp)).toBe(false)
  })
})

describe('the report page channel restriction', () => {
  it('limits the report page to reports.snapshot under every alias of its path', () => {
    const aliases = ['app://kvmbench/report.html', 'app://kvmbench//report.html', 'app://kvmbench/%72eport.html', 'app://kvmbench/./report.html',
      'app://kvmbench/x/../report.html', 'app://kvmbench/x/%2e%2e/report.html', 'app://kvmbench///%2freport.html', 'app://kvmbench/report.html?run=1#x',
      'app://kvmbench/%5creport.html', 'http://localhost:5173/report.html', 'app://kvmbench/assets/other.html']
    for (const u of aliases) {
      expect(channelAllowed(u, 'reports.snapshot'), u).toBe(true)
      for (const c of ['profiles.save', 'runs.start', 'profiles.purge', 'app.info']) expect(channelAllowed(u, c), `${u} ${c}`).toBe(false)
    }
  })
  it('lets the app page call every channel', () => {
    for (const u of ['app://kvmbench/', 'app://kvmbench/index.html', 'app://kvmbench//index.html', 'app://kvmbench/%69ndex.html#/runs', 'http://localhost:5173/']) {
      expect(channelAllowed(u, 'profiles.save'), u).toBe(true)
    }
    expect(normalizedPath('app://kvmbench/a/%2e%2e//b')).toBe('/b')
    expect(normalizedPath('app://kvmbench/%E0%A4%A')).toBeUndefined()
  })
})

describe('the desktop CSP', () => {
  it('allows no WebSocket (only the browser host needs its ws:// event socket)', async () => {
    const { CSP_HEADER, BROWSER_HOST_CSP_HEADER } = await import('../../main/host/http-security.ts')
    const connect = (csp: string): string => /connect-src ([^;]*)/.exec(csp)?.[1] ?? ''
    expect(connect(CSP_HEADER)).toBe("'self'")
    expect(connect(BROWSER_HOST_CSP_HEADER)).toBe("'self' ws://127.0.0.1:* ws://localhost:*")
  })
})
