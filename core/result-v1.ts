// Results saved with schema version 1 (before WorkloadResult.benchmark held figures and lines), read as the current
// version: version 1 kept a benchmark's printf-formatted figures in WorkloadResult.figures (hackbench's Time, perf
// bench sched pipe's usecs/op, ebizzy's records/s: name, unit, value, print, ci95) and the lines of the others as text
// with their figures by name (benchmark.output, benchmark.figures). Each v1 figure becomes a figure (v1 stored no unit
// for the text benchmarks' figures: "") and each line a line — a printed text line is kept verbatim. Pure.
import type { BenchmarkFigure, BenchmarkLine, ConfigResult, WorkloadResult } from './result.ts'

interface V1Workload {
  benchmark?: { output?: unknown; figures?: unknown }
  figures?: unknown
}

/** A v1 ConfigResult in the current shape (anything else is returned as it is). */
export function upgradeResultV1(r: ConfigResult): ConfigResult {
  if (!Array.isArray(r?.vms)) return r
  return { ...r, vms: r.vms.map((vm) => ({ ...vm, workload: upgradeWorkload(vm.workload) })) }
}

function upgradeWorkload(w: WorkloadResult): WorkloadResult {
  const old = w as unknown as V1Workload
  if (!('figures' in old) && !(old.benchmark && 'output' in old.benchmark)) return w
  const figures: BenchmarkFigure[] = []
  const lines: BenchmarkLine[] = []
  if (Array.isArray(old.figures)) {
    for (const f of old.figures as { name?: unknown; unit?: unknown; value?: unknown; print?: unknown; ci95?: unknown }[]) {
      if (typeof f?.name !== 'string' || typeof f.value !== 'number') continue
      figures.push({ name: f.name, unit: typeof f.unit === 'string' ? f.unit : '', value: f.value, ...(typeof f.ci95 === 'number' ? { ci95: f.ci95 } : {}) })
      if (typeof f.print === 'string') lines.push({ print: f.print, args: [f.name] })
    }
  }
  const b = old.benchmark
  if (b && typeof b.figures === 'object' && b.figures !== null) {
    for (const [name, value] of Object.entries(b.figures)) if (typeof value === 'number') figures.push({ name, unit: '', value })
  }
  if (b && Array.isArray(b.output)) for (const t of b.output) if (typeof t === 'string') lines.push({ print: t.replace(/%/g, '%%'), args: [] })
  const { figures: _f, benchmark: _b, ...rest } = old as V1Workload & Omit<WorkloadResult, 'benchmark'>
  return figures.length || lines.length ? { ...rest, benchmark: { figures, lines } } : rest
}
