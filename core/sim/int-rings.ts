// FIFO rings of integers, one per owner (a vCPU's work items, IPIs to send, guest runqueue), in one flat typed array.
// A full ring doubles the capacity of all of them (a copy, on the rare overflow only): nothing is ever dropped, and
// the hot path allocates nothing. Capacities are powers of two, so a ring index wraps with a mask.
export class IntRings {
  private buf: Int32Array
  private cap: number
  private mask: number
  readonly head: Int32Array
  readonly len: Int32Array

  /** `cap` is rounded up to a power of two. */
  constructor(owners: number, cap: number) {
    this.cap = pow2(cap)
    this.mask = this.cap - 1
    this.buf = new Int32Array(owners * this.cap)
    this.head = new Int32Array(owners)
    this.len = new Int32Array(owners)
  }

  get capacity(): number {
    return this.cap
  }

  push(i: number, x: number): void {
    if (this.len[i]! >= this.cap) this.grow()
    this.buf[i * this.cap + ((this.head[i]! + this.len[i]!) & this.mask)] = x
    this.len[i]!++
  }

  shift(i: number): number {
    const x = this.buf[i * this.cap + this.head[i]!]!
    this.head[i] = (this.head[i]! + 1) & this.mask
    this.len[i]!--
    return x
  }

  /** The j-th entry of ring i (0 = the head). */
  at(i: number, j: number): number {
    return this.buf[i * this.cap + ((this.head[i]! + j) & this.mask)]!
  }

  /** Removes the j-th entry of ring i, keeping the order of the others. */
  removeAt(i: number, j: number): number {
    const x = this.at(i, j)
    const base = i * this.cap
    for (let k = j; k < this.len[i]! - 1; k++) this.buf[base + ((this.head[i]! + k) & this.mask)] = this.at(i, k + 1)
    this.len[i]!--
    return x
  }

  private grow(): void {
    const owners = this.head.length
    const cap = this.cap * 2
    const buf = new Int32Array(owners * cap)
    for (let i = 0; i < owners; i++) {
      for (let j = 0; j < this.len[i]!; j++) buf[i * cap + j] = this.at(i, j)
      this.head[i] = 0
    }
    this.buf = buf
    this.cap = cap
    this.mask = cap - 1
  }
}

/** One growable FIFO ring of integers (a workload's packet queue). */
export class IntQueue {
  private buf: Int32Array
  private mask: number
  private head = 0
  length = 0

  /** `cap` is rounded up to a power of two. */
  constructor(cap: number) {
    this.buf = new Int32Array(pow2(cap))
    this.mask = this.buf.length - 1
  }

  push(x: number): void {
    if (this.length > this.mask) {
      const buf = new Int32Array(this.buf.length * 2)
      for (let j = 0; j < this.length; j++) buf[j] = this.buf[(this.head + j) & this.mask]!
      this.buf = buf
      this.mask = buf.length - 1
      this.head = 0
    }
    this.buf[(this.head + this.length) & this.mask] = x
    this.length++
  }

  shift(): number {
    const x = this.buf[this.head]!
    this.head = (this.head + 1) & this.mask
    this.length--
    return x
  }
}

function pow2(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}
