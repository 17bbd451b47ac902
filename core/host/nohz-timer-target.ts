// Where an unpinned hrtimer is queued when it is started (kernel/time/hrtimer.c switch_hrtimer_base() →
// get_target_base() → kernel/sched/core.c get_nohz_timer_target()). The caller is the
// CPU that starts the timer — for KVM's LAPIC timer the vCPU thread's pCPU, in the TSC-deadline MSR write or in
// kvm_lapic_switch_to_sw_timer() before blocking:
//   get_nohz_timer_target(): a timer-housekeeping CPU that is busy keeps the timer; otherwise the first busy
//   timer-housekeeping CPU in its sched domains (SMT, LLC, then the machine; each span in CPU order), else
//   housekeeping_any_cpu(HK_TYPE_TIMER), the closest housekeeping CPU (sched_numa_find_closest()).
// Not modelled: hrtimer_check_target(), which keeps the timer on the starting CPU when it would expire before the
// target's next programmed event (cpu_base->expires_next: the remote clockevent cannot be reprogrammed). The model
// does not simulate a housekeeping CPU's own hrtimer queue (the timers every nohz_full CPU hands it, its network and
// RCU timers), so that event is unknown; the timer is taken to move (docs/model.md, "LAPIC timer paths").
// The candidates are precomputed per CPU (typed arrays): the hot path walks one Int32Array and allocates nothing.

export class NohzTimerTarget {
  private readonly hk: Uint8Array
  /** Per CPU: the timer-housekeeping CPUs in the order get_nohz_timer_target() visits them (self excluded). */
  private readonly order: Int32Array[]

  /** `hkTimer`: housekeeping_cpumask(HK_TYPE_TIMER) as a 0/1 array; `llcOf`: each CPU's LLC id (the MC domain). */
  constructor(hkTimer: Uint8Array, llcOf: Int32Array) {
    this.hk = hkTimer
    const n = hkTimer.length
    this.order = []
    for (let c = 0; c < n; c++) {
      const near: number[] = []
      const far: number[] = []
      for (let i = 0; i < n; i++) {
        if (i === c || !hkTimer[i]) continue
        if (llcOf[i] === llcOf[c]) near.push(i)
        else far.push(i)
      }
      this.order.push(Int32Array.from([...near, ...far]))
    }
  }

  /** get_nohz_timer_target() called on `cpu`; `cur[c] < 0` means CPU c is idle (idle_cpu()). */
  target(cpu: number, cur: Int32Array): number {
    if (this.hk[cpu] && cur[cpu]! >= 0) return cpu
    const order = this.order[cpu]!
    for (let k = 0; k < order.length; k++) if (cur[order[k]!]! >= 0) return order[k]!
    if (this.hk[cpu]) return cpu
    // housekeeping_any_cpu(): the closest housekeeping CPU (the first in the order: same LLC first)
    return order.length ? order[0]! : cpu
  }
}
