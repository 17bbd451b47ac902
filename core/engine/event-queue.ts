// The pending-event set: a binary min-heap over typed arrays, ordered by (time, priority, sequence)
// so that simultaneous events come out in a fixed order and runs are reproducible (as SimPy's
// (time, priority, eid) heap). Each entry carries integer kind/target/token: no objects, no closures.

export class EventQueue {
  private time: Float64Array
  /** priority · 2^40 + sequence: one number orders ties. */
  private order: Float64Array
  private kind: Int32Array
  private target: Int32Array
  private token: Int32Array
  private n = 0
  private seq = 0

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity)
    this.order = new Float64Array(capacity)
    this.kind = new Int32Array(capacity)
    this.target = new Int32Array(capacity)
    this.token = new Int32Array(capacity)
  }

  get size(): number {
    return this.n
  }

  /** Earliest time, or Infinity when empty (SimPy's peek()). */
  peekTime(): number {
    return this.n > 0 ? this.time[0]! : Infinity
  }

  push(t: number, priority: number, kind: number, target: number, token: number): void {
    if (this.n === this.time.length) this.grow()
    const ord = priority * 1099511627776 + this.seq++
    // sift up with a hole
    let i = this.n++
    const time = this.time, order = this.order
    while (i > 0) {
      const p = (i - 1) >> 1
      const pt = time[p]!
      if (pt < t || (pt === t && order[p]! < ord)) break
      this.move(p, i)
      i = p
    }
    time[i] = t
    order[i] = ord
    this.kind[i] = kind
    this.target[i] = target
    this.token[i] = token
  }

  /** The popped entry is readable through these fields until the next push/pop. */
  popTime = 0
  popKind = 0
  popTarget = 0
  popToken = 0

  /** Removes the earliest entry into the pop* fields; returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false
    const time = this.time, order = this.order, kind = this.kind, target = this.target, token = this.token
    this.popTime = time[0]!
    this.popKind = kind[0]!
    this.popTarget = target[0]!
    this.popToken = token[0]!
    const last = --this.n
    if (last === 0) return true
    const t = time[last]!, ord = order[last]!, k = kind[last]!, tg = target[last]!, tk = token[last]!
    let i = 0
    const half = last >> 1
    while (i < half) {
      let c = 2 * i + 1
      const r = c + 1
      if (r < last && (time[r]! < time[c]! || (time[r] === time[c] && order[r]! < order[c]!))) c = r
      const ct = time[c]!
      if (t < ct || (t === ct && ord < order[c]!)) break
      this.move(c, i)
      i = c
    }
    time[i] = t
    order[i] = ord
    kind[i] = k
    target[i] = tg
    token[i] = tk
    return true
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from]!
    this.order[to] = this.order[from]!
    this.kind[to] = this.kind[from]!
    this.target[to] = this.target[from]!
    this.token[to] = this.token[from]!
  }

  private grow(): void {
    const cap = this.time.length * 2
    const t = new Float64Array(cap); t.set(this.time); this.time = t
    const o = new Float64Array(cap); o.set(this.order); this.order = o
    const k = new Int32Array(cap); k.set(this.kind); this.kind = k
    const g = new Int32Array(cap); g.set(this.target); this.target = g
    const n = new Int32Array(cap); n.set(this.token); this.token = n
  }
}
