// The ping-pong workload (model.md §3; netperf TCP_RR-like): `streams` clients, each with one transaction in flight.
// A request crosses the network (half the RTT outside the host) and comes in over the VM's network path (net-path.ts:
// vhost-net or an SR-IOV VF, the RX interrupt on vCPU 0, the RX softirq); the softirq wakes the stream's server thread
// (netserver, asleep in recv()) through the guest scheduler, which runs recv() + send() for a lognormal service time
// and goes back to sleep in recv(). The reply leaves by a TX notification: with vhost-net every reply kicks (an exit)
// unless the vhost worker is still busy with an earlier one (event-index suppression while it processes the ring);
// a VF transmits by DMA. The reply's arrival at the client completes the transaction: its latency is the round trip.
// Between transactions the server thread sleeps and its vCPU idles, so idle handling (HLT exits, halt polling, guest
// haltpoll, HLT passthrough, C-states) is on every transaction's path.
// Simplifications: request and response sizes are not modelled (one packet each way); one RX queue (vCPU 0); the
// vhost worker's wake-up costs nothing but its wait for its CPU (net-path.ts), and its TX work is a latency, not CPU
// time; the client's side is a fixed lognormal delay.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { PingPongSpec } from '../model-inputs.ts'
import { GuestWorkload } from './workload.ts'
import { NetPath } from './net-path.ts'

const E_REQUEST_ARRIVE = 0 // a request reaches the host NIC (token = stream)
const E_VHOST_DONE = 1 // vhost finished an RX batch
const E_REPLY_ARRIVE = 2 // a reply reaches its client (token = stream)

export class PingPongWorkload extends GuestWorkload {
  readonly kind = 'ping-pong'
  readonly unit = 'transactions'
  readonly w: PingPongSpec
  readonly net: NetPath
  firstThread = 0
  /** When each stream's client sent its current request. */
  readonly sentAt: Float64Array
  /** Requests a stream's server has received while it was awake (recv() will return them without sleeping). */
  readonly pending: Int32Array
  /** The stream's server thread is serving a request (its burst ends with the reply). */
  readonly serving: Uint8Array
  /** The vhost TX worker is busy with earlier replies until then (notifications suppressed). */
  txBusyUntil = 0

  constructor(m: GuestOps, v: number, w: PingPongSpec) {
    super(m, v)
    this.w = w
    this.net = new NetPath(m, v, this, E_VHOST_DONE)
    this.sentAt = new Float64Array(w.streams)
    this.pending = new Int32Array(w.streams)
    this.serving = new Uint8Array(w.streams)
  }

  override threadCount(): number {
    return this.w.streams
  }

  override eventKinds(): number {
    return 3
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const m = this.m
    const vm = m.inp.vms[this.v]!
    const rtt = this.w.networkRttNs
    for (let i = 0; i < this.w.streams; i++) {
      // netserver's data process of stream i: fork balancing put it on an idle vCPU — here vCPU i+1, not the RX
      // queue's vCPU 0 (with one vCPU, vCPU 0); it goes straight to sleep in recv()
      m.startThread(firstThread + i, vm.firstVcpu + ((i + 1) % vm.vcpus), 0)
      const t = m.rng.uniform() * rtt
      this.sentAt[i] = t
      m.engine.scheduleAt(t + this.net.oneWay(rtt), this.evBase + E_REQUEST_ARRIVE, this.v, i)
    }
  }

  override onEvent(local: number, _target: number, tok: number): void {
    switch (local) {
      case E_REQUEST_ARRIVE: this.net.arrive(tok); break
      case E_VHOST_DONE: this.net.vhostDone(); break
      case E_REPLY_ARRIVE: this.replyArrive(tok); break
    }
  }

  private serviceNs(): number {
    return this.m.rng.lognormal(this.w.serviceNs, this.w.serviceSigma)
  }

  /** The RX interrupt and softirq on vCPU g: each packet goes through the TCP receive path (a full softirqNs each)
   *  and wakes its stream's server thread from the interrupt (try_to_wake_up() from the softirq: not a sync wake-up). */
  override deviceIrqNs(g: number): number {
    const m = this.m
    let ns = this.net.softirqNs(this.w.softirqNs, 1)
    let n = this.net.pollCount()
    while (n-- > 0) {
      const i = this.net.pop()
      const tid = this.firstThread + i
      if (m.threadSleeping(tid)) {
        this.serving[i] = 1
        ns += m.wakeThread(tid, g, false, -1, this.serviceNs())
      } else {
        this.pending[i]!++
      }
    }
    return ns
  }

  override deviceIrqDone(g: number): void {
    this.net.pollDone(g)
  }

  /** The server's burst is netserver's recv() and send() through the guest TCP stack (tcp_recvmsg(),
   *  tcp_sendmsg()): guest kernel code (get_cpl() == 0 in kvm_arch_vcpu_put()); netperf's loop around them is a few
   *  instructions (estimate), not modelled. */
  override threadInKernel(): boolean {
    return true
  }

  /** The server answered: send() the reply, then recv() again — another pending request, or sleep. */
  override threadBurstDone(g: number, tid: number): void {
    const i = tid - this.firstThread
    if (this.serving[i]) this.reply(g, i)
    if (this.pending[i]! > 0) {
      this.pending[i]!--
      this.serving[i] = 1
      this.m.threadContinue(tid, this.serviceNs())
      return
    }
    this.serving[i] = 0
    this.m.threadSleep(tid)
  }

  private reply(g: number, i: number): void {
    const m = this.m
    const now = m.engine.now
    let out: number
    if (this.net.vhostNet) {
      if (now >= this.txBusyUntil) {
        // the ring's notification is enabled (vhost idle): the guest kicks — an EPT_MISCONFIG exit → ioeventfd
        m.kickTx(g)
        this.txBusyUntil = now + m.cost(CostId.vhostTx)
      }
      out = this.txBusyUntil - now
    } else {
      out = m.cost(CostId.sriovDelivery)
    }
    m.engine.schedule(out + this.net.oneWay(this.w.networkRttNs), this.evBase + E_REPLY_ARRIVE, this.v, i)
  }

  private replyArrive(i: number): void {
    const m = this.m
    const now = m.engine.now
    m.complete(this.v, now - this.sentAt[i]!)
    // the client sends the next request at once (netperf TCP_RR: one transaction in flight)
    this.sentAt[i] = now
    m.engine.schedule(this.net.oneWay(this.w.networkRttNs), this.evBase + E_REQUEST_ARRIVE, this.v, i)
  }
}
