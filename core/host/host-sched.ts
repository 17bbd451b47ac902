// The host scheduler's side of the model (kernel/sched/core.c __schedule(), try_to_wake_up(), fair.c
// select_task_rq_fair() through core/host/wake-affine.ts), calling KVM's preempt notifiers (core/kvm/sched-hooks.ts): kvm_sched_out() when a
// vCPU thread leaves its pCPU, kvm_sched_in() when it gets one. The run queues and the EEVDF/CFS arithmetic live in
// runqueues.ts and fair-sched.ts; load balancing (newidle, periodic, nohz idle) in load-balance.ts.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, After, inGuestMode } from '../sim/constants.ts'
import type { ModelCore, Parts, HostSched as HostSchedPart } from '../sim/model-parts.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import type { Cpuidle } from './cpuidle.ts'
import { SPREADS } from '../sim/spreads.ts'
import { ttwuQueueEra, ttwuQueueCond } from '../guest/rq-lock.ts'
import { LoadBalancer } from './load-balance.ts'
import type { LbHost } from './load-balance.ts'
import { WakeAffine, wakeAffineParams } from './wake-affine.ts'

export class HostScheduler implements HostSchedPart, LbHost {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly cpuidle: Cpuidle
  private halt!: Parts['halt']
  private hooks!: Parts['hooks']
  private run!: Parts['run']
  private tasks!: Parts['tasks']
  /** Per host thread: the CPUs it may run on (a mask over pCPUs), or null when pinned to one pCPU. */
  readonly allowedMask: (Uint8Array | null)[] = []
  readonly allowedList: (Int32Array | null)[] = []
  /** Per pCPU: more than one host thread may run there (the tick then runs on nohz_full CPUs when needed). */
  readonly mayShare: Uint8Array
  readonly sliceTok: Int32Array
  /** Per VM: vCPU thread migrations between pCPUs after warm-up. */
  readonly hostMigrations: Float64Array
  /** Per vCPU thread: the idle token of its last wake-up onto an idle pCPU (vcpuReady(): woken, not yet switched in). */
  private readonly wokenOntoIdle: Int32Array
  /** That wake-up went through the target pCPU's wake list (ttwu_queue_wakelist()). */
  private readonly wokenViaWakelist: Uint8Array
  /** Per vCPU thread: until when a wake-up onto a busy pCPU of another LLC leaves it TASK_WAKING on that pCPU's wake
   *  list (ttwu_queue() → ttwu_queue_remote(): the IPI's time; −1: none). The enqueue itself is not delayed here. */
  private readonly remoteWakingUntil: Float64Array
  /** The host's ttwu_queue_cond() era (core/guest/rq-lock.ts ttwuQueueEra(), by host version and stable backports). */
  private readonly ttwuEra: number
  /** The load balancer (rebalance_domains(), newidle_balance(), nohz idle balancing). */
  readonly lb: LoadBalancer
  /** Wake-up placement: record_wakee(), wake_wide(), wake_affine(), select_idle_sibling(). */
  readonly wa: WakeAffine

  constructor(m: ModelCore, cpuidle: Cpuidle) {
    this.m = m
    this.v = m.vcpu
    this.cpuidle = cpuidle
    const inp = m.inp
    const allow = (cpus: number[] | null): void => {
      if (!cpus) { this.allowedMask.push(null); this.allowedList.push(null); return }
      const mask = new Uint8Array(inp.nrCpus)
      for (const c of cpus) mask[c] = 1
      this.allowedMask.push(mask)
      this.allowedList.push(Int32Array.from(cpus))
    }
    inp.vcpus.forEach((v) => allow(v.allowed))
    inp.tasks.forEach((t) => allow(t.cpus.length === 1 ? null : t.cpus))
    this.mayShare = new Uint8Array(inp.nrCpus)
    for (let c = 0; c < inp.nrCpus; c++) this.mayShare[c] = inp.threadsMayRun[c]! > 1 ? 1 : 0
    this.sliceTok = new Int32Array(inp.nrCpus)
    this.hostMigrations = new Float64Array(inp.vms.length)
    this.wokenOntoIdle = new Int32Array(m.nV).fill(-1)
    this.wokenViaWakelist = new Uint8Array(m.nV)
    this.remoteWakingUntil = new Float64Array(m.nV).fill(-1)
    this.ttwuEra = ttwuQueueEra(m.inp.hostVersion)
    this.lb = new LoadBalancer(m, this, this.allowedMask, (c) => cpuidle.cstateLatency(c))
    this.wa = new WakeAffine({ nrCpus: inp.nrCpus, inDomain: inp.schedDomain, llcOf: inp.llcOf, coreOf: inp.coreOf, levels: this.lb.levels },
      m.nV + inp.tasks.length, wakeAffineParams(inp.hostVersion, inp.hostHz))
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.hooks = p.hooks
    this.run = p.run
    this.tasks = p.tasks
    p.run.setHandler(After.PREEMPT, (g) => this.preemptStart(g))
  }

  /** The host scheduler takes pCPU c from its running thread (a woken thread preempts it, or its slice is over).
   *  A vCPU thread in guest mode is kicked out by an IPI (an EXTERNAL_INTERRUPT exit); one in root mode gives the pCPU
   *  up at its next return to the guest; one halt-polling stops polling and blocks (kvm_vcpu_can_poll()). */
  reschedCurr(c: number, cause: number): void {
    const h = this.m.hrq.cur[c]!
    if (h < 0) { this.pickNext(c); return }
    if (h >= this.m.nV) {
      this.tasks.taskPreempted(h, c)
      this.pickNext(c)
      return
    }
    const v = this.v
    const s = v.state[h]!
    if (inGuestMode(s)) {
      // set_tsk_need_resched() now; the IPI kicks the vCPU out of guest mode as a separate event, so a wake-up made in
      // the middle of this vCPU's own work (its ICR write woke a sibling) cannot tear that work apart
      v.needResched[h] = 1
      v.reschedCause[h] = cause
      this.m.engine.schedule(0, Ev.RESCHED_KICK, h)
    } else if (s === St.HOST_POLL) {
      v.idleTok[h]!++
      this.halt.block(h)
    } else {
      v.needResched[h] = 1
    }
  }

  /** Ev.RESCHED_KICK: the reschedule IPI (or the tick) reaches a vCPU that must give its pCPU up — an exit unless it
   *  already left guest mode (then it gives the pCPU up at the end of that exit). */
  onReschedKick(g: number): void {
    const v = this.v
    if (!v.needResched[g] || !inGuestMode(v.state[g]!) || this.m.hrq.cur[v.pcpuOf[g]!] !== g) return
    const cause = v.reschedCause[g]!
    const handler = cause === this.m.causeIds.slice ? this.m.cost(CostId.hostTimerHandler) : this.m.cost(CostId.hostIpiHandler)
    this.run.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, cause, this.m.cost(CostId.exitExternalInterrupt) + handler, After.RESCHED)
  }

  /** __schedule() called by the running vCPU thread g while runnable (need_resched, a yield): pick_next_task() with g
   *  back on its run queue. Only when it picks another thread does context_switch() run the preempt notifiers —
   *  kvm_sched_out() with current->on_rq (a real preemption: vcpu->preempted, the steal-time flag) and later
   *  kvm_sched_in(). When it picks g again (`if (likely(prev != next))` fails: the skip buddy of a yield not given way
   *  to, a next buddy too far ahead, a resched whose wakee is not ahead) nothing is scheduled out: no notifier, no
   *  vcpu_put()/vcpu_load(), and g goes on where it was. */
  descheduleVcpu(g: number): void {
    const v = this.v
    const hrq = this.m.hrq
    const now = this.m.engine.now
    v.needResched[g] = 0
    const c = v.pcpuOf[g]!
    hrq.requeueCurr(c, now)
    const h = hrq.pick(c)
    if (h === g) {
      hrq.keepCurr(g, c)
      // check_preempt_tick() looks again at the next tick when the slice is already used up
      const left = hrq.sliceLeft(c, now)
      if (hrq.nrQueued[c]! > 0) this.m.engine.schedule(left > 1_000 ? left : hrq.tickNs, Ev.HOST_SLICE, c, ++this.sliceTok[c]!)
      this.resumeVcpu(g)
      return
    }
    v.setState(g, St.PREEMPTED)
    this.hooks.schedOutPreempted(g)
    this.switchTo(c, h, 0)
  }

  /** __schedule() on pCPU c: the next waiting thread runs (or one pulled from a busy pCPU by idle balancing). A pCPU
   *  that idled takes the idle period into avg_idle (a wake-up onto it). */
  pickNext(c: number): void {
    this.lb.idleEnds(c)
    this.switchTo(c, this.m.hrq.pick(c), 0)
  }

  /** Load balancing pulled threads onto idle pCPU c: it runs one after `delayNs`. */
  startIdle(c: number, delayNs: number): void {
    this.switchTo(c, this.m.hrq.pick(c), delayNs)
  }

  /** The tick's trigger_load_balance() on busy pCPU c: the SCHED_SOFTIRQ's time there. */
  balanceTick(c: number): number {
    return this.lb.tick(c)
  }

  /** context_switch() on pCPU c to host thread h, the pick (−1: none waits there; newidle_balance() may pull one), after
   *  `delayNs` more (a balance pass that pulled it). */
  private switchTo(c: number, picked: number, delayNs: number): void {
    const hrq = this.m.hrq
    const now = this.m.engine.now
    const nV = this.m.nV
    let h = picked
    let delay = delayNs
    if (h < 0) {
      delay += this.lb.newidle(c)
      h = hrq.pick(c)
    }
    if (h < 0) return
    // close the vCPU's wait (steal) before it holds the pCPU: its schedule-in then counts on the pCPU
    if (h < nV) this.v.setState(h, St.PREEMPTED)
    hrq.setCurr(h, c, now)
    if (h < nV) {
      let ns = delay + this.hooks.schedIn(h, c)
      if (this.v.pcpuOf[h] !== c) { this.migrateVcpu(h, c); ns += this.m.cost(CostId.vcpuMigration) }
      this.m.engine.schedule(ns, Ev.PREEMPT_DONE, h, ++this.v.exitTok[h]!)
    } else {
      const t = this.tasks
      const k = h - nV
      t.taskSince[k] = now
      t.taskEnd[k] = now + delay + t.taskRem[k]!
      this.m.engine.schedule(delay + t.taskRem[k]!, Ev.TASK_DONE, h, ++t.taskTok[k]!)
    }
    this.armSlice(c)
  }

  /** A thread now waits on pCPU c without preempting the running one. A halt-polling vCPU thread stops polling and
   *  blocks at once (kvm_vcpu_can_poll(): single_task_running() is false); otherwise the slice timer runs. */
  queuedBehind(c: number): void {
    const h = this.m.hrq.cur[c]!
    if (h >= 0 && h < this.m.nV && this.v.state[h] === St.HOST_POLL) {
      this.v.idleTok[h]!++
      this.halt.block(h)
      return
    }
    this.armSlice(c)
  }

  /** Starts the slice timer of pCPU c when threads wait there (the tick's check_preempt_tick() / update_deadline()). */
  armSlice(c: number): void {
    const hrq = this.m.hrq
    const h = hrq.cur[c]!
    if (h < 0 || hrq.nrQueued[c] === 0) return
    this.m.engine.schedule(hrq.sliceLeft(c, this.m.engine.now), Ev.HOST_SLICE, c, ++this.sliceTok[c]!)
  }

  /** Ev.HOST_SLICE: the running thread's slice may be over. */
  onSlice(c: number, tok: number): void {
    if (tok !== this.sliceTok[c]) return
    if (this.m.hrq.sliceExpired(c, this.m.engine.now)) this.reschedCurr(c, this.m.causeIds.slice)
    else this.armSlice(c)
  }

  /** select_task_rq_fair() for a waking host thread h last on prev (core/host/wake-affine.ts): with the waker known —
   *  host thread `waker` on pCPU `wakerCpu` — record_wakee(), wake_wide() and wake_affine() choose between the waker's
   *  pCPU and prev, then select_idle_sibling() looks for an idle pCPU in the chosen one's LLC (never another LLC); with
   *  the waker unknown (−1: a timer or device interrupt, a host task's own timer) the wake-up is placed as if made on
   *  prev. A thread allowed on one pCPU stays there (select_task_rq() skips the class's hook); a previous pCPU outside
   *  the thread's mask falls back to the first idle allowed pCPU, else the first allowed one. */
  selectCpu(h: number, prev: number, wakerCpu = -1, waker = -1): number {
    const list = this.allowedList[h]
    if (!list) return prev
    const mask = this.allowedMask[h]!
    if (mask[prev] !== 1) {
      const c = this.firstIdle(list)
      return c >= 0 ? c : list[0]!
    }
    const now = this.m.engine.now
    return this.wa.select(this.m.hrq, h, prev, mask, wakerCpu, waker, now, now >= this.m.warmupEnd)
  }

  /** The first idle allowed pCPU of the scheduling domains in mask order, or −1. */
  private firstIdle(list: Int32Array): number {
    const dom = this.m.inp.schedDomain
    for (let i = 0; i < list.length; i++) if (dom[list[i]!] === 1 && this.m.hrq.idleCpu(list[i]!)) return list[i]!
    return -1
  }

  /** select_task_rq_fair() with SD_BALANCE_FORK for a new host thread's first wake-up (wake_up_new_task()):
   *  find_idlest_cpu() — an idle allowed pCPU (the first one's if idle, else one in its LLC, else in any LLC: the
   *  slow path walks every domain with SD_BALANCE_FORK), else the allowed pCPU with the fewest runnable threads
   *  (find_idlest_group_cpu(): the first of least load), not the CPU the parent ran on — among the CPUs of the
   *  scheduling domains when the mask has any. */
  selectNewTaskCpu(h: number, prev: number): number {
    const list = this.allowedList[h]
    if (!list) return prev
    const dom = this.m.inp.schedDomain
    let first = list[0]!
    for (let i = list.length - 1; i >= 0; i--) if (dom[list[i]!] === 1) first = list[i]!
    const c = this.forkIdle(list, first)
    if (c >= 0) return c
    const hrq = this.m.hrq
    let best = first
    let least = Infinity
    for (let i = 0; i < list.length; i++) {
      if (dom[list[i]!] !== 1 && dom[first] === 1) continue
      const n = hrq.nrRunning(list[i]!)
      if (n < least) { least = n; best = list[i]! }
    }
    return best
  }


  /** find_idlest_cpu()'s idle pick for a fork from `first`: first if idle (or off the domains), else an idle allowed
   *  domain pCPU of its LLC, else of any LLC; −1 when none is idle (or first, busy, is off the domains). */
  private forkIdle(list: Int32Array, first: number): number {
    const hrq = this.m.hrq
    const dom = this.m.inp.schedDomain
    if (hrq.idleCpu(first)) return first
    if (dom[first] !== 1) return -1
    const llcOf = this.m.inp.llcOf
    let other = -1
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!
      if (dom[c] !== 1 || !hrq.idleCpu(c)) continue
      if (llcOf[c] === llcOf[first]) return c
      if (other < 0) other = c
    }
    return other
  }

  /** The vCPU thread now runs on pCPU c: its LAPIC timer follows it (kvm_arch_vcpu_load() → kvm_migrate_timers()) on
   *  that pCPU's timer path, and its caches start cold. */
  migrateVcpu(g: number, c: number): void {
    this.v.pcpuOf[g] = c
    this.hooks.migrated(g, c)
    if (this.m.engine.now >= this.m.warmupEnd) this.hostMigrations[this.v.vmOf[g]!]!++
  }

  /** try_to_wake_up() of a blocked vCPU thread (kvm_vcpu_wake_up() → rcuwait_wake_up()): select_task_rq_fair() picks
   *  its pCPU; it runs there after the wake-up IPI, the pCPU's C-state exit and the schedule-in — or waits behind
   *  the thread running there (steal time), or preempts it. `waker`: the vCPU thread whose exit wakes it, when the
   *  model knows it (−1: none — an interrupt; its pCPU is then taken to share the wakee's LLC): select_task_rq_fair()
   *  runs on the waker's pCPU (smp_processor_id(), `current` the waker: wake_affine()), and ttwu_queue() sends a
   *  wake-up onto another LLC through that pCPU's wake list (ttwuQueueCond(): every host version). */
  wakeVcpuThread(g: number, local = false, waker = -1): void {
    const v = this.v
    const hrq = this.m.hrq
    const now = this.m.engine.now
    const prev = v.pcpuOf[g]!
    const wakerCpu = waker >= 0 ? v.pcpuOf[waker]! : -1
    const c = this.selectCpu(g, prev, wakerCpu, waker)
    const migrated = c !== prev
    const sameLlc = wakerCpu < 0 || this.m.inp.llcOf[wakerCpu] === this.m.inp.llcOf[c]
    this.remoteWakingUntil[g] = sameLlc ? -1 : now + this.m.inp.costs.wakeupIpi.meanNs
    if (hrq.cur[c]! >= 0) {
      if (migrated) this.migrateVcpu(g, c)
      v.setState(g, St.PREEMPTED)
      const preempt = hrq.enqueueWaking(g, c, now, migrated)
      if (preempt) this.reschedCurr(c, this.m.causeIds.resched)
      else this.queuedBehind(c)
      return
    }
    if (migrated) {
      this.migrateVcpu(g, c)
      v.wakeLatency[g] = this.cpuidle.cstateLatency(c)
    }
    this.lb.idleEnds(c)
    this.cpuidle.idleEnded(c, now - v.stateSince[g]!)
    v.setState(g, St.WAKING)
    hrq.enqueueWaking(g, c, now, migrated)
    hrq.setCurr(g, c, now)
    // an interrupt on the thread's own idle pCPU (its local LAPIC hrtimer) wakes it there without a wake-up IPI
    const ipi = local && !migrated ? 0 : this.m.cost(CostId.wakeupIpi)
    this.m.engine.schedule(ipi + v.wakeLatency[g]! + this.hooks.schedIn(g, c), Ev.WAKE_DONE, g, ++v.idleTok[g]!)
    this.wokenOntoIdle[g] = v.idleTok[g]!
    // the host's ttwu_queue_cond() for the idle pCPU (nr_running 0) and a wakee not on a CPU: from 6.0 (f3dd3f674555,
    // stable 5.15.61) a wake-up onto another CPU that is idle goes through its wake list — the task stays TASK_WAKING,
    // on no run queue, until that CPU's idle task runs sched_ttwu_pending(); before, one within the LLC is enqueued at
    // once (ttwu_do_activate() under the remote rq->lock). The waker is taken to share the wakee's LLC (the model does
    // not track which CPU runs kvm_vcpu_wake_up()), so a cross-LLC wake-up before 6.0, which also takes the wake list,
    // is enqueued here.
    this.wokenViaWakelist[g] = ttwuQueueCond(this.ttwuEra, sameLlc, local && !migrated, 0, false) ? 1 : 0
  }

  /** A vCPU thread woken onto an idle pCPU through its wake list and not yet there: TASK_WAKING, so yield_to() finds it
   *  not running (!task_is_running(p)) and returns 0, though kvm_vcpu_wake_up() has set vcpu->ready. */
  vcpuOnWakelist(g: number): boolean {
    return (this.wokenViaWakelist[g] === 1 && this.wokenOntoIdleNotIn(g)) || this.remoteWaking(g)
  }

  /** Woken onto a busy pCPU of another LLC less than the wake-up IPI's time ago and not running yet: still TASK_WAKING
   *  on that pCPU's wake list (ttwu_queue_remote(); sched_ttwu_pending() there has not run), so a yield_to() in the
   *  waker's same exit — kvm_sched_yield() right after kvm_pv_kick_cpu_op() — finds p->state set and returns 0. */
  private remoteWaking(g: number): boolean {
    return this.m.hrq.queued[g] === 1 && this.m.engine.now < this.remoteWakingUntil[g]!
  }

  /** KVM's vcpu->ready (virt/kvm/kvm_main.c): set by kvm_sched_out() when the thread leaves its pCPU runnable and by
   *  kvm_vcpu_wake_up() when it wakes it, cleared by kvm_sched_in() at the switch to it. So a vCPU thread waiting on a
   *  run queue — and one woken onto an idle pCPU until that pCPU has switched to it (its wake-up IPI, C-state exit and
   *  schedule-in: on_rq and TASK_RUNNING, but not yet task_running(), so yield_to() accepts it). */
  vcpuReady(g: number): boolean {
    return this.m.hrq.queued[g] === 1 || this.wokenOntoIdleNotIn(g)
  }

  /** Woken onto an idle pCPU by its last wake-up (the token still current) and not yet switched in there. */
  private wokenOntoIdleNotIn(g: number): boolean {
    return this.v.state[g] === St.WAKING && this.wokenOntoIdle[g] === this.v.idleTok[g]
  }

  /** A kworker (or another host thread) takes the pCPU from the vCPU thread for a while (After.PREEMPT). */
  private preemptStart(g: number): void {
    this.v.setState(g, St.PREEMPTED)
    this.hooks.schedOutPreempted(g)
    // back on the same pCPU: kvm_sched_in() — the PLE window shrinks as after any schedule-out, then vcpu_load()
    this.m.engine.schedule(this.m.rng.lognormal(this.m.inp.kworkerNs, SPREADS.kworkerRun) + this.hooks.schedIn(g, this.v.pcpuOf[g]!), Ev.PREEMPT_DONE, g, ++this.v.exitTok[g]!)
  }

  /** Ev.PREEMPT_DONE: the vCPU thread has its pCPU again (kvm_sched_in()): back into the guest. */
  onPreemptDone(g: number, tok: number): void {
    const v = this.v
    if (tok !== v.exitTok[g]) return
    if (v.needResched[g]) { this.descheduleVcpu(g); return }
    this.resumeVcpu(g)
  }

  /** The vCPU thread runs on after a schedule (switched back in, or never switched out): back into the guest. */
  private resumeVcpu(g: number): void {
    const v = this.v
    // woken from an HLT block onto a busy pCPU: the HLT exit ends now
    if (this.halt.inHltExit(g)) { this.halt.threadRunsInBlock(g); return }
    const idleEntry = v.exitHandler[g] === After.IDLE
    v.exitHandler[g] = After.ENTRY
    this.run.enterGuest(g, idleEntry, false)
  }
}
