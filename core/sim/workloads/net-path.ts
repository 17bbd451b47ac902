// The VM's network receive path, shared by the network workloads (redis, ping-pong): a packet reaches the host NIC,
// the vhost-net worker copies it into the guest's RX ring in batches on its pinned CPU (or an SR-IOV VF DMAs it
// there), and the virtio-net / VF interrupt is raised on the queue's vCPU (vCPU 0: one queue) unless NAPI is already
// polling; the guest's RX softirq then takes the packets off the ring. The vhost worker is a host thread
// (GuestOps.runHostTask()): woken for a batch, it waits for its CPU like any thread — behind a vCPU thread when
// iothreadpin puts it on a vCPU's pCPU, which it then steals from — and sleeps when no batch is left.
// Simplifications: its wake-up itself (IPI, C-state exit) costs nothing; TX (vhostTx) is a latency, not CPU time.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { GuestWorkload } from './workload.ts'
import { IntQueue } from '../int-rings.ts'
import { SPREADS } from '../spreads.ts'

/** Packets per vhost handle_rx() batch and per NAPI poll (the NAPI weight). */
const BATCH = 64

export class NetPath {
  readonly m: GuestOps
  readonly v: number
  readonly owner: GuestWorkload
  /** The owner's local event kind for "vhost finished an RX batch". */
  readonly vhostDoneKind: number
  /** The VM's io is vhost-net (else an SR-IOV VF): read once here, not a string compare per packet. */
  readonly vhostNet: boolean
  vhostBusy = 0
  /** Packets waiting for the vhost worker, and packets in the guest's RX ring: both grow (nothing is dropped). */
  readonly vhostQ = new IntQueue(256)
  vhostBatch = 0
  readonly rxRing = new IntQueue(256)
  napiActive = 0

  constructor(m: GuestOps, v: number, owner: GuestWorkload, vhostDoneKind: number) {
    this.m = m
    this.v = v
    this.owner = owner
    this.vhostDoneKind = vhostDoneKind
    this.vhostNet = m.inp.vms[v]!.io === 'vhost-net'
  }

  /** Half a round trip outside the host (client stack and wire), lognormal around rtt/2. */
  oneWay(rtt: number): number {
    return this.m.rng.lognormal(rtt / 2, SPREADS.networkOneWay)
  }

  /** Packet `id` reaches the host: vhost-net copies it into the guest ring, or the VF DMAs it. */
  arrive(id: number): void {
    if (this.vhostNet) {
      this.vhostQ.push(id)
      if (!this.vhostBusy) this.vhostStart()
    } else {
      this.rxRing.push(id)
      this.raiseRx()
    }
  }

  private vhostStart(): void {
    const m = this.m
    const n = Math.min(this.vhostQ.length, BATCH)
    this.vhostBusy = 1
    this.vhostBatch = n
    const ns = m.cost(CostId.vhostRxBatch) + n * m.cost(CostId.vhostRxPerPacket)
    // the worker is a host thread (the host scheduler runs it on its iothreadpin CPU, maybe behind a vCPU thread)
    m.runHostTask(m.inp.vms[this.v]!.vhostTask, ns, this.owner.evBase + this.vhostDoneKind, this.v)
  }

  /** The owner's vhostDoneKind event: the batch is in the guest ring; interrupt the guest, start the next batch. */
  vhostDone(): void {
    const n = this.vhostBatch
    for (let i = 0; i < n; i++) this.rxRing.push(this.vhostQ.shift())
    this.vhostBusy = 0
    this.raiseRx()
    if (this.vhostQ.length > 0) this.vhostStart()
  }

  /** virtio-net / VF interrupt (irqfd or VT-d posting) to the queue's vCPU, unless NAPI is already polling. */
  private raiseRx(): void {
    if (this.napiActive || this.rxRing.length === 0) return
    this.napiActive = 1
    const vm = this.m.inp.vms[this.v]!
    this.m.raiseDeviceIrq(vm.firstVcpu)
  }

  /** Packets one NAPI poll takes now. */
  pollCount(): number {
    return Math.min(this.rxRing.length, BATCH)
  }

  /** The RX interrupt + NAPI poll: `softirqNs` (lognormal) for the first packet, 1/`perPacketDivisor` of it for each
   *  further packet of the poll. */
  softirqNs(softirqNs: number, perPacketDivisor: number): number {
    const n = this.pollCount()
    return this.m.rng.lognormal(softirqNs, SPREADS.rxSoftirq) * (1 + (n - 1) / perPacketDivisor)
  }

  /** Takes the next packet off the guest RX ring (the caller checks pollCount()). */
  pop(): number {
    return this.rxRing.shift()
  }

  /** End of the softirq on vCPU g: poll again while packets remain (napi_complete_done() otherwise). */
  pollDone(g: number): void {
    if (this.rxRing.length > 0) this.m.pendDeviceIrq(g)
    else this.napiActive = 0
  }
}
