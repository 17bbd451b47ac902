// A small C printf, byte-compatible with glibc for the conversions perf's
// print_result() (tools/perf/builtin-kvm.c) uses: %s %d %i %u %x %X %c %f %F %%,
// flags "-+ #0", width and precision as digits or '*', length modifiers
// (hh h l ll j z t L q) parsed and used only for integer wrap-around.
//
// %f is formatted from the exact binary value of the double (not via toFixed):
// glibc rounds the exact decimal expansion to nearest, ties to even, so
// printf("%.2f", 0.125) is "0.12" where (0.125).toFixed(2) is "0.13", and
// 1e21 prints as digits, not as "1e+21".
// NaN/Infinity print as "nan"/"inf" ("-inf"); JavaScript cannot carry a NaN's sign,
// so pass the string '-nan' (or 'nan', 'inf', '-inf') as a %f argument to get
// x86's 0.0/0.0 result "-nan".

export type CArg = number | bigint | string

const scratch = new DataView(new ArrayBuffer(8))

/** x = mant * 2^exp exactly, for finite x (sign ignored). */
function decompose(x: number): { mant: bigint; exp: number } {
  scratch.setFloat64(0, x)
  const hi = scratch.getUint32(0)
  const lo = scratch.getUint32(4)
  const biased = (hi >>> 20) & 0x7ff
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  if (biased === 0) return { mant, exp: -1074 }
  mant |= 1n << 52n
  return { mant, exp: biased - 1075 }
}

function signBit(x: number): boolean {
  scratch.setFloat64(0, x)
  return (scratch.getUint8(0) & 0x80) !== 0
}

/**
 * Digits of |x| with `precision` decimals, rounded as glibc does
 * (exact value, round-half-even). No sign, no padding. x must be finite.
 */
export function fixedDigits(x: number, precision: number, alt = false): string {
  const { mant, exp } = decompose(x)
  let scaled = mant * 10n ** BigInt(precision)
  let q: bigint
  if (exp >= 0) {
    q = scaled << BigInt(exp)
  } else {
    const k = BigInt(-exp)
    q = scaled >> k
    const r = scaled - (q << k)
    const half = 1n << (k - 1n)
    if (r > half || (r === half && (q & 1n) === 1n)) q += 1n
  }
  scaled = q
  let digits = scaled.toString()
  if (precision === 0) return alt ? digits + '.' : digits
  if (digits.length <= precision) digits = '0'.repeat(precision + 1 - digits.length) + digits
  return digits.slice(0, digits.length - precision) + '.' + digits.slice(digits.length - precision)
}

/** C's "%.{precision}f" of x, without width (sign included, "-0.00" for -0). */
export function formatFixed(x: number, precision = 6): string {
  return sprintf(`%.${precision}f`, x)
}

interface Spec {
  minus: boolean
  plus: boolean
  space: boolean
  alt: boolean
  zero: boolean
  width: number
  precision: number // -1 = none
  length: string
  conv: string
}

function pad(spec: Spec, sign: string, body: string, zeroAllowed: boolean): string {
  const len = sign.length + body.length
  if (len >= spec.width) return sign + body
  const fill = spec.width - len
  if (spec.minus) return sign + body + ' '.repeat(fill)
  if (spec.zero && zeroAllowed) return sign + '0'.repeat(fill) + body
  return ' '.repeat(fill) + sign + body
}

function intBits(length: string): number {
  if (length === 'hh') return 8
  if (length === 'h') return 16
  if (length === '') return 32
  return 64 // l ll j z t q
}

function toBigInt(arg: CArg | undefined): bigint {
  if (typeof arg === 'bigint') return arg
  if (typeof arg === 'number') return Number.isFinite(arg) ? BigInt(Math.trunc(arg)) : 0n
  if (typeof arg === 'string') return arg.length > 0 ? BigInt(arg.charCodeAt(0)) : 0n
  return 0n
}

function formatInt(spec: Spec, arg: CArg | undefined): string {
  const bits = intBits(spec.length)
  const signed = spec.conv === 'd' || spec.conv === 'i'
  let v = toBigInt(arg)
  v = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v)
  let sign = ''
  if (v < 0n) {
    sign = '-'
    v = -v
  } else if (signed && spec.plus) sign = '+'
  else if (signed && spec.space) sign = ' '
  let body: string
  if (spec.conv === 'x' || spec.conv === 'X') {
    body = v.toString(16)
    if (spec.conv === 'X') body = body.toUpperCase()
  } else if (spec.conv === 'o') {
    body = v.toString(8)
  } else {
    body = v.toString(10)
  }
  if (spec.precision >= 0) {
    if (spec.precision === 0 && v === 0n) body = ''
    else if (body.length < spec.precision) body = '0'.repeat(spec.precision - body.length) + body
  }
  if (spec.alt && v !== 0n) {
    if (spec.conv === 'x') sign += '0x'
    else if (spec.conv === 'X') sign += '0X'
    else if (spec.conv === 'o' && !body.startsWith('0')) body = '0' + body
  }
  return pad(spec, sign, body, spec.precision < 0)
}

function formatFloat(spec: Spec, arg: CArg | undefined): string {
  const upper = spec.conv === 'F'
  let special: string | null = null
  let neg = false
  let x = 0
  if (typeof arg === 'string') {
    const s = arg.toLowerCase()
    neg = s.startsWith('-')
    special = s.replace(/^[-+]/, '')
    if (special !== 'nan' && special !== 'inf') throw new TypeError(`%f: bad argument ${arg}`)
  } else {
    x = typeof arg === 'bigint' ? Number(arg) : (arg ?? 0)
    neg = signBit(x)
    if (Number.isNaN(x)) {
      special = 'nan'
      neg = false
    } else if (!Number.isFinite(x)) special = 'inf'
  }
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : ''
  if (special !== null) return pad(spec, sign, upper ? special.toUpperCase() : special, false)
  const precision = spec.precision < 0 ? 6 : spec.precision
  return pad(spec, sign, fixedDigits(x, precision, spec.alt), true)
}

function formatStr(spec: Spec, arg: CArg | undefined): string {
  let s = arg === undefined ? '(null)' : String(arg)
  if (spec.precision >= 0 && s.length > spec.precision) s = s.slice(0, spec.precision)
  return pad(spec, '', s, false)
}

function formatChar(spec: Spec, arg: CArg | undefined): string {
  const s = typeof arg === 'string' ? arg.slice(0, 1) : String.fromCharCode(Number(toBigInt(arg) & 0xffn))
  return pad(spec, '', s, false)
}

const SPEC_RE = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|j|z|t|L|q)?([diuoxXcsfF%])/g

/** sprintf(3) for the subset described above. Throws on an unsupported conversion. */
export function sprintf(fmt: string, ...args: CArg[]): string {
  let next = 0
  const take = (): CArg | undefined => args[next++]
  let out = ''
  let last = 0
  SPEC_RE.lastIndex = 0
  for (let m = SPEC_RE.exec(fmt); m !== null; m = SPEC_RE.exec(fmt)) {
    const literal = fmt.slice(last, m.index)
    if (literal.includes('%')) throw new Error(`sprintf: unsupported conversion in ${JSON.stringify(fmt)}`)
    out += literal
    last = SPEC_RE.lastIndex
    const flags = m[1] ?? ''
    const conv = m[5] ?? ''
    if (conv === '%') {
      out += '%'
      continue
    }
    const spec: Spec = {
      minus: flags.includes('-'),
      plus: flags.includes('+'),
      space: flags.includes(' '),
      alt: flags.includes('#'),
      zero: flags.includes('0'),
      width: 0,
      precision: -1,
      length: m[4] ?? '',
      conv,
    }
    if (m[2] === '*') {
      const w = Number(take() ?? 0)
      if (w < 0) {
        spec.minus = true
        spec.width = -w
      } else spec.width = w
    } else if (m[2] !== undefined) spec.width = Number(m[2])
    if (m[3] === '*') {
      const p = Number(take() ?? 0)
      spec.precision = p < 0 ? -1 : p
    } else if (m[3] !== undefined) spec.precision = m[3] === '' ? 0 : Number(m[3])
    const arg = take()
    if (conv === 's') out += formatStr(spec, arg)
    else if (conv === 'c') out += formatChar(spec, arg)
    else if (conv === 'f' || conv === 'F') out += formatFloat(spec, arg)
    else out += formatInt(spec, arg)
  }
  const tail = fmt.slice(last)
  if (tail.includes('%')) throw new Error(`sprintf: unsupported conversion in ${JSON.stringify(fmt)}`)
  return out + tail
}
