// The guest's nohz idle balancing (kernel/sched/fair.c nohz_idle_balance() → rebalance_domains() →
// load_balance() → detach_tasks() / attach_tasks(), the kick by kick_ilb()), reduced to its effect inside one LLC: every
// balance interval each idle vCPU pulls one queued (runnable, not running) thread from a vCPU of its LLC that runs more
// than one, and is kicked to run it. Simplification: the DIE/NUMA levels, load weights and the kick's sender exit are
// not modelled.
import { Ev, Irq } from '../sim/constants.ts'
import type { ModelCore, Parts } from '../sim/model-parts.ts'
import type { HostRunqueues } from '../host/runqueues.ts'
import { entityLag } from '../host/fair-sched.ts'
import type { SchedTopology, RqView } from './select-idle.ts'

/** What the balancer reads and changes of the guest scheduler (guest-sched.ts). */
export interface BalanceRunqueues {
  readonly cfs: HostRunqueues[]
  readonly rq: RqView
  readonly schedTopo: SchedTopology[]
  readonly thrPinned: Uint8Array
  readonly needResched: Uint8Array
  /** enqueue_task_fair() of a runnable thread on vCPU c from vCPU thisCpu. */
  enqueueThread(tid: number, c: number, migrated: boolean, thisCpu: number): boolean
}

export class GuestIdleBalance {
  private readonly m: ModelCore
  private readonly s: BalanceRunqueues
  private halt!: Parts['halt']
  private idle!: Parts['idle']
  private irq!: Parts['irq']

  constructor(m: ModelCore, s: BalanceRunqueues) {
    this.m = m
    this.s = s
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.idle = p.idle
    this.irq = p.irq
  }

  /** The MC domain's balance interval for idle CPUs: sd->min_interval = sd_weight ms (sd_init()). */
  balanceIntervalNs(vi: number): number {
    return this.m.inp.vms[vi]!.llcSize * 1e6
  }

  /** Ev.IDLE_BALANCE of VM vi: each idle vCPU pulls one thread inside its LLC; the next balance is scheduled. */
  onIdleBalance(vi: number): void {
    const s = this.s
    const t = s.schedTopo[vi]!
    const q = s.cfs[vi]!
    for (let c = t.first; c < t.first + t.nrCpus; c++) {
      if (s.rq.nrRunning[c] !== 0) continue
      const base = c - ((c - t.first) % t.llcSize)
      const end = Math.min(base + t.llcSize, t.first + t.nrCpus)
      for (let src = base; src < end; src++) {
        // detach_tasks(): an idle CPU never takes the only task of a runqueue (nr_running <= 1: a wakee about to run)
        if (q.nrQueued[src]! === 0 || s.rq.nrRunning[src]! <= 1) continue
        // detach the most recently queued thread that may run here (can_migrate_task())
        let tid = q.firstQueued(src)
        while (tid >= 0 && s.thrPinned[tid]) tid = q.nextQueued(tid)
        if (tid < 0) continue
        // detach_task() → attach_task(): EEVDF carries its lag over (update_entity_lag()), CFS its vruntime relative to
        // min_vruntime (enqueueWaking() with `migrated`)
        if (q.p.era === 'eevdf') q.lag[tid] = entityLag(q.p, q.vruntime[tid]!, q.avgVruntime(src), q.tickNs)
        q.unlink(tid)
        s.rq.nrRunning[src]!--
        s.enqueueThread(tid, c, true, c)
        // the kick (kick_ilb() → send_call_function_single_ipi()) is skipped for a polling vCPU: set_nr_if_polling()
        // sets TIF_NEED_RESCHED instead, which the idle loop sees now or, out on an exit or preempted, when it is back
        // (guest-idle.ts resumeIdle())
        if (this.idle.pollingInIdle(c)) { s.needResched[c] = 1; this.halt.wakeVcpu(c) }
        else this.irq.deliverGuestIrq(c, Irq.IPI, this.m.inp.vms[vi]!.postedInterrupts)
        break
      }
    }
    this.m.engine.schedule(this.balanceIntervalNs(vi), Ev.IDLE_BALANCE, vi)
  }
}
