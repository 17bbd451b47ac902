// The flag prefix of isolcpus= ("managed_irq,domain,2-23"), scanned as housekeeping_isolcpus_setup()
// does for the given kernel version. The CPU list is what follows the last flag.
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import type { IsolationFeatures } from './isolation-features.ts'

export type IsolcpusFlag = 'nohz' | 'domain' | 'managed_irq'

export type IsolcpusFlags =
  /** flags (none written ⇒ domain), and the CPU list starting at `offset` in the text. */
  | { kind: 'parsed'; flags: IsolcpusFlag[]; cpulist: string; offset: number; warnings: string[] }
  /** The kernel drops the whole parameter (its __setup handler returns 0). */
  | { kind: 'ignored'; warnings: string[] }
  | { kind: 'error'; error: FieldError }

const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')

/** housekeeping_isolcpus_setup(): the `while (isalpha(*str))` flag loop. */
export function parseIsolcpusFlags(text: string, f: IsolationFeatures): IsolcpusFlags {
  const known: IsolcpusFlag[] = f.managedIrq ? ['nohz', 'domain', 'managed_irq'] : ['nohz', 'domain']
  const flags = new Set<IsolcpusFlag>()
  const warnings: string[] = []
  let i = 0
  scan: while (i < text.length && isAlpha(text[i]!)) {
    for (const k of known) {
      if (text.startsWith(`${k},`, i)) {
        i += k.length + 1
        flags.add(k)
        continue scan
      }
    }
    if (!f.skipUnknownFlags) {
      const name = text.slice(i, nextComma(text, i))
      return { kind: 'ignored', warnings: [`isolcpus: Error, unknown flag — kernel ${f.version.text} knows only ${known.join(', ')} (each followed by ","); "${name}" makes it ignore the whole isolcpus= parameter`] }
    }
    // Skip an unknown sub-parameter, refusing one with characters other than letters and '_'.
    const start = i
    const end = nextComma(text, i)
    const name = text.slice(start, end)
    if (/[^A-Za-z_]/.test(name)) return { kind: 'ignored', warnings: [`isolcpus: Invalid flag ${name} — the kernel ignores the whole isolcpus= parameter`] }
    if (end >= text.length) {
      // The kernel steps past the terminating NUL here and parses whatever follows in memory.
      const letterList = name === 'N' || name.toLowerCase().startsWith('all')
      return {
        kind: 'error',
        error: letterList
          ? fieldError('isolcpus', text, `the CPU list "${name}" starts with a letter, which isolcpus= reads as a flag`, 'write the CPU numbers, e.g. "domain,2-23"', start)
          : fieldError('isolcpus', text, `no CPU list after the flag "${name}"`, 'end with the CPUs to isolate, e.g. "domain,2-23"', start),
      }
    }
    warnings.push(`isolcpus: Skipped unknown flag ${name}`)
    i = end + 1
  }
  if (flags.size === 0) flags.add('domain') // default behaviour for isolcpus without flags
  return { kind: 'parsed', flags: [...flags], cpulist: text.slice(i), offset: i, warnings }
}

function nextComma(text: string, from: number): number {
  const j = text.indexOf(',', from)
  return j < 0 ? text.length : j
}
