// PAUSE-loop exiting (VMX) / the pause filter (SVM): a guest spinning on PAUSE past the vCPU's window exits
// (handle_pause() / pause_interception()); the window grows (grow_ple_window()), and kvm_vcpu_on_spin() in
// virt/kvm/kvm_main.c looks for a vCPU of the VM to yield to (kvm_vcpu_yield_to() → yield_to()). The window shrinks
// when the vCPU is loaded again after a schedule-out. ple.ts holds the window arithmetic, directed-yield.ts the
// candidate scan; the backend converts the window to time.
import { CostId } from '../costs/cost-tables.ts'
import { ExitReason } from '../output/exit-names.ts'
import { St, After } from '../sim/constants.ts'
import type { ModelCore, Parts, PauseLoop as PauseLoopPart } from '../sim/model-parts.ts'
import { kvmVcpuOnSpin } from './directed-yield.ts'
import type { OnSpinInputs } from './directed-yield.ts'
import { backendOf } from './backend.ts'
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
  /** Per vCPU: the PLE window (VMX: TSC cycles) or pause-filter count (SVM). */
  readonly pleWindow: Float64Array
  /** Per VM: kvm->last_boosted_vcpu and the reusable inputs of kvm_vcpu_on_spin(). */
  readonly lastBoosted: Int32Array
  private readonly onSpin: OnSpinInputs[]
  private readonly tryYieldFn: (k: number) => boolean
  private yieldFrom = 0
  private yieldResult = 0
  /** Mean time of one PAUSE. */
  private readonly pauseNs: number
  private readonly yieldKind: number

  constructor(m: ModelCore, yieldKind: number) {
    this.m = m
    this.v = m.vcpu
    this.backends = m.inp.vms.map(() => backendOf(m.inp.vendor))
    this.pleWindow = new Float64Array(m.nV).fill(m.inp.ple.window)
    this.lastBoosted = new Int32Array(m.inp.vms.length).fill(-1)
    this.onSpin = m.inp.vms.map((vm) => {
      const u8 = (): Uint8Array => new Uint8Array(vm.vcpus)
      return { me: 0, lastBoostedVcpu: -1, yieldToKernelMode: true, ready: u8(), preempted: u8(), blocking: u8(), dyRunnable: u8(), preemptedInKernel: u8(), pendingInterrupt: u8(), inSpinLoop: u8(), dyEligible: u8() }
    })
    this.tryYieldFn = (k: number) => this.tryYield(k)
    this.pauseNs = m.inp.costs.pauseInstruction.meanNs
    this.yieldKind = yieldKind
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

  /** handle_pause() / pause_interception(): grow the window (grow_ple_window() / grow_pause_filter()), then kvm_vcpu_on_spin() looks for a vCPU to yield to; the exit gives the pCPU
   *  up when the candidate waits on this vCPU's own pCPU. */
  pauseExit(g: number): void {
    this.pleWindow[g] = this.backends[this.v.vmOf[g]!]!.growPle(this.pleWindow[g]!, this.m.inp.ple)
    const r = this.directedYield(g)
    this.run.beginExit(g, ExitReason.PAUSE_INSTRUCTION, this.m.causeIds.pauseLoop, this.m.cost(CostId.exitPause), r === 2 ? After.RESCHED : After.ENTRY)
  }

  /** kvm_vcpu_on_spin() for a PAUSE exit of vCPU g, over its VM's vCPUs. Returns 0 (no candidate), 1 (yielded to a
   *  vCPU waiting on another pCPU) or 2 (yielded to one waiting on g's own pCPU: g gives it the pCPU). */
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
      i.ready[k] = queued ? 1 : 0
      i.preempted[k] = queued && v.exitHandler[x] !== After.HLT ? 1 : 0
      i.blocking[k] = s === St.BLOCKED || s === St.HOST_POLL ? 1 : 0
      i.dyRunnable[k] = i.blocking[k] && (v.pendIrq[x] || halt.pvUnhalted[x]) ? 1 : 0
      // preempted in kernel mode: inside a lock operation or an interrupt handler (guest user code is not)
      i.preemptedInKernel[k] = work.inLockOp(x) || v.inIrq[x] ? 1 : 0
      i.pendingInterrupt[k] = v.pendIrq[x] ? 1 : 0
      i.inSpinLoop![k] = work.spinning(x) ? 1 : 0
    }
    i.me = g - vm.firstVcpu
    i.lastBoostedVcpu = this.lastBoosted[vmi]!
    i.yieldToKernelMode = !vm.spinlock.userSpace
    this.yieldFrom = g
    this.yieldResult = 0
    const t = kvmVcpuOnSpin(i, this.tryYieldFn)
    if (t >= 0) this.lastBoosted[vmi] = t
    return this.yieldResult
  }

  /** kvm_vcpu_yield_to() → yield_to(): only a waiting (runnable, not running) vCPU thread can be yielded to. */
  private tryYield(k: number): boolean {
    const g = this.yieldFrom
    const x = this.m.vmSpec(g).firstVcpu + k
    const hrq = this.m.hrq
    if (hrq.queued[x] !== 1) return false
    const c = this.v.pcpuOf[g]!
    const tc = hrq.cpu[x]!
    hrq.yieldTo(x, c, this.yieldKind)
    if (tc === c) this.yieldResult = 2
    else { this.yieldResult = 1; this.sched.reschedCurr(tc, this.m.causeIds.resched) }
    return true
  }

  /** The PLE window shrinks when the vCPU is loaded again after a schedule-out (shrink_ple_window() /
   *  shrink_pause_filter() from vmx_vcpu_load() / svm_vcpu_load() with scheduled_out, or kvm_arch_sched_in() before 6.11). */
  shrinkPle(g: number): void {
    if (this.m.vmSpec(g).spinlock.pauseExits) this.pleWindow[g] = this.backends[this.v.vmOf[g]!]!.shrinkPle(this.pleWindow[g]!, this.m.inp.ple)
  }
}
