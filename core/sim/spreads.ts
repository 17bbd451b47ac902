// The spreads (lognormal shapes, sigma) of the model's times that come from the profile rather than the cost table:
// the profile gives their mean, these give their spread. All are estimates (no published distribution): a
// moderate right skew, so most samples sit near the mean and a few run long. One place for them until they move
// into the cost tables as named entries (with their sources, core/costs/).
export const SPREADS = {
  /** The VMM's own work per userspace exit (experimental, seed 004): vmmWorkNs. */
  vmmWork: 0.5,
  /** A spinlock's critical section: contention.spinlock.holdNs. */
  spinlockHold: 0.5,
  /** A kworker's run on a housekeeping pCPU: noise.kworkerNs. */
  kworkerRun: 0.5,
  /** A host task's burst: tasks[].runNs. */
  hostTaskBurst: 0.5,
  /** Half a network round trip outside the host (client stack and wire): networkRttNs / 2. */
  networkOneWay: 0.15,
  /** The RX interrupt and NAPI poll of the first packet: softirqNs. */
  rxSoftirq: 0.3,
} as const
