// The hackbench workload (model.md §3; rt-tests hackbench, the program `perf bench sched messaging` also runs):
// `groups` groups of `fds` senders and `fds` receivers, processes (-P, the default) or threads of one process (-T).
// Each receiver reads `messageBytes`-byte messages from its own pipe (-p) or AF_UNIX stream socketpair; every sender
// writes one message to each receiver of its group in turn, `loops` times. A write into an empty pipe/socket whose
// reader sleeps wakes it (pipe_write() / sock_def_readable() → wake_up_interruptible_sync_poll(): a WF_SYNC wake-up,
// placed by select_task_rq_fair() with sync=1, and on an idle vCPU a reschedule IPI — an ICR write exit unless IPIv —
// and the wake-up of a halted vCPU). A writer finding the buffer full sleeps until the reader frees room: pipe_read()
// of a full pipe wakes one writer (exclusive wait, and pipe_write() passes the wake-up on while room remains); a
// socket's reader wakes all blocked writers once the socket's write memory has drained to a quarter of sk_sndbuf
// (unix_writable()). A run ends when every receiver has read fds × loops messages; the next starts at once (the
// senders are woken together, as hackbench's start barrier wakes its children). Output: messages read per second,
// the time from a message's write to its read, and hackbench's "Time:" — the mean time of one run, which with runs
// back to back is the messages of a run over the messages per second.
// In process mode a vCPU that switches between two tasks pays switch_mm() (mm-switch.ts), with the task's next burst.
// Simplifications: no task creation or exit between runs; a write that finds the buffer full pays a whole write before sleeping and again after the
// wake-up; a message larger than the buffer is not split.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { HackbenchSpec } from '../model-inputs.ts'
import type { WorkloadBenchmark } from '../../result.ts'
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'
import { MmSwitches } from './mm-switch.ts'

/** The cost rows' message size: guestPipeWrite/Read and guestUnixSend/Recv are of 100-byte messages. */
const COST_MESSAGE_BYTES = 100
/** A pipe holds PIPE_DEF_BUFFERS = 16 pages; a write merges into the last page only while it fits whole (pipe_write()),
 *  so floor(4096 / size) messages a page, and a larger message takes whole pages. */
export function pipeMessages(bytes: number): number {
  return bytes <= 4096 ? 16 * Math.floor(4096 / bytes) : Math.max(1, Math.floor(16 / Math.ceil(bytes / 4096)))
}
/** An AF_UNIX stream socket's writers block at sk_sndbuf = net.core.wmem_default (212992) of skb truesize: the data
 *  rounded to 64 bytes plus about 640 bytes of sk_buff and skb_shared_info (768 for a 100-byte message; estimate). */
export function socketMessages(bytes: number): number {
  return Math.max(1, Math.floor(212_992 / (640 + Math.ceil(bytes / 64) * 64)))
}

/** A receiver's burst: a read (ends by taking a message)… */
const READ = 0
/** …or the rest of a syscall (wake-ups it did), after which it reads again or sleeps. */
const TAIL = 1
/** A sender or receiver that has passed all its messages of this run (waits for the next). */
const DONE = 2

export class HackbenchWorkload extends GuestWorkload {
  readonly kind = 'hackbench'
  readonly unit = 'messages'
  readonly w: HackbenchSpec
  readonly cap: number
  readonly writeCost: number
  readonly readCost: number
  /** Guest time per message beyond the cost rows' 100 bytes (the copy of the rest), per write and per read. */
  readonly extraCopyNs: number
  /** Threads per group: fds receivers, then fds senders. */
  readonly perGroup: number
  /** Messages each sender writes and each receiver reads per run. */
  readonly perTask: number
  firstThread = 0
  /** Per receiver (group × fds + r): the write times of the queued messages, as a ring of `cap`. */
  readonly qTime: Float64Array
  readonly qHead: Int32Array
  readonly qLen: Int32Array
  /** Per receiver: the senders (local thread ids) blocked on its full buffer, FIFO, as a ring of fds. */
  readonly writers: Int32Array
  readonly wHead: Int32Array
  readonly wLen: Int32Array
  /** Per thread: its burst (READ / TAIL / DONE); per sender: the receiver (index in the group) it writes next and the
   *  messages it has written this run; per receiver: the messages it has read this run. */
  readonly phase: Int8Array
  readonly target: Int32Array
  readonly passed: Int32Array
  /** Receivers still reading in this run. */
  receiversLeft = 0
  readonly mm: MmSwitches
  /** Per task: switch_mm() time it owes, paid with its next burst. */
  readonly owed: Float64Array

  constructor(m: GuestOps, v: number, w: HackbenchSpec) {
    super(m, v)
    this.w = w
    this.cap = w.pipe ? pipeMessages(w.messageBytes) : socketMessages(w.messageBytes)
    this.writeCost = w.pipe ? CostId.guestPipeWrite : CostId.guestUnixSend
    this.readCost = w.pipe ? CostId.guestPipeRead : CostId.guestUnixRecv
    this.extraCopyNs = (Math.max(0, w.messageBytes - COST_MESSAGE_BYTES) / 1024) * m.inp.costs.guestCopyPerKiB.meanNs
    this.perGroup = 2 * w.fds
    this.perTask = w.fds * w.loops
    const nR = w.groups * w.fds
    this.qTime = new Float64Array(nR * this.cap)
    this.qHead = new Int32Array(nR)
    this.qLen = new Int32Array(nR)
    this.writers = new Int32Array(nR * w.fds)
    this.wHead = new Int32Array(nR)
    this.wLen = new Int32Array(nR)
    this.phase = new Int8Array(w.groups * this.perGroup)
    this.target = new Int32Array(w.groups * this.perGroup)
    this.passed = new Int32Array(w.groups * this.perGroup)
    this.mm = new MmSwitches(m, w.processes)
    this.owed = new Float64Array(w.groups * this.perGroup)
  }

  override threadCount(): number {
    return this.w.groups * this.perGroup
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const m = this.m
    const vm = m.inp.vms[this.v]!
    this.receiversLeft = this.w.groups * this.w.fds
    // fork()/pthread_create() order: per group its receivers, then its senders; fork balancing spreads them
    for (let k = 0; k < this.threadCount(); k++) {
      const c = vm.firstVcpu + (k % vm.vcpus)
      if (this.isReceiver(k)) {
        this.phase[k] = TAIL
        m.startThread(firstThread + k, c, 0)
      } else {
        m.startThread(firstThread + k, c, this.writeNs())
      }
    }
  }

  private writeNs(): number {
    return this.m.cost(this.writeCost) + this.extraCopyNs
  }

  private readNs(): number {
    return this.m.cost(this.readCost) + this.extraCopyNs
  }

  /** The switch_mm() task k owes (mm-switch.ts: charged when its burst on a vCPU that last ran another process
   *  ends), paid with its next burst; returns it and clears it. */
  private pay(k: number): number {
    const ns = this.owed[k]!
    this.owed[k] = 0
    return ns
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
    // every task is its own process in -P mode: a vCPU switching between two of them switches mm
    this.owed[k]! += this.mm.ranOn(g, k)
    if (this.isReceiver(k)) this.receiverDone(g, k)
    else this.senderDone(g, k)
  }

  /** A sender's write ends: into the buffer if it has room (waking a sleeping reader), else the sender sleeps. */
  private senderDone(g: number, k: number): void {
    const m = this.m
    const tid = this.firstThread + k
    if (this.phase[k] === DONE) {
      // the tail of its last write ended: wait for the next run, or (it began meanwhile) write at once
      if (this.passed[k] === 0) { this.phase[k] = READ; m.threadContinue(tid, this.pay(k) + this.writeNs()) }
      else m.threadSleep(tid)
      return
    }
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
    if (m.threadSleeping(reader) && this.phase[reader - this.firstThread] !== DONE) {
      this.phase[reader - this.firstThread] = READ
      ns += m.wakeThread(reader, g, true, tid, this.pay(reader - this.firstThread) + this.readNs())
    }
    // pipe_write(): room left and writers waiting — pass the wake-up on to the next one
    if (this.w.pipe && this.qLen[ri]! < this.cap && this.wLen[ri]! > 0) ns += this.wakeWriters(ri, g, tid, 1)
    this.target[k] = (this.target[k]! + 1) % this.w.fds
    if (++this.passed[k]! >= this.perTask) {
      // all its messages written: the sender exits (here: waits for the next run)
      this.phase[k] = DONE
      if (ns > 0) m.threadContinue(tid, this.pay(k) + ns)
      else m.threadSleep(tid)
      return
    }
    m.threadContinue(tid, this.pay(k) + ns + this.writeNs())
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
      if (++this.passed[k]! >= this.perTask) {
        this.phase[k] = DONE
        if (--this.receiversLeft === 0) ns += this.nextRun(g, tid)
        if (ns > 0) m.threadContinue(tid, this.pay(k) + ns)
        else m.threadSleep(tid)
        return
      }
    } else if (this.phase[k] === DONE && this.passed[k]! > 0) {
      // done for this run: wait for the next (a receiver whose tail saw the next run begin reads on below)
      m.threadSleep(tid)
      return
    }
    if (this.qLen[ri]! > 0) {
      this.phase[k] = READ
      m.threadContinue(tid, this.pay(k) + ns + this.readNs())
    } else if (ns > 0) {
      this.phase[k] = TAIL
      m.threadContinue(tid, this.pay(k) + ns)
    } else {
      this.phase[k] = READ
      m.threadSleep(tid)
    }
  }

  /** The last receiver of a run finished: the next run starts — every task's count restarts, the receivers wait in
   *  read() and the senders are woken (from vCPU g, not a sync wake-up). Returns the waker's guest time. */
  private nextRun(g: number, wakerTid: number): number {
    const m = this.m
    this.receiversLeft = this.w.groups * this.w.fds
    this.passed.fill(0)
    this.target.fill(0)
    let ns = 0
    for (let k = 0; k < this.threadCount(); k++) {
      const tid = this.firstThread + k
      // a task still in the tail of its last syscall (the waker itself, a sender's last wake-up) keeps DONE with a
      // zero count: its burst's end sees the new run
      if (!m.threadSleeping(tid)) continue
      this.phase[k] = READ
      if (!this.isReceiver(k)) ns += m.wakeThread(tid, g, false, wakerTid, this.pay(k) + this.writeNs())
    }
    return ns
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
      ns += m.wakeThread(this.firstThread + k, g, true, wakerTid, this.pay(k) + this.writeNs())
    }
    return ns
  }

  /** Every burst is a system call — write() (pipe_write() / unix_stream_sendmsg()), read() (pipe_read() /
   *  unix_stream_recvmsg()), the rest of one after its wake-ups, the context switch's switch_mm() — so the vCPU runs
   *  guest kernel code (get_cpl() == 0 in kvm_arch_vcpu_put()) wherever it is preempted. hackbench's own loop between
   *  two syscalls is a few instructions (estimate: tens of ns beside the 0.5–1.6 µs rows), not modelled. */
  override threadInKernel(): boolean {
    return true
  }

  /** hackbench prints "Time: %lu.%03lu" (seconds) per run: the messages of a run (groups × fds receivers × fds × loops)
   *  over the messages per second. */
  override benchmark(ctx: WorkloadReportContext): WorkloadBenchmark | undefined {
    const perRun = this.w.groups * this.w.fds * this.perTask
    return ctx.perSec > 0 ? new BenchmarkPrintout().printed('Time', 's', perRun / ctx.perSec, 'Time: %.3f') : undefined
  }
}
