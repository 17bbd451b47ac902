// The discrete-event engine: virtual time in integer nanoseconds, `now`, `schedule`, `step`,
// `run({ until })`, `peek`. No I/O; the model handles events through one dispatch function.
import { EventQueue } from './event-queue.ts'

/** Handles one event: integer kind, target entity and token (for lazy cancellation). */
export type Dispatch = (kind: number, target: number, token: number) => void

/** What handles the events: a model's dispatch method. The engine calls it as a method of one class (a known target
 *  for the JIT, the same for every model it runs), not through a closure made per model. */
export interface EventHandler {
  dispatch(kind: number, target: number, token: number): void
}

export class Engine {
  /** Virtual time in ns. A double from its first value (see EventQueue.popTime: the field's representation must not
   *  change from integer to double during a run), then 0. */
  now = NaN
  events = 0
  private readonly queue = new EventQueue(4096)
  private handler: EventHandler = { dispatch: () => {} }

  constructor() {
    this.now = 0
  }

  /** The model whose dispatch() handles the events. */
  setHandler(h: EventHandler): void {
    this.handler = h
  }

  /** A function that handles the events (tests, benchmarks). */
  setDispatch(d: Dispatch): void {
    this.handler = { dispatch: d }
  }

  /** Schedules an event `delayNs` from now (rounded to whole ns). Lower priority values go first on ties. */
  schedule(delayNs: number, kind: number, target: number, token = 0, priority = 1): void {
    this.queue.push(this.now + Math.max(0, Math.round(delayNs)), priority, kind, target, token)
  }

  /** Schedules an event at an absolute time (never in the past). */
  scheduleAt(timeNs: number, kind: number, target: number, token = 0, priority = 1): void {
    this.queue.push(Math.max(this.now, Math.round(timeNs)), priority, kind, target, token)
  }

  peek(): number {
    return this.queue.peekTime()
  }

  get pending(): number {
    return this.queue.size
  }

  /** Processes the next event; returns false when none is left. */
  step(): boolean {
    const q = this.queue
    if (!q.pop()) return false
    this.now = q.popTime
    this.events++
    this.handler.dispatch(q.popKind, q.popTarget, q.popToken)
    return true
  }

  /** Runs events while their time is ≤ until (or until the queue drains); `now` ends at `until`. With
   *  `maxEvents`, stops once `events` reaches it: `now` stays at the last event and run() returns false. */
  run(opts: { until: number; maxEvents?: number }): boolean {
    const until = opts.until
    if (!this.loop(until, opts.maxEvents ?? Infinity)) return false
    if (until !== Infinity && this.now < until) this.now = until
    return true
  }

  /** The event loop alone: the JIT compiles it on the stack of its first call (on-stack replacement), before any call
   *  has returned, so the code after the loop must need no type feedback — run() does the rest. */
  private loop(until: number, limit: number): boolean {
    const q = this.queue
    const h = this.handler
    while (q.size > 0 && q.peekTime() <= until) {
      if (this.events >= limit) return false
      q.pop()
      this.now = q.popTime
      this.events++
      h.dispatch(q.popKind, q.popTarget, q.popToken)
    }
    return true
  }
}
