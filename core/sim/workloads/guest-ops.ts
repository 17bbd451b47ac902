// What a workload may ask of the model: the narrow interface of a guest task (run work on a vCPU, block, wake,
// send an IPI or a packet, arm a timer, complete an operation). Workloads depend on this interface, never on the
// model class, so the model and its workloads form no import circle (the check in `npm test`).
import type { Engine } from '../../engine/engine.ts'
import type { Rng } from '../../engine/rng.ts'
import type { ModelInputs } from '../model-inputs.ts'

export interface GuestOps {
  /** The engine, for the workload's own event kinds (schedule / scheduleAt) and the clock. */
  readonly engine: Engine
  readonly rng: Rng
  readonly inp: ModelInputs
  /** Samples a cost of the cost table (CostId). */
  cost(id: number): number
  /** One completion of VM v's workload with its latency (counted after warm-up). */
  complete(v: number, latencyNs: number): void

  // run: work on a vCPU
  /** Queues work item `id` on vCPU g (run in order when the vCPU has nothing more urgent). */
  queueItem(g: number, id: number): void
  /** Arms a guest hrtimer on vCPU g at absolute time t; with wakeTid ≥ 0 its expiry wakes that thread (with
   *  wakeBurstNs as its next burst); −1 and 0 for a timer that wakes no thread. */
  armHrtimer(g: number, t: number, wakeTid: number, wakeBurstNs: number): void
  /** vCPU g has no queued work item and is idle or blocked (a wake-up for it needs an IPI). */
  vcpuAsleep(g: number): boolean

  // guest threads: start, block, wake
  startThread(tid: number, c: number, burstNs: number): void
  pinThread(tid: number): void
  threadContinue(tid: number, burstNs: number): void
  threadSleep(tid: number): void
  threadSleeping(tid: number): boolean
  wakeThread(tid: number, waker: number, sync: boolean, wakerTid: number, burstNs: number): number
  cutBurst(tid: number): void

  // send
  /** vCPU g sends a guest IPI to vCPU `target` before going on. */
  queueIpi(g: number, target: number): void
  /** vCPU g notifies the virtio-net TX queue (an ioeventfd write: an EPT_MISCONFIG exit) before going on. */
  kickTx(g: number): void
  /** The device interrupt of VM v's NIC (irqfd or VT-d posting) to vCPU g. */
  raiseDeviceIrq(g: number): void
  /** The device interrupt stays pending on vCPU g (NAPI polls again). */
  pendDeviceIrq(g: number): void
  /** Host task k (a vhost worker) is given `ns` of CPU work; event (kind, target) follows it. */
  runHostTask(k: number, ns: number, kind: number, target: number): void

  // cross-calls: call them from a work completion (threadBurstDone: its dispatch then runs the sends)
  /** flush_tlb_mm_range() from vCPU g for the VM's process (munmap, madvise(MADV_DONTNEED)): the flush IPIs to the
   *  other vCPUs running it (idle ones are lazy; with PV TLB flush, preempted ones are skipped). Returns the targets. */
  flushTlbOthers(g: number): number
}
