// The Electron shell's trust decisions (which URLs are the app, which frames may call IPC), without Electron.
import { describe, expect, it } from 'vitest'
import { appUrlCheck, isTrustedFrame, originOf } from '../../main/electron/trust.ts'

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
