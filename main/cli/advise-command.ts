// `kvmbench advise PROFILE --goal GOAL.json`: searches the knobs for the configuration that meets the goal's
// constraints with the best objective, and prints the pick, its margin with its confidence, the kernel
// decisions behind it and its deployable exports (written with --export-dir).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { loadGoal } from '../../core/advisor/goal-spec.ts'
import type { Goal } from '../../core/advisor/goal-spec.ts'
import type { ScoredPoint } from '../../core/advisor/search.ts'
import { formatIssue } from '../../core/schema/schema.ts'
import { AdviceError, advise } from '../sweep/advise.ts'
import type { Advice } from '../sweep/advise.ts'
import { SweepSpecError, readJson } from '../sweep/prepare-sweep.ts'
import { UsageError, numberOption } from './args.ts'
import type { ParsedArgs } from './args.ts'
import { ProfileFileError, assertRunnable, readProfileFile } from './profile-file.ts'

const num = (v: number): string => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumSignificantDigits: 5 }) : String(v))
const stat = (p: ScoredPoint, m: string): string => {
  const s = p.metrics[m]
  return s ? `${num(s.mean)}${s.samples.length > 1 ? ` ± ${num(s.ci95)}` : ''}` : '—'
}

function goalLine(g: Goal): string {
  const parts = g.constraints.map((c) => `${c.metric}${c.max !== undefined ? ` ≤ ${num(c.max)}` : ''}${c.min !== undefined ? ` ≥ ${num(c.min)}` : ''}`)
  parts.push(`${g.objective.direction === 'max' ? 'maximise' : 'minimise'} ${g.objective.metric}`)
  if (g.minHousekeepingCoresPerSocket > 0) parts.push(`≥ ${g.minHousekeepingCoresPerSocket} housekeeping core${g.minHousekeepingCoresPerSocket > 1 ? 's' : ''} per socket`)
  return parts.join('; ')
}

export function formatAdvice(a: Advice, goal: Goal): string {
  const o = a.outcome
  const L: string[] = []
  const seeds = a.plan.seeds.length
  L.push(o.mode === 'grid'
    ? `Searched the whole grid: ${o.evaluated.length} points × ${seeds} seed${seeds > 1 ? 's' : ''} (${a.runs} runs).`
    : `Coordinate search (the grid of ${o.gridSize} points × ${seeds} seeds is over the budget of ${goal.budget} runs): ${o.rounds} round${o.rounds > 1 ? 's' : ''}, ${o.evaluated.length} points (${a.runs} runs). A local search: another region of the grid may do better.`)
  L.push(`Goal: ${goalLine(goal)}.`)
  const pick = o.best ?? o.closest
  if (!pick) { L.push('No point could run.'); return `${L.join('\n')}\n` }
  L.push('', o.best ? 'Recommended configuration:' : 'No point meets the constraints. The closest:')
  const w = Math.max(...a.plan.axes.map((x) => x.label.length))
  for (const ax of a.plan.axes) {
    const v = pick.values[ax.label]
    const was = a.start?.values[ax.label]
    const changed = a.start !== undefined && JSON.stringify(v) !== JSON.stringify(was)
    L.push(`  ${ax.label.padEnd(w)}  ${JSON.stringify(v)}${changed ? `   (was ${JSON.stringify(was)})` : ''}`)
  }
  L.push('', 'Its metrics (mean ± 95 % CI over the seeds), and the starting configuration’s:')
  const mw = Math.max(...a.plan.metrics.map((m) => m.length))
  for (const m of a.plan.metrics) L.push(`  ${m.padEnd(mw)}  ${stat(pick, m)}${a.start ? `   (start: ${stat(a.start, m)})` : ''}`)
  if (o.best && o.runnerUp) {
    const mg = a.margin!
    const rel = Number.isFinite(mg.relative) ? ` (${mg.relative >= 0 ? '+' : ''}${(mg.relative * 100).toFixed(1)} %)` : ''
    const conf = mg.ci95 === null ? 'one seed: no confidence interval — add seeds to the goal' : `± ${num(mg.ci95)} (95 % CI, Welch): ${mg.significant ? 'the margin is larger than the noise' : 'within the noise — the two are equivalent on this evidence'}`
    L.push('', `Margin over the runner-up on ${goal.objective.metric}: ${mg.diff >= 0 ? '+' : ''}${num(mg.diff)}${rel}, ${conf}.`)
    L.push(`  runner-up: ${a.plan.axes.map((x) => `${x.label}=${JSON.stringify(o.runnerUp!.values[x.label])}`).join(', ')}`)
  }
  L.push('', a.decisions.length ? 'Kernel decisions that differ from the starting configuration:' : 'The kernel decisions are those of the starting configuration.')
  for (const d of a.decisions) L.push(`  ${d.vm} · ${d.title}: ${d.from} → ${d.to}`, `      ${d.reason} (${d.mirrors})`)
  return `${L.join('\n')}\n`
}

/** The files --export-dir would write (advise.ts exportsOf(): the VMs keep their names across knobs): a file
 *  the user keeps there — a libvirt XML edited by hand — is not replaced unless --force says so. */
function keepExistingExports(dir: string, vms: string[]): void {
  const names = ['kernel-cmdline.txt', 'tuned-cpu-partitioning.conf', ...vms.flatMap((vm) => [`libvirt-${vm}.xml`, `qemu-${vm}.sh`])]
  const there = names.filter((n) => existsSync(join(dir, n)))
  if (there.length) throw new UsageError(`--export-dir ${dir} already holds ${there.join(', ')} — add --force to replace ${there.length === 1 ? 'it' : 'them'}, or give another folder`)
}

export async function adviseCommand(args: ParsedArgs): Promise<number> {
  const path = args.positionals[0] ?? ''
  const goalPath = args.values.goal as string | undefined
  if (goalPath === undefined) throw new UsageError('give the goal: --goal GOAL.json (docs/sweep.md, "The advisor")')
  const workers = numberOption(args.values, 'workers', { min: 1, max: 256, integer: true }) ?? availableParallelism()
  const file = readProfileFile(path)
  assertRunnable(file)
  const exportDir = args.values['export-dir'] as string | undefined
  if (exportDir !== undefined && args.values.force !== true) keepExistingExports(exportDir, file.profile.vms.map((v) => v.name))
  let goalJson: unknown
  try { goalJson = readJson(goalPath, 'goal', 'give the path of a goal, e.g. examples/sweeps/posted-timer-goal.json (kvmbench schema --goal)') } catch (e) { throw new ProfileFileError((e as SweepSpecError).message) }
  const g = loadGoal(goalJson)
  if (!g.ok) throw new ProfileFileError(`${goalPath}: not a valid goal:`, g.issues.map(formatIssue))
  let advice: Advice
  try {
    advice = await advise(file.profile, g.goal, { workers, onProgress: (n) => { if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${n} runs`) } })
  } catch (e) {
    if (e instanceof AdviceError) throw new ProfileFileError(`${goalPath}: ${e.message}`, e.issues.map(formatIssue))
    throw e
  } finally {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
  }
  const text = formatAdvice(advice, g.goal)
  const dir = args.values['export-dir'] as string | undefined
  const jsonOut = args.values.json as string | undefined
  if (jsonOut !== undefined) {
    const doc = { schemaVersion: 1, goal: g.goal, mode: advice.outcome.mode, rounds: advice.outcome.rounds, runs: advice.runs, best: advice.outcome.best, runnerUp: advice.outcome.runnerUp, closest: advice.outcome.closest, start: advice.start, margin: advice.margin, decisions: advice.decisions, evaluated: advice.outcome.evaluated, exports: advice.exports, notExported: advice.notExported }
    if (jsonOut === '-') { process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`); return advice.outcome.best ? 0 : 1 }
    writeFileSync(jsonOut, `${JSON.stringify(doc, null, 2)}\n`)
  }
  process.stdout.write(text)
  if (dir !== undefined && advice.exports.length) {
    mkdirSync(dir, { recursive: true })
    for (const x of advice.exports) writeFileSync(join(dir, x.name), x.text)
    process.stdout.write(`\nExports of the ${advice.outcome.best ? 'recommended' : 'closest'} configuration written to ${dir}: ${advice.exports.map((x) => x.name).join(', ')}\n`)
    for (const n of advice.notExported) process.stdout.write(`  not written: ${n.name} — ${n.why}\n`)
    for (const x of advice.exports) for (const w of x.warnings) process.stdout.write(`  warning: ${x.name} — ${w}\n`)
  } else if (advice.exports.length) {
    const cmd = advice.exports.find((x) => x.name === 'kernel-cmdline.txt')
    if (cmd) process.stdout.write(`\nKernel command line:\n  ${cmd.text.trim()}\n(--export-dir DIR writes it with the tuned profile, the libvirt XML and the QEMU command of each VM)\n`)
  }
  return advice.outcome.best ? 0 : 1
}
