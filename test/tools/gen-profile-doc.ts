#!/usr/bin/env node
// Writes the field table of docs/profile.md from the profile schema itself (core/profile/profile-schema.ts),
// between the BEGIN/END markers. Usage: `node test/tools/gen-profile-doc.ts` (writes), or with `--check`
// (exits 1 when docs/profile.md is out of date). test/tools/profile-doc.node.test.ts runs the check.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { profileSchema } from '../../core/profile/profile-schema.ts'
import { describeFields } from '../../core/schema/describe-fields.ts'
import type { FieldDescription } from '../../core/schema/describe-fields.ts'
import { COUNTERPARTS } from '../../core/profile/counterparts.ts'

export const BEGIN = '<!-- BEGIN GENERATED FIELD TABLE (test/tools/gen-profile-doc.ts) -->'
export const END = '<!-- END GENERATED FIELD TABLE -->'

export const DOC_PATH = resolve(import.meta.dirname, '../../docs/profile.md')

/** Overrides are partial copies of host / vm / run: listed once, not walked again. */
const collapse = (path: string): boolean => /^configurations\[\]\.overrides\.[A-Za-z]+$/.test(path)

/** Kernel, QEMU and libvirt counterparts of the fields (core/profile/counterparts.ts). */
export { COUNTERPARTS }

const cell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ')
/** Free text: also keep `<vcpupin …>` from being read as HTML. */
const text = (t: string): string => cell(t).replace(/</g, '&lt;').replace(/>/g, '&gt;')
const code = (t: string): string => (t === '' ? '' : `\`${t}\``)

export function fieldRows(): FieldDescription[] {
  return describeFields(profileSchema, { collapse })
}

/** The generated block, markers included. */
export function renderTable(): string {
  const lines = [
    BEGIN,
    '',
    '| Field | Type | Default | Meaning | Kernel / QEMU / libvirt |',
    '|---|---|---|---|---|',
  ]
  for (const f of fieldRows()) {
    const def = f.required ? '*required*' : code(f.default)
    lines.push(`| \`${f.path}\` | ${cell(f.type)} | ${cell(def)} | ${text(f.description)} | ${cell(COUNTERPARTS[f.path] ?? '')} |`)
  }
  lines.push('', END)
  return lines.join('\n')
}

/** The document with its generated block replaced. Throws when the markers are missing. */
export function renderDoc(current: string): string {
  const a = current.indexOf(BEGIN)
  const b = current.indexOf(END)
  if (a < 0 || b < a) throw new Error(`docs/profile.md: the markers ${BEGIN} … ${END} are missing`)
  return current.slice(0, a) + renderTable() + current.slice(b + END.length)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const current = readFileSync(DOC_PATH, 'utf8')
  const next = renderDoc(current)
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('docs/profile.md is out of date with core/profile/profile-schema.ts — run: node test/tools/gen-profile-doc.ts\n')
      process.exit(1)
    }
  } else if (next !== current) {
    writeFileSync(DOC_PATH, next)
    process.stdout.write('docs/profile.md updated\n')
  }
}
