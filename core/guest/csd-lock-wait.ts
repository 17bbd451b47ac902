// smp_call_function_many() with wait (kernel/smp.c smp_call_function_many_cond()): the sender takes the online CPUs
// of its mask less itself (cpumask_and(cpu_online_mask), __cpumask_clear_cpu(this_cpu); smp_call_function() passes
// every online CPU), queues one call_single_data (csd) on each target's call_single_queue and IPIs only the targets
// whose queue was empty (llist_add() returned true: cfd->cpumask_ipi — a target with a csd still queued will run the
// new one in the handler it already has coming), sends those IPIs (arch_send_call_function_ipi_mask(), which a guest
// with PV IPI makes one KVM_HC_SEND_IPI hypercall: arch/x86/kernel/kvm.c kvm_send_ipi_mask(); or one target's
// send_call_function_single_ipi(), an ICR write), then spins in csd_lock_wait() — smp_cond_load_acquire() on the csd's
// CSD_FLAG_LOCK, a cpu_relax() (PAUSE) loop — until every target has run the function: the target's IPI handler
// (generic_smp_call_function_interrupt() → flush_smp_call_function_queue()) takes its whole queue (llist_del_all())
// and runs each csd, whose csd_unlock() releases its sender. So the sender's time is the slowest target's: at once for
// a running one, a wake-up for a halted one, a host reschedule for a preempted one. The spin exits on PAUSE when PLE /
// the pause filter is on for the VM (pause-loop.ts), and kvm_vcpu_on_spin() then looks for a vCPU to yield to.
// TLB shootdowns use it (native_flush_tlb_multi(), native_flush_tlb_others() before 5.10: tlb-flush.ts); PV TLB flush
// (kvm_flush_tlb_multi()) drops preempted targets from the mask before it is called.
// The ipi-broadcast workload (ipi_benchmark's smp_call_function_many() loop) and guest TLB shootdowns (tlb-flush.ts)
// both call through here. Simplifications: the sender's local call (SCF_RUN_LOCAL, on_each_cpu()) is not modelled; a
// target's queue is served by any guest IPI handler (the call-function and reschedule vectors are one Irq.IPI bit
// here); a csd of a call without wait is not queued, so it neither waits nor suppresses a later call's IPI; one IPI
// left of several goes through the mask path before guest 5.13 (callFuncSingleIpi(): with PV IPI a hypercall), but
// the PV sched yield hook still looks only at masks of two or more. A KVM_HC_SEND_IPI covers 128 APIC IDs (KVM_IPI_CLUSTER_SIZE): a mask
// spanning more takes several hypercalls (IrqDelivery.sendPvIpi(), x2apic.ts pvIpiFirstHypercallTargets()).
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { St, Work, Act, After } from '../sim/constants.ts'
import type { ModelCore, Parts, CsdLockWait as CsdLockWaitPart } from '../sim/model-parts.ts'
import { IntRings } from '../sim/int-rings.ts'
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { IPI_TLB } from '../kvm/irq-delivery.ts'
import type { VcpuState } from '../kvm/vcpu.ts'
import type { StealTime } from '../kvm/steal-time.ts'
import { yieldKind } from '../host/sched-yield.ts'
import { kvmSchedYieldHypercall, directYieldBailsOutWhenAlone } from '../kvm/pv-sched-yield.ts'

/** kvm_sched_yield()'s test, now in core/kvm/pv-sched-yield.ts with the yield itself. */
export { kvmSchedYieldTo } from '../kvm/pv-sched-yield.ts'

/** The argument of a Work.SPIN frame spinning in csd_lock_wait() (a spinlock's frame has its lock id, ≥ 0; a mutex
 *  spinner's is mutexSpinArg(), ≤ −2). */
export const SPIN_CSD = -1

/** kvm_flush_tlb_multi() (arch/x86/kernel/kvm.c, guest ≥ 4.16): a target whose steal-time `preempted` is set is
 *  dropped from the mask (KVM_VCPU_FLUSH_TLB is set instead and the host flushes at its next entry) — so the sender
 *  neither IPIs nor waits for it. Native flush (or PV TLB flush off) keeps every target. */
export function kvmFlushTlbMultiSkips(pvTlbFlush: boolean, stealTimePreempted: boolean): boolean {
  return pvTlbFlush && stealTimePreempted
}

/** kvm_smp_send_call_func_ipi() (arch/x86/kernel/kvm.c, PV sched yield, guest ≥ 5.3): after
 *  native_send_call_func_ipi() the sender walks the mask and, at the first target vcpu_is_preempted() reports, makes
 *  one KVM_HC_SCHED_YIELD hypercall for it and stops. From guest 5.18 an idle target is passed over
 *  (`!idle_cpu(cpu) && vcpu_is_preempted(cpu)`, Li RongQing, Message-Id 1644380201-29423-1-git-send-email-
 *  lirongqing@baidu.com: a host before 5.19 marks HLT-blocked vCPUs preempted). Only the mask path (two or more
 *  targets) is hooked: send_call_function_single_ipi() is not. Returns the index of the target, or −1. */
export function kvmSendCallFuncIpiYieldsTo(readsPreempted: boolean, skipIdle: boolean, targets: number, preempted: (i: number) => boolean, idle: (i: number) => boolean): number {
  if (!readsPreempted || targets < 2) return -1
  for (let i = 0; i < targets; i++) if (preempted(i) && !(skipIdle && idle(i))) return i
  return -1
}

/** llist_add() on a target's call_single_queue returns true — the queue was empty, so the target gets an IPI — when
 *  every csd queued there before has been taken by a handler already running (llist_del_all() at its start). */
export function llistAddWasEmpty(queued: number, inService: number): boolean {
  return queued === inService
}

/** smp_call_function_many_cond() with one target left in cfd->cpumask_ipi: from guest 5.13 it sends it as a
 *  single-target IPI (`nr_cpus == 1` → arch_send_call_function_single_ipi(), an ICR write even with PV IPI), added by
 *  Nadav Amit's "smp: Run functions concurrently in smp_call_function_many_cond()" (v6, Message-Id
 *  20210220231712.2475218-2-namit@vmware.com, posted after 5.12's merge window); before, every cpumask_ipi goes
 *  through arch_send_call_function_ipi_mask() — with PV IPI kvm_send_ipi_mask(), one KVM_HC_SEND_IPI even for one
 *  target (an empty mask sends nothing: __send_ipi_mask() returns on cpumask_empty()) — unless the mask itself had
 *  one target, which smp_call_function_single() took ("Fastpath: do that cpu by itself"). */
export function callFuncSingleIpi(guestVersion: string): boolean {
  return versionAtLeast(guestVersion, '5.13')
}

/** csd_lock_wait(): the sender goes on only when no csd of its call is still locked (every target's handler ran). */
export function csdLockWaitDone(pendingTargets: number): boolean {
  return pendingTargets === 0
}

export class CsdLockWait implements CsdLockWaitPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private irq!: Parts['irq']
  private ple!: Parts['ple']
  private rqlock!: Parts['rqlock']
  private run!: Parts['run']
  private sched!: Parts['sched']
  private work!: Parts['work']
  private readonly steal: StealTime
  private readonly yieldKind: number
  private readonly yieldBailsOutWhenAlone: boolean
  /** Per sender: the target its PV sched yield goes to after the sends (−1: none). */
  private readonly yieldTarget: Int32Array
  private readonly preemptedFn: (i: number) => boolean
  private readonly idleFn: (i: number) => boolean
  private scanBase = 0
  /** Per vCPU: already in the mask being built (a cpumask holds a CPU once). */
  private readonly inMask: Uint8Array
  /** Per sender: targets that have not yet run its csd. */
  readonly pending: Int32Array
  /** Per target: the senders whose csd waits in its call_single_queue, in order; and how many of them the running
   *  handler took (llist_del_all() at its start). */
  private readonly queue: IntRings
  private readonly inService: Int32Array
  /** Per sender: when its wait began, and whether its current spin budget ends in a PAUSE exit. */
  private readonly waitStart: Float64Array
  private readonly budgetPle: Uint8Array
  /** Per VM, after warm-up: waits in csd_lock_wait() and their total time (the sender's spin, exits and preemptions
   *  included). */
  readonly waits: Float64Array
  readonly waitNs: Float64Array
  /** Per VM: calls with targets, their targets (cfd->cpumask) and the targets IPIed (cfd->cpumask_ipi). */
  readonly calls: Float64Array
  readonly callTargets: Float64Array
  readonly callIpiTargets: Float64Array
  startNs = 0

  constructor(m: ModelCore, steal: StealTime) {
    this.m = m
    this.v = m.vcpu
    this.steal = steal
    this.yieldKind = yieldKind(m.inp.hostVersion)
    this.yieldBailsOutWhenAlone = directYieldBailsOutWhenAlone(m.inp.hostVersion)
    this.yieldTarget = new Int32Array(m.nV).fill(-1)
    this.preemptedFn = (i: number) => this.steal.preempted[this.irq.mcastQ[this.scanBase + i]!] === 1
    this.idleFn = (i: number) => this.v.idle[this.irq.mcastQ[this.scanBase + i]!] === 1
    const cap = m.inp.vms.reduce((n, vm) => Math.max(n, vm.vcpus), 1)
    this.pending = new Int32Array(m.nV)
    this.inMask = new Uint8Array(m.nV)
    this.queue = new IntRings(m.nV, cap)
    this.inService = new Int32Array(m.nV)
    this.waitStart = new Float64Array(m.nV)
    this.budgetPle = new Uint8Array(m.nV)
    this.waits = new Float64Array(m.inp.vms.length)
    this.waitNs = new Float64Array(m.inp.vms.length)
    this.calls = new Float64Array(m.inp.vms.length)
    this.callTargets = new Float64Array(m.inp.vms.length)
    this.callIpiTargets = new Float64Array(m.inp.vms.length)
  }

  link(p: Parts): void {
    this.irq = p.irq
    this.ple = p.ple
    this.rqlock = p.rqlock
    this.run = p.run
    this.sched = p.sched
    this.work = p.work
  }

  /** Whether vCPU g can call smp_call_function_many() now: running task-level work (not an interrupt handler, not
   *  inside a lock operation or another wait). */
  canCall(g: number): boolean {
    const v = this.v
    if (v.state[g] !== St.RUN || v.inIrq[g] || v.idle[g] || this.work.inLockOp(g)) return false
    const k = this.work.curKind[g]!
    return k === Work.ITEM || k === Work.THREAD || k === Work.NONE
  }

  /** smp_call_function_many() from vCPU src: to the n vCPUs of `mask` (its VM's, global ids), or with mask null to
   *  every other vCPU of its VM (smp_call_function()); src itself and vCPUs of other VMs are dropped. Returns the
   *  targets (0: nothing to call). `dispatch`: as callFunctionMany(). */
  smpCallFunctionMany(src: number, mask: Int32Array | null, n: number, wait: boolean, dispatch: boolean): number {
    const vm = this.m.vmSpec(src)
    const q = this.irq.mcastQ
    const base = src * this.irq.ipiCap
    const first = vm.firstVcpu
    const end = first + vm.vcpus
    let k = 0
    if (mask === null) {
      for (let g = first; g < end; g++) if (g !== src) q[base + k++] = g
    } else {
      for (let i = 0; i < n; i++) {
        const g = mask[i]!
        if (g === src || g < first || g >= end || this.inMask[g]) continue
        this.inMask[g] = 1
        q[base + k++] = g
      }
      for (let i = 0; i < k; i++) this.inMask[q[base + i]!] = 0
    }
    this.callFunctionMany(src, k, wait, false, dispatch)
    return k
  }

  /** smp_call_function_many_cond(): vCPU `src` calls the function on the n targets in irq.mcastQ (at src·ipiCap);
   *  `tlb` labels the IPIs as TLB-shootdown sends. With wait, each target's call_single_queue gets the csd and only a
   *  target whose queue held none is IPIed (cfd->cpumask_ipi); the running work goes beneath a csd_lock_wait() spin
   *  frame and resumes when every target has run the csd. `dispatch`: run the sends now (from an event); false from a
   *  work completion (itemDone / threadBurstDone), whose caller dispatches next. */
  callFunctionMany(src: number, n: number, wait: boolean, tlb: boolean, dispatch: boolean): void {
    if (n <= 0) return
    const v = this.v
    const irq = this.irq
    const work = this.work
    const vm = this.m.vmSpec(src)
    const q = irq.mcastQ
    const base = src * irq.ipiCap
    const flag = tlb ? IPI_TLB : 0
    // the IPI targets are compacted to the front of the mask (k ≤ i)
    let ipis = n
    if (wait) {
      ipis = 0
      for (let i = 0; i < n; i++) {
        const t = q[base + i]!
        // from guest 5.8 the wake list's entries share the queue (rq-lock.ts)
        const queued = this.queue.len[t]! + this.rqlock.wakelistOnCsdQueue(t)
        if (llistAddWasEmpty(queued, this.inService[t]!)) q[base + ipis++] = t
        this.queue.push(t, src)
      }
    }
    const vi = v.vmOf[src]!
    this.calls[vi]!++
    this.callTargets[vi] = this.callTargets[vi]! + n
    this.callIpiTargets[vi] = this.callIpiTargets[vi]! + ipis
    // a mask of one target took smp_call_function_single() before 5.13 ("Fastpath: do that cpu by itself")
    if (ipis === 1 && (n === 1 || vm.callFuncSingleIpi || !vm.ipiMulticastBatched)) irq.queueIpi(src, q[base]! | flag)
    else if (ipis >= 1 && vm.ipiMulticastBatched) { irq.mcastLen[src] = ipis; irq.mcastTlb[src] = tlb ? 1 : 0; v.actions[src]! |= Act.SEND_MULTI }
    else irq.queueMulticast(src, ipis, flag)
    work.suspendWork(src)
    if (wait) {
      this.scanBase = base
      const y = kvmSendCallFuncIpiYieldsTo(vm.preemptedReaders.callFuncYield, vm.preemptedReaders.callFuncYieldSkipsIdle, ipis, this.preemptedFn, this.idleFn)
      this.yieldTarget[src] = y >= 0 ? q[base + y]! : -1
      this.pending[src] = n
      this.waitStart[src] = this.m.engine.now
      work.pushLockFrame(src)
      work.curKind[src] = Work.SPIN
      work.curArg[src] = SPIN_CSD
      work.curRem[src] = 0
    }
    // the sends first (trapping actions), then the wait, then the interrupted work
    if (dispatch) work.dispatchNext(src)
  }

  /** The csds on vCPU t's call_single_queue that no running handler has taken yet. */
  queuedCsds(t: number): number {
    return this.queue.len[t]! - this.inService[t]!
  }

  /** generic_smp_call_function_interrupt() begins on vCPU t: it takes the csds queued so far. */
  ipiHandlerStart(t: number): void {
    this.inService[t] = this.queue.len[t]!
  }

  /** …and ends: each csd it ran is unlocked; a sender whose last target this was stops spinning. */
  ipiHandlerDone(t: number): void {
    let k = this.inService[t]!
    this.inService[t] = 0
    while (k-- > 0) {
      const s = this.queue.shift(t)
      const left = this.pending[s]! - 1
      this.pending[s] = left
      if (csdLockWaitDone(left) && this.spinningNow(s)) {
        this.work.suspendWork(s)
        this.work.startWork(s, Work.SPIN, SPIN_CSD, 0)
      }
    }
  }

  /** The sender (re)starts its csd_lock_wait() spin: done (a zero-length tail whose end pops the wait frame), or a
   *  budget of PAUSEs up to its PLE window. Returns the frame's kind; its length is in startNs. */
  startSpin(g: number): number {
    if (csdLockWaitDone(this.pending[g]!)) {
      const now = this.m.engine.now
      if (now >= this.m.warmupEnd) {
        const vi = this.v.vmOf[g]!
        this.waits[vi] = this.waits[vi]! + 1
        this.waitNs[vi] = this.waitNs[vi]! + now - this.waitStart[g]!
      }
      this.startNs = 0
      return Work.LOCK_CS
    }
    if (this.yieldTarget[g]! >= 0) {
      // the sends are done: the PV sched yield hypercall comes before the wait (spinBudgetOver() makes it)
      this.startNs = 0
      return Work.SPIN
    }
    const ple = this.m.vmSpec(g).spinlock.kernelPauseExits
    this.budgetPle[g] = ple ? 1 : 0
    this.startNs = ple ? this.ple.windowNs(g) : 1e15
    return Work.SPIN
  }

  /** The spin budget ran out: a PAUSE exit (handle_pause() → kvm_vcpu_on_spin()), after which the spin resumes. */
  spinBudgetOver(g: number): void {
    const work = this.work
    work.curKind[g] = Work.SPIN
    work.curArg[g] = SPIN_CSD
    work.curRem[g] = 0
    work.curStart[g] = this.m.engine.now
    if (this.yieldTarget[g]! >= 0) { this.schedYield(g); return }
    if (this.budgetPle[g]) { this.ple.pauseExit(g); return }
    work.dispatchNext(g)
  }

  /** The wait is over: the interrupted work resumes. */
  waitOver(g: number): void {
    this.work.popLockFrame(g)
    this.work.dispatchNext(g)
  }

  /** KVM_HC_SCHED_YIELD (a VMCALL exit): kvm_sched_yield() → kvm_vcpu_yield_to() when the target waits for a CPU.
   *  yield_to() then calls schedule() on the caller's pCPU: a target queued there gets it, and so does any other
   *  thread waiting there (the caller is the skip buddy); a target elsewhere gets resched_curr() on its pCPU. From 5.13
   *  (72b268a8e930) a caller alone on its pCPU (single_task_running()) does not yield. */
  private schedYield(g: number): void {
    const x = this.yieldTarget[g]!
    this.yieldTarget[g] = -1
    const after = kvmSchedYieldHypercall(this.m, this.sched, g, x, this.yieldKind, this.yieldBailsOutWhenAlone)
    this.run.beginExit(g, ExitReason.VMCALL, this.m.causeIds.pvSchedYield, this.m.cost(CostId.exitVmcall), after)
  }

  private spinningNow(s: number): boolean {
    const v = this.v
    return v.state[s] === St.RUN && !v.inIrq[s] && this.work.curKind[s] === Work.SPIN && this.work.curArg[s] === SPIN_CSD
  }
}
