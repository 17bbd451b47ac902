// Host noise on the pCPUs: device interrupts (their irqaffinity), the VMM's TLB-shootdown IPIs
// (flush_tlb_mm_range() reaches every CPU running one of its threads), the scheduler tick where it runs
// (tick_nohz_full: a nohz_full pCPU ticks only while it runs more than one thread; the residual 1 Hz tick before
// v4.17), and kworkers woken on housekeeping pCPUs. Each becomes an EXTERNAL_INTERRUPT exit of a vCPU in guest mode
// there, delays the entry of one handling an exit, or is host work on a pCPU without a running vCPU.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { Ev, St, After, inGuestMode } from '../sim/constants.ts'
import type { ModelCore, Parts, HostNoise as HostNoisePart } from '../sim/model-parts.ts'
import type { VcpuState } from '../kvm/vcpu.ts'

export class HostNoise implements HostNoisePart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private run!: Parts['run']
  private sched!: Parts['sched']
  /** Per pCPU: host interrupt work not inside a vCPU's exit (after warm-up). */
  readonly pcpuBusy: Float64Array
  /** Exit-cause ids per device IRQ source and per VM (its VMM's TLB shootdowns). */
  readonly irqCause: Int32Array
  readonly tlbCause: Int32Array

  constructor(m: ModelCore, irqCause: Int32Array, tlbCause: Int32Array) {
    this.m = m
    this.v = m.vcpu
    this.pcpuBusy = new Float64Array(m.inp.nrCpus)
    this.irqCause = irqCause
    this.tlbCause = tlbCause
  }

  link(p: Parts): void {
    this.run = p.run
    this.sched = p.sched
  }

  /** A host interrupt or IPI on pCPU c: an EXTERNAL_INTERRUPT exit if a vCPU is in guest mode there. */
  hostInterrupt(c: number, cause: number, handlerNs: number): void {
    const g = this.m.hrq.cur[c]!
    if (g < 0 || g >= this.m.nV) { this.pcpuBusy[c]! += handlerNs; return }
    const s = this.v.state[g]!
    if (inGuestMode(s)) {
      this.run.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, cause, this.m.cost(CostId.exitExternalInterrupt) + handlerNs, After.ENTRY)
    } else if (s === St.EXIT) {
      this.run.extendExit(g, handlerNs)
    } else {
      this.pcpuBusy[c]! += handlerNs
    }
  }

  /** Ev.HOST_IRQ: device IRQ source i fires on one of its CPUs. */
  onHostIrq(i: number): void {
    const m = this.m
    const src = m.inp.irqs[i]!
    const c = src.cpus[m.rng.int(src.cpus.length)]!
    this.hostInterrupt(c, this.irqCause[i]!, src.durationNs)
    m.engine.schedule(m.rng.exponential(1e9 / src.ratePerSec), Ev.HOST_IRQ, i)
  }

  /** Ev.TLB_SHOOTDOWN: flush_tlb_mm_range() from VM v's VMM reaches every CPU currently running one of its threads
   *  (not the lazy ones). */
  onTlbShootdown(vi: number): void {
    const m = this.m
    const vm = m.inp.vms[vi]!
    for (let g = vm.firstVcpu; g < vm.firstVcpu + vm.vcpus; g++) {
      const s = this.v.state[g]!
      if (s === St.BLOCKED || m.hrq.queued[g]) continue
      this.hostInterrupt(this.v.pcpuOf[g]!, this.tlbCause[vi]!, m.cost(CostId.hostIpiHandler))
    }
    m.engine.schedule(m.rng.exponential(1e9 / vm.tlbShootdownsPerSec), Ev.TLB_SHOOTDOWN, vi)
  }

  /** Ev.HOST_TICK: the host tick on a pCPU that is not nohz_full (or the residual 1 Hz tick before v4.17). */
  onHostTick(c: number): void {
    const m = this.m
    const mayShare = this.sched.mayShare
    // an idle pCPU stops its tick (NO_HZ idle); a nohz_full pCPU has one only while it runs more than one thread
    const idle = m.hrq.cur[c]! < 0
    const tickless = m.inp.nohzFull[c] === 1 && mayShare[c] === 1 && m.hrq.nrRunning(c) <= 1
    // the tick's trigger_load_balance(): SCHED_SOFTIRQ runs rebalance_domains() on its way out when a balance is due
    if (!idle && !tickless) this.hostInterrupt(c, m.causeIds.hostTick, m.cost(CostId.hostTimerHandler) + this.sched.balanceTick(c))
    const period = m.inp.nohzFull[c] && !mayShare[c] ? 1e9 : 1e9 / m.inp.hostHz
    m.engine.schedule(period, Ev.HOST_TICK, c)
  }

  /** Ev.KWORKER: a kworker woken on a housekeeping pCPU preempts the vCPU thread pinned there. */
  onKworker(c: number): void {
    const m = this.m
    const g = m.hrq.cur[c]!
    if (g >= 0 && g < m.nV && inGuestMode(this.v.state[g]!)) {
      this.run.beginExit(g, ExitReason.EXTERNAL_INTERRUPT, m.causeIds.kworker, m.cost(CostId.exitExternalInterrupt) + m.cost(CostId.hostIpiHandler), After.PREEMPT)
    } else {
      this.pcpuBusy[c]! += m.inp.kworkerNs
    }
    m.engine.schedule(m.rng.exponential(1e9 / m.inp.kworkerPerSec), Ev.KWORKER, c)
  }
}
