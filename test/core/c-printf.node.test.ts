import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { sprintf, formatFixed } from '../../core/output/c-printf.ts'
import type { CArg } from '../../core/output/c-printf.ts'
import { GCC, NO_GCC_NOTE, runC, cDouble, cString } from '../helpers/gcc.ts'

describe('formatFixed (glibc %.Nf)', () => {
  it('rounds the exact binary value, ties to even', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12') // exact tie -> even; toFixed gives 0.13
    expect(formatFixed(0.375, 2)).toBe('0.38')
    expect(formatFixed(1.005, 2)).toBe('1.00') // 1.00499999999999989...
    expect(formatFixed(2.675, 2)).toBe('2.67') // 2.67499999999999982...
    expect(formatFixed(2.5, 0)).toBe('2')
    expect(formatFixed(3.5, 0)).toBe('4')
    expect(formatFixed(0.5, 0)).toBe('0')
    expect(formatFixed(1e21, 2)).toBe('1000000000000000000000.00') // toFixed switches to 1e+21
    expect(formatFixed(1e22, 0)).toBe('10000000000000000000000')
    expect(formatFixed(-0, 2)).toBe('-0.00')
    expect(formatFixed(-0.001, 2)).toBe('-0.00')
    expect(formatFixed(5e-324, 2)).toBe('0.00')
    expect(formatFixed(0.1, 20)).toBe('0.10000000000000000555')
  })

  it('formats nan/inf like glibc', () => {
    expect(sprintf('%8.2f|', NaN)).toBe('     nan|')
    expect(sprintf('%8.2f|', '-nan')).toBe('    -nan|')
    expect(sprintf('%-8.2f|', -Infinity)).toBe('-inf    |')
    expect(sprintf('%08.2F|', Infinity)).toBe('     INF|')
  })
})

describe('sprintf', () => {
  it('handles the conversions perf uses', () => {
    expect(sprintf('%*s ', 20, 'VM-EXIT')).toBe('             VM-EXIT ')
    expect(sprintf('%-*s|', 5, 'ab')).toBe('ab   |')
    expect(sprintf('%*s|', -5, 'ab')).toBe('ab   |')
    expect(sprintf('%10llu ', 42916)).toBe('     42916 ')
    expect(sprintf('%llu', -1)).toBe('18446744073709551615')
    expect(sprintf('%llu', 2n ** 64n - 1n)).toBe('18446744073709551615')
    expect(sprintf('%8.2f%% ', 49.43)).toBe('   49.43% ')
    expect(sprintf('( +-%7.2f%% )', 1.09)).toBe('( +-   1.09% )')
    expect(sprintf('%.3s|%5.1s|', 'abcdef', 'xyz')).toBe('abc|    x|')
    expect(sprintf('%05d|%-5d|%+d|% d|%.3d', 42, 42, 42, 42, 7)).toBe('00042|42   |+42| 42|007')
    expect(sprintf('%#x %#lx %X', 255, 4096, 255)).toBe('0xff 0x1000 FF')
    expect(sprintf('%u', -1)).toBe('4294967295')
    expect(sprintf('%d', 2 ** 31)).toBe('-2147483648')
  })

  it('rejects unsupported conversions', () => {
    expect(() => sprintf('%e', 1)).toThrow()
  })
})

// Byte-for-byte against glibc printf.
interface Case {
  fmt: string
  args: { c: string; js: CArg }[]
}
const d = (x: number): { c: string; js: CArg } => ({ c: cDouble(x), js: x })
const u64 = (x: bigint): { c: string; js: CArg } => ({ c: `((unsigned long long)${x}ULL)`, js: x })
const int = (x: number): { c: string; js: CArg } => ({ c: `(${x})`, js: x })
const str = (s: string): { c: string; js: CArg } => ({ c: cString(s), js: s })

function compareWithC(cases: Case[]): void {
  const body = cases
    .map((k) => `  printf(${cString(k.fmt)}${k.args.map((a) => ', ' + a.c).join('')}); putchar('\\n');`)
    .join('\n')
  const src = `#include <stdio.h>\n#include <math.h>\nint main(void) {\n  volatile double z = 0.0;\n${body}\n  return 0;\n}\n`
  const expected = runC(src).split('\n')
  cases.forEach((k, i) => {
    expect(sprintf(k.fmt, ...k.args.map((a) => a.js)), `${k.fmt} ${k.args.map((a) => a.c).join(', ')}`).toBe(expected[i])
  })
}

describe('sprintf vs glibc printf (gcc)', () => {
  it('matches on tricky doubles and perf formats', (ctx) => {
    if (GCC === null) ctx.skip(NO_GCC_NOTE)
    const tricky = [
      0, -0, 0.125, 0.375, 0.625, 1.005, 2.675, 1.115, 0.005, 0.015, 0.025, 0.045, 9.995, 99.995, 999.995, 1e21, 1e22,
      123456789012345678901234567890, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, 2 ** 53 + 2, 0.1, 0.7,
      1 / 3, 2 / 3, -1.005, -2.5, 0.5, 1.5, 2.5, 1815367.445, 10123.395, 0.07499999999999999, 100, 60.046189376443415,
    ]
    const cases: Case[] = []
    for (const x of tricky) {
      for (const f of ['%.2f', '%8.2f%%', '%9.2fus', '%7.2f', '%.0f', '%#.0f', '%.6f', '%f', '%+.3f', '% .1f', '%012.2f', '%-10.2f|', '%.17f']) {
        cases.push({ fmt: f, args: [d(x)] })
      }
    }
    cases.push({ fmt: '%8.2f%%', args: [{ c: 'z/z', js: '-nan' }] })
    cases.push({ fmt: '%8.2f|%f|%F|%-6f|', args: [d(Infinity), d(-Infinity), d(Infinity), d(NaN)] })
    cases.push({ fmt: '%*s |%-*s|%.*f', args: [int(20), str('avic_unaccelerated'), int(12), str('hlt'), int(3), d(2.0005)] })
    cases.push({ fmt: '%10llu %llu %lu', args: [u64(42916n), u64(2n ** 64n - 1n), u64(1234567890123n)] })
    cases.push({ fmt: '%d %i %5d %-5d| %05d %+d % d %.0d|', args: [int(-7), int(7), int(-42), int(42), int(-42), int(0), int(3), int(0)] })
    cases.push({ fmt: '%x %X %#x %#o %o %c%c', args: [int(48879), int(48879), int(0), int(8), int(8), int(65), { c: "'z'", js: 'z' }] })
    compareWithC(cases)
  })

  it('matches on random doubles (fast-check)', (ctx) => {
    if (GCC === null) ctx.skip(NO_GCC_NOTE)
    const xs = fc.sample(
      fc.oneof(
        fc.double({ noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 1000 + 0.005),
        fc.integer({ min: 0, max: 100_000 }).map((n) => n / 8),
      ),
      { numRuns: 400, seed: 20240229 },
    )
    const cases: Case[] = []
    for (const x of xs) {
      cases.push({ fmt: '%9.2f|%.2f|%.0f|%.5f', args: [d(x), d(x), d(x), d(x)] })
    }
    compareWithC(cases)
  })
})
