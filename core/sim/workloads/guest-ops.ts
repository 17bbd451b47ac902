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
  /** Arms the workload's own hrtimer `arg` (≥ 0) on vCPU g at absolute time t: its expiry calls the workload's
   *  timerFn(g, arg) from the timer interrupt (a TSC-deadline write when it becomes the earliest timer). */
  armTimerFn(g: number, t: number, arg: number): void
  /** Arms the workload's own hrtimer `arg` on vCPU g `deltaNs` after the guest's next TSC-deadline write, which this
   *  asks for: kvm-unit-tests' wrmsr(MSR_IA32_TSCDEADLINE, rdtsc() + delta), the rdtsc() right before the write. */
  armTimerFnAtWrite(g: number, deltaNs: number, arg: number): void
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

  // cross-calls and sleeping locks: the running work goes beneath the wait and resumes after it. Call them from a work
  // completion (itemDone / threadBurstDone: its dispatch then runs the sends and the wait) or from the workload's own
  // event while vCPU g runs task-level work (they dispatch at once).
  /** flush_tlb_mm_range() from vCPU g for the VM's process (munmap, mprotect): IPIs and a csd_lock_wait() spin until
   *  every target flushed (lazy, and with PV TLB flush preempted, vCPUs skipped). Returns the targets (0: nothing to
   *  wait for, or g cannot call now). */
  flushTlbOthers(g: number): number
  /** smp_call_function_many() from vCPU g (core/guest/csd-lock-wait.ts): to the n vCPUs (global ids) of `mask`, or
   *  with mask null (the default) to every other vCPU of its VM (smp_call_function()); g itself is dropped from the
   *  mask. The IPIs go as the VM sends them (one PV IPI hypercall, or ICR writes); with `wait` it spins in
   *  csd_lock_wait() (PAUSE exits under PLE, PV sched yield) until every target ran the call. Returns the targets
   *  (0: nothing to call, or g cannot call now). */
  callFunctionMany(g: number, wait: boolean, mask?: Int32Array | null, n?: number): number
  /** mutex_lock() by the task on vCPU g: lock `id` (0 … 63) of its VM, held holdNs; a waiter spins while the owner's
   *  vCPU runs (mutex_optimistic_spin()), else sleeps until the unlock wakes it. */
  mutexLock(g: number, id: number, holdNs: number): void
  /** down_write() (write) or down_read() by the task on vCPU g: rwsem `id` (0 … 3; 0 is the process's mmap_lock) of its
   *  VM, held holdNs; readers share it, waiters spin or sleep as the guest version's rwsem does (core/guest/rwsem.ts).
   *  A writer with readNs > 0 then downgrade_write()s: it holds the lock for read readNs more, no writer in between. */
  rwsemLock(g: number, id: number, write: boolean, holdNs: number, readNs?: number): void
  /** spin_lock() (or spin_lock_irqsave()) by the task on vCPU g: the VM's kernel spinlock `id` (0: the page LRU lock,
   *  core/guest/spinlocks.ts WORKLOAD_SPINLOCKS_PER_VM), held holdNs; a waiter spins as the guest's lock kind does —
   *  PAUSE exits under PLE, pv_wait() halts with pvqspinlock until the unlocker's kick. */
  spinLock(g: number, id: number, holdNs: number): void
}
