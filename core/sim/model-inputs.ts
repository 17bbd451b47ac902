// What the model needs, resolved from a configuration by setup.ts: numbers and small arrays only.
import type { CostTable } from '../costs/cost-tables.ts'
import type { TimerPath } from '../kvm/timer-path.ts'
import type { Decision } from '../result.ts'

export interface VcpuSpec {
  vm: number
  index: number
  pcpu: number
  /** How KVM emulates this vCPU's LAPIC timer while it runs (depends on its pCPU's housekeeping role). */
  timerPath: TimerPath
}

export interface VmSpec {
  name: string
  /** Global index of the VM's first vCPU; its vCPUs are contiguous. */
  firstVcpu: number
  vcpus: number
  /** Posted interrupts (APICv/AVIC active): device and IPI interrupts reach a running vCPU without an exit. */
  postedInterrupts: boolean
  ipiVirtualization: boolean
  hltInGuest: boolean
  /** The guest idles with MWAIT (exposed in CPUID) instead of HLT. */
  guestIdleMwait: boolean
  mwaitInGuest: boolean
  /** Host halt polling allowed for this VM's vCPUs (not switched off by guest poll control). */
  hostHaltPoll: boolean
  guestHaltPoll: boolean
  guestIdlePoll: boolean
  guestHz: number
  guestBackgroundTimersPerSec: number
  guestTickMode: 'nohz-idle' | 'periodic' | 'nohz-full'
  guestPoll: { maxNs: number; grow: number; growStart: number; shrink: number }
  io: 'vhost-net' | 'sriov-vf'
  /** pCPU where the vhost worker runs (iothreadpin), or -1. */
  vhostPcpu: number
  tlbShootdownsPerSec: number
  workload: WorkloadSpec
  /** The guest scheduler's view of the topology: vCPUs per LLC domain (guest cores × threads per socket). */
  llcSize: number
  /** The guest reads KVM_VCPU_PREEMPTED after an HLT block (host sets it, guest's vcpu_is_preempted() consults it). */
  preemptedOnHltBlock: boolean
  /** …after a real preemption of the vCPU thread. */
  preemptedOnPreempt: boolean
  decisions: Decision[]
}

export interface RedisSpec {
  kind: 'redis'
  closedLoop: boolean
  outstanding: number
  ratePerSec: number
  serverThreads: number
  serviceNs: number
  serviceSigma: number
  networkRttNs: number
  rxBatch: number
  softirqNs: number
  txKickEvery: number
  guestTimersPerRequest: number
  guestTimerDelayNs: number
}

export interface ForkJoinSpec {
  kind: 'fork-join'
  threads: number
  workNs: number
  workSigma: number
  spinNs: number
}

export interface PingPongSpec {
  kind: 'ping-pong'
  streams: number
  serviceNs: number
  serviceSigma: number
  networkRttNs: number
  softirqNs: number
}

export interface TimerSpec {
  kind: 'timer'
  /** Resolved: 1 … vCPUs. */
  threads: number
  intervalNs: number
  distanceNs: number
}

export interface HackbenchSpec {
  kind: 'hackbench'
  groups: number
  fds: number
  pipe: boolean
}

export type WorkloadSpec = RedisSpec | ForkJoinSpec | PingPongSpec | TimerSpec | HackbenchSpec

export interface IrqSourceSpec {
  name: string
  ratePerSec: number
  durationNs: number
  /** CPUs the interrupt may land on. */
  cpus: number[]
}

export interface ModelInputs {
  vendor: 'vmx' | 'svm'
  nrCpus: number
  hostVersion: string
  hostHz: number
  costs: CostTable
  /** C-states for idle pCPUs (empty with idle=poll). */
  cstates: { exitLatencyNs: number; targetResidencyNs: number }[]
  /** Per pCPU: nohz_full (no tick while one task runs). */
  nohzFull: Uint8Array
  /** Per pCPU: housekeeping for workqueues/kthreads (kworkers may run there). */
  kworkerCpu: Uint8Array
  kworkerPerSec: number
  kworkerNs: number
  /** Residual 1 Hz tick stays local (host < 4.17) on nohz_full CPUs. */
  residualTickLocal: boolean
  haltPoll: { maxNs: number; grow: number; growStart: number; shrink: number; hostVersion: string }
  irqs: IrqSourceSpec[]
  vcpus: VcpuSpec[]
  vms: VmSpec[]
  warmupNs: number
  durationNs: number
  seed: number
}
