// The hold model (issue 3 item 10) on the engine's pending-event set: a pending set of `size` events,
// then `steps` steps that each pop the earliest event and push one at now + Exp(1). Every draw comes from
// the core's Rng inside the timed loop; the Rng alone is measured separately so the heap's share is
// clear. As a script it runs one measurement and prints it as one JSON line:
//   node bench/hold.ts queue|engine|rng SIZE STEPS
// bench.ts runs each measurement in a fresh process so no run's JIT state colours another's.
import { resolve } from 'node:path'
import { Engine } from '../core/engine/engine.ts'
import { EventQueue } from '../core/engine/event-queue.ts'
import { Rng } from '../core/engine/rng.ts'

export type HoldKind = 'queue' | 'engine' | 'rng'

export interface HoldResult {
  kind: HoldKind
  size: number
  steps: number
  /** Process CPU time of the timed loop. */
  cpuSeconds: number
  wallSeconds: number
  /** Printed so the loop's result is used (and as a sanity check across runs). */
  check: number
}

const SEED = 12345

interface Clock { cpu: NodeJS.CpuUsage; wall: bigint }
const start = (): Clock => ({ cpu: process.cpuUsage(), wall: process.hrtime.bigint() })
function stop(c: Clock): { cpuSeconds: number; wallSeconds: number } {
  const wall = Number(process.hrtime.bigint() - c.wall) / 1e9
  const u = process.cpuUsage(c.cpu)
  return { cpuSeconds: (u.user + u.system) / 1e6, wallSeconds: wall }
}

/** EventQueue alone; times are doubles, Exp(1) as specified. */
export function holdQueue(size: number, steps: number): HoldResult {
  const rng = new Rng(SEED)
  const q = new EventQueue(1024)
  for (let i = 0; i < size; i++) q.push(rng.exponential(1), 1, 0, i, 0)
  const c = start()
  for (let s = 0; s < steps; s++) {
    q.pop()
    q.push(q.popTime + rng.exponential(1), 1, q.popKind, q.popTarget, q.popToken)
  }
  return { kind: 'queue', size, steps, ...stop(c), check: q.peekTime() }
}

/** Through Engine.step() with a dispatch that only schedules the next event. The engine's time is whole
 *  ns, so the draw is Exp(1) in µs (mean 1000 ns): Exp(1) in ns would round most delays to 0 or 1 and
 *  turn the run into a test of tie-breaking. */
export function holdEngine(size: number, steps: number): HoldResult {
  const rng = new Rng(SEED)
  const engine = new Engine()
  engine.setDispatch((kind, target, token) => engine.schedule(rng.exponential(1000), kind, target, token))
  for (let i = 0; i < size; i++) engine.schedule(rng.exponential(1000), 0, i)
  const c = start()
  for (let s = 0; s < steps; s++) engine.step()
  return { kind: 'engine', size, steps, ...stop(c), check: engine.now }
}

/** The Rng alone: `steps` draws of exponential(1), summed so nothing is optimised away. */
export function rngAlone(steps: number): HoldResult {
  const rng = new Rng(SEED)
  let sum = 0
  const c = start()
  for (let s = 0; s < steps; s++) sum += rng.exponential(1)
  return { kind: 'rng', size: 0, steps, ...stop(c), check: sum }
}

export function runHold(kind: HoldKind, size: number, steps: number): HoldResult {
  if (kind === 'queue') return holdQueue(size, steps)
  if (kind === 'engine') return holdEngine(size, steps)
  return rngAlone(steps)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const [kind, size, steps] = process.argv.slice(2)
  if (kind !== 'queue' && kind !== 'engine' && kind !== 'rng') {
    console.error('usage: node bench/hold.ts queue|engine|rng SIZE STEPS')
    process.exit(2)
  }
  console.log(JSON.stringify(runHold(kind, Number(size ?? 1000), Number(steps ?? 10_000_000))))
}
