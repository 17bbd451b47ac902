import { describe, it, expect } from 'vitest'
import { parseKernelVersion, atLeast, compareKernelVersions } from '../../core/kernel-version.ts'

const v = (text: string) => {
  const r = parseKernelVersion(text)
  if (!r.ok) throw new Error(r.error.message)
  return r.version
}

describe('parseKernelVersion()', () => {
  it('reads uname -r and doc forms', () => {
    expect(v('5.10.180')).toMatchObject({ major: 5, minor: 10, patch: 180 })
    expect(v('6.8')).toMatchObject({ major: 6, minor: 8, patch: 0 })
    expect(v('6.8.0-45-generic')).toMatchObject({ major: 6, minor: 8, patch: 0 })
    expect(v('5.14.0-362.el9.x86_64')).toMatchObject({ major: 5, minor: 14, patch: 0 })
    expect(v('v6.1')).toMatchObject({ major: 6, minor: 1 })
    expect(v('6.10-rc3')).toMatchObject({ major: 6, minor: 10, patch: 0 })
  })

  it('refuses what is not a version, naming the field and a fix', () => {
    for (const bad of ['six', '', '5', '1.2', '6.8 extra', '6..8', 'x'.repeat(100_000)]) {
      const r = parseKernelVersion(bad)
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.field).toBe('kernelVersion')
        expect(r.error.message).toContain('is not a kernel version')
        expect(r.error.fix).toContain('uname -r')
      }
    }
  })
})

describe('atLeast() / compareKernelVersions()', () => {
  it('compares numerically, not as text', () => {
    expect(atLeast('5.10', '5.9')).toBe(true)
    expect(atLeast('5.9', '5.10')).toBe(false)
    expect(atLeast('5.19', '5.19')).toBe(true)
    expect(atLeast(v('6.1.55'), '6.1.56')).toBe(false)
    expect(compareKernelVersions(v('7.0'), v('6.19'))).toBeGreaterThan(0)
  })

  it('throws RangeError on a bad string (a programming error)', () => {
    expect(() => atLeast('six', '5.0')).toThrow(RangeError)
  })
})
