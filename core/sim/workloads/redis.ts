// The redis workload (model.md §3): a request/response server; clients closed loop (connections × pipeline requests
// in flight) or open loop (Poisson arrivals). A request crosses the network (half the RTT), is copied by the vhost-net
// worker in batches (or DMA'd by an SR-IOV VF), raises the virtio-net interrupt on vCPU 0 unless NAPI is already
// polling, is processed by the RX softirq and queued to its server thread's vCPU (a work item), which runs it for a
// lognormal service time; the reply may notify vhost (TX kick) and may arm guest hrtimers. The receive path is
// net-path.ts (shared with ping-pong).
// Simplification: the redis I/O threads are fixed to vCPUs (request id mod serverThreads), not guest-scheduled threads.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { RedisSpec } from '../model-inputs.ts'
import { GuestWorkload } from './workload.ts'
import { NetPath } from './net-path.ts'

/** Open loop: request slots to start with; more are added when all are in flight (no arrival is dropped). */
const OPEN_SLOTS = 4096
const E_CLIENT_ARRIVE = 0 // a request reaches the host NIC (token = request id)
const E_VHOST_DONE = 1 // vhost finished an RX batch
const E_REPLY_ARRIVE = 2 // a reply reaches its client (token = request id)
const E_OPEN_ARRIVAL = 3 // open-loop request arrival

export class RedisWorkload extends GuestWorkload {
  readonly kind = 'redis'
  readonly unit = 'ops'
  readonly w: RedisSpec
  readonly net: NetPath
  txCount = 0
  reqSend: Float64Array
  reqFree: Int32Array
  reqFreeLen = 0

  constructor(m: GuestOps, v: number, w: RedisSpec) {
    super(m, v)
    this.w = w
    this.net = new NetPath(m, v, this, E_VHOST_DONE)
    const n = w.closedLoop ? w.outstanding : OPEN_SLOTS
    this.reqSend = new Float64Array(n)
    this.reqFree = new Int32Array(n)
  }

  override eventKinds(): number {
    return 4
  }

  start(): void {
    const w = this.w
    const m = this.m
    if (w.closedLoop) {
      for (let id = 0; id < w.outstanding; id++) {
        const t = m.rng.uniform() * w.networkRttNs
        this.reqSend[id] = t
        m.engine.scheduleAt(t + this.net.oneWay(w.networkRttNs), this.evBase + E_CLIENT_ARRIVE, this.v, id)
      }
    } else {
      for (let i = OPEN_SLOTS - 1; i >= 0; i--) this.reqFree[this.reqFreeLen++] = i
      m.engine.schedule(m.rng.exponential(1e9 / w.ratePerSec), this.evBase + E_OPEN_ARRIVAL, this.v)
    }
  }

  override onEvent(local: number, _target: number, tok: number): void {
    switch (local) {
      case E_CLIENT_ARRIVE: this.net.arrive(tok); break
      case E_VHOST_DONE: this.net.vhostDone(); break
      case E_REPLY_ARRIVE: this.replyArrive(tok); break
      case E_OPEN_ARRIVAL: this.openArrival(); break
    }
  }

  private openArrival(): void {
    const m = this.m
    if (this.reqFreeLen === 0) this.addSlots()
    const id = this.reqFree[--this.reqFreeLen]!
    this.reqSend[id] = m.engine.now
    m.engine.schedule(this.net.oneWay(this.w.networkRttNs), this.evBase + E_CLIENT_ARRIVE, this.v, id)
    m.engine.schedule(m.rng.exponential(1e9 / this.w.ratePerSec), this.evBase + E_OPEN_ARRIVAL, this.v)
  }

  /** Every open-loop request slot is in flight (an overloaded server): double them (rare; the new ids are free). */
  private addSlots(): void {
    const n = this.reqSend.length
    const send = new Float64Array(n * 2)
    send.set(this.reqSend)
    this.reqSend = send
    const free = new Int32Array(n * 2)
    free.set(this.reqFree.subarray(0, this.reqFreeLen))
    this.reqFree = free
    for (let i = 2 * n - 1; i >= n; i--) this.reqFree[this.reqFreeLen++] = i
  }

  /** virtio-net interrupt + NAPI poll of up to 64 packets: a fixed part and a part per packet. */
  override deviceIrqNs(_g: number): number {
    return this.net.softirqNs(this.w.softirqNs, this.w.rxBatch)
  }

  /** End of the RX softirq: hand the batch to the redis threads; keep polling while packets remain. Each request
   *  that finds its thread asleep (an idle vCPU, nothing queued) wakes it: try_to_wake_up() of the epoll waiter, a
   *  reschedule IPI to that vCPU — one per sleeping thread, however many threads the batch reaches. A thread with
   *  requests already queued is awake or being woken. */
  override deviceIrqDone(g: number): void {
    const m = this.m
    const vm = m.inp.vms[this.v]!
    const threads = Math.min(this.w.serverThreads, vm.vcpus)
    let n = this.net.pollCount()
    while (n-- > 0) {
      const id = this.net.pop()
      const target = vm.firstVcpu + (threads > 1 ? id % threads : 0)
      const asleep = target !== g && m.vcpuAsleep(target)
      m.queueItem(target, id)
      if (asleep) m.queueIpi(g, target)
    }
    this.net.pollDone(g)
  }

  override itemNs(_g: number, _id: number): number {
    return this.m.rng.lognormal(this.w.serviceNs, this.w.serviceSigma)
  }

  override itemDone(g: number, id: number): void {
    const m = this.m
    const w = this.w
    let out = this.net.oneWay(w.networkRttNs)
    if (this.net.vhostNet) {
      out += m.cost(CostId.vhostTx)
      if (++this.txCount >= w.txKickEvery) {
        this.txCount = 0
        m.kickTx(g)
      }
    } else {
      out += m.cost(CostId.sriovDelivery)
    }
    m.engine.schedule(out, this.evBase + E_REPLY_ARRIVE, this.v, id)
    // guest hrtimers armed by the request's network and syscall path (TCP timers, epoll/futex timeouts)
    let k = w.guestTimersPerRequest
    while (k > 0) {
      if (k >= 1 || m.rng.uniform() < k) m.armHrtimer(g, m.engine.now + m.rng.exponential(w.guestTimerDelayNs), -1, 0)
      k -= 1
    }
  }

  private replyArrive(id: number): void {
    const m = this.m
    const now = m.engine.now
    m.complete(this.v, now - this.reqSend[id]!)
    if (this.w.closedLoop) {
      this.reqSend[id] = now
      m.engine.schedule(this.net.oneWay(this.w.networkRttNs), this.evBase + E_CLIENT_ARRIVE, this.v, id)
    } else {
      this.reqFree[this.reqFreeLen++] = id
    }
  }
}
