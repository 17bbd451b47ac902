// Host tasks that compete with vCPU threads for pCPUs: CPU hogs and periodic neighbours (a sleep, a burst), and
// driven tasks — a VM's vhost worker, given work by its workload (vhost_worker() loops while work is queued). Each is a
// host thread of the run queues (ids nV…): woken by try_to_wake_up() on the pCPU HostScheduler.selectCpu() gives.
import { Ev, PCPU_TIME_COUNT, PcpuTime } from '../sim/constants.ts'
import type { ModelCore, Parts, HostTasks as HostTasksPart } from '../sim/model-parts.ts'
import { SPREADS } from '../sim/spreads.ts'

export class HostTasks implements HostTasksPart {
  private readonly m: ModelCore
  private sched!: Parts['sched']
  readonly taskTok: Int32Array
  /** A host task's remaining burst while it waits or runs, and when the running burst ends. */
  readonly taskRem: Float64Array
  readonly taskEnd: Float64Array
  /** A driven task's (vhost worker's) completion event (kind, target) for its current work; kind −1: none. */
  readonly taskCbKind: Int32Array
  readonly taskCbTarget: Int32Array
  /** A task pinned to a pCPU no other host thread may use (no scheduling against anything), or −1. */
  readonly taskAloneOn: Int32Array
  /** When the running task's time on its pCPU was last accounted. */
  readonly taskSince: Float64Array
  /** Whether the task has been woken before (0: its first wake-up is its fork: HostScheduler.selectNewTaskCpu()). */
  private readonly forked: Uint8Array

  constructor(m: ModelCore, mayShare: Uint8Array) {
    this.m = m
    const n = m.inp.tasks.length
    this.taskTok = new Int32Array(n)
    this.taskRem = new Float64Array(n)
    this.taskEnd = new Float64Array(n)
    this.taskCbKind = new Int32Array(n).fill(-1)
    this.taskCbTarget = new Int32Array(n)
    this.taskAloneOn = new Int32Array(n).fill(-1)
    m.inp.tasks.forEach((t, k) => { if (t.cpus.length === 1 && !mayShare[t.cpus[0]!]) this.taskAloneOn[k] = t.cpus[0]! })
    this.taskSince = new Float64Array(n)
    this.forked = new Uint8Array(n)
  }

  link(p: Parts): void {
    this.sched = p.sched
  }

  /** At time 0: every undriven task starts asleep (or, a CPU hog, runnable at once). */
  start(): void {
    const m = this.m
    for (let k = 0; k < m.inp.tasks.length; k++) {
      const t = m.inp.tasks[k]!
      if (!t.driven) m.engine.schedule(t.sleepNs > 0 ? m.rng.exponential(t.sleepNs) : 0, Ev.TASK_WAKE, m.nV + k)
    }
  }

  /** Ev.TASK_WAKE: a task's sleep is over — a new burst. */
  onWake(h: number): void {
    const k = h - this.m.nV
    this.taskRem[k] = this.m.rng.lognormal(this.m.inp.tasks[k]!.runNs, SPREADS.hostTaskBurst)
    this.wakeTask(h)
  }

  /** try_to_wake_up() of host task h: on the pCPU selectCpu() gives, it runs at once if that is idle, preempts the
   *  running thread, or waits. */
  private wakeTask(h: number): void {
    const m = this.m
    const sched = this.sched
    const t = m.inp.tasks[h - m.nV]!
    const prev = m.hrq.cpu[h]!
    // a task's first wake-up is its fork (wake_up_new_task(): fork balancing); later ones select_task_rq_fair() with
    // no waker tracked (its own timer; a vhost worker's kick comes from a vCPU's exit the model does not pass): placed
    // as if woken on its previous pCPU, no wake_affine()
    const first = this.forked[h - m.nV] === 0
    this.forked[h - m.nV] = 1
    const c = first ? sched.selectNewTaskCpu(h, t.cpus[0]!) : sched.selectCpu(h, sched.allowedList[h] ? prev : t.cpus[0]!)
    const preempt = m.hrq.enqueueWaking(h, c, m.engine.now, c !== prev)
    if (m.hrq.cur[c]! < 0) sched.pickNext(c)
    else if (preempt) sched.reschedCurr(c, m.causeIds.resched)
    else sched.queuedBehind(c)
  }

  /** A driven task (a vCPU's vhost worker) is given `ns` of CPU work; once it has run it, event (kind, target) is
   *  handled and the task sleeps unless that gave it more. Called while it sleeps, or from that event while it still
   *  holds its pCPU (it goes straight on, as vhost_worker() loops while work is queued). */
  runHostTask(k: number, ns: number, kind: number, target: number): void {
    const m = this.m
    const h = m.nV + k
    this.taskRem[k] = ns
    this.taskCbKind[k] = kind
    this.taskCbTarget[k] = target
    const alone = this.taskAloneOn[k]!
    if (alone >= 0 && m.hrq.cur[alone] !== h) {
      // nothing else may run on its CPU: it runs at once
      m.hrq.runAlone(h, alone)
      this.taskSince[k] = m.engine.now
    }
    if (m.hrq.cur[m.hrq.cpu[h]!] === h) {
      this.taskEnd[k] = m.engine.now + ns
      m.engine.schedule(ns, Ev.TASK_DONE, h, ++this.taskTok[k]!)
    } else if (!m.hrq.queued[h]) {
      this.wakeTask(h)
    }
    // queued (preempted while it finished its last work): it runs this when picked
  }

  /** Ev.TASK_DONE: the running burst is over. */
  onDone(h: number, tok: number): void {
    const m = this.m
    const k = h - m.nV
    if (tok !== this.taskTok[k]) return
    const t = m.inp.tasks[k]!
    const c = m.hrq.cpu[h]!
    this.accountTask(h, c)
    if (t.driven) {
      const kind = this.taskCbKind[k]!
      this.taskCbKind[k] = -1
      this.taskRem[k] = 0
      if (kind >= 0) {
        const before = this.taskTok[k]!
        m.dispatch(kind, this.taskCbTarget[k]!, 0)
        // given more work, or preempted by a thread that event woke: it stays runnable
        if (this.taskTok[k] !== before) return
      }
      if (this.taskAloneOn[k]! >= 0) { m.hrq.leaveAlone(c); return }
    } else if (t.sleepNs === 0) {
      // a CPU hog goes on with another burst
      this.taskRem[k] = m.rng.lognormal(t.runNs, SPREADS.hostTaskBurst)
      this.taskEnd[k] = m.engine.now + this.taskRem[k]!
      m.engine.schedule(this.taskRem[k]!, Ev.TASK_DONE, h, ++this.taskTok[k]!)
      return
    }
    m.hrq.sleepCurr(c, m.engine.now)
    if (!t.driven) m.engine.schedule(m.rng.exponential(t.sleepNs), Ev.TASK_WAKE, h)
    this.sched.pickNext(c)
  }

  /** A running task is preempted: it keeps the rest of its burst and waits on its pCPU. */
  taskPreempted(h: number, c: number): void {
    const k = h - this.m.nV
    this.accountTask(h, c)
    this.taskRem[k] = Math.max(0, this.taskEnd[k]! - this.m.engine.now)
    this.taskTok[k]!++
    this.m.hrq.requeueCurr(c, this.m.engine.now)
  }

  /** Its time on pCPU c since it was last accounted counts as other tasks' time. */
  accountTask(h: number, c: number): void {
    const k = h - this.m.nV
    const j = c * PCPU_TIME_COUNT + PcpuTime.OTHER_TASKS
    const acc = this.m.vcpu.pcpuAcc
    acc[j] = acc[j]! + this.m.engine.now - this.taskSince[k]!
    this.taskSince[k] = this.m.engine.now
  }
}
