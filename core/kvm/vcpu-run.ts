// The vCPU run loop (vcpu_run() / vcpu_enter_guest() in arch/x86/kvm/x86.c): a VM exit suspends the guest's work and
// is handled in root mode for a sampled time; then the exit's handler runs — a TABLE indexed by the handler the exit
// named (HostModel registers one per kind: VM entry, kvm_vcpu_halt(), a host preemption, a reschedule, …).
// Requests are handled at entry, as vcpu_enter_guest() does: a pending reschedule (need_resched: the thread gives its
// pCPU up first), then record_steal_time() and the entry, recorded as perf records kvm_exit → kvm_entry.
import { CostId } from '../costs/cost-tables.ts'
import { Ev, St, After } from '../sim/constants.ts'
import { pollutionAfterEntry } from './indirect-cost.ts'
import type { ModelCore, Parts, RunLoop } from '../sim/model-parts.ts'
import type { ModelStats } from '../sim/statistics.ts'
import type { StealTime } from './steal-time.ts'
import type { VcpuState } from './vcpu.ts'

/** In root mode: what may begin an exit (guest mode, or the exit a guest-mode wake turns into). */
const FROM_GUEST = (1 << St.RUN) | (1 << St.GUEST_HLT) | (1 << St.GUEST_POLL)

export class VcpuRun implements RunLoop {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private readonly stats: ModelStats
  private readonly steal: StealTime
  private idle!: Parts['idle']
  private sched!: Parts['sched']
  private work!: Parts['work']
  /** The exit handlers, indexed by After: what runs when an exit's handling is over. */
  private readonly handlers: ((g: number) => void)[] = []

  constructor(m: ModelCore, stats: ModelStats, steal: StealTime) {
    this.m = m
    this.v = m.vcpu
    this.stats = stats
    this.steal = steal
    this.handlers[After.ENTRY] = (g) => this.enterGuest(g, false, true)
    this.handlers[After.IDLE] = (g) => this.enterGuest(g, true, true)
    this.handlers[After.RESCHED] = (g) => {
      this.v.exitHandler[g] = After.ENTRY
      this.sched.descheduleVcpu(g)
    }
  }

  link(p: Parts): void {
    this.idle = p.idle
    this.sched = p.sched
    this.work = p.work
  }

  /** Registers the handler that runs at the end of exits naming `after` (kvm_vmx_exit_handlers[] / svm_exit_handlers[]). */
  setHandler(after: number, fn: (g: number) => void): void {
    this.handlers[after] = fn
  }

  /** A VM exit: suspends guest work and handles it in root mode for `ns`, then the handler `after`. */
  beginExit(g: number, reason: number, cause: number, ns: number, after: number): void {
    const v = this.v
    if (v.checking) v.expect(g, FROM_GUEST, 'a VM exit')
    this.work.suspendWork(g)
    const now = this.m.engine.now
    v.exitStart[g] = now
    v.exitReason[g] = reason
    v.exitCause[g] = cause
    v.exitHandler[g] = after
    v.setState(g, St.EXIT)
    v.exitEnd[g] = now + ns
    this.m.engine.schedule(ns, Ev.EXIT_DONE, g, ++v.exitTok[g]!)
  }

  /** Host work in root mode while an exit is handled (an IRQ arriving then) delays the entry. */
  extendExit(g: number, ns: number): void {
    const v = this.v
    v.exitEnd[g]! += ns
    this.m.engine.scheduleAt(v.exitEnd[g]!, Ev.EXIT_DONE, g, ++v.exitTok[g]!)
  }

  /** Ev.EXIT_DONE: the exit's handling is over. */
  onExitDone(g: number, tok: number): void {
    if (tok !== this.v.exitTok[g]) return
    const h = this.v.exitHandler[g]!
    // the common handler, VM entry, is called directly (the table's call site is megamorphic)
    if (h === After.ENTRY) this.enterGuest(g, false, true)
    else this.handlers[h]!(g)
  }

  exitDone(g: number): void {
    this.handlers[this.v.exitHandler[g]!]!(g)
  }

  /** vcpu_enter_guest(): with `reschedFirst` (after an exit) a pending reschedule first (the thread gives its pCPU
   *  up, and enters when it has it back); else the entry, and the guest goes on with the idle entry the exit
   *  interrupted, its idle loop, or its work. One function for both callers: a call less on the path every exit
   *  takes, and one compile less for V8 (bench/README.md, "Cold runs, fifth pass"). */
  enterGuest(g: number, idleEntry: boolean, reschedFirst: boolean): void {
    if (reschedFirst && this.v.needResched[g]) {
      this.v.exitHandler[g] = idleEntry ? After.IDLE : After.ENTRY
      this.sched.descheduleVcpu(g)
      return
    }
    this.vmEntry(g)
    if (idleEntry) { this.idle.idleAfterTickStop(g); return }
    if (this.v.idle[g]) { this.idle.resumeIdle(g); return }
    this.work.dispatchNext(g)
  }

  /** VM entry: the exit is recorded as perf records kvm_exit → kvm_entry, and the guest work that follows owes the
   *  indirect cost — one refill pending, however many exits came without guest work between them (indirect-cost.ts). */
  vmEntry(g: number): void {
    const v = this.v
    const start = v.exitStart[g]!
    if (start >= this.m.warmupEnd) this.stats.recordExit(g, v.vmOf[g]!, v.exitReason[g]!, v.exitCause[g]!, this.m.engine.now - start)
    v.pollution[g] = pollutionAfterEntry(v.pollution[g]!, this.m.cost(v.keptLoaded[g] ? CostId.indirectKeptLoaded : CostId.indirect))
    v.keptLoaded[g] = 0
    this.steal.recordSteal(g)
    v.setState(g, St.RUN)
  }
}
