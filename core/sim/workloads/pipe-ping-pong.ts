// The strict pipe ping-pong (model.md §3; `perf bench sched pipe`, lmbench lat_ctx's 2-process ring, UnixBench's
// "Pipe-based Context Switching"): `streams` pairs of tasks, each pair passing one token back and forth through two
// pipes. Task A writes the token into pipe 1 (`guestPipeWrite`) and blocks reading pipe 2; task B, blocked reading
// pipe 1, is woken by the write (pipe_write() → wake_up_interruptible_sync_poll(): a WF_SYNC wake-up placed by
// select_task_rq_fair(), a reschedule IPI when it lands on another, idle vCPU), reads it (`guestPipeRead`), writes it
// into pipe 2, waking A, and blocks reading pipe 1 again. One operation is one round trip, A's write to A's read of
// the answer; its latency is the round trip. Processes (perf's default) or threads (`perf bench sched pipe -T`): tasks
// of two processes that share a vCPU switch mm at every switch (mm-switch.ts). Output: round trips per second (all
// pairs), the round-trip latency, and perf's own lines — "Total time" for `loops` operations, usecs/op and ops/sec
// per pair.
// Simplifications: a 4-byte token is a small message of the cost rows; the tasks start on two different vCPUs (fork
// balancing) and then go where the guest scheduler's wake-ups put them; no cgroups (perf's -G).
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { PingPongSpec } from '../model-inputs.ts'
import type { WorkloadBenchmark } from '../../result.ts'
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'
import { MmSwitches } from './mm-switch.ts'

/** A's burst that writes the token; B's burst that reads it and writes the answer. */
const WRITE = 0
/** The rest of a syscall after its wake-up; then the task reads (the token is there) or blocks in read(). */
const TAIL = 1
/** A's read of the answer (ends the operation); B's: its SERVE burst includes the read. */
const READ = 2

export class PipePingPongWorkload extends GuestWorkload {
  readonly kind = 'ping-pong'
  readonly unit = 'round trips'
  readonly w: PingPongSpec
  readonly mm: MmSwitches
  firstThread = 0
  /** Per task (pair × 2 + 0 for A, + 1 for B): its phase, and a token waiting in the pipe it reads. */
  readonly phase: Int8Array
  readonly token: Uint8Array
  /** Per pair: when A wrote the token of the current operation. */
  readonly opStart: Float64Array

  constructor(m: GuestOps, v: number, w: PingPongSpec) {
    super(m, v)
    this.w = w
    this.mm = new MmSwitches(m, w.processes)
    this.phase = new Int8Array(2 * w.streams)
    this.token = new Uint8Array(2 * w.streams)
    this.opStart = new Float64Array(w.streams)
  }

  override threadCount(): number {
    return 2 * this.w.streams
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const m = this.m
    const vm = m.inp.vms[this.v]!
    for (let i = 0; i < this.w.streams; i++) {
      // B forks first and blocks in read(); A starts with its first write
      this.phase[2 * i + 1] = READ
      m.startThread(firstThread + 2 * i + 1, vm.firstVcpu + ((2 * i + 1) % vm.vcpus), 0)
      this.phase[2 * i] = WRITE
      this.opStart[i] = 0
      m.startThread(firstThread + 2 * i, vm.firstVcpu + ((2 * i) % vm.vcpus), m.cost(CostId.guestPipeWrite))
    }
  }

  /** Every burst is a system call — pipe_write(), pipe_read(), the rest of one after its wake-up, switch_mm() — so a
   *  preempted vCPU was in guest kernel code (get_cpl() == 0 in kvm_arch_vcpu_put()); perf bench's loop around
   *  read()/write() is a few instructions (estimate), not modelled. */
  override threadInKernel(): boolean {
    return true
  }

  /** The process a task belongs to: its own (processes) — threads share one mm and pay nothing anyway. */
  override threadBurstDone(g: number, tid: number): void {
    const k = tid - this.firstThread
    const extra = this.mm.ranOn(g, k)
    const isA = (k & 1) === 0
    switch (this.phase[k]) {
      case WRITE: this.wrote(g, k, extra); break
      case TAIL: this.readOrBlock(k, extra); break
      case READ:
        // B ends a blocked read only by being woken for SERVE, so this is A reading the answer: one operation
        if (isA) {
          const i = k >> 1
          const now = this.m.engine.now
          this.m.complete(this.v, now - this.opStart[i]!)
          this.opStart[i] = now
          this.phase[k] = WRITE
          this.m.threadContinue(tid, extra + this.m.cost(CostId.guestPipeWrite))
        } else {
          this.readOrBlock(k, extra)
        }
        break
    }
  }

  /** Task k's write ended: the token is in its peer's pipe, waking the peer if it sleeps in read(). */
  private wrote(g: number, k: number, extra: number): void {
    const m = this.m
    const peer = k ^ 1
    const peerTid = this.firstThread + peer
    let ns = extra
    if (m.threadSleeping(peerTid)) {
      // the peer's burst: its read, and for B the answer's write
      this.phase[peer] = (peer & 1) === 1 ? WRITE : READ
      const burst = m.cost(CostId.guestPipeRead) + ((peer & 1) === 1 ? m.cost(CostId.guestPipeWrite) : 0)
      ns += m.wakeThread(peerTid, g, true, this.firstThread + k, burst)
    } else {
      this.token[peer] = 1
    }
    this.phase[k] = TAIL
    if (ns > 0) m.threadContinue(this.firstThread + k, ns)
    else this.readOrBlock(k, 0)
  }

  /** Task k goes to read(): the token is there (its peer answered while it finished its syscall) or it blocks. */
  private readOrBlock(k: number, extra: number): void {
    const m = this.m
    const tid = this.firstThread + k
    if (this.token[k]) {
      this.token[k] = 0
      this.phase[k] = (k & 1) === 1 ? WRITE : READ
      m.threadContinue(tid, extra + m.cost(CostId.guestPipeRead) + ((k & 1) === 1 ? m.cost(CostId.guestPipeWrite) : 0))
      return
    }
    this.phase[k] = READ
    if (extra > 0) { this.phase[k] = TAIL; m.threadContinue(tid, extra); return }
    m.threadSleep(tid)
  }

  /** perf bench sched pipe's lines: "Total time: %lu.%03lu [sec]" for `loops` operations, " %14lf usecs/op",
   *  " %14d ops/sec" — per pair (one perf process), from the round trips per second of all pairs. */
  override benchmark(ctx: WorkloadReportContext): WorkloadBenchmark | undefined {
    if (ctx.perSec <= 0) return undefined
    const usPerOp = (1e6 * this.w.streams) / ctx.perSec
    return new BenchmarkPrintout()
      .printed('Total time', 's', (this.w.loops * usPerOp) / 1e6, 'Total time: %.3f [sec]')
      .printed('usecs/op', 'µs', usPerOp, '%14f usecs/op')
      .printed('ops/sec', 'ops/s', 1e6 / usPerOp, '%14.0f ops/sec')
  }
}
