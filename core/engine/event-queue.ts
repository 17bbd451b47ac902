// The pending-event set: a 4-ary min-heap over typed arrays, ordered by (time, priority, sequence) so
// that simultaneous events come out in a fixed order and runs are reproducible (as SimPy's
// (time, priority, eid) heap). Each entry carries integer kind/target/token: no objects, no closures.
//
// Layout, for speed (bench/README.md, the hold model and its CPU profile):
// - the heap holds only what sifting reads and moves — the order key, interleaved as
//   (time, priority·2^40 + sequence) pairs in one Float64Array, and an Int32 slot number. An entry's
//   kind/target/token stay put in their slot from push to pop, so a move is 2 doubles and 1 int;
// - 4 children per node: half the levels of a binary heap (8.5 instead of 17 at 100,000 pending), and
//   the 4 children's keys are 64 bytes, one cache line: heap position p lives at index p + 3, so the
//   children of index a are 4a − 8 … 4a − 5, which start on a multiple of 4 (a 64-byte boundary);
// - pop moves the hole down to a leaf along the smallest children without comparing the last entry at
//   each level, then sifts the last entry up from there (Floyd; the new entries of a hold model are late,
//   so they belong near the leaves and the sift-up is short).
// NaN times are not supported (they would break the heap order). The order is total (sequence numbers
// are unique), so the pop order is the same as any other correct heap's: the layout changes speed, never
// results.

/** priority · 2^40 + sequence: one number orders ties. */
const PRIORITY_SCALE = 1099511627776
/** Index of the root: heap position p is at index p + ROOT. */
const ROOT = 3
/** Indices per capacity: the root's offset, and the last node's 4 children may reach 3 past the end. */
const PAD = ROOT + 4

export class EventQueue {
  /** Index a: key[2a] = time, key[2a+1] = order (priority · 2^40 + sequence). */
  private key: Float64Array
  /** Index a: the payload slot of its entry. */
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
    this.key = new Float64Array(2 * (cap + PAD)).fill(Infinity)
    this.slot = new Int32Array(cap + PAD)
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
    return this.n > 0 ? this.key[2 * ROOT]! : Infinity
  }

  push(t: number, priority: number, kind: number, target: number, token: number): void {
    if (this.n === this.capacity) this.grow()
    const ord = priority * PRIORITY_SCALE + this.seq++
    const s = this.free[this.capacity - 1 - this.n]!
    this.kind[s] = kind
    this.target[s] = target
    this.token[s] = token
    this.n++
    this.siftUp(this.n - 1 + ROOT, t, ord, s)
  }

  /** Places (t, ord, s) at hole index a or above it. */
  private siftUp(a: number, t: number, ord: number, s: number): void {
    const key = this.key, slot = this.slot
    while (a > ROOT) {
      const p = ((a - ROOT - 1) >> 2) + ROOT
      const pk = p << 1
      const pt = key[pk]!
      if (pt < t || (pt === t && key[pk + 1]! < ord)) break
      const ak = a << 1
      key[ak] = pt
      key[ak + 1] = key[pk + 1]!
      slot[a] = slot[p]!
      a = p
    }
    const ak = a << 1
    key[ak] = t
    key[ak + 1] = ord
    slot[a] = s
  }

  /** The popped entry is readable through these fields until the next push/pop. popTime starts as a double (NaN:
   *  nothing popped yet), not a small integer: V8 fixes a field's representation from its first value, and times come
   *  out of the Float64Array as doubles; a change from integer to double in the middle of a run makes the next queue
   *  (the next replication's) get a new hidden class, which deoptimizes every compiled function that inlined push(). */
  popTime = NaN
  popKind = 0
  popTarget = 0
  popToken = 0

  /** Removes the earliest entry into the pop* fields; returns false when empty. Kept small (V8 inlines a
   *  function of up to 460 bytes of bytecode): the engine's loop inlines it and calls the sift below. */
  pop(): boolean {
    if (this.n === 0) return false
    const s0 = this.slot[ROOT]!
    this.popTime = this.key[2 * ROOT]!
    this.popKind = this.kind[s0]!
    this.popTarget = this.target[s0]!
    this.popToken = this.token[s0]!
    const n = --this.n
    this.free[this.capacity - 1 - n] = s0
    if (n > 0) this.refillRoot(n + ROOT)
    return true
  }

  /** The root was taken: the last entry (at index `last`) leaves its place and the hole at the root is filled. */
  private refillRoot(last: number): void {
    const key = this.key, slot = this.slot
    const lk = last << 1
    const t = key[lk]!, ord = key[lk + 1]!, sl = slot[last]!
    const end = last
    // the hole goes down along the smallest children to a leaf; indices past the end hold time Infinity,
    // so every node has 4 children to compare. Which child is smallest is a coin toss: it is picked with
    // arithmetic, not branches the CPU would mispredict (ties, which are rare, go by the order key).
    key[lk] = Infinity
    let a = ROOT
    for (;;) {
      const c = (a << 2) - 3 * ROOT + 1
      if (c >= end) break
      const ck = c << 1
      const t0 = key[ck]!, t1 = key[ck + 2]!, t2 = key[ck + 4]!, t3 = key[ck + 6]!
      const i01 = t1 !== t0 ? +(t1 < t0) : +(key[ck + 3]! < key[ck + 1]!)
      const i23 = 2 + (t3 !== t2 ? +(t3 < t2) : +(key[ck + 7]! < key[ck + 5]!))
      const ta = key[ck + (i01 << 1)]!, tb = key[ck + (i23 << 1)]!
      const right = ta !== tb ? +(tb < ta) : +(key[ck + (i23 << 1) + 1]! < key[ck + (i01 << 1) + 1]!)
      const m = c + i01 + (i23 - i01) * right
      const mk = m << 1
      const ak = a << 1
      key[ak] = key[mk]!
      key[ak + 1] = key[mk + 1]!
      slot[a] = slot[m]!
      a = m
    }
    // then the last entry goes up from there to its place
    this.siftUp(a, t, ord, sl)
  }

  private grow(): void {
    // Called when full: every slot is in use, so the new free slots are exactly the new ones.
    const old = this.capacity
    const cap = old * 2
    const k = new Float64Array(2 * (cap + PAD)).fill(Infinity); k.set(this.key); this.key = k
    const s = new Int32Array(cap + PAD); s.set(this.slot); this.slot = s
    const kd = new Int32Array(cap); kd.set(this.kind); this.kind = kd
    const tg = new Int32Array(cap); tg.set(this.target); this.target = tg
    const tk = new Int32Array(cap); tk.set(this.token); this.token = tk
    const f = new Int32Array(cap)
    for (let i = 0; i < cap - old; i++) f[i] = cap - 1 - i
    this.free = f
    this.capacity = cap
  }
}
