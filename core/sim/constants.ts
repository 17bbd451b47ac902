// Integer codes of the model: event kinds, vCPU states, guest work items, interrupts, exit follow-ups.
// Plain `as const` numbers (no enums) so the hot path compares small integers.

/** Event kinds dispatched by the engine (HostModel.dispatch() hands each to the part that owns it). */
export const Ev = {
  WORK_DONE: 1, // vCPU finished its current guest work item (token = work token)
  EXIT_DONE: 2, // exit handling finished → VM entry (token = exit token)
  TIMER_FIRE: 3, // the guest LAPIC timer deadline (token = timer token)
  HOST_IRQ: 4, // a device interrupt (target = source index)
  TLB_SHOOTDOWN: 5, // the VMM process flushes TLBs on every CPU running it (target = VM)
  HOST_POLL_END: 9, // host halt-polling window over → block (token = idle token)
  GUEST_POLL_END: 10, // guest haltpoll window over → HLT (token = idle token)
  WAKE_DONE: 11, // wake-up of a halted/blocked vCPU complete (token = idle token)
  KWORKER: 12, // housekeeping work queued on a pCPU (target = pCPU)
  PREEMPT_DONE: 13, // the task that preempted a vCPU thread is done (target = vCPU)
  SAMPLE: 14, // statistics interval / warm-up end
  HOST_TICK: 15, // the host scheduler tick on a pCPU (target = pCPU)
  IDLE_BALANCE: 17, // the guest's nohz idle balance in a VM's LLC domains (target = VM)
  HOST_SLICE: 18, // the running host thread's slice is over on a shared pCPU (target = pCPU, token = slice token)
  TASK_DONE: 19, // a host task's burst is over (target = host thread, token = task token)
  TASK_WAKE: 20, // a sleeping host task wakes up (target = host thread)
  GUEST_TLB: 21, // a guest TLB shootdown: flush_tlb_mm_range() from a vCPU running the process (target = VM)
  LOCK_ACQUIRE: 22, // a busy vCPU takes a contended spinlock (target = vCPU)
  IDLE_GAP: 23, // the running guest thread sleeps briefly (target = vCPU)
  RESCHED_KICK: 24, // the host scheduler's reschedule IPI reaches a vCPU in guest mode (target = vCPU)
  MUTEX_ACQUIRE: 25, // a busy vCPU takes a contended sleeping lock (target = vCPU)
  /** Kinds from here on belong to workloads: each gets a contiguous range (GuestWorkload.eventKinds(), evBase). */
  WORKLOAD_BASE: 32,
} as const

/** vCPU thread states: the vCPU state machine (its transitions: TRANSITIONS in core/kvm/vcpu.ts). */
export const St = {
  RUN: 0, // in guest mode, running guest work
  GUEST_HLT: 1, // halted in guest mode (HLT passed through)
  GUEST_POLL: 2, // polling in the guest idle loop (cpuidle-haltpoll, idle=poll)
  EXIT: 3, // root mode, handling an exit
  HOST_POLL: 4, // host halt polling after an HLT exit
  BLOCKED: 5, // scheduled out in kvm_vcpu_block()
  WAKING: 6, // being woken: IPI, C-state exit, schedule-in
  PREEMPTED: 7, // runnable, but another task runs on its pCPU (a kworker, or a thread the host scheduler picked)
} as const
export const STATE_COUNT = 8

export const inGuestMode = (s: number): boolean => s <= St.GUEST_POLL

/** Guest work items. */
export const Work = {
  NONE: 0,
  TIMER_IRQ: 1, // LAPIC timer interrupt: guest tick and expired hrtimers, then reprogram
  DEVICE_IRQ: 2, // the workload's device interrupt and its softirq (virtio-net / VF RX, NAPI)
  ITEM: 3, // a work item the workload queued on this vCPU (a redis request)
  IPI: 4, // reschedule IPI handler
  THREAD: 5, // a burst of the running guest thread (arg = thread id)
  SPIN: 6, // spinning on a held spinlock (arg = lock id) until it is handed over, a PLE exit, or pv_wait()
  LOCK_CS: 7, // a spinlock's critical section (arg = lock id); the interrupted work resumes after it
} as const

/** Guest thread states (the guest scheduler). */
export const Thr = {
  SLEEPING: 0, // blocked (futex, poll, …): on no runqueue
  RUNNABLE: 1, // queued on a vCPU's runqueue behind the running thread
  RUNNING: 2, // the vCPU's current thread
  WAKING: 3, // try_to_wake_up() chose its CPU; the waker has yet to lock that rq to enqueue it (TASK_WAKING)
} as const

/** Pending guest interrupt bits. */
export const Irq = { TIMER: 1, RX: 2, IPI: 4 } as const
/** Irq.RX is the workload's device interrupt (virtio-net / VF RX for redis). */

/** Guest actions that trap: run one after the other, each an exit. */
export const Act = { REPROGRAM: 1, TX_KICK: 2, SEND_IPI: 4, SEND_MULTI: 8 } as const

/** What happens when an exit's handling is over: the index of its handler in the run loop's exit-handler table
 *  (core/kvm/vcpu-run.ts; each part registers the handlers it owns). */
export const After = {
  ENTRY: 0, // VM entry
  HLT: 1, // HLT exit → host halt polling / block
  IDLE: 2, // continue the guest's idle entry (the tick-stop reprogram)
  PREEMPT: 3, // the vCPU thread is preempted by a host task
  RESCHED: 4, // the host scheduler takes the pCPU from the vCPU thread: it waits on the run queue
  YIELD: 5, // an emulated MWAIT calls yield() before the entry (the 2023 Woodhouse RFC, experimental)
} as const

/** Where a pCPU's time goes (HostModel.pcpuAcc). WAKING counts as idle: the pCPU leaves its C-state then. */
export const PcpuTime = { GUEST_BUSY: 0, GUEST_IDLE: 1, EXIT: 2, HOST_POLL: 3, OTHER_TASKS: 4 } as const
export const PCPU_TIME_COUNT = 5
/** vCPU state → the pCPU's time bucket while that vCPU thread holds the pCPU; −1 when it does not (BLOCKED, WAKING).
 *  PREEMPTED holds it only while a kworker runs in its place (a queued vCPU thread is not on the pCPU). */
export const PCPU_TIME_OF_STATE: Int8Array = Int8Array.of(0, 1, 1, 2, 3, -1, -1, 4)
