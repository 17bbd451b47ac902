// How much work a run is before it starts: the simulated events of each configuration, from the event
// rates its profile states × the virtual time simulated (warm-up + duration) × replications. Pure: from the
// resolved profile alone, never from the model. Each rate is the profile's own (an IRQ source's
// ratePerSec, a timer's interval, a workload's request rate); the factor beside it is how many engine
// events one such occurrence costs in the model (an arrival, the exit, the handler, the entry …), an upper
// estimate checked against the examples by test/reliability/work-limits.node.test.ts. Rates of things the
// profile does not bound by a rate (a closed-loop workload) come from its service and round-trip times.
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import type { Vm } from '../profile/profile-schema.ts'
import { usesPvIpi } from '../kvm/ipi.ts'
import { workloadSpec } from '../sim/workload-spec.ts'

/** Engine events per occurrence of each kind of event source (upper estimates; see the file comment). */
export const EVENTS_PER = {
  irq: 4,
  kworker: 3,
  hostTick: 1,
  hostTlbShootdown: 3,
  hostTaskBurst: 3,
  guestTimer: 5,
  guestTick: 2,
  emulatorWakeup: 3,
  guestTlbShootdown: 3,
  spinlockAcquisition: 3,
  idleGap: 4,
  request: 8,
  transaction: 10,
  timerWakeup: 6,
  barrierIteration: 6,
  message: 6,
  /** A microbenchmark iteration (an IPI and its handler, a TSC-deadline write and its interrupt) or one target's
   *  delivery of a broadcast call. */
  microOp: 8,
  /** A pipe ping-pong round trip: two burst ends, two wake-ups (with their IPIs or switches). */
  pipeRoundTrip: 4,
  /** An emulated MWAIT (a NOP) exits and re-enters at once: an idle vCPU loops through exits. */
  mwaitNopLoop: 2,
} as const

/** Round trips per second of one idle vCPU looping through emulated MWAIT exits (exit + entry ≈ 1 µs). */
const MWAIT_NOP_LOOPS_PER_SEC = 1e6

/** Most messages a hackbench thread passes per second of virtual time (a write and a read of 100 bytes
 *  through a socket, a few microseconds each). */
const HACKBENCH_MESSAGES_PER_THREAD = 400_000

/** Most microbenchmark operations per second (kvm-unit-tests iterations, broadcast deliveries): each costs at least
 *  an interrupt delivery and its handler, about 1 µs. */
const MICRO_OPS_PER_SEC = 500_000

/** The slowest TSC of the CPU presets, in GHz: a TSC-deadline period in cycles lasts at least this long. */
const MIN_TSC_GHZ = 2

export interface WorkEstimate {
  /** Engine events per second of virtual time. */
  eventsPerSec: number
  /** Virtual seconds simulated: (warm-up + duration) × replications. */
  virtualSec: number
  /** eventsPerSec × virtualSec, rounded up. */
  events: number
  /** The largest contributors, most first, e.g. `host.noise.irqs: 6.4e7/s`. */
  top: { source: string; eventsPerSec: number }[]
}

function cpuCount(cfg: ResolvedConfiguration): number {
  const t = cfg.host.topology
  return t.sockets * t.coresPerSocket * t.threadsPerCore
}

/** Engine events per second of one VM's workload. */
function workloadRate(vm: Vm): number {
  const w = vm.workload
  switch (w.kind) {
    case 'redis': {
      const capacity = (w.serverThreads * 1e9) / w.serviceNs
      const offered = w.clients === 'open' ? w.ratePerSec : (w.connections * w.pipeline * 1e9) / (w.networkRttNs + w.serviceNs)
      return Math.min(offered, capacity) * (EVENTS_PER.request + EVENTS_PER.guestTimer * w.guestTimersPerRequest)
    }
    case 'ping-pong':
      // a pipe round trip is two writes, two reads and two wake-ups or switches: ~5 µs at the least
      if (w.transport === 'pipe') return ((w.streams * 1e9) / 5_000) * EVENTS_PER.pipeRoundTrip
      return ((w.streams * 1e9) / Math.max(1, w.networkRttNs + w.serviceNs + w.softirqNs)) * EVENTS_PER.transaction
    case 'timer': {
      const threads = w.threads || vm.vcpus
      let perSec = 0
      for (let i = 0; i < threads; i++) perSec += 1e6 / (w.intervalUs + i * w.distanceUs)
      return perSec * EVENTS_PER.timerWakeup
    }
    case 'fork-join': {
      const threads = w.threads || vm.vcpus
      return ((threads * 1e9) / w.workNs) * EVENTS_PER.barrierIteration
    }
    case 'ebizzy': {
      // a record is at least the copy of its chunk (~0.1 µs per KiB) and never less than a microsecond
      const threads = w.threads || 2 * vm.vcpus
      if (w.memory === 'mmap') {
        // -m: mmap_lock taken per page fault (a lock operation and a burst each, ≥ 0.5 µs a fault) besides mmap/munmap
        const pages = Math.ceil(w.chunkBytes / 4096)
        return Math.min(threads, vm.vcpus) * (1e9 / Math.max(1_000, (w.chunkBytes / 1024) * 80 + pages * 500)) * (EVENTS_PER.barrierIteration + 2 * pages)
      }
      return Math.min(threads, vm.vcpus) * (1e9 / Math.max(1_000, (w.chunkBytes / 1024) * 80)) * EVENTS_PER.barrierIteration
    }
    case 'hackbench':
      // bounded by its threads and by the vCPUs' time: a message costs at least a microsecond of guest time
      return Math.min(w.groups * w.fds * 2 * HACKBENCH_MESSAGES_PER_THREAD, vm.vcpus * 1e6) * EVENTS_PER.message
    case 'tscdeadline-latency':
      return Math.min(MICRO_OPS_PER_SEC, (MIN_TSC_GHZ * 1e9) / w.deltaCycles) * EVENTS_PER.microOp
    case 'vmexit':
      return MICRO_OPS_PER_SEC * EVENTS_PER.microOp
    case 'ipi-broadcast': {
      // one microbenchmark operation per target of each call; the targets run their handlers in parallel, so the sender
      // bounds the rate: one ICR write per target (a microsecond each at least), or with PV IPI one hypercall a call
      // (usesPvIpi(): the guest's multicast path from 4.19)
      const spec = workloadSpec(w, vm.vcpus)
      const targets = spec.kind === 'ipi-broadcast' ? spec.targets : 1
      const pv = usesPvIpi({ pvIpi: vm.kvm.pv.pvIpi, guestVersion: vm.guest.kernelVersion, multicast: targets > 1 })
      return MICRO_OPS_PER_SEC * (pv ? targets : 1) * EVENTS_PER.microOp
    }
    case 'idle':
      return 0
  }
}

/** The work of one configuration (all its replications). */
export function estimateWork(cfg: ResolvedConfiguration, durationSec: number = cfg.run.durationSec): WorkEstimate {
  const cpus = cpuCount(cfg)
  const { host } = cfg
  const parts: { source: string; eventsPerSec: number }[] = []
  const add = (source: string, eventsPerSec: number): void => { if (eventsPerSec > 0) parts.push({ source, eventsPerSec }) }
  add('host.noise.irqs', host.noise.irqs.reduce((a, q) => a + q.ratePerSec, 0) * EVENTS_PER.irq)
  add('host.noise.kworkerPerSec', host.noise.kworkerPerSec * cpus * EVENTS_PER.kworker)
  add('host.kernel.hz', host.kernel.hz * cpus * EVENTS_PER.hostTick)
  const vmmThreads = cfg.vms.reduce((a, v) => a + v.vcpus, 0)
  add('host.noise.tlbShootdownsPerSec', host.noise.tlbShootdownsPerSec * Math.max(1, vmmThreads) * EVENTS_PER.hostTlbShootdown)
  add('host.tasks', host.tasks.reduce((a, t) => a + ((t.perCpu ? cpus : 1) * 1e9) / (t.runNs + t.sleepNs), 0) * EVENTS_PER.hostTaskBurst)
  cfg.vms.forEach((vm, i) => {
    const at = `vms[${i}]`
    add(`${at}.guest.backgroundTimersPerSec`, vm.guest.backgroundTimersPerSec * vm.vcpus * EVENTS_PER.guestTimer)
    // an idle guest's tick stops in idle unless it is periodic (tick_nohz_idle_stop_tick())
    if (vm.workload.kind !== 'idle' || vm.guest.tickMode === 'periodic') add(`${at}.guest.hz`, vm.guest.hz * vm.vcpus * EVENTS_PER.guestTick)
    add(`${at}.emulator.wakeupsPerSec`, vm.emulator.wakeupsPerSec * EVENTS_PER.emulatorWakeup)
    add(`${at}.guest.tlbShootdownsPerSec`, vm.guest.tlbShootdownsPerSec * vm.vcpus * EVENTS_PER.guestTlbShootdown)
    add(`${at}.contention.spinlock.acquisitionsPerSec`, vm.contention.spinlock.acquisitionsPerSec * vm.vcpus * EVENTS_PER.spinlockAcquisition)
    add(`${at}.contention.idleGaps.perSec`, vm.contention.idleGaps.perSec * vm.vcpus * EVENTS_PER.idleGap)
    add(`${at}.workload`, workloadRate(vm))
    if (vm.kvm.exposeMwait && !vm.kvm.disableExits.mwait) add(`${at}.kvm.exposeMwait`, vm.vcpus * MWAIT_NOP_LOOPS_PER_SEC * EVENTS_PER.mwaitNopLoop)
  })
  const eventsPerSec = parts.reduce((a, p) => a + p.eventsPerSec, 0)
  const virtualSec = (cfg.run.warmupSec + durationSec) * cfg.run.replications
  return { eventsPerSec, virtualSec, events: Math.ceil(eventsPerSec * virtualSec), top: parts.sort((a, b) => b.eventsPerSec - a.eventsPerSec).slice(0, 3) }
}

/** `6.4e7` for 64000000; small numbers as they are. */
export function shortNumber(n: number): string {
  return n < 1e5 ? String(Math.round(n)) : n.toExponential(1).replace('e+', 'e')
}
