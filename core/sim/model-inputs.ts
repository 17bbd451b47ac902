// What the model needs, resolved from a configuration by setup.ts: numbers and small arrays only.
import type { RwsemFeatures } from '../guest/rwsem-decisions.ts'
import type { CostTable } from '../costs/cost-tables.ts'
import type { TimerPath } from '../kvm/timer-path.ts'
import type { HltWait } from '../kvm/userspace-exits.ts'
import type { Decision } from '../result.ts'
import type { FairParams } from '../host/fair-sched.ts'
import type { SpinlockKind } from '../guest/pvspinlock.ts'
import type { PvLockFeatures } from '../guest/qspinlock.ts'
import type { PleParams } from '../kvm/ple.ts'
import type { PreemptedReaders } from '../guest/vcpu-is-preempted.ts'
import type { CpuidleStates } from '../guest/cpuidle-states.ts'

/** Spinlock contention added to a VM's workload, and how its guest waits (kvm_spinlock_init()). */
export interface SpinlockSpec {
  kind: SpinlockKind
  acquisitionsPerSec: number
  holdNs: number
  locks: number
  userSpace: boolean
  /** Global id of the VM's first lock. */
  lockBase: number
  /** A waiter's PAUSE loop can exit: PLE / pause filter on for the VM and for the loop's CPL. */
  pauseExits: boolean
  /** Waiters halt in pv_wait() after SPIN_THRESHOLD loops (pvqspinlock, kernel locks). */
  halts: boolean
  /** A kernel (CPL 0) PAUSE loop exits: PLE / pause filter on for the VM — csd_lock_wait() and mutex spinning. */
  kernelPauseExits: boolean
  /** The guest's pvqspinlock slow path by version: lock stealing, unfair spinning, pv_wait_early() (qspinlock.ts). */
  pv: PvLockFeatures
}

export interface VcpuSpec {
  vm: number
  index: number
  pcpu: number
  /** How KVM emulates this vCPU's LAPIC timer while it runs (depends on its pCPU's housekeeping role). */
  timerPath: TimerPath
  /** The CPUs its thread may run on when it floats (vcpupin of several CPUs, or none); null when pinned to `pcpu`. */
  allowed: number[] | null
}

/** A host task other than a vCPU thread that competes for pCPUs: a neighbour process, the QEMU emulator thread, a
 *  vhost worker. */
export interface HostTaskSpec {
  name: string
  /** CPUs it may run on (its affinity). */
  cpus: number[]
  /** Mean run burst (lognormal). */
  runNs: number
  /** Mean sleep between bursts (exponential); 0 = a CPU hog that never sleeps. */
  sleepNs: number
  /** Woken by the model for the work it is given (HostModel.runHostTask(): a vhost worker's batches) rather than by
   *  its own run/sleep cycle; runNs and sleepNs are then unused. */
  driven: boolean
}

export interface VmSpec {
  name: string
  /** Global index of the VM's first vCPU; its vCPUs are contiguous. */
  firstVcpu: number
  vcpus: number
  /** Posted interrupts (APICv/AVIC active): device and IPI interrupts reach a running vCPU without an exit. */
  postedInterrupts: boolean
  /** The sender's unicast ICR write does not exit (IPIv, or AVIC to a running target). */
  ipiVirtualization: boolean
  /** Guest IPI paths resolved at setup by ipiSendPath() (core/sim/ipi-setup.ts): the exit reason id of a unicast
   *  (reschedule) IPI send and its cost id; −1 = no exit. */
  ipiUnicastExit: number
  ipiUnicastCost: number
  /** …of one send of a multicast (TLB shootdown): per target, or once for all with PV IPI. */
  ipiMulticastExit: number
  ipiMulticastCost: number
  /** PV IPI: a multicast is one hypercall for every target (plus pvIpiPerTarget each), not one send per target. */
  ipiMulticastBatched: boolean
  /** AVIC with IPI virtualization: a send exits (AVIC_INCOMPLETE_IPI) only when its target has IsRunning = 0. */
  ipiExitsIfTargetNotRunning: boolean
  /** AVIC: a halt-polling target keeps IsRunning = 1 (host ≥ 5.17, core/kvm/avic.ts avicRunningWhileHaltPolling()). */
  avicRunningWhileHaltPolling: boolean
  /** The guest's cluster x2APIC driver (core/guest/x2apic.ts apicDriver()): a multicast makes one ICR write per
   *  cluster of its targets (apicCluster), not one per target. */
  ipiCluster: boolean
  /** Per vCPU of the VM (by index): its x2APIC cluster (QEMU's APIC ID from the guest topology, bits 31:4). */
  apicCluster: number[]
  /** Per vCPU of the VM (by index): its APIC ID (QEMU's x86_apicid_from_cpu_idx(), core/guest/x2apic.ts apicIdOf()). */
  apicId: number[]
  /** smp_call_function_many_cond() sends a lone IPI target as a single-target IPI (nr_cpus == 1, guest ≥ 5.13); before,
   *  through the mask path — with PV IPI a KVM_HC_SEND_IPI (core/guest/csd-lock-wait.ts callFuncSingleIpi()). */
  callFuncSingleIpi: boolean
  /** Exit-cause label of a unicast IPI send. */
  ipiUnicastCause: string
  /** Guest TLB shootdowns per second (flush_tlb_mm_range() to the other vCPUs running the process). */
  guestTlbShootdownsPerSec: number
  /** kvm_flush_tlb_multi(): vCPUs whose steal-time preempted flag the guest sees are skipped. */
  pvTlbFlush: boolean
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
  /** The guest kernel's fair class (CFS before 6.6, EEVDF from 6.6) and its tunables for the guest's vCPU count. */
  guestFair: FairParams
  /** The guest's rq clock leaves out steal time (KVM_FEATURE_STEAL_TIME: paravirt_steal_rq_enabled). */
  guestStealAcc: boolean
  guestPoll: { maxNs: number; grow: number; growStart: number; shrink: number; allowShrink: boolean }
  /** The guest's cpuidle driver and governor (core/guest/cpuidle-driver.ts CpuidleDriver / CpuidleGovernor), and
   *  whether its idle loop selects a state before stopping the tick (v4.17+). */
  guestCpuidleDriver: number
  guestCpuidleGovernor: number
  guestSelectBeforeTickStop: boolean
  /** haltpoll_reflect() passes the halt residency in ns (v5.7+), else in µs. */
  guestHaltpollNsUnits: boolean
  /** intel_idle's states in the guest: the poll state, then the CPU model's C-states. */
  guestCstates: CpuidleStates
  io: 'vhost-net' | 'sriov-vf'
  /** pCPU where the vhost worker runs (iothreadpin), or -1. */
  vhostPcpu: number
  /** The vhost worker's index in ModelInputs.tasks (a driven host task on vhostPcpu), or -1. */
  vhostTask: number
  tlbShootdownsPerSec: number
  workload: WorkloadSpec
  /** The guest scheduler's view of the topology: vCPUs per LLC domain (guest cores × threads per socket). */
  llcSize: number
  /** The host sets KVM_VCPU_PREEMPTED in the guest's steal time after an HLT block (steal time enabled, HLT exits,
   *  kvm_arch_vcpu_put() before 5.19). Whether a guest path reads it: preemptedReaders. */
  preemptedOnHltBlock: boolean
  /** …after a real preemption of the vCPU thread. */
  preemptedOnPreempt: boolean
  /** Which guest paths read the flag, by guest version (core/guest/vcpu-is-preempted.ts preemptedReaders()). */
  preemptedReaders: PreemptedReaders
  /** Which ttwu_queue_cond() the guest has (core/guest/rq-lock.ts ttwuQueueEra()). */
  ttwuQueueEra: number
  /** The wake list is the call_single_queue (core/guest/rq-lock.ts wakelistOnCallSingleQueue()). */
  wakelistOnCallSingleQueue: boolean
  /** smp_call_function_many()'s targets of a TLB shootdown include a vCPU in its idle loop (lazy TLB mode) once per
   *  idle period: guest < 4.14, or 4.14–4.19 without PCID (core/guest/lazy-tlb.ts shootdownIpisLazyOnce()). */
  tlbFlushIpisLazy: boolean
  /** The LAPIC timer path of a vCPU on a housekeeping (HK_TYPE_TIMER) pCPU and on an isolated one: a floating vCPU
   *  takes the one of the pCPU it runs on. */
  spinlock: SpinlockSpec
  idleGaps: { perSec: number; meanNs: number }
  /** Sleeping-lock contention added to the workload (core/guest/mutex-spin.ts). */
  mutex: { acquisitionsPerSec: number; holdNs: number; locks: number }
  /** What the guest's rwsems do, by version (core/guest/rwsem.ts rwsemFeatures()). */
  rwsem: RwsemFeatures
  /** munmap() downgrades mmap_lock to read for the zap (guest ≥ 4.20, dd2283f2605e "mm: mmap: zap pages with read
   *  mmap_sem in munmap"); before it the zap runs under the write lock. */
  munmapDowngrade: boolean
  /** Page faults take the per-VMA lock first (guest ≥ 6.4: CONFIG_PER_VMA_LOCK, 0bff0aaea03e "x86/mm: try VMA
   *  lock-based page fault handling first", lock_vma_under_rcu()), mmap_lock only on fallback. */
  faultsPerVmaLock: boolean
  /** PAGEVEC_SIZE: new pages a CPU gathers in its lru_add pagevec before __pagevec_lru_add() takes the LRU lock — 14
   *  before guest 4.16, 15 from it (Matthew Wilcox, "mm: get 7% more pages in a pagevec": linux-mm, 5 December 2017;
   *  in mmotm's since-4.15 branch, February 2018), 31 from 6.9 (9cecde80aae0; core/guest/page-lru.ts pagevecSize()). */
  lruAddBatch: number
  /** The most pages release_pages() takes off the LRU under one lock section: SWAP_CLUSTER_MAX (32), from guest 6.9 a
   *  folio_batch (31; core/guest/page-lru.ts releaseLockBatch()). */
  lruReleaseBatch: number
  timerPathOnHousekeeping: TimerPath
  timerPathOnIsolated: TimerPath
  /** Experimental (the 2023 Woodhouse RFC), resolved by core/sim/experimental-setup.ts: what an HLT exit does (HaltExit), what an
   *  emulated MWAIT exit does (MwaitExit), how the VMM waits after its work on a KVM_EXIT_HLT, its mean work per
   *  userspace exit. */
  hltExit: number
  mwaitExit: number
  hltWait: HltWait
  vmmWorkNs: number
  /** The guest reads KVM_VCPU_PREEMPTED after a return to userspace (kvm_arch_vcpu_put() before 5.19). */
  preemptedOnUserspaceExit: boolean
  /** Experimental (the scheduled_out series, 2024): a schedule-in that finds the guest state still loaded skips vcpu_put()/vcpu_load(). */
  keepStateLoaded: boolean
  /** Experimental (Wanpeng Li's dropped vmentry_advance_ns patch, 2019): ns the timer is armed and the entry's wait ends
   *  before the deadline on top of timer_advance_ns (core/kvm/timer-advance.ts); 0 = off. */
  vmentryAdvanceNs: number
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
  /** tcp: netperf TCP_RR over the network path (ping-pong.ts); pipe: perf bench sched pipe (pipe-ping-pong.ts). */
  transport: 'tcp' | 'pipe'
  /** pipe: the two tasks are processes (switch_mm() when they share a vCPU). */
  processes: boolean
  loops: number
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
  /** cyclictest -p: printed only (each thread is alone on its vCPU). */
  priority: number
}

export interface HackbenchSpec {
  kind: 'hackbench'
  groups: number
  fds: number
  loops: number
  messageBytes: number
  pipe: boolean
  /** hackbench -P: every task its own process (a switch_mm() per switch between them). */
  processes: boolean
}

export type VmexitTest = 'ipi' | 'ipi_halt' | 'tscdeadline' | 'tscdeadline_immed'
export type IpiTarget = 'running' | 'idle-polling' | 'halted'

export interface VmexitSpec {
  kind: 'vmexit'
  test: VmexitTest
  /** ipi only: what the target vCPU does between IPIs ('idle-polling' sets the guest's idle=poll in setup). */
  target: IpiTarget
  /** tscdeadline only: how far ahead the deadline is written, in TSC cycles (vmexit.c: rdtsc() + 3000). */
  deadlineCycles: number
}

export interface TscdeadlineLatencySpec {
  kind: 'tscdeadline-latency'
  /** The next deadline, in TSC cycles after the interrupt (tscdeadline_latency's delta, argv[1]). */
  deltaCycles: number
  /** Between interrupts the vCPU halts (today's test) or busy-waits (the variant the published figures use). */
  wait: 'hlt' | 'busy'
}

export interface IpiBroadcastSpec {
  kind: 'ipi-broadcast'
  /** Targets per call: the first `targets` other vCPUs (resolved: 1 … vCPUs − 1). */
  targets: number
  /** The module's loop count: the printed total is the time per call × loops. */
  loops: number
}

export interface IdleSpec {
  kind: 'idle'
}

export interface EbizzySpec {
  kind: 'ebizzy'
  /** Resolved: ≥ 1. */
  threads: number
  chunks: number
  chunkBytes: number
  memory: 'malloc' | 'malloc-trim' | 'mmap' | 'no-mmap'
  linearSearch: boolean
}

export type WorkloadSpec = RedisSpec | ForkJoinSpec | PingPongSpec | TimerSpec | HackbenchSpec | VmexitSpec | TscdeadlineLatencySpec | IpiBroadcastSpec | IdleSpec | EbizzySpec

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
  /** host.kernel.reverted: commits the host kernel is built without (core/kvm/reverts.ts hostHasCommit()). */
  hostReverted: readonly string[]
  hostHz: number
  costs: CostTable
  /** C-states for idle pCPUs (empty with idle=poll). */
  cstates: { exitLatencyNs: number; targetResidencyNs: number }[]
  /** C-states of a vCPU idling in guest mode (HLT: the first; MWAIT: the guest's hint): the host's idle= and
   *  intel_idle.max_cstate= do not apply (core/host/cpuidle.ts inGuestCstates()). */
  guestCstates: { exitLatencyNs: number; targetResidencyNs: number }[]
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
  /** Per pCPU: housekeeping for HK_TYPE_TIMER. */
  timerHousekeeping: Uint8Array
  /** The LAPIC timer's host side (core/kvm/lapic-timer.ts): the sw hrtimer pinned (before 5.3), the advance
   *  (timer-advance.ts AdvanceMode and the start value), and whether the hv path's TSC-deadline write takes the
   *  fastpath (exit-fastpath.ts). */
  lapicTimer: { hrtimerPinned: boolean; advanceMode: number; advanceInitNs: number; tscDeadlineFastpath: boolean; tscDeadlineFastpathSw: boolean }
  /** Per pCPU: its LLC (socket) id, for the host's wake-up placement of floating threads. */
  llcOf: Int32Array
  /** Per pCPU: its core and NUMA node (the host's SMT and NUMA scheduling domains, core/host/sched-domains.ts). */
  coreOf: Int32Array
  numaOf: Int32Array
  /** Per pCPU: in the scheduling domains (HK_TYPE_DOMAIN; isolcpus=domain CPUs are not: no load balancing there). */
  schedDomain: Uint8Array
  /** Per pCPU: may run the nohz idle balance for the others (find_new_ilb(): HK_TYPE_MISC). */
  ilbHousekeeping: Uint8Array
  /** PLE (VMX, window in TSC cycles) / pause filter (SVM, window in PAUSEs) parameters. */
  ple: PleParams
  /** TSC rate, to turn a VMX PLE window in cycles into time. */
  tscGhz: number
  /** Per pCPU: how many host threads (vCPU threads and tasks) may run there, and whether a vCPU thread may
   *  (pcpuReach() in setup.ts; more than one thread ⇒ the pCPU may be shared). */
  threadsMayRun: Int32Array
  vcpuMayRun: Uint8Array
  /** Host tasks competing with vCPU threads (neighbours, emulator threads). */
  tasks: HostTaskSpec[]
  vcpus: VcpuSpec[]
  vms: VmSpec[]
  warmupNs: number
  durationNs: number
  seed: number
}
