// The pending-event set: a binary min-heap over typed arrays, ordered by (time, priority, sequence)
// so that simultaneous events come out in a fixed order and runs are reproducible (as SimPy's
// (time, priority, eid) heap). Each entry carries integer kind/target/token: no objects, no closures.
//
// Layout, for speed (bench/README.md, the hold model): the heap itself holds only what sifting reads and
// moves — the order key, interleaved as (time, priority·2^40 + sequence) pairs in one Float64Array so a
// comparison touches one cache line, and an Int32 slot number. An entry's kind/target/token stay put in
// their slot from push to pop, so a sift step moves 2 doubles and 1 int instead of 5 array elements.
// Binary, not 4-ary: the model's queue holds ~10 events (65 at most in the example), where a 4-ary heap
// (children in one cache line, Floyd's pop) executed 5 % more instructions in a whole cold run and 15 %
// more in the queue alone, and its separately compiled sift functions cost JIT time (bench/README.md,
// issue 12); the hold model at 100,000 pending, where the 4-ary layout was meant to pay, measured no
// better on this machine.
// Ties are compared with arithmetic (`+(a === b) & +(x < y)`), not behind a branch: a comparison that has
// never run has no type feedback, and the first tie would deoptimize the engine's loop, which inlines pop().
// NaN times are not supported (as before: they would break the heap order).
// The order is total (sequence numbers are unique), so the pop order is the same as any other correct
// heap's: the layout changes speed, never results.

/** priority · 2^40 + sequence: one number orders ties. */
const PRIORITY_SCALE = 1099511627776

export class EventQueue {
  /** Heap position i: key[2i] = time, key[2i+1] = order (priority · 2^40 + sequence). */
  private key: Float64Array
  /** Heap position i: the payload slot of its entry. */
  private slot: Int32Array
  /** Payload by slot. */
  private kind: Int32Array
  private target: Int32Array
  private token: Int32Array
  /** free[0 .. capacity − n) are the unused payload slots (a stack; push takes the last). */
  private free: Int32Array
  private capacity: number
  private n = 0
  private seq = 0

  constructor(capacity = 1024) {
    const cap = Math.max(1, Math.floor(capacity))
    this.capacity = cap
    this.key = new Float64Array(2 * cap)
    this.slot = new Int32Array(cap)
    this.kind = new Int32Array(cap)
    this.target = new Int32Array(cap)
    this.token = new Int32Array(cap)
    this.free = new Int32Array(cap)
    for (let i = 0; i < cap; i++) this.free[i] = cap - 1 - i
  }

  get size(): number {
    return this.n
  }

  /** Earliest time, or Infinity when empty (SimPy's peek()). */
  peekTime(): number {
    return this.n > 0 ? this.key[0]! : Infinity
  }

  push(t: number, priority: number, kind: number, target: number, token: number): void {
    if (this.n === this.capacity) this.grow()
    const ord = priority * PRIORITY_SCALE + this.seq++
    const s = this.free[this.capacity - 1 - this.n]!
    this.kind[s] = kind
    this.target[s] = target
    this.token[s] = token
    // sift up with a hole
    let i = this.n++
    const key = this.key, slot = this.slot
    while (i > 0) {
      const p = (i - 1) >> 1
      const pk = p << 1
      const pt = key[pk]!, po = key[pk + 1]!
      if (pt < t || (+(pt === t) & +(po < ord)) !== 0) break
      const ik = i << 1
      key[ik] = pt
      key[ik + 1] = po
      slot[i] = slot[p]!
      i = p
    }
    const ik = i << 1
    key[ik] = t
    key[ik + 1] = ord
    slot[i] = s
  }

  /** The popped entry is readable through these fields until the next push/pop. popTime starts as a double (NaN:
   *  nothing popped yet), not a small integer: V8 fixes a field's representation from its first value, and times come
   *  out of the Float64Array as doubles; a change from integer to double in the middle of a run makes the next queue
   *  (the next replication's) get a new hidden class, which deoptimizes every compiled function that inlined push(). */
  popTime = NaN
  popKind = 0
  popTarget = 0
  popToken = 0

  /** Removes the earliest entry into the pop* fields; returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false
    const key = this.key, slot = this.slot
    const s0 = slot[0]!
    this.popTime = key[0]!
    this.popKind = this.kind[s0]!
    this.popTarget = this.target[s0]!
    this.popToken = this.token[s0]!
    const last = --this.n
    this.free[this.capacity - 1 - last] = s0
    if (last === 0) return true
    // sift the last entry down from the root with a hole
    const lk = last << 1
    const t = key[lk]!, ord = key[lk + 1]!, sl = slot[last]!
    let i = 0
    const half = last >> 1
    while (i < half) {
      let c = (i << 1) + 1
      let ck = c << 1
      if (c + 1 < last) {
        // the smaller child; which one is a coin toss, so pick it with arithmetic, not a branch that
        // the CPU would mispredict half the time (ties go by the order key)
        const lt = key[ck]!, rt = key[ck + 2]!
        const right = +(rt < lt) | (+(rt === lt) & +(key[ck + 3]! < key[ck + 1]!))
        c += right
        ck += right << 1
      }
      const ct = key[ck]!
      const co = key[ck + 1]!
      if (t < ct || (+(t === ct) & +(ord < co)) !== 0) break
      const ik = i << 1
      key[ik] = ct
      key[ik + 1] = co
      slot[i] = slot[c]!
      i = c
    }
    const ik = i << 1
    key[ik] = t
    key[ik + 1] = ord
    slot[i] = sl
    return true
  }

  private grow(): void {
    // Called when full: every slot is in use, so the new free slots are exactly the new ones.
    const old = this.capacity
    const cap = old * 2
    const k = new Float64Array(2 * cap); k.set(this.key); this.key = k
    const s = new Int32Array(cap); s.set(this.slot); this.slot = s
    const kd = new Int32Array(cap); kd.set(this.kind); this.kind = kd
    const tg = new Int32Array(cap); tg.set(this.target); this.target = tg
    const tk = new Int32Array(cap); tk.set(this.token); this.token = tk
    const f = new Int32Array(cap)
    for (let i = 0; i < cap - old; i++) f[i] = cap - 1 - i
    this.free = f
    this.capacity = cap
  }
}
