// The hackbench workload (model.md §3; message passing, `hackbench -T` threads mode, loops run continuously):
// `groups` groups of `fds` senders and `fds` receivers. Each receiver reads 100-byte messages from its own pipe or
// AF_UNIX stream socketpair (`--pipe`); every sender of the group writes one message to each receiver in turn, forever.
// A write into an empty pipe/socket whose reader sleeps wakes it (pipe_write() / sock_def_readable() →
// wake_up_interruptible_sync_poll(): a WF_SYNC wake-up, placed by select_task_rq_fair() with sync=1, and on an idle
// vCPU a reschedule IPI — an ICR write exit unless IPIv — and the wake-up of a halted vCPU). A writer finding the
// buffer full sleeps until the reader frees room: pipe_read() of a full pipe wakes one writer (exclusive wait, and
// pipe_write() passes the wake-up on while room remains); a socket's reader wakes all blocked writers once the
// socket's write memory has drained to a quarter of sk_sndbuf (unix_writable()). Output: messages read per second and
// the time from a message's write to its read.
// Simplifications: threads mode only (processes would add an mm switch to each context switch); no start barrier;
// a write that finds the buffer full pays a whole write before sleeping and again after the wake-up; the guest
// scheduler has no time slicing, so a thread runs until it blocks (a sender fills its receivers' buffers first).
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { HackbenchSpec } from '../model-inputs.ts'
import { GuestWorkload } from './workload.ts'

/** hackbench's DATASIZE: 100-byte messages. A pipe holds PIPE_DEF_BUFFERS = 16 pages; a 100-byte write merges into
 *  the last page only while it fits whole, so 40 messages a page. */
const PIPE_MESSAGES = 16 * Math.floor(4096 / 100)
/** An AF_UNIX stream socket's writers block at sk_sndbuf = net.core.wmem_default (212992) of skb truesize, about
 *  768 bytes for a 100-byte message. */
const SOCKET_MESSAGES = Math.floor(212_992 / 768)

/** A receiver's burst: a read (ends by taking a message)… */
const READ = 0
/** …or the rest of a syscall (wake-ups it did), after which it reads again or sleeps. */
const TAIL = 1

export class HackbenchWorkload extends GuestWorkload {
  readonly kind = 'hackbench'
  readonly unit = 'messages'
  readonly w: HackbenchSpec
  readonly cap: number
  readonly writeCost: number
  readonly readCost: number
  /** Threads per group: fds receivers, then fds senders. */
  readonly perGroup: number
  firstThread = 0
  /** Per receiver (group × fds + r): the write times of the queued messages, as a ring of `cap`. */
  readonly qTime: Float64Array
  readonly qHead: Int32Array
  readonly qLen: Int32Array
  /** Per receiver: the senders (local thread ids) blocked on its full buffer, FIFO, as a ring of fds. */
  readonly writers: Int32Array
  readonly wHead: Int32Array
  readonly wLen: Int32Array
  /** Per receiver: its burst (READ / TAIL). Per sender: the receiver (index in the group) it writes next. */
  readonly phase: Int8Array
  readonly target: Int32Array

  constructor(m: GuestOps, v: number, w: HackbenchSpec) {
    super(m, v)
    this.w = w
    this.cap = w.pipe ? PIPE_MESSAGES : SOCKET_MESSAGES
    this.writeCost = w.pipe ? CostId.guestPipeWrite : CostId.guestUnixSend
    this.readCost = w.pipe ? CostId.guestPipeRead : CostId.guestUnixRecv
    this.perGroup = 2 * w.fds
    const nR = w.groups * w.fds
    this.qTime = new Float64Array(nR * this.cap)
    this.qHead = new Int32Array(nR)
    this.qLen = new Int32Array(nR)
    this.writers = new Int32Array(nR * w.fds)
    this.wHead = new Int32Array(nR)
    this.wLen = new Int32Array(nR)
    this.phase = new Int8Array(w.groups * this.perGroup)
    this.target = new Int32Array(w.groups * this.perGroup)
  }

  override threadCount(): number {
    return this.w.groups * this.perGroup
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const m = this.m
    const vm = m.inp.vms[this.v]!
    // pthread_create() order: per group its receivers, then its senders; fork balancing spreads them over the vCPUs
    for (let k = 0; k < this.threadCount(); k++) {
      const c = vm.firstVcpu + (k % vm.vcpus)
      if (this.isReceiver(k)) {
        this.phase[k] = TAIL
        m.startThread(firstThread + k, c, 0)
      } else {
        m.startThread(firstThread + k, c, m.cost(this.writeCost))
      }
    }
  }

  private isReceiver(k: number): boolean {
    return k % this.perGroup < this.w.fds
  }

  /** The receiver index (group × fds + r) of receiver r of thread k's group, and back to its local thread id. */
  private receiverIndex(k: number, r: number): number {
    return Math.floor(k / this.perGroup) * this.w.fds + r
  }

  private receiverThread(ri: number): number {
    return Math.floor(ri / this.w.fds) * this.perGroup + (ri % this.w.fds)
  }

  override threadBurstDone(g: number, tid: number): void {
    const k = tid - this.firstThread
    if (this.isReceiver(k)) this.receiverDone(g, k)
    else this.senderDone(g, k)
  }

  /** A sender's write ends: into the buffer if it has room (waking a sleeping reader), else the sender sleeps. */
  private senderDone(g: number, k: number): void {
    const m = this.m
    const tid = this.firstThread + k
    const ri = this.receiverIndex(k, this.target[k]!)
    if (this.qLen[ri]! >= this.cap) {
      const at = ri * this.w.fds + ((this.wHead[ri]! + this.wLen[ri]!) % this.w.fds)
      this.writers[at] = k
      this.wLen[ri]!++
      m.threadSleep(tid)
      return
    }
    this.qTime[ri * this.cap + ((this.qHead[ri]! + this.qLen[ri]!) % this.cap)] = m.engine.now
    this.qLen[ri]!++
    let ns = 0
    const reader = this.firstThread + this.receiverThread(ri)
    if (m.threadSleeping(reader)) {
      this.phase[reader - this.firstThread] = READ
      ns += m.wakeThread(reader, g, true, tid, m.cost(this.readCost))
    }
    // pipe_write(): room left and writers waiting — pass the wake-up on to the next one
    if (this.w.pipe && this.qLen[ri]! < this.cap && this.wLen[ri]! > 0) ns += this.wakeWriters(ri, g, tid, 1)
    this.target[k] = (this.target[k]! + 1) % this.w.fds
    m.threadContinue(tid, ns + m.cost(this.writeCost))
  }

  /** A receiver's read ends: it takes the oldest message (the message's latency), wakes blocked writers as the pipe
   *  or socket does, then reads again or sleeps in read(). */
  private receiverDone(g: number, k: number): void {
    const m = this.m
    const tid = this.firstThread + k
    const ri = this.receiverIndex(k, k % this.perGroup)
    let ns = 0
    if (this.phase[k] === READ && this.qLen[ri]! > 0) {
      const wasFull = this.qLen[ri]! >= this.cap
      m.complete(this.v, m.engine.now - this.qTime[ri * this.cap + this.qHead[ri]!]!)
      this.qHead[ri] = (this.qHead[ri]! + 1) % this.cap
      this.qLen[ri]!--
      if (this.wLen[ri]! > 0) {
        // pipe_read(): a pipe that was full wakes one writer; unix_write_space(): all, once a quarter of sk_sndbuf is used
        if (this.w.pipe) { if (wasFull) ns += this.wakeWriters(ri, g, tid, 1) }
        else if (this.qLen[ri]! * 4 <= this.cap) ns += this.wakeWriters(ri, g, tid, this.wLen[ri]!)
      }
    }
    if (this.qLen[ri]! > 0) {
      this.phase[k] = READ
      m.threadContinue(tid, ns + m.cost(this.readCost))
    } else if (ns > 0) {
      this.phase[k] = TAIL
      m.threadContinue(tid, ns)
    } else {
      this.phase[k] = READ
      m.threadSleep(tid)
    }
  }

  /** Wakes up to n writers blocked on receiver ri (sync wake-ups from vCPU g, thread wakerTid); returns the waker's
   *  guest time for them. A woken writer retries its write. */
  private wakeWriters(ri: number, g: number, wakerTid: number, n: number): number {
    const m = this.m
    let ns = 0
    while (n-- > 0 && this.wLen[ri]! > 0) {
      const k = this.writers[ri * this.w.fds + this.wHead[ri]!]!
      this.wHead[ri] = (this.wHead[ri]! + 1) % this.w.fds
      this.wLen[ri]!--
      ns += m.wakeThread(this.firstThread + k, g, true, wakerTid, m.cost(this.writeCost))
    }
    return ns
  }
}
