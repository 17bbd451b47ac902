// Figures and their table: each line shows the figure, its target and whether the target was met.

export type Status = 'met' | 'missed' | 'info' | 'n/a'

export interface Figure {
  /** Stable key for --json consumers, e.g. "hold.queue.1000". */
  id: string
  label: string
  /** The number in `unit` (null when not measured). */
  value: number | null
  unit: string
  /** The value as printed. */
  text: string
  target: string
  status: Status
  note?: string
}

/** met/missed from a comparison, n/a without a value. */
export function judge(value: number | null, ok: (v: number) => boolean): Status {
  return value === null ? 'n/a' : ok(value) ? 'met' : 'missed'
}

export const fmtRate = (perSec: number, unit = 'ev/s'): string =>
  perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M ${unit}` : `${(perSec / 1e3).toFixed(1)} k ${unit}`
export const fmtSec = (s: number): string => `${s.toFixed(2)} s`
export const fmtMB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`
export const fmtNs = (ns: number): string => `${ns.toFixed(1)} ns`
export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US')

const W = { label: 44, text: 16, target: 26, status: 7 }

export function tableHeader(): string {
  return `${'figure'.padEnd(W.label)} ${'value'.padStart(W.text)}  ${'target'.padEnd(W.target)} ${'status'.padEnd(W.status)} note\n`
    + `${'-'.repeat(W.label)} ${'-'.repeat(W.text)}  ${'-'.repeat(W.target)} ${'-'.repeat(W.status)} ${'-'.repeat(30)}`
}

export function tableRow(f: Figure): string {
  return `${f.label.padEnd(W.label)} ${f.text.padStart(W.text)}  ${f.target.padEnd(W.target)} ${f.status.padEnd(W.status)} ${f.note ?? ''}`.trimEnd()
}

export function section(title: string): string {
  return `\n${title}`
}
