// The benchmark's own lines as it prints them (hackbench's "Time: 1.234", cyclictest's "T: 0 … Max:", kvm-unit-tests'
// "ipi 5094"), rendered from its figures (WorkloadResult.benchmark): each line's printf format with its arguments — a
// figure's value, or a constant. With replications the figures are the means over them, so the lines print the means;
// beside a line go its figures' 95 % confidence half-widths, each in the precision the line prints it. Pure.
import type { BenchmarkFigure, WorkloadBenchmark, WorkloadResult } from '../result.ts'
import { sprintf } from './c-printf.ts'

export interface PrintedLine {
  /** The line as the benchmark prints it. */
  text: string
  /** With replications: the ± 95 % CI of each figure the line prints, e.g. "±0.012 s" or "Min ±0.2 µs, Max ±3 µs";
   *  empty for a single run or a line without figures. */
  ci: string
}

/** One conversion of a printf format: its flags, width, precision and letter, e.g. "%.3f", "%8ld". */
const CONV = /%[-+ #0]*(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|j|z|t|L|q)?([diuoxXcsfF%])/g

export function figureOf(b: WorkloadBenchmark, name: string): BenchmarkFigure | undefined {
  return b.figures.find((f) => f.name === name)
}

/** The benchmark's lines of a workload result (none when it prints nothing of its own). */
export function printedLines(w: WorkloadResult): PrintedLine[] {
  const b = w.benchmark
  if (!b) return []
  return b.lines.map((line) => {
    const issue = benchmarkLineIssue(line.print, line.args, (name) => figureOf(b, name) !== undefined)
    if (issue) throw new RangeError(issue)
    const convs = conversions(line.print)
    const args = line.args.map((a) => (typeof a === 'number' ? a : figureOf(b, a)!.value))
    // a line of several figures names each beside its ± (without the words they share: "T0 Min" → "Min")
    const names = line.args.filter((a): a is string => typeof a === 'string')
    const shared = names.length > 1 ? sharedWords(names) : 0
    const cis: string[] = []
    line.args.forEach((a, i) => {
      const f = typeof a === 'string' ? figureOf(b, a) : undefined
      if (f?.ci95 !== undefined) cis.push(`${names.length > 1 ? `${f.name.slice(shared)} ` : ''}±${ciText(f.ci95, convs[i])} ${f.unit}`)
    })
    return { text: sprintf(line.print, ...args), ci: cis.join(', ') }
  })
}

/** What is wrong with a benchmark line, or '' when nothing is: each conversion takes one argument, in order (a '*'
 *  width or precision would take one more, out of step with the figures' ± beside the line: refused — write the width
 *  as digits), and each string argument names a declared figure. The message names the line and the fix. */
export function benchmarkLineIssue(print: string, args: readonly (string | number)[], hasFigure: (name: string) => boolean): string {
  const convs = conversions(print)
  const at = `benchmark line ${JSON.stringify(print)}`
  if (convs.some((c) => c.star)) return `${at}: a '*' width or precision takes its value from the arguments; write it as digits (e.g. %8ld)`
  if (convs.length !== args.length) return `${at}: ${convs.length} conversion(s) but ${args.length} argument(s); give one argument (a figure's name or a constant) per conversion`
  const missing = args.find((a) => typeof a === 'string' && !hasFigure(a))
  if (missing !== undefined) return `${at}: argument ${JSON.stringify(missing)} names no figure; declare it with figure() before the line`
  return ''
}

/** "means of 5 replications" for a replicated result's lines, else "". */
export function linesNote(w: WorkloadResult): string {
  return w.replications && w.benchmark?.lines.some((l) => l.args.some((a) => typeof a === 'string')) ? `the benchmark's lines print the means of ${w.replications} replications, ± their 95 % CI` : ''
}

/** The length of the leading words (up to a space) all the names share, when none is left empty. */
function sharedWords(names: readonly string[]): number {
  const first = names[0]!
  let n = 0
  for (let i = first.indexOf(' '); i >= 0; i = first.indexOf(' ', i + 1)) {
    if (names.every((x) => x.startsWith(first.slice(0, i + 1)) && x.length > i + 1)) n = i + 1
    else break
  }
  return n
}

function conversions(print: string): { letter: string; precision: number; star: boolean }[] {
  const out: { letter: string; precision: number; star: boolean }[] = []
  CONV.lastIndex = 0
  for (let m = CONV.exec(print); m !== null; m = CONV.exec(print)) {
    if (m[4] === '%') continue
    out.push({ letter: m[4]!, precision: m[2] === undefined || m[2] === '*' ? -1 : m[2] === '' ? 0 : Number(m[2]), star: m[1] === '*' || m[2] === '*' })
  }
  return out
}

/** A half-width in the precision its figure is printed — a %f's decimals (6 by default), an integer's units — or, when
 *  that would print it as 0, two significant digits (a ± 0 would hide it). */
function ciText(ci: number, conv: { letter: string; precision: number } | undefined): string {
  const float = conv?.letter === 'f' || conv?.letter === 'F'
  const shown = conv === undefined ? '' : sprintf(float ? `%.${conv.precision < 0 ? 6 : conv.precision}f` : '%.0f', ci)
  return shown === '' || (ci > 0 && Number(shown) === 0) ? String(Number(ci.toPrecision(2))) : shown
}
