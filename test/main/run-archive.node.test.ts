// Saved runs (main/services/run-archive.ts): a run written with the results' schema version 1 — before a workload's
// printout was { figures, lines } — is still listed and read, in the current shape, so nothing saved is lost.
import { describe, it, expect } from 'vitest'
import { recordOfFile } from '../../main/services/run-archive.ts'
import type { RunFile } from '../../main/services/run-archive.ts'
import { RESULT_SCHEMA_VERSION } from '../../core/result.ts'
import { printedLines } from '../../core/output/benchmark-lines.ts'
import { makeResult } from '../helpers/results.ts'

function file(schemaVersion: number, workload: Record<string, unknown>): RunFile {
  const result = makeResult('base')
  Object.assign(result.vms[0]!.workload, workload)
  return { schemaVersion, profile: 'p', results: [result], runId: 'run-1', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', seed: 1, status: 'done', sourceProfile: {}, configs: [{ config: 'base', status: 'done' }] }
}

describe('a saved run of results schema version 1', () => {
  it('is read in the current shape: hackbench\'s printf figure becomes a figure and its line', () => {
    const r = recordOfFile(file(1, { figures: [{ name: 'Time', unit: 's', value: 0.5, print: 'Time: %.3f' }] }))
    const w = r?.configs[0]?.result?.vms[0]?.workload
    expect(w?.benchmark?.figures).toEqual([{ name: 'Time', unit: 's', value: 0.5 }])
    expect(printedLines(w!).map((l) => l.text)).toEqual(['Time: 0.500'])
  })

  it('keeps a text benchmark\'s lines verbatim; a file of an unknown version is still not ours', () => {
    const r = recordOfFile(file(1, { benchmark: { output: ['ipi 5094', '  ipi ipi 5094'], figures: { ipi: 5094 } } }))
    expect(printedLines(r!.configs[0]!.result!.vms[0]!.workload).map((l) => l.text)).toEqual(['ipi 5094', '  ipi ipi 5094'])
    expect(recordOfFile(file(RESULT_SCHEMA_VERSION + 1, {}))).toBeUndefined()
  })
})
