#!/usr/bin/env node
// Writes the cost table of docs/model.md ("Costs and calibration") from core/costs/ — every cost with its floor,
// mean, source and derivation — between the cost-table markers. Usage: `node test/tools/cost-table-doc.ts`
// (writes), or with `--check` (exits 1 when docs/model.md is out of date). test/core/cost-sources.node.test.ts
// runs the same comparison.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { withCostTable } from '../../core/costs/cost-doc-table.ts'

export const MODEL_DOC = resolve(import.meta.dirname, '../../docs/model.md')

const doc = readFileSync(MODEL_DOC, 'utf8')
const next = withCostTable(doc)
if (process.argv.includes('--check')) {
  if (next !== doc) {
    process.stderr.write('docs/model.md: the cost table is out of date — run `node test/tools/cost-table-doc.ts`\n')
    process.exit(1)
  }
} else if (next !== doc) {
  writeFileSync(MODEL_DOC, next)
}
