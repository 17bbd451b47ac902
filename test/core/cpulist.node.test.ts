import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  parseCpuList, formatCpuList, cpuListFromArray, cpusOf, union, intersect, subtract, complement,
  countCpus, isEmpty, equals, MAX_CPULIST_CHARS,
} from '../../core/topology/cpulist.ts'
import type { CpuSetResult } from '../../core/topology/cpulist.ts'

const cpus = (r: CpuSetResult): number[] => {
  if (!r.ok) throw new Error(r.error.message)
  return cpusOf(r.cpus)
}
const list = (text: string, nrCpus: number, allowExclusion = false): string => formatCpuList(expectOk(parseCpuList(text, { nrCpus, allowExclusion })))
const expectOk = (r: CpuSetResult): Uint8Array => {
  if (!r.ok) throw new Error(r.error.message)
  return r.cpus
}
const errorOf = (text: string, nrCpus: number, field = 'nohz_full', allowExclusion = false) => {
  const r = parseCpuList(text, { nrCpus, field, allowExclusion })
  if (r.ok) throw new Error(`expected an error for ${JSON.stringify(text)}`)
  return r.error
}
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i)

describe('bitmap_parselist(): list syntax', () => {
  it('reads CPUs and ascending ranges', () => {
    expect(list('0-3,8-11', 16)).toBe('0-3,8-11')
    expect(cpus(parseCpuList('5', { nrCpus: 8 }))).toEqual([5])
    expect(list('7,1,3-4,1', 8)).toBe('1,3-4,7')
  })

  it('"N" is the last CPU and depends on nrCpus', () => {
    expect(list('16-N', 32)).toBe('16-31')
    expect(list('N', 4)).toBe('3')
    const e = errorOf('16-N', 4)
    expect(e.message).toContain('this host has 4 CPUs (0-3)')
  })

  it('"all" is 0-N in any case and takes a group pattern', () => {
    expect(list('all', 8)).toBe('0-7')
    expect(list('ALL', 8)).toBe('0-7')
    expect(list('aLl', 8)).toBe('0-7')
    expect(list('all:1/2', 8)).toBe('0,2,4,6')
  })

  it('groups: used/group-size from each group of the range (kernel-parameters examples)', () => {
    const big = cpus(parseCpuList('100-2000:2/25', { nrCpus: 2048 }))
    expect(big.slice(0, 6)).toEqual([100, 101, 125, 126, 150, 151])
    expect(big).toEqual(range(100, 2000).filter((c) => (c - 100) % 25 < 2))
    expect(cpus(parseCpuList('0-1023:2/256', { nrCpus: 1024 }))).toEqual([0, 1, 256, 257, 512, 513, 768, 769])
    expect(list('0-7:0/2', 8)).toBe('')
    expect(list('0-N:N/N', 4)).toBe('0-3')
  })

  it('commas and whitespace may lead a region; a trailing newline ends the list', () => {
    expect(list(' 0-3 , 8 ', 16)).toBe('0-3,8')
    expect(list(',,1,,\t2\r', 8)).toBe('1-2')
    expect(list('1-2\n', 8)).toBe('1-2')
    expect(list('', 8)).toBe('')
    expect(list('  ,  ', 8)).toBe('')
  })

  it('mirrors the kernel: the next region may follow a group size without a comma', () => {
    expect(list('0-7:1/2N', 16)).toBe('0,2,4,6,15')
  })
})

describe('bitmap_parselist(): errors name the field, the value and the fix', () => {
  it('descending range', () => {
    const e = errorOf('4-2', 8)
    expect(e.message).toBe('nohz_full: "4-2": range start 4 is after end 2 — write ranges ascending, e.g. "2-4"')
    expect(e).toMatchObject({ field: 'nohz_full', value: '4-2', fix: 'write ranges ascending, e.g. "2-4"', offset: 0 })
  })

  it('CPU beyond the host', () => {
    const e = errorOf('0-3,40', 32)
    expect(e.message).toContain('nohz_full: "40": CPU 40 is beyond this host')
    expect(e.message).toContain('this host has 32 CPUs (0-31)')
    expect(e.offset).toBe(4)
  })

  it('bad tokens', () => {
    expect(errorOf('3-', 8).message).toContain('the range has no end')
    expect(errorOf('-1', 8).message).toContain('a CPU number is missing before "-"')
    expect(errorOf('2-n', 8).message).toContain('write "N" (upper case)')
    expect(errorOf('5:1/2', 8).message).toContain('a group pattern needs a range before it')
    expect(errorOf('0-7:1', 8).message).toContain('group pattern')
    expect(errorOf('0-7:1/0', 8).message).toContain('the group size is 0')
    expect(errorOf('0-7:3/2', 8).message).toContain('uses 3 CPUs of each group of 2')
    expect(errorOf('1.5', 8).message).toContain('unexpected "." after CPU 1')
    expect(errorOf('allx', 8).message).toContain('unexpected "x" after "all"')
    expect(errorOf('1;2', 8).message).toContain('unexpected ";"')
    expect(errorOf('1\n5', 8).message).toContain('line break')
    expect(errorOf('99999999999', 8).message).toContain('too large')
  })

  it('"^" is libvirt-only', () => {
    const e = errorOf('0-7,^3', 8)
    expect(e.message).toContain('kernel cpulists have no exclusion')
    expect(e.value).toBe('^3')
  })

  it('bad host size', () => {
    expect(parseCpuList('0', { nrCpus: 0 }).ok).toBe(false)
    expect(parseCpuList('0', { nrCpus: 1.5 }).ok).toBe(false)
    expect(parseCpuList('0', { nrCpus: 100_000 }).ok).toBe(false)
  })
})

describe('libvirt cpuset exclusion (allowExclusion)', () => {
  it('removes CPUs set before it, in order', () => {
    expect(list('0-7,^3', 8, true)).toBe('0-2,4-7')
    expect(list('0-7,^2-4', 8, true)).toBe('0-1,5-7')
    expect(list('^3,0-7', 8, true)).toBe('0-7')
    expect(list('0-15,^0-15:1/2', 16, true)).toBe('1,3,5,7,9,11,13,15')
  })
})

describe('hostile input is answered at once with a clear error', () => {
  it('a huge range is refused without walking it', () => {
    const t0 = performance.now()
    const e = errorOf('0-1000000000', 32)
    expect(performance.now() - t0).toBeLessThan(250)
    expect(e.message).toContain('CPU 1000000000 is beyond this host')
    expect(errorOf('0-4294967295:1/1', 8).message).toContain('beyond this host')
  })

  it('a 1 MB string is refused by length', () => {
    const t0 = performance.now()
    const e = errorOf('1,'.repeat(512 * 1024), 8)
    expect(performance.now() - t0).toBeLessThan(250)
    expect(e.message).toContain(`is longer than ${MAX_CPULIST_CHARS} characters`)
    expect(e.value.length).toBeLessThanOrEqual(256)
    expect(e.message.length).toBeLessThan(300)
  })

  it('the longest accepted list still parses fast', () => {
    const text = '0,'.repeat(MAX_CPULIST_CHARS / 2)
    const t0 = performance.now()
    expect(list(text, 8192)).toBe('0')
    expect(performance.now() - t0).toBeLessThan(500)
  })

  it('binary garbage gets an error with the character code', () => {
    const e = errorOf('1,\u0000\u0007\uffff', 8)
    expect(e.message).toContain('U+0000')
    expect(e.message).toContain('"\\u0000\\u0007\uffff"')
    expect(errorOf('9'.repeat(60_000), 8).message).toContain('(60000 digits)')
  })

  it('never throws, and every error names the field (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 1, max: 300 }), (text, n) => {
      const r = parseCpuList(text, { nrCpus: n, field: 'isolcpus', allowExclusion: text.length % 2 === 0 })
      if (!r.ok) expect(r.error.message.startsWith('isolcpus: ')).toBe(true)
      else expect(r.cpus.length).toBe(n)
    }), { numRuns: 2000 })
  })
})

describe('formatCpuList(): the kernel\'s %*pbl form', () => {
  it('prints runs, pairs as a-b, single CPUs alone', () => {
    expect(formatCpuList(cpuListFromArray([0, 1, 2, 3, 8, 9, 10, 11], 16))).toBe('0-3,8-11')
    expect(formatCpuList(cpuListFromArray([4, 5], 8))).toBe('4-5')
    expect(formatCpuList(cpuListFromArray([1, 3, 7], 8))).toBe('1,3,7')
    expect(formatCpuList(new Uint8Array(4))).toBe('')
  })

  it('takes a list or a Set of CPU numbers too', () => {
    expect(formatCpuList([9, 2, 3, 3, 1])).toBe('1-3,9')
    expect(formatCpuList(new Set([5, 4]))).toBe('4-5')
    expect(() => formatCpuList([-1])).toThrow(RangeError)
  })
})

describe('round trips (property)', () => {
  const bitmap = fc.integer({ min: 1, max: 300 }).chain((n) => fc.array(fc.boolean(), { minLength: n, maxLength: n }))

  it('parse(format(set)) == set', () => {
    fc.assert(fc.property(bitmap, (bits) => {
      const set = Uint8Array.from(bits, (b) => (b ? 1 : 0))
      const back = expectOk(parseCpuList(formatCpuList(set), { nrCpus: set.length }))
      expect(equals(back, set)).toBe(true)
    }), { numRuns: 500 })
  })

  // A region as a model: [a, b] with an optional pattern used/group; the expected set is computed naively.
  const region = (n: number) => fc.record({
    a: fc.integer({ min: 0, max: n - 1 }),
    len: fc.integer({ min: 0, max: n - 1 }),
    pattern: fc.option(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5 })), { nil: undefined }),
    style: fc.constantFrom('num', 'N', 'all'),
    sep: fc.constantFrom(',', ', ', ' ', ',,', '\t'),
  })
  const listArb = fc.integer({ min: 1, max: 200 }).chain((n) => fc.tuple(fc.constant(n), fc.array(region(n), { maxLength: 12 })))

  it('format(parse(x)) is canonical and matches the naive meaning of x', () => {
    fc.assert(fc.property(listArb, ([n, regions]) => {
      const expected = new Uint8Array(n)
      const parts: string[] = []
      for (const r of regions) {
        let a = r.a
        let b = Math.min(n - 1, r.a + r.len)
        let text: string
        if (r.style === 'all') { a = 0; b = n - 1; text = 'all' } else if (r.style === 'N') { b = n - 1; text = `${a}-N` } else text = a === b && !r.pattern ? `${a}` : `${a}-${b}`
        let used = b - a + 1
        let group = b - a + 1
        if (r.pattern) {
          used = Math.min(r.pattern[0], r.pattern[1])
          group = r.pattern[1]
          text += `:${used}/${group}`
        }
        for (let c = a; c <= b; c++) if ((c - a) % group < used) expected[c] = 1
        parts.push(text + r.sep)
      }
      const text = parts.join('')
      const got = expectOk(parseCpuList(text, { nrCpus: n }))
      expect(formatCpuList(got)).toBe(formatCpuList(expected))
      const canonical = formatCpuList(got)
      expect(canonical).toMatch(/^$|^\d+(-\d+)?(,\d+(-\d+)?)*$/)
      expect(formatCpuList(expectOk(parseCpuList(canonical, { nrCpus: n })))).toBe(canonical)
    }), { numRuns: 500 })
  })
})

describe('set operations', () => {
  const a = cpuListFromArray([0, 1, 2, 3], 8)
  const b = cpuListFromArray([2, 3, 4, 5], 8)
  it('union, intersect, subtract, complement', () => {
    expect(formatCpuList(union(a, b))).toBe('0-5')
    expect(formatCpuList(intersect(a, b))).toBe('2-3')
    expect(formatCpuList(subtract(a, b))).toBe('0-1')
    expect(formatCpuList(complement(a))).toBe('4-7')
  })
  it('count, empty, equals', () => {
    expect(countCpus(a)).toBe(4)
    expect(isEmpty(subtract(a, a))).toBe(true)
    expect(isEmpty(a)).toBe(false)
    expect(equals(a, cpuListFromArray([3, 2, 1, 0], 8))).toBe(true)
    expect(equals(a, b)).toBe(false)
  })
  it('refuses to mix hosts', () => {
    expect(() => union(a, new Uint8Array(4))).toThrow(RangeError)
    expect(() => cpuListFromArray([8], 8)).toThrow(RangeError)
  })
})
