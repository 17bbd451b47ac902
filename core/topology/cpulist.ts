// The kernel cpulist syntax exactly as lib/bitmap-str.c bitmap_parselist() accepts it (nohz_full=,
// isolcpus=, rcu_nocbs=, irqaffinity=; Documentation/admin-guide/kernel-parameters.rst "cpu lists"): "0-3,8-11", "N" (last CPU), "all" (any case),
// groups "100-2000:2/25" and "all:1/2", commas and spaces before a region. libvirt's "^N" / "^A-B"
// exclusion only with { allowExclusion: true }. The set is a membership bitmap of nrCpus bytes; a range
// is checked against nrCpus before a single bit is set, so "0-1000000000" costs nothing.
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'

export type { FieldError as CpuListError } from '../field-error.ts'
export {
  emptyCpuSet, fullCpuSet, cpuListFromArray, cpusOf, hasCpu, firstCpu,
  union, intersect, subtract, complement, countCpus, isEmpty, equals,
} from './cpuset.ts'

/** Longest cpulist text accepted (a canonical list for 8192 CPUs is far shorter). */
export const MAX_CPULIST_CHARS = 64 * 1024
/** Largest host handled: x86 CONFIG_NR_CPUS tops out at 8192. */
export const MAX_NR_CPUS = 8192

export interface CpuListOptions {
  nrCpus: number
  /** libvirt cpuset syntax: "^N" and "^A-B" remove CPUs from what the list set before them. */
  allowExclusion?: boolean
  /** Field name used in messages, e.g. "nohz_full". */
  field?: string
}

export type CpuSetResult = { ok: true; cpus: Uint8Array } | { ok: false; error: FieldError }

type Fail = { ok: false; error: FieldError }
type Num = { ok: true; value: number; next: number } | Fail
type Region = { ok: true; start: number; end: number; off: number; groupLen: number; next: number; negate: boolean } | Fail

const END = -1
const COMMA = 0x2c

/** Kernel isspace() for ASCII; '\n' never reaches the parser (see parseCpuList). */
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d)
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
/** __end_of_region(): a space or a comma. */
const isSep = (c: number): boolean => isSpace(c) || c === COMMA
/** end_of_region(): a separator or the end of the string. */
const endOfRegion = (c: number): boolean => c === END || isSep(c)

export function parseCpuList(text: string, opts: CpuListOptions): CpuSetResult {
  const field = opts.field ?? 'cpulist'
  const nbits = opts.nrCpus
  if (!Number.isInteger(nbits) || nbits < 1 || nbits > MAX_NR_CPUS) {
    return fail(fieldError(field, String(text).slice(0, 40), `the host CPU count ${nbits} is not a whole number from 1 to ${MAX_NR_CPUS}`, 'set the host topology before the cpulists'))
  }
  if (typeof text !== 'string') return fail(fieldError(field, String(text), 'is not text', 'write a cpulist such as "0-3,8-11"'))
  if (text.length > MAX_CPULIST_CHARS) {
    return fail(fieldError(field, text, `is longer than ${MAX_CPULIST_CHARS} characters`, `write ranges instead of single CPUs, e.g. "0-${nbits - 1}"`))
  }
  // end_of_str() stops the kernel at '\n'; text after it would be dropped silently, so it is refused.
  let s = text
  const nl = text.indexOf('\n')
  if (nl >= 0) {
    if (/\S/.test(text.slice(nl))) return fail(fieldError(field, text, 'has a line break; the kernel ignores everything after it', 'write the whole list on one line', nl))
    s = text.slice(0, nl)
  }
  const cpus = new Uint8Array(nbits)
  let i = 0
  for (;;) {
    // bitmap_find_region(): commas and spaces may lead a region.
    while (i < s.length && isSep(s.charCodeAt(i))) i++
    if (i >= s.length) return { ok: true, cpus }
    const r = parseRegion(s, i, nbits, field, opts.allowExclusion === true)
    if (!r.ok) return r
    const bad = checkRegion(r, s, i, nbits, field)
    if (bad) return fail(bad)
    setRegion(cpus, r)
    i = r.next
  }
}

/** bitmap_parse_region(): [^]start[-end[:used/group]] or all[:used/group]. */
function parseRegion(s: string, at: number, nbits: number, field: string, allowExclusion: boolean): Region {
  const lastbit = nbits - 1
  const token = tokenAt(s, at)
  const bad = (what: string, fix: string, offset: number): Fail => fail(fieldError(field, token, what, fix, offset))
  let pos = at
  let negate = false
  if (s.charCodeAt(pos) === 0x5e /* ^ */) {
    if (!allowExclusion) return bad('"^" excludes CPUs only in libvirt cpusets; kernel cpulists have no exclusion', 'list the CPUs you want instead, e.g. "0-2,4-7"', pos)
    negate = true
    pos++
  }
  let start: number
  let end: number
  let what: string
  if (s.slice(pos, pos + 3).toLowerCase() === 'all') {
    start = 0
    end = lastbit
    pos += 3
    what = '"all"'
  } else {
    const a = getNum(s, pos, lastbit, bad)
    if (!a.ok) return a
    start = a.value
    pos = a.next
    if (endOfRegion(code(s, pos))) return { ok: true, start, end: start, off: start + 1, groupLen: start + 1, next: pos, negate }
    if (code(s, pos) === 0x3a /* : */) return bad('a group pattern needs a range before it', `write e.g. "0-${lastbit}:1/2" (every other CPU)`, pos)
    if (code(s, pos) !== 0x2d /* - */) return bad(`unexpected ${describe(code(s, pos))} after CPU ${start}`, 'separate CPUs and ranges with commas, e.g. "0-3,8-11"', pos)
    pos++
    if (endOfRegion(code(s, pos))) return bad('the range has no end', `write ranges as start-end, e.g. "${start}-${Math.max(start, lastbit)}"`, pos)
    const b = getNum(s, pos, lastbit, bad)
    if (!b.ok) return b
    end = b.value
    pos = b.next
    what = `range ${start}-${end}`
  }
  // check_pattern:
  if (endOfRegion(code(s, pos))) return { ok: true, start, end, off: end + 1, groupLen: end + 1, next: pos, negate }
  if (code(s, pos) !== 0x3a) return bad(`unexpected ${describe(code(s, pos))} after ${what}`, 'separate CPUs and ranges with commas, e.g. "0-3,8-11"', pos)
  const patternFix = 'write the group pattern as ":used/group-size", e.g. "0-7:1/2" for CPUs 0,2,4,6'
  const off = getNum(s, pos + 1, lastbit, (w, _f, o) => bad(`group pattern: ${w}`, patternFix, o))
  if (!off.ok) return off
  pos = off.next
  if (code(s, pos) !== 0x2f /* / */) return bad(`group pattern: expected "/" but found ${describe(code(s, pos))}`, patternFix, pos)
  const group = getNum(s, pos + 1, lastbit, (w, _f, o) => bad(`group pattern: ${w}`, patternFix, o))
  if (!group.ok) return group
  // The kernel returns right after the group size without looking at the next character.
  return { ok: true, start, end, off: off.value, groupLen: group.value, next: group.next, negate }
}

/** bitmap_getnum(): "N" is the last CPU; otherwise a decimal that must fit 32 bits. */
function getNum(s: string, pos: number, lastbit: number, bad: (what: string, fix: string, offset: number) => Fail): Num {
  const c = code(s, pos)
  if (c === 0x4e /* N */) return { ok: true, value: lastbit, next: pos + 1 }
  let i = pos
  let value = 0
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    if (value <= 0xffffffff) value = value * 10 + (s.charCodeAt(i) - 0x30)
    i++
  }
  if (i === pos) {
    if (c === 0x6e /* n */) return bad('"n" is not a CPU number', 'write "N" (upper case) for the last CPU, e.g. "2-N"', pos)
    if (c === 0x2d) return bad('a CPU number is missing before "-"', 'write ranges as start-end, e.g. "2-5"', pos)
    return bad(`expected a CPU number, "N" or "all" but found ${describe(c)}`, 'write CPUs and ranges separated by commas, e.g. "0-3,8-11"', pos)
  }
  if (value > 0xffffffff) {
    return bad(`the number ${showDigits(s.slice(pos, i))} is too large (the kernel reads CPU numbers as 32-bit)`, `this host has ${lastbit + 1} CPUs (${cpuRange(lastbit)})`, pos)
  }
  return { ok: true, value, next: i }
}

/** bitmap_check_region(): EINVAL for a descending range or a bad pattern, ERANGE past the last CPU. */
function checkRegion(r: Extract<Region, { ok: true }>, s: string, at: number, nbits: number, field: string): FieldError | null {
  const lastbit = nbits - 1
  const token = tokenAt(s, at)
  const host = `this host has ${nbits} CPUs (${cpuRange(lastbit)})`
  if (r.start > r.end) {
    if (r.start > lastbit) return fieldError(field, token, `CPU ${r.start} is beyond this host`, `${host}; "N" means CPU ${lastbit}`, at)
    return fieldError(field, token, `range start ${r.start} is after end ${r.end}`, `write ranges ascending, e.g. "${r.end}-${r.start}"`, at)
  }
  if (r.groupLen === 0) return fieldError(field, token, 'the group size is 0', 'the group size must be at least 1, e.g. "0-7:1/2"', at)
  if (r.off > r.groupLen) return fieldError(field, token, `uses ${r.off} CPUs of each group of ${r.groupLen}`, `the used count cannot exceed the group size, e.g. ":1/${r.groupLen}"`, at)
  if (r.end >= nbits) return fieldError(field, token, `CPU ${r.end} is beyond this host`, `${host}; "N" means CPU ${lastbit}`, at)
  return null
}

/** bitmap_set_region(), or clear for a libvirt "^" region. Bounded by nbits: end < nbits, groupLen ≥ 1. */
function setRegion(cpus: Uint8Array, r: Extract<Region, { ok: true }>): void {
  const bit = r.negate ? 0 : 1
  for (let start = r.start; start <= r.end; start += r.groupLen) {
    const n = Math.min(r.end - start + 1, r.off)
    cpus.fill(bit, start, start + n)
  }
}

/** The kernel's "%*pbl" form: ascending, runs of two or more as "a-b", single CPUs alone. */
export function formatCpuList(cpus: Uint8Array | ArrayLike<number> | ReadonlySet<number>): string {
  const bitmap = cpus instanceof Uint8Array ? cpus : toBitmap(cpus)
  const parts: string[] = []
  let i = 0
  while (i < bitmap.length) {
    if (!bitmap[i]) { i++; continue }
    let j = i
    while (j + 1 < bitmap.length && bitmap[j + 1]) j++
    parts.push(j === i ? String(i) : `${i}-${j}`)
    i = j + 1
  }
  return parts.join(',')
}

function toBitmap(nums: ArrayLike<number> | ReadonlySet<number>): Uint8Array {
  const list = nums instanceof Set ? [...nums] : Array.from(nums as ArrayLike<number>)
  let max = -1
  for (const n of list) {
    if (!Number.isInteger(n) || n < 0 || n >= MAX_NR_CPUS) throw new RangeError(`CPU ${n} is not in 0-${MAX_NR_CPUS - 1}`)
    if (n > max) max = n
  }
  const bitmap = new Uint8Array(max + 1)
  for (const n of list) bitmap[n] = 1
  return bitmap
}

function fail(error: FieldError): Fail {
  return { ok: false, error }
}

function code(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : END
}

/** The region as the user wrote it: from its start to the next comma or space. */
function tokenAt(s: string, at: number): string {
  let j = at
  while (j < s.length && !isSep(s.charCodeAt(j))) j++
  return s.slice(at, j)
}

function describe(c: number): string {
  if (c === END) return 'the end of the list'
  if (c >= 0x21 && c <= 0x7e) return JSON.stringify(String.fromCharCode(c))
  return `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`
}

function showDigits(d: string): string {
  return d.length > 20 ? `${d.slice(0, 12)}… (${d.length} digits)` : d
}

function cpuRange(lastbit: number): string {
  return lastbit === 0 ? 'CPU 0 only' : `0-${lastbit}`
}
