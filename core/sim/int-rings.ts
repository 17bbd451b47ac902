// FIFO rings of integers, one per owner (a vCPU's work items, IPIs to send, guest runqueue), in one flat typed array.
// A full ring doubles the capacity of all of them (a copy, on the rare overflow only): nothing is ever dropped, and
// the hot path allocates nothing.
export class IntRings {
  private buf: Int32Array
  private cap: number
  readonly head: Int32Array
  readonly len: Int32Array

  constructor(owners: number, cap: number) {
    this.cap = cap
    this.buf = new Int32Array(owners * cap)
    this.head = new Int32Array(owners)
    this.len = new Int32Array(owners)
  }

  get capacity(): number {
    return this.cap
  }

  push(i: number, x: number): void {
    if (this.len[i]! >= this.cap) this.grow()
    this.buf[i * this.cap + ((this.head[i]! + this.len[i]!) % this.cap)] = x
    this.len[i]!++
  }

  shift(i: number): number {
    const x = this.buf[i * this.cap + this.head[i]!]!
    this.head[i] = (this.head[i]! + 1) % this.cap
    this.len[i]!--
    return x
  }

  /** The j-th entry of ring i (0 = the head). */
  at(i: number, j: number): number {
    return this.buf[i * this.cap + ((this.head[i]! + j) % this.cap)]!
  }

  /** Removes the j-th entry of ring i, keeping the order of the others. */
  removeAt(i: number, j: number): number {
    const x = this.at(i, j)
    const base = i * this.cap
    for (let k = j; k < this.len[i]! - 1; k++) this.buf[base + ((this.head[i]! + k) % this.cap)] = this.at(i, k + 1)
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
  }
}

/** One growable FIFO ring of integers (a workload's packet queue). */
export class IntQueue {
  private buf: Int32Array
  private head = 0
  length = 0

  constructor(cap: number) {
    this.buf = new Int32Array(cap)
  }

  push(x: number): void {
    const cap = this.buf.length
    if (this.length >= cap) {
      const buf = new Int32Array(cap * 2)
      for (let j = 0; j < this.length; j++) buf[j] = this.buf[(this.head + j) % cap]!
      this.buf = buf
      this.head = 0
    }
    this.buf[(this.head + this.length) % this.buf.length] = x
    this.length++
  }

  shift(): number {
    const x = this.buf[this.head]!
    this.head = (this.head + 1) % this.buf.length
    this.length--
    return x
  }
}
