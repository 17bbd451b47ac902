// Number formatting shared by tables, charts and CSV. Pure functions.

/** `0.71us`-style microseconds with two decimals, as perf kvm stat prints times. */
export function fmtUs(ns: number): string {
  return `${(ns / 1000).toFixed(2)}us`
}

/** A duration with a unit chosen for reading: 850 ns, 12.3 µs, 4.10 ms, 1.20 s. */
export function fmtNs(ns: number): string {
  const a = Math.abs(ns)
  if (a < 1e3) return `${trim(ns)} ns`
  if (a < 1e6) return `${trim(ns / 1e3)} µs`
  if (a < 1e9) return `${trim(ns / 1e6)} ms`
  return `${trim(ns / 1e9)} s`
}

function trim(v: number): string {
  const a = Math.abs(v)
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2)
}

/** 1234567 → "1,234,567" (en-US grouping, stable across locales for tests). */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** 123456 → "123.5 k", 1.2e6 → "1.20 M". */
export function fmtRate(n: number): string {
  const a = Math.abs(n)
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)} M`
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)} k`
  return n.toFixed(a >= 100 ? 0 : 1)
}

/** Signed percentage, e.g. "+12.3 %", "−84.0 %". */
export function fmtDeltaPct(pct: number): string {
  if (!Number.isFinite(pct)) return '—'
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±'
  return `${sign}${Math.abs(pct).toFixed(1)} %`
}
