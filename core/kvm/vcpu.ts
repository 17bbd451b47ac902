// The vCPU as every part of the model sees it (struct kvm_vcpu): where its thread is, its state machine with the
// time accounting of each state, the pending interrupts and requests, the exit being handled, and the tokens that
// cancel its stale events. State lives in typed arrays indexed by vCPU.
import { St, STATE_COUNT, PCPU_TIME_COUNT, PCPU_TIME_OF_STATE } from '../sim/constants.ts'
import type { Engine } from '../engine/engine.ts'

/** The vCPU state machine: TRANSITIONS[from * STATE_COUNT + to] is 1 when the model may move a vCPU from `from` to
 *  `to`. Staying in a state (to close its time accounting) is always allowed.
 *  RUN (in guest mode, running work) → EXIT (an exit), GUEST_POLL / GUEST_HLT (the guest's idle loop: haltpoll or
 *  idle=poll, HLT/MWAIT passed through);
 *  GUEST_POLL → RUN (work arrived), GUEST_HLT (poll window over), EXIT (an exit while polling);
 *  GUEST_HLT → WAKING (a posted interrupt: C-state exit), EXIT (an exit while halted in guest mode);
 *  EXIT → RUN (VM entry), HOST_POLL (kvm_vcpu_halt() polls), BLOCKED (kvm_vcpu_block()), PREEMPTED (a host thread
 *  takes the pCPU);
 *  HOST_POLL → RUN (an event during the poll: the HLT exit ends), BLOCKED (window over, or another thread waits);
 *  BLOCKED → WAKING (kvm_vcpu_wake_up(): the thread is scheduled in), PREEMPTED (woken onto a busy pCPU);
 *  WAKING → RUN (woken), PREEMPTED (the host scheduler wants the pCPU back first);
 *  PREEMPTED → RUN (scheduled in again: VM entry);
 *  WAKING, PREEMPTED → BLOCKED, HOST_POLL (a thread woken in kvm_vcpu_block() with no event it may take: it sleeps
 *  again, or its expired timer ends the halt and the next kvm_vcpu_halt() polls — a waiter halted with IF = 0). */
export const TRANSITIONS: Uint8Array = (() => {
  const t = new Uint8Array(STATE_COUNT * STATE_COUNT)
  const allow = (from: number, ...to: number[]): void => { for (const s of to) t[from * STATE_COUNT + s] = 1 }
  for (let s = 0; s < STATE_COUNT; s++) allow(s, s)
  allow(St.RUN, St.EXIT, St.GUEST_POLL, St.GUEST_HLT)
  allow(St.GUEST_POLL, St.RUN, St.GUEST_HLT, St.EXIT)
  allow(St.GUEST_HLT, St.WAKING, St.EXIT)
  allow(St.EXIT, St.RUN, St.HOST_POLL, St.BLOCKED, St.PREEMPTED)
  allow(St.HOST_POLL, St.RUN, St.BLOCKED)
  allow(St.BLOCKED, St.WAKING, St.PREEMPTED)
  allow(St.WAKING, St.RUN, St.PREEMPTED, St.HOST_POLL, St.BLOCKED)
  allow(St.PREEMPTED, St.RUN, St.HOST_POLL, St.BLOCKED)
  return t
})()

export const STATE_NAMES = ['in guest', 'halted in guest', 'polling in guest', 'handling an exit', 'halt-polling', 'blocked', 'waking', 'preempted'] as const

export class VcpuState {
  readonly nV: number
  /** Assert every state transition against TRANSITIONS (the tests turn it on; the bench leaves it off). */
  readonly checking: boolean
  readonly vmOf: Int32Array
  /** The pCPU the vCPU thread runs on, waits on, or last ran on. */
  readonly pcpuOf: Int32Array
  readonly state: Int8Array
  readonly stateSince: Float64Array
  /** Per vCPU × state: time spent, after warm-up. */
  readonly acc: Float64Array
  /** Per pCPU × PcpuTime: where its time went (vCPU states while on it, other tasks). */
  readonly pcpuAcc: Float64Array
  /** Pending guest interrupts (Irq bits) and the interrupt handler running (one at a time). */
  readonly pendIrq: Uint8Array
  readonly inIrq: Uint8Array
  /** Guest actions that trap, to run before further work (Act bits). */
  readonly actions: Uint8Array
  /** In the guest's idle loop (idle task). */
  readonly idle: Uint8Array
  /** Guest kernel work charged to the vCPU's next work (a context switch, a wake-up's placement, the hv-timer switch). */
  readonly debt: Float64Array
  /** The indirect cost still to pay by the next guest work: one cache/TLB refill after the last entry, at most
   *  (core/kvm/indirect-cost.ts). */
  readonly pollution: Float64Array
  /** Exit latency of the C-state the vCPU (or its pCPU) sleeps in. */
  readonly wakeLatency: Float64Array
  /** The exit being handled: start, end, reason, cause, and the handler that runs when its handling is over. */
  readonly exitStart: Float64Array
  readonly exitEnd: Float64Array
  readonly exitReason: Int8Array
  readonly exitCause: Int16Array
  readonly exitHandler: Int8Array
  /** The host scheduler asked the vCPU thread to give its pCPU up at its next entry, and the kick's exit cause. */
  readonly needResched: Uint8Array
  readonly reschedCause: Int16Array
  /** The vCPU's last schedule-in kept its guest state loaded: the next entry pays indirectKeptLoaded (the scheduled_out series, 2024). */
  readonly keptLoaded: Uint8Array
  /** Tokens of the vCPU's cancellable events: work done, exit done, idle (poll end, wake done), timer. */
  readonly workTok: Int32Array
  readonly exitTok: Int32Array
  readonly idleTok: Int32Array
  readonly timerTok: Int32Array
  private readonly engine: Engine
  /** The host thread on each pCPU (HostRunqueues.cur): a preempted vCPU holds its pCPU only while it is current. */
  private readonly hostCur: Int32Array

  constructor(nV: number, nrCpus: number, engine: Engine, hostCur: Int32Array, checking: boolean) {
    this.nV = nV
    this.engine = engine
    this.hostCur = hostCur
    this.checking = checking
    const f64 = (n: number): Float64Array => new Float64Array(n)
    const i32 = (n: number): Int32Array => new Int32Array(n)
    this.vmOf = i32(nV); this.pcpuOf = i32(nV)
    this.state = new Int8Array(nV); this.stateSince = f64(nV); this.acc = f64(nV * STATE_COUNT)
    this.pcpuAcc = f64(nrCpus * PCPU_TIME_COUNT)
    this.pendIrq = new Uint8Array(nV); this.inIrq = new Uint8Array(nV); this.actions = new Uint8Array(nV)
    this.idle = new Uint8Array(nV); this.debt = f64(nV); this.pollution = f64(nV); this.wakeLatency = f64(nV)
    this.exitStart = f64(nV); this.exitEnd = f64(nV); this.exitReason = new Int8Array(nV); this.exitCause = new Int16Array(nV); this.exitHandler = new Int8Array(nV)
    this.needResched = new Uint8Array(nV); this.reschedCause = new Int16Array(nV); this.keptLoaded = new Uint8Array(nV)
    this.workTok = i32(nV); this.exitTok = i32(nV); this.idleTok = i32(nV); this.timerTok = i32(nV)
  }

  /** Moves vCPU g to state s, accounting the time of the state it leaves to it and to its pCPU. */
  setState(g: number, s: number): void {
    const now = this.engine.now
    const prev = this.state[g]!
    if (this.checking && TRANSITIONS[prev * STATE_COUNT + s] !== 1) throw badTransition(g, prev, s, now)
    const i = g * STATE_COUNT + prev
    const dt = now - this.stateSince[g]!
    this.acc[i] = this.acc[i]! + dt
    const bucket = PCPU_TIME_OF_STATE[prev]!
    if (bucket >= 0 && !(prev === St.PREEMPTED && this.hostCur[this.pcpuOf[g]!] !== g)) {
      const j = this.pcpuOf[g]! * PCPU_TIME_COUNT + bucket
      this.pcpuAcc[j] = this.pcpuAcc[j]! + dt
    }
    this.state[g] = s
    this.stateSince[g] = now
  }

  /** Asserts (in checking mode) that vCPU g is in one of the states of `mask` (a bit per state) before an action. */
  expect(g: number, mask: number, what: string): void {
    if (this.checking && ((1 << this.state[g]!) & mask) === 0) throw unexpectedState(g, what, this.state[g]!, this.engine.now)
  }
}

// The checking mode's errors, built out of line: setState() and expect() run on every transition, and the JIT inlines
// them into their callers by bytecode size — the message templates would count against that budget on every event.
function badTransition(g: number, from: number, to: number, now: number): Error {
  return new Error(`vCPU ${g}: no transition from "${STATE_NAMES[from]}" to "${STATE_NAMES[to]}" at ${now} ns`)
}

function unexpectedState(g: number, what: string, s: number, now: number): Error {
  return new Error(`vCPU ${g}: ${what} while "${STATE_NAMES[s]}" at ${now} ns`)
}
