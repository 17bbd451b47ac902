// PAUSE-loop exiting (VMX) / the pause filter (SVM): a guest spinning on PAUSE past the vCPU's window exits
// (handle_pause() / pause_interception()); the window grows (grow_ple_window()), and kvm_vcpu_on_spin() in
// virt/kvm/kvm_main.c looks for a vCPU of the VM to yield to (kvm_vcpu_yield_to() → yield_to()). The window shrinks
// when the vCPU is loaded again after a schedule-out. ple.ts holds the window arithmetic, directed-yield.ts the
// candidate scan; the backend converts the window to time.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { St, After, Work, Irq } from '../sim/constants.ts'
import type { ModelCore, Parts, PauseLoop as PauseLoopPart } from '../sim/model-parts.ts'
import { kvmVcpuOnSpin, readyCandidates, pendingInterruptBoosts, vcpuDyRunnable, dyHasPendingInterrupt, wokenStillBlocking } from './directed-yield.ts'
import type { OnSpinInputs, IrqDelivery } from './directed-yield.ts'
import { backendOf } from './backend.ts'
import { yieldToResult, yieldToBoost } from './pv-sched-yield.ts'
import type { KvmBackend } from './backend.ts'
import type { VcpuState } from './vcpu.ts'

export class PauseLoop implements PauseLoopPart {
  private readonly m: ModelCore
  private readonly v: VcpuState
  private halt!: Parts['halt']
  private run!: Parts['run']
  private sched!: Parts['sched']
  private work!: Parts['work']
  /** Per VM: its backend (VMX or SVM today; a TDX guest would be one VM's backend). */
  private readonly backends: KvmBackend[]
  /** Per VM: whether a PAUSE exit grows and a schedule-in shrinks the window (backend.pleAdapts(): SVM before 4.17
   *  keeps a fixed count, 4.17–5.7 adapts only with pause_filter_thresh set). */
  private readonly adapts: Uint8Array
  /** Per vCPU: the PLE window (VMX: TSC cycles) or pause-filter count (SVM). */
  readonly pleWindow: Float64Array
  /** Per VM: kvm->last_boosted_vcpu and the reusable inputs of kvm_vcpu_on_spin(). */
  readonly lastBoosted: Int32Array
  private readonly onSpin: OnSpinInputs[]
  /** Per VM: successful directed yields, and those to a vCPU woken by kvm_vcpu_wake_up() (not preempted) — the
   *  candidates d73eb57b80b9 added in 5.3. */
  readonly directedYields: Float64Array
  readonly yieldsToWoken: Float64Array
  private readonly tryYieldFn: (k: number) => number
  private yieldFrom = 0
  private yieldResult = 0
  /** Mean time of one PAUSE. */
  private readonly pauseNs: number
  private readonly yieldKind: number
  /** Host ≥ 5.3: a vCPU woken by kvm_vcpu_wake_up() is ready too; ≥ 5.13: a pending interrupt keeps a user-mode one. */
  private readonly wokenReady: boolean
  private readonly pendingIrqBoosts: boolean
  /** Host ≥ 5.8: a woken vCPU not yet running is still kvm_vcpu_is_blocking() (rcuwait). */
  private readonly wokenBlocking: boolean
  /** Per VM: how an interrupt reaches a vCPU outside guest mode (APICv posted, AVIC, or injected). */
  private readonly delivery: IrqDelivery[]

  constructor(m: ModelCore, yieldKind: number) {
    this.m = m
    this.v = m.vcpu
    this.backends = m.inp.vms.map(() => backendOf(m.inp.vendor))
    this.adapts = Uint8Array.from(this.backends, (b) => (b.pleAdapts(m.inp.hostVersion, m.inp.ple) ? 1 : 0))
    this.pleWindow = new Float64Array(m.nV).fill(m.inp.ple.window)
    this.lastBoosted = new Int32Array(m.inp.vms.length).fill(-1)
    this.directedYields = new Float64Array(m.inp.vms.length)
    this.yieldsToWoken = new Float64Array(m.inp.vms.length)
    this.onSpin = m.inp.vms.map((vm) => {
      const u8 = (): Uint8Array => new Uint8Array(vm.vcpus)
      return { me: 0, lastBoostedVcpu: -1, yieldToKernelMode: true, ready: u8(), preempted: u8(), blocking: u8(), dyRunnable: u8(), preemptedInKernel: u8(), pendingInterrupt: u8(), inSpinLoop: u8(), dyEligible: u8() }
    })
    this.tryYieldFn = (k: number) => this.tryYield(k)
    this.pauseNs = m.inp.costs.pauseInstruction.meanNs
    this.yieldKind = yieldKind
    this.wokenReady = readyCandidates(m.inp.hostVersion, m.inp.hostReverted) === 'ready'
    this.pendingIrqBoosts = pendingInterruptBoosts(m.inp.hostVersion)
    this.wokenBlocking = wokenStillBlocking(m.inp.hostVersion)
    this.delivery = m.inp.vms.map((vm) => (!vm.postedInterrupts ? 'injected' : m.inp.vendor === 'vmx' ? 'posted' : 'avic'))
  }

  link(p: Parts): void {
    this.halt = p.halt
    this.run = p.run
    this.sched = p.sched
    this.work = p.work
  }

  /** How long vCPU g's PAUSE loop runs before it exits. */
  windowNs(g: number): number {
    return this.backends[this.v.vmOf[g]!]!.pleWindowNs(this.pleWindow[g]!, this.m.inp.tscGhz, this.pauseNs)
  }

  /** handle_pause() / pause_interception(): grow the window where the host adapts it (grow_ple_window() /
   *  grow_pause_filter()), then kvm_vcpu_on_spin() looks for a vCPU to yield to; after a
   *  yield the exit gives the pCPU up when schedule() picks another thread there (yieldToBoost(): the candidate
   *  waits on this pCPU, or another thread does and the spinner is the skip buddy). */
  pauseExit(g: number): void {
    const vmi = this.v.vmOf[g]!
    if (this.adapts[vmi]) this.pleWindow[g] = this.backends[vmi]!.growPle(this.pleWindow[g]!, this.m.inp.ple)
    const after = this.directedYield(g)
    this.run.beginExit(g, ExitReason.PAUSE_INSTRUCTION, this.m.causeIds.pauseLoop, this.m.cost(CostId.exitPause), after)
  }

  /** kvm_vcpu_on_spin() for a PAUSE exit of vCPU g, over its VM's vCPUs. Returns how the exit ends: After.ENTRY (no
   *  candidate, or the spinner keeps its pCPU) or After.RESCHED. */
  private directedYield(g: number): number {
    const v = this.v
    const vmi = v.vmOf[g]!
    const vm = this.m.inp.vms[vmi]!
    const i = this.onSpin[vmi]!
    const halt = this.halt
    const work = this.work
    for (let k = 0; k < vm.vcpus; k++) {
      const x = vm.firstVcpu + k
      const s = v.state[x]!
      const queued = this.m.hrq.queued[x] === 1
      // waiting for a pCPU after a preemption (vcpu->preempted), or woken by kvm_vcpu_wake_up() from its HLT block and
      // not yet switched in (vcpu->ready: host-sched.ts vcpuReady())
      const preempted = queued && v.exitHandler[x] !== After.HLT
      i.preempted[k] = preempted ? 1 : 0
      i.ready[k] = preempted || (this.wokenReady && this.sched.vcpuReady(x)) ? 1 : 0
      // kvm_vcpu_is_blocking(): in kvm_vcpu_block()'s wait — blocked, or (rcuwait, 5.8+) woken and not yet back in its loop
      const inBlock = halt.inHltExit(x) && !halt.vmmSleep[x] && (s === St.BLOCKED || (this.wokenBlocking && (s === St.WAKING || s === St.PREEMPTED)))
      i.blocking[k] = inBlock ? 1 : 0
      // an interrupt delivered to it (IRR/PIR), not a LAPIC timer still pending in the halt (lapic_timer.pending)
      const pend = v.pendIrq[x]!
      const irq = (pend & ~Irq.TIMER) !== 0 || ((pend & Irq.TIMER) !== 0 && !halt.timerPending[x])
      i.dyRunnable[k] = inBlock && vcpuDyRunnable(halt.pvUnhalted[x] === 1, irq, this.delivery[vmi]!) ? 1 : 0
      // preempted in kernel mode (vcpu->arch.preempted_in_kernel: get_cpl() == 0 at kvm_arch_vcpu_put()): inside a
      // lock operation, an interrupt handler, or the kernel part of a thread's burst (a page fault, a system call)
      i.preemptedInKernel[k] = work.inLockOp(x) || v.inIrq[x] || this.threadInKernel(x) ? 1 : 0
      // a preempted vCPU's timer is lapic_timer.pending (not posted outside guest mode): only IPIs and device interrupts
      i.pendingInterrupt[k] = this.pendingIrqBoosts && dyHasPendingInterrupt((pend & ~Irq.TIMER) !== 0, this.delivery[vmi]!) ? 1 : 0
      // vcpu->spin_loop.in_spin_loop: set for the length of the vCPU's own kvm_vcpu_on_spin() — a vCPU waiting for a
      // pCPU with it set is one that yield_to() scheduled out inside its PAUSE exit (its last exit); a spinner
      // preempted in its guest loop (by the tick) is not in it
      i.inSpinLoop![k] = queued && v.exitReason[x] === ExitReason.PAUSE_INSTRUCTION ? 1 : 0
    }
    i.me = g - vm.firstVcpu
    // kvm_vcpu_set_dy_eligible(me, false) ended the spinner's previous kvm_vcpu_on_spin()
    i.dyEligible![i.me] = 0
    i.lastBoostedVcpu = this.lastBoosted[vmi]!
    i.yieldToKernelMode = !vm.spinlock.userSpace
    this.yieldFrom = g
    this.yieldResult = After.ENTRY
    const t = kvmVcpuOnSpin(i, this.tryYieldFn)
    if (t >= 0) {
      this.lastBoosted[vmi] = t
      this.directedYields[vmi]!++
      if (i.preempted[t] === 0) this.yieldsToWoken[vmi]!++
    }
    return this.yieldResult
  }

  /** Whether vCPU x's running guest thread is in the kernel where its burst stands (GuestWorkload.threadInKernel()). */
  private threadInKernel(x: number): boolean {
    const work = this.work
    return work.curKind[x] === Work.THREAD && this.m.workloads[this.v.vmOf[x]!]!.threadInKernel(work.curArg[x]!, work.curRem[x]!)
  }

  /** kvm_vcpu_yield_to() → yield_to(), returning what yield_to() returns (yieldToResult(): 1 boosted, 0 not runnable
   *  and waiting, −1 −ESRCH); the boost itself is core/kvm/pv-sched-yield.ts yieldToBoost(). */
  private tryYield(k: number): number {
    const g = this.yieldFrom
    const x = this.m.vmSpec(g).firstVcpu + k
    const r = yieldToResult(this.m, this.sched, g, x)
    if (r > 0) this.yieldResult = yieldToBoost(this.m, this.sched, g, x, this.yieldKind)
    return r
  }

  /** The PLE window shrinks when the vCPU is loaded again after a schedule-out (shrink_ple_window() /
   *  shrink_pause_filter() from vmx_vcpu_load() / svm_vcpu_load() with scheduled_out, or kvm_arch_sched_in() before 6.11). */
  shrinkPle(g: number): void {
    const vmi = this.v.vmOf[g]!
    if (this.m.vmSpec(g).spinlock.pauseExits && this.adapts[vmi]) this.pleWindow[g] = this.backends[vmi]!.shrinkPle(this.pleWindow[g]!, this.m.inp.ple)
  }
}
