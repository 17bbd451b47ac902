// The bench profile (model.md §1): one source for the TypeScript types, the JSON Schema and validation.
// Every field has a default, so a profile can be tiny. docs/profile.md documents each field.
import * as s from '../schema/schema.ts'
import type { Infer } from '../schema/schema.ts'
import { REVERTIBLE_COMMITS } from '../kvm/reverts.ts'

export const PROFILE_SCHEMA_VERSION = 1

export const CPU_PRESETS = ['skylake-sp', 'cascadelake-sp', 'icelake-sp', 'sapphirerapids', 'rome', 'milan', 'genoa'] as const

const cpulist = (description: string, def = '') => s.string({ default: def, description, maxLength: 65536 })

export const topologySchema = s.object({
  sockets: s.integer({ min: 1, max: 16, default: 1, description: 'Sockets (lscpu "Socket(s)").' }),
  coresPerSocket: s.integer({ min: 1, max: 256, default: 16, description: 'Physical cores per socket (lscpu "Core(s) per socket").' }),
  threadsPerCore: s.integer({ min: 1, max: 4, default: 2, description: 'SMT threads per core (lscpu "Thread(s) per core").' }),
  numaNodesPerSocket: s.integer({ min: 1, max: 8, default: 1, description: 'NUMA nodes per socket (SNC/NPS mode).' }),
  llcPerSocket: s.integer({ min: 1, max: 32, default: 1, description: 'Last-level-cache groups per socket (AMD CCXs; 1 on Intel).' }),
}, { description: 'Host topology; logical CPUs are numbered as Linux enumerates Intel servers (first threads of all cores, then siblings).' })

export const cmdlineSchema = s.object({
  nohzFull: cpulist('Kernel `nohz_full=` cpulist: CPUs that stop the tick when running one task.'),
  isolcpus: s.string({ default: '', maxLength: 65536, description: 'Kernel `isolcpus=` value with optional flags, e.g. "managed_irq,domain,2-23".' }),
  rcuNocbs: cpulist('Kernel `rcu_nocbs=` cpulist: CPUs whose RCU callbacks are offloaded.'),
  irqaffinity: cpulist('Kernel `irqaffinity=` cpulist: default affinity of device IRQs (empty = all CPUs).'),
  idle: s.oneOf(['default', 'poll', 'halt'] as const, { default: 'default', description: 'Kernel `idle=`: "poll" keeps idle CPUs polling (no C-state exit latency).' }),
  intelIdleMaxCstate: s.integer({ min: -1, max: 10, default: -1, description: '`intel_idle.max_cstate=` (-1 = not set).' }),
})

export const haltPollSchema = s.object({
  haltPollNs: s.integer({ min: 0, max: 100_000_000, default: 200_000, description: 'kvm.halt_poll_ns: maximum host halt-polling time per HLT exit (x86 default 200000).' }),
  grow: s.integer({ min: 0, max: 16, default: 2, description: 'kvm.halt_poll_ns_grow.' }),
  growStart: s.integer({ min: 0, max: 100_000_000, default: 10_000, description: 'kvm.halt_poll_ns_grow_start.' }),
  shrink: s.integer({ min: -1, max: 16, default: -1, description: 'kvm.halt_poll_ns_shrink (-1 = the host version\'s default: 0 before v6.11, 2 after).' }),
})

export const hostKvmSchema = s.object({
  haltPoll: haltPollSchema,
  piInjectTimer: s.oneOf([-1, 0, 1] as const, { default: -1, description: 'kvm.pi_inject_timer: -1 = on iff nohz_full (housekeeping_enabled(HK_TYPE_TIMER)), 0 = off, 1 = on.' }),
  preemptionTimer: s.boolean({ default: true, description: 'kvm_intel.preemption_timer: use the VMX preemption timer as the hv timer.' }),
  lapicTimerAdvanceNs: s.integer({ min: -1, max: 100_000, default: -1, description: 'kvm.lapic_timer_advance_ns: arm the guest\'s LAPIC timer this early and busy-wait for the deadline at the entry. -1 = the kernel\'s default (adaptive from 4.20, off before), 0 = off, N = fixed N ns (before 6.10; 6.10+ has only the bool kvm.lapic_timer_advance).' }),
  enableApicv: s.boolean({ default: true, description: 'kvm_intel.enable_apicv / kvm_amd.avic: posted interrupts and APIC virtualization. On AMD this is the value written for kvm_amd.avic; the kernel\'s own default is off before 6.18 and "auto" (on for Zen 4+ with x2AVIC) from 6.18.' }),
  enableIpiv: s.boolean({ default: true, description: 'kvm_intel.enable_ipiv: IPI virtualization (Sapphire Rapids and later, host 5.19+); kvm_amd.enable_ipiv (host 6.17+): AVIC sets IsRunning so IPIs to running vCPUs do not exit.' }),
  pleGap: s.integer({ min: 0, max: 1 << 20, default: 128, description: 'kvm_intel.ple_gap (0 disables PAUSE-loop exiting); kvm_amd.pause_filter_thresh (at most 65535; 0 = count-only filter from 5.8 turns the intercept off). A PAUSE more than this many cycles after the previous one restarts the count.' }),
  pleWindow: s.integer({ min: -1, max: 0xffff_ffff, default: -1, description: 'kvm_intel.ple_window (TSC cycles); kvm_amd.pause_filter_count (PAUSEs, at most 65535). -1 = the module\'s default: 4096 on Intel, 3000 on AMD.' }),
  pleWindowGrow: s.integer({ min: -1, max: 0xffff_ffff, default: -1, description: 'kvm_intel.ple_window_grow; kvm_amd.pause_filter_count_grow (at most 65535). -1 = the default, 2 (the window doubles on each PAUSE exit).' }),
  pleWindowShrink: s.integer({ min: -1, max: 0xffff_ffff, default: -1, description: 'kvm_intel.ple_window_shrink; kvm_amd.pause_filter_count_shrink (at most 65535). -1 = the default, 0 (a schedule-out resets the window).' }),
  pleWindowMax: s.integer({ min: -1, max: 0xffff_ffff, default: -1, description: 'kvm_intel.ple_window_max; kvm_amd.pause_filter_count_max (at most 65535). -1 = the default: UINT_MAX on Intel, USHRT_MAX on AMD.' }),
})

export const irqSourceSchema = s.object({
  name: s.string({ default: 'irq', maxLength: 64, description: 'Name shown as the exit cause, e.g. "nvme0q3".' }),
  ratePerSec: s.number({ min: 0, max: 1e6, default: 100, description: 'Interrupts per second in total.' }),
  durationNs: s.integer({ min: 0, max: 1e8, default: 2000, description: 'Host handler time per interrupt.' }),
  affinity: s.string({ default: 'default', maxLength: 65536, description: '"default" (irqaffinity=), "managed" (spread over all CPUs except isolcpus=managed_irq ones) or an explicit cpulist.' }),
})

export const noiseSchema = s.object({
  irqs: s.array(irqSourceSchema, { default: [], description: 'Device interrupt sources.' }),
  tlbShootdownsPerSec: s.number({ min: 0, max: 1e6, default: 0, description: 'TLB-shootdown IPIs per second sent by the VMM process (QEMU munmap/mprotect) to every CPU running one of its threads, vCPU threads included.' }),
  kworkerPerSec: s.number({ min: 0, max: 1e6, default: 200, description: 'Housekeeping kernel work items (kworkers, RCU callbacks, timers) per second per CPU, placed on housekeeping CPUs of their type.' }),
  kworkerNs: s.integer({ min: 0, max: 1e8, default: 5000, description: 'Duration of one housekeeping work item.' }),
})

export const hostTaskSchema = s.object({
  name: s.string({ default: 'task', maxLength: 64, description: 'Name shown for the task, e.g. "stress-ng", "ovs-vswitchd".' }),
  cpus: s.string({ default: '0', maxLength: 65536, description: 'Its CPU affinity (taskset -c / systemd CPUAffinity=): a cpulist.' }),
  perCpu: s.boolean({ default: false, description: 'One such task pinned to each CPU of `cpus` (like stress-ng --cpu N --taskset), instead of one task free to run on any of them.' }),
  runNs: s.number({ min: 1_000, max: 1e9, default: 1_000_000, description: 'Mean length of one run burst (lognormal).' }),
  sleepNs: s.number({ min: 0, max: 1e10, default: 1_000_000, description: 'Mean sleep between bursts (exponential); 0 = a CPU hog that never sleeps. Its CPU share is about runNs / (runNs + sleepNs).' }),
}, { description: 'A host task other than the VMs\' vCPU threads, competing for CPUs under the host scheduler (CFS before 6.6, EEVDF after).' })

export const hostSchema = s.object({
  cpu: s.oneOf(CPU_PRESETS, { default: 'skylake-sp', description: 'CPU model preset: fixes the feature set (APICv/AVIC, IPIv, VMX preemption timer) and the cost table.' }),
  topology: topologySchema,
  kernel: s.object({
    version: s.string({ default: '6.8', maxLength: 32, pattern: /^\d+\.\d+(\.\d+)?$/, patternHint: 'write a kernel version like "5.3" or "6.8.0"', description: 'Host kernel version; selects the kernel behaviour per version (docs/model.md).' }),
    hz: s.oneOf([100, 250, 300, 1000] as const, { default: 1000, description: 'Host CONFIG_HZ.' }),
    cmdline: cmdlineSchema,
    reverted: s.array(s.oneOf(REVERTIBLE_COMMITS), { default: [], maxItems: 16, description: 'Mainline commits the host kernel is built without (12-digit ids), as a patch\'s "vanilla" baseline is the same tree without it: only commits the model gates on (core/kvm/reverts.ts), each carried by `version`.' }),
  }),
  kvm: hostKvmSchema,
  noise: noiseSchema,
  tasks: s.array(hostTaskSchema, { default: [], maxItems: 4096, description: 'Other tasks on the host (neighbours, agents, OVS, …) that compete with vCPU threads for CPUs.' }),
  costs: s.record(s.record(s.number({ min: 0, max: 1e9 })), { default: {}, description: 'Overrides of the cost table: { "<cost name>": { "meanNs": N, "sigma": N } }.' }),
})

export const disableExitsSchema = s.object({
  mwait: s.boolean({ default: false, description: 'KVM_X86_DISABLE_EXITS_MWAIT (QEMU -overcommit cpu-pm=on).' }),
  hlt: s.boolean({ default: false, description: 'KVM_X86_DISABLE_EXITS_HLT: the guest halts in non-root mode; hides PV_UNHALT.' }),
  pause: s.boolean({ default: false, description: 'KVM_X86_DISABLE_EXITS_PAUSE: no PLE / pause-filter exits.' }),
  cstate: s.boolean({ default: false, description: 'KVM_X86_DISABLE_EXITS_CSTATE.' }),
})

export const pvSchema = s.object({
  stealTime: s.boolean({ default: true, description: 'KVM_FEATURE_STEAL_TIME (QEMU kvm-steal-time).' }),
  pvUnhalt: s.boolean({ default: true, description: 'KVM_FEATURE_PV_UNHALT (QEMU kvm-pv-unhalt, libvirt <pvspinlock>).' }),
  pollControl: s.boolean({ default: true, description: 'KVM_FEATURE_POLL_CONTROL (libvirt <poll-control>).' }),
  pvIpi: s.boolean({ default: true, description: 'KVM_FEATURE_PV_SEND_IPI (libvirt <pv-ipi>).' }),
  pvTlbFlush: s.boolean({ default: true, description: 'KVM_FEATURE_PV_TLB_FLUSH.' }),
  pvSchedYield: s.boolean({ default: true, description: 'KVM_FEATURE_PV_SCHED_YIELD.' }),
})

const EXPERIMENTAL = 'Experimental — RFC, not in any kernel.'

export const experimentalSchema = s.object({
  userspaceExits: s.object({
    hlt: s.boolean({ default: false, description: `${EXPERIMENTAL} Seed 004 (KVM_CAP_X86_USERSPACE_EXITS, kvm_run.userspace_exits bit KVM_X86_USERSPACE_EXIT_HLT): an HLT exit returns to the VMM as KVM_EXIT_HLT (mp_state stays HALTED); the VMM runs its work in the vCPU thread, then waits as \`hltWait\` says. Counted as an HLT exit.` }),
    mwait: s.boolean({ default: false, description: `${EXPERIMENTAL} Seed 004 (bit KVM_X86_USERSPACE_EXIT_MWAIT): an emulated MWAIT exit returns to the VMM as KVM_EXIT_MWAIT (38); the VMM runs its work in the vCPU thread and re-enters at once (the vCPU stays runnable). Counted as an MWAIT_INSTRUCTION exit.` }),
    vmmWorkNs: s.number({ min: 0, max: 1e8, default: 2_000, description: `${EXPERIMENTAL} Mean VMM work run in the vCPU thread on each userspace HLT/MWAIT exit (lognormal): the RFC's motivation, the VMM using idle vCPU cycles for its own pending work (its event sources, maintenance jobs).` }),
    hltWait: s.oneOf(['kvm-run', 'vmm-poll'] as const, { default: 'kvm-run', description: `${EXPERIMENTAL} After its work on a KVM_EXIT_HLT: "kvm-run" re-enters KVM_RUN (the RFC: with mp_state HALTED, vcpu_block() halt-polls and blocks in KVM as today); "vmm-poll" sleeps in the VMM's own poll() on its event sources and an interrupt-pending eventfd (a follow-up in the RFC's thread, not in the RFC): no host halt polling, the interrupt source wakes the thread, which then re-enters KVM_RUN.` }),
  }, { description: 'Seed 004 RFC (David Woodhouse, Sept 2023): HLT/MWAIT exits to the VMM. Experimental — RFC, not in any kernel.' }),
  mwaitYield: s.boolean({ default: false, description: `${EXPERIMENTAL} Seed 004: an emulated MWAIT that does not go to userspace calls yield() before re-entering: if another thread waits on the pCPU the host scheduler may run it (yield_task_fair() of the host version), else the vCPU goes straight back as with today's NOP.` }),
  vmentryAdvanceNs: s.integer({ min: 0, max: 1000, default: 0, description: 'Experimental — a patch, not in any kernel. Wanpeng Li\'s "KVM: LAPIC: Optimize timer latency consider world switch time" (kvm list, May–June 2019, dropped): kvm.vmentry_advance_ns, added to the guest TSC read in start_sw_tscdeadline(), vmx_set_hv_timer() and kvm_wait_lapic_expire(), so the timer is armed and the entry\'s busy-wait ends that much before the deadline — the VM-entry time. 300 in v3 of the patch, 25 in v4 (MAX_VMENTRY_ADVANCE_NS 1000); 0 = off (every kernel).' }),
  keepStateLoaded: s.boolean({ default: false, description: 'Experimental — not in any kernel. Seed 002: kvm_vcpu.scheduled_out (host 6.11+) lets KVM keep guest state loaded across kvm_sched_out()/kvm_sched_in(): a vCPU thread scheduled back in on the same pCPU with no other vCPU loaded there in between skips vcpu_put()/vcpu_load() (scheduleInNoLoad instead of scheduleIn, then indirectKeptLoaded instead of indirect).' }),
}, { description: 'What-if knobs from the seed RFCs, labelled experimental: not in any kernel.' })

export const pinningSchema = s.object({
  vcpupin: s.array(s.string({ maxLength: 65536 }), { default: [], description: 'libvirt <vcpupin cpuset=…> per vCPU (index = vCPU): one CPU pins the vCPU thread; several let it float over them; "" or missing = floating over the CPUs in the scheduler domains (all but isolcpus=domain ones). "^" exclusion allowed.' }),
  emulatorpin: s.string({ default: '', maxLength: 65536, description: 'libvirt <emulatorpin cpuset=…> for the QEMU main/emulator thread ("" = all CPUs).' }),
  iothreadpin: s.string({ default: '', maxLength: 65536, description: 'libvirt <iothreadpin cpuset=…>; the vhost-net worker runs on its first CPU, competing with whatever else runs there ("" = the first HK_TYPE_TIMER housekeeping CPU).' }),
})

export const guestSchema = s.object({
  kernelVersion: s.string({ default: '6.8', maxLength: 32, pattern: /^\d+\.\d+(\.\d+)?$/, patternHint: 'write a kernel version like "5.3"', description: 'Guest kernel version.' }),
  hz: s.oneOf([100, 250, 300, 1000] as const, { default: 1000, description: 'Guest CONFIG_HZ: the guest tick rate while a vCPU is busy.' }),
  tickMode: s.oneOf(['nohz-idle', 'periodic', 'nohz-full'] as const, { default: 'nohz-idle', description: 'Guest tick mode: CONFIG_NO_HZ_IDLE (tick stopped in idle), periodic, or nohz_full in the guest.' }),
  backgroundTimersPerSec: s.number({ min: 0, max: 100_000, default: 10, description: 'Guest kernel housekeeping timer expiries per vCPU per second (vmstat, RCU, writeback, watchdogs): what wakes an otherwise idle vCPU.' }),
  nopvspin: s.boolean({ default: false, description: 'Guest `nopvspin`: no pvqspinlock even with PV_UNHALT.' }),
  tlbShootdownsPerSec: s.number({ min: 0, max: 1e6, default: 0, description: 'Guest TLB shootdowns per second in the VM (munmap/mprotect in a multithreaded guest process): flush_tlb_mm_range() sends a flush IPI to every other vCPU running that process — one ICR write per target, or one PV IPI hypercall; with PV TLB flush, preempted vCPUs are skipped.' }),
  idlePoll: s.boolean({ default: false, description: 'Guest `idle=poll`.' }),
  x2apicPhys: s.boolean({ default: false, description: 'Guest `x2apic_phys`: the physical x2APIC driver even with interrupt remapping (one ICR write per IPI target). Without interrupt remapping the guest is in physical mode anyway (try_to_enable_x2apic()).' }),
  haltpoll: s.object({
    enabled: s.oneOf(['auto', 'force', 'off'] as const, { default: 'auto', description: 'cpuidle-haltpoll: "auto" loads it when the kernel would (KVM_HINTS_REALTIME), "force" = cpuidle_haltpoll.force=Y.' }),
    guestHaltPollNs: s.integer({ min: 0, max: 1e8, default: 200_000, description: 'haltpoll.guest_halt_poll_ns.' }),
    grow: s.integer({ min: 0, max: 16, default: 2, description: 'haltpoll.guest_halt_poll_grow.' }),
    growStart: s.integer({ min: 0, max: 1e8, default: 50_000, description: 'haltpoll.guest_halt_poll_grow_start.' }),
    shrink: s.integer({ min: 0, max: 16, default: 2, description: 'haltpoll.guest_halt_poll_shrink.' }),
    allowShrink: s.boolean({ default: true, description: 'haltpoll.guest_halt_poll_allow_shrink: shrink the per-CPU poll limit after a halt longer than guest_halt_poll_ns.' }),
  }),
  cpuidle: s.object({
    driver: s.oneOf(['auto', 'none', 'haltpoll', 'intel_idle', 'acpi_idle'] as const, { default: 'auto', description: 'The guest\'s cpuidle driver. "auto" = what the guest kernel registers: intel_idle when MWAIT is exposed on an Intel host, else cpuidle-haltpoll when it loads (see haltpoll.enabled), else none (QEMU gives acpi_idle no C-states): default_idle_call() with the tick stopped on each idle entry. "none" = cpuidle.off=1. "acpi_idle" = a guest whose ACPI tables give acpi_idle C1 (HLT): the governor keeps the tick for short idles.' }),
    governor: s.oneOf(['menu', 'teo'] as const, { default: 'menu', description: 'The governor of intel_idle: menu (the default, rating 20) or teo (cpuidle.governor=teo, guest 5.1+).' }),
  }),
})

export const redisSchema = s.object({
  kind: s.literal('redis'),
  clients: s.oneOf(['closed', 'open'] as const, { default: 'closed', description: 'Closed loop (connections × pipeline outstanding requests) or open loop (Poisson arrivals at `rate`).' }),
  connections: s.integer({ min: 1, max: 100_000, default: 50, description: 'Client connections (redis-benchmark -c).' }),
  pipeline: s.integer({ min: 1, max: 1024, default: 1, description: 'Requests in flight per connection (redis-benchmark -P).' }),
  ratePerSec: s.number({ min: 1, max: 1e8, default: 100_000, description: 'Open loop only: request arrival rate.' }),
  serverThreads: s.integer({ min: 1, max: 256, default: 1, description: 'Redis I/O threads (io-threads); each runs on its own vCPU.' }),
  serviceNs: s.number({ min: 100, max: 1e9, default: 8_000, description: 'Mean guest CPU time per request (command + syscalls), lognormal.' }),
  serviceSigma: s.number({ min: 0, max: 3, default: 0.35, description: 'Lognormal shape of the per-request service time.' }),
  networkRttNs: s.number({ min: 0, max: 1e9, default: 30_000, description: 'Client-side and wire round trip outside the host.' }),
  rxBatch: s.integer({ min: 1, max: 64, default: 4, description: 'Requests per RX interrupt (NAPI coalescing).' }),
  softirqNs: s.number({ min: 0, max: 1e8, default: 1_500, description: 'Guest RX softirq time per interrupt.' }),
  txKickEvery: s.integer({ min: 1, max: 1024, default: 8, description: 'One virtio TX notification (an exit) per this many replies; the rest are suppressed by event-index while vhost is busy.' }),
  guestTimersPerRequest: s.number({ min: 0, max: 16, default: 0.1, description: 'Guest hrtimer expiries caused per request (TCP delayed-ACK/pacing, epoll and futex timeouts).' }),
  guestTimerDelayNs: s.number({ min: 1_000, max: 1e9, default: 2_000_000, description: 'Mean time from arming such a guest hrtimer to its expiry (exponential).' }),
})

export const forkJoinSchema = s.object({
  kind: s.literal('fork-join'),
  threads: s.integer({ min: 0, max: 1024, default: 0, description: 'OpenMP threads (OMP_NUM_THREADS); 0 = one per vCPU.' }),
  workNs: s.number({ min: 100, max: 1e9, default: 100_000, description: 'Mean guest CPU time of one thread\'s work per iteration (between two barriers), lognormal.' }),
  workSigma: s.number({ min: 0, max: 3, default: 0.3, description: 'Lognormal shape of the per-iteration work: the load imbalance that makes early arrivers wait at the barrier.' }),
  spinNs: s.number({ min: 0, max: 1e9, default: 20_000, description: 'Time a thread spins at the barrier before futex_wait() (libgomp GOMP_SPINCOUNT × one load+PAUSE; 0 = OMP_WAIT_POLICY=passive).' }),
}, { description: 'fork-join (OpenMP / NPB-like): threads compute, meet at a barrier (spin, then futex sleep), the last arriver wakes the others. Reports iterations/s and the time per iteration.' })

export const pingPongSchema = s.object({
  kind: s.literal('ping-pong'),
  transport: s.oneOf(['tcp', 'pipe'] as const, { default: 'tcp', description: '"tcp": netperf TCP_RR over the VM\'s network path (the fields below); "pipe": a strict two-task pipe ping-pong inside the guest — `perf bench sched pipe`, lmbench lat_ctx, UnixBench\'s pipe-based context switching — one token passed back and forth (`streams` pairs, `mode`, `loops`; the network fields are unused).' }),
  mode: s.oneOf(['process', 'thread'] as const, { default: 'process', description: 'transport "pipe": two processes (perf bench sched pipe\'s default: a switch_mm() whenever both share a vCPU) or two threads (-T).' }),
  loops: s.integer({ min: 1, max: 10_000_000, default: 1_000_000, description: 'transport "pipe": operations per run (perf bench sched pipe -l, its default 1,000,000): its "Total time" line.' }),
  streams: s.integer({ min: 1, max: 64, default: 1, description: 'Concurrent request/response streams, one transaction in flight each (parallel `netperf -t TCP_RR` instances; one netperf is one stream).' }),
  serviceNs: s.number({ min: 100, max: 1e9, default: 4_000, description: 'Guest CPU time of the server per transaction: netserver\'s recv() and send() through the guest TCP stack, lognormal (netperf -r sizes small).' }),
  serviceSigma: s.number({ min: 0, max: 3, default: 0.3, description: 'Lognormal shape of the server time per transaction.' }),
  networkRttNs: s.number({ min: 0, max: 1e9, default: 20_000, description: 'Round trip outside the host per transaction: the netperf client\'s stack on its machine and the wire.' }),
  softirqNs: s.number({ min: 0, max: 1e8, default: 1_500, description: 'Guest RX softirq time per packet (virtio-net / VF interrupt, NAPI, TCP receive).' }),
}, { description: 'ping-pong: one token in flight per stream. transport "tcp" (netperf TCP_RR-like): the request comes in over the VM\'s network path and wakes the sleeping server thread, whose reply goes out with a TX notification; reports transactions/s and the round-trip time. transport "pipe" (perf bench sched pipe): two tasks pass a token through two pipes; reports round trips/s, the round-trip time and perf\'s Total time, usecs/op and ops/sec.' })

export const timerSchema = s.object({
  kind: s.literal('timer'),
  threads: s.integer({ min: 0, max: 1024, default: 0, description: 'Measurement threads (cyclictest -t), each pinned to its own vCPU (-a); 0 = one per vCPU; at most one per vCPU.' }),
  intervalUs: s.integer({ min: 10, max: 1_000_000, default: 1_000, description: 'Wake-up interval of thread 0 in µs (cyclictest -i; 1000 as cyclictest\'s default).' }),
  distanceUs: s.integer({ min: 0, max: 1_000_000, default: 0, description: 'Interval increment per thread in µs: thread i sleeps intervalUs + i × distanceUs (cyclictest -d; cyclictest\'s 500 applies only without -h, the histogram mode latency tests use, so 0 here).' }),
  priority: s.integer({ min: 0, max: 99, default: 0, description: 'cyclictest -p, printed in its "P:" column (its default 0; latency tests use -p99). Each thread is alone on its vCPU, so the SCHED_FIFO priority changes nothing in the model.' }),
}, { description: 'timer (cyclictest-like): each thread sleeps in clock_nanosleep(TIMER_ABSTIME) until its next deadline; the guest timer interrupt\'s hrtimer wakes it. Reports wake-ups/s, the wake-up latency (when the thread runs minus its deadline) and cyclictest\'s own line per thread with Min/Act/Avg/Max in µs.' })

export const hackbenchSchema = s.object({
  kind: s.literal('hackbench'),
  groups: s.integer({ min: 1, max: 64, default: 10, description: 'Groups of senders and receivers (hackbench -g; its default 10). More tasks than vCPUs share them under the guest\'s fair class (CFS before 6.6, EEVDF from 6.6: wake-up preemption and time slices).' }),
  fds: s.integer({ min: 1, max: 32, default: 20, description: 'Senders and receivers per group (hackbench -f; its default 20): each sender writes every receiver of its group in turn. At most 64 groups × 2 × 32 = 4,096 tasks.' }),
  loops: s.integer({ min: 1, max: 10_000_000, default: 100, description: 'Messages each sender passes to each receiver per run (hackbench -l; its default 100). A run ends when every receiver has read fds × loops messages; the next run starts at once.' }),
  messageBytes: s.integer({ min: 1, max: 65_536, default: 100, description: 'Message size in bytes (hackbench -s; its default 100): the copy per message and how many messages a pipe or socket buffer holds.' }),
  pipe: s.boolean({ default: false, description: 'Pipes instead of AF_UNIX stream socketpairs (hackbench -p / --pipe).' }),
  mode: s.oneOf(['process', 'thread'] as const, { default: 'process', description: 'hackbench -P (processes, its default: every switch between tasks is a switch_mm()) or -T (threads of one process).' }),
}, { description: 'hackbench (rt-tests; perf bench sched messaging is the same program): groups of senders and receivers; every sender writes `loops` messages to each receiver of its group in turn, a write to a sleeping receiver wakes it (a sync wake-up), a reader of a full pipe or socket wakes the blocked writers. Reports messages/s, the time from a message\'s write to its read, and hackbench\'s "Time:" per run.' })

export const ebizzySchema = s.object({
  kind: s.literal('ebizzy'),
  threads: s.integer({ min: 0, max: 1024, default: 0, description: 'ebizzy -t: threads; 0 = ebizzy\'s default, 2 × the VM\'s vCPUs.' }),
  chunks: s.integer({ min: 1, max: 1_000_000, default: 10, description: 'ebizzy -n: memory chunks searched (its default 10); each record copies one of them.' }),
  chunkBytes: s.integer({ min: 8, max: 1 << 30, default: 524_288, description: 'ebizzy -s: chunk size in bytes (its default 512 KiB: 64 Ki records of 8 bytes). The copy, the search and the pages faulted and unmapped per record scale with it.' }),
  memory: s.oneOf(['malloc', 'malloc-trim', 'mmap', 'no-mmap'] as const, { default: 'malloc', description: 'How each record\'s copy is allocated: "malloc" (ebizzy\'s default with glibc ≥ 2.26: the dynamic mmap threshold soon serves the copies from the thread\'s arena, and heap_trim() keeps them below M_TRIM_THRESHOLD: no unmapping), "malloc-trim" (ebizzy\'s default with an older glibc, e.g. 2.17: heap_trim() shrinks a per-thread arena on every free() beyond the top pad, madvise(MADV_DONTNEED)), "mmap" (-m: mmap()/munmap() per record) or "no-mmap" (-M: M_MMAP_MAX=0, every free() trims the arena). "mmap" faults all of the copy\'s pages in per record; "no-mmap" and "malloc-trim" the ones beyond glibc\'s 128 KiB top pad (96 of 512 KiB; none for a copy within the pad), each through the guest\'s page LRU lock; each of these shoots down the other vCPUs\' TLBs per record.' }),
  linearSearch: s.boolean({ default: false, description: 'ebizzy -l: linear search of the copy instead of bsearch().' }),
}, { description: 'ebizzy (allocator and memory-search benchmark): threads copy a random chunk, search it and free the copy; with -m or -M every free unmaps the copy, a TLB shootdown of every other vCPU running the process. Reports records/s as ebizzy prints it and the time per record.' })

export const vmexitSchema = s.object({
  kind: s.literal('vmexit'),
  test: s.oneOf(['ipi', 'ipi_halt', 'tscdeadline', 'tscdeadline_immed'] as const, { default: 'ipi', description: 'The kvm-unit-tests x86/vmexit.c test to run (its argument): "ipi" (on_cpu(1, nop, 0): an IPI to vCPU 1 and the wait for its handler), "ipi_halt" (the same, then a 2000-cycle wait so that vCPU 1 halts before the next), "tscdeadline" (a TSC deadline 3000 cycles ahead, busy-waiting for the interrupt) or "tscdeadline_immed" (a deadline already past when written).' }),
  target: s.oneOf(['halted', 'idle-polling', 'running'] as const, { default: 'halted', description: 'ipi and ipi_halt only: what vCPU 1 does between IPIs — "halted" idles as the guest\'s idle is configured (kvm-unit-tests\' APs HLT), "idle-polling" polls in guest mode (sets the guest\'s idle=poll), "running" runs a busy loop the IPI interrupts.' }),
  deadlineCycles: s.integer({ min: 0, max: 1e9, default: 3000, description: 'tscdeadline only: how far ahead the deadline is written, in TSC cycles (vmexit.c: rdtsc() + 3000).' }),
}, { description: 'vmexit (kvm-unit-tests x86/vmexit.c): one test loops on vCPU 0; prints "<test> <cycles>", the TSC cycles per iteration (at the host\'s TSC frequency). Needs at least 2 vCPUs for "ipi" and "ipi_halt".' })

export const tscdeadlineLatencySchema = s.object({
  kind: s.literal('tscdeadline-latency'),
  deltaCycles: s.integer({ min: 1000, max: 1e10, default: 200_000, description: 'The next deadline in TSC cycles after each interrupt (tscdeadline_latency\'s first argument; its default 200000).' }),
  wait: s.oneOf(['hlt', 'busy'] as const, { default: 'hlt', description: 'Between interrupts the vCPU halts (the test as it is today) or busy-waits (the variant "the test busy waits" of the published figures).' }),
}, { description: 'tscdeadline-latency (kvm-unit-tests x86/tscdeadline_latency.c, APIC timer latency): the ISR reads the TSC and records now − deadline per interrupt ("latency: N" in cycles), then writes the next deadline. Reports interrupts/s and the latency; prints min/mean/max in cycles.' })

export const ipiBroadcastSchema = s.object({
  kind: s.literal('ipi-broadcast'),
  targets: s.integer({ min: 0, max: 1023, default: 0, description: 'Target vCPUs per call: 0 = every other vCPU (smp_call_function_many(cpu_online_mask, …): a broadcast); n = vCPUs 1…n (a multicast).' }),
  loops: s.integer({ min: 1, max: 10_000_000, default: 100_000, description: 'Calls the module makes (ipi_benchmark\'s NTIMES, 100000): the printed total is the simulated time per call × loops.' }),
}, { description: 'ipi-broadcast (the ipi_benchmark module\'s "Broadcast IPI"): vCPU 0 calls smp_call_function_many() with wait on the targets in a loop; each call sends the IPIs (one ICR write per target, or one PV IPI hypercall) and busy-waits until every target has run the handler. Reports calls/s, the time per call, and the total as the module prints it.' })

export const idleSchema = s.object({
  kind: s.literal('idle'),
}, { description: 'idle (an idle guest): no task — only the guest kernel\'s tick, background timers (guest.backgroundTimersPerSec) and their timer programming. Reports the busy share (Busy%, %c0) of the pCPUs running its vCPUs.' })

/** A discriminated union of object schemas on their `kind` literal. Its `shape` merges the variants' fields (for
 *  editors that look fields up by path); its JSON Schema lists them all under `properties` and requires exactly one
 *  variant (`oneOf`). A field several variants share must have the same type and range in each (checked here); its
 *  merged entry describes it per kind, with each kind's default. A missing kind means the first variant's. In a
 *  partial override without `kind`, the fields are checked against the variant that knows all of them. */
function discriminated<V extends s.ObjectSchema<{ kind: s.Schema<string> } & Record<string, s.Schema<unknown>>>[]>(variants: V, o: { description?: string } = {}): s.Schema<s.Infer<V[number]>> & { shape: Record<string, s.Schema<unknown>>; variants: V } {
  const kinds = variants.map((x) => x.shape.kind.defaultValue as string)
  const shape: Record<string, s.Schema<unknown>> = {}
  const owners: Record<string, { kind: string; field: s.Schema<unknown> }[]> = {}
  variants.forEach((x, i) => { for (const [k, f] of Object.entries(x.shape)) (owners[k] ??= []).push({ kind: kinds[i]!, field: f }) })
  for (const [k, list] of Object.entries(owners)) shape[k] = list.length === 1 || k === 'kind' ? list[0]!.field : sharedField(k, list)
  shape.kind = s.oneOf(kinds as [string, ...string[]], { default: kinds[0], description: 'Workload kind: ' + kinds.join(', ') + '.' })
  return {
    kind: 'object',
    shape,
    variants,
    description: o.description,
    get defaultValue() { return variants[0]!.defaultValue as s.Infer<V[number]> },
    check(v, path, ctx) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return variants[0]!.check(v, path, ctx) as s.Infer<V[number]> | undefined
      const src = v as Record<string, unknown>
      let variant = variants[0]!
      if (src.kind !== undefined) {
        const i = kinds.indexOf(src.kind as string)
        if (i < 0) {
          ctx.issues.push({ path: path ? `${path}.kind` : 'kind', value: s.show(src.kind), message: 'is not a known workload kind', fix: `use one of ${kinds.map((k) => JSON.stringify(k)).join(', ')}` })
          return undefined
        }
        variant = variants[i]!
      } else if (!ctx.applyDefaults) {
        variant = variants.find((x) => Object.keys(src).every((k) => k in x.shape)) ?? variant
      }
      return variant.check(v, path, ctx) as s.Infer<V[number]> | undefined
    },
    json() {
      const props: Record<string, unknown> = {}
      for (const [k, f] of Object.entries(shape)) props[k] = f.json()
      const j: Record<string, unknown> = { type: 'object', properties: props, oneOf: variants.map((x) => x.json()) }
      if (o.description) j.description = o.description
      return j
    },
  }
}

/** The merged entry of a field that several workload kinds share: validated as the first (all have the same type and
 *  range), described per kind. */
function sharedField(name: string, list: { kind: string; field: s.Schema<unknown> }[]): s.Schema<unknown> {
  const first = list[0]!.field
  const typeOf = (f: s.Schema<unknown>): string => { const { description: _d, default: _v, ...rest } = f.json(); return JSON.stringify(rest) }
  for (const o of list) if (typeOf(o.field) !== typeOf(first)) throw new Error(`workload field "${name}" has another type or range in "${o.kind}" than in "${list[0]!.kind}"`)
  const defaults = new Set(list.map((o) => JSON.stringify(o.field.defaultValue)))
  const description = list.map((o) => `${o.kind}${defaults.size > 1 ? ` (default ${JSON.stringify(o.field.defaultValue)})` : ''}: ${o.field.description ?? ''}`).join(' ')
  return { kind: first.kind, description, defaultValue: first.defaultValue, check: (v, path, ctx) => first.check(v, path, ctx), json: () => ({ ...first.json(), description }) }
}

export const workloadSchema = discriminated([redisSchema, forkJoinSchema, pingPongSchema, timerSchema, hackbenchSchema, vmexitSchema, tscdeadlineLatencySchema, ipiBroadcastSchema, idleSchema, ebizzySchema], { description: 'The workload of the VM, by `kind`: "redis" (request/response server and its clients), "fork-join" (OpenMP-like barriers), "ping-pong" (netperf TCP_RR-like transactions, or perf bench sched pipe with transport "pipe"), "timer" (cyclictest-like periodic wake-ups), "hackbench" (message passing between groups of tasks), "ebizzy" (allocate, copy, search, free; TLB shootdowns with -m/-M), "vmexit" (kvm-unit-tests ipi / tscdeadline / tscdeadline_immed cycles), "tscdeadline-latency" (kvm-unit-tests APIC timer latency), "ipi-broadcast" (smp_call_function_many() with wait on all vCPUs) or "idle" (an idle guest\'s pCPU busy share).' })

export const vmSchema = s.object({
  name: s.string({ default: 'vm0', maxLength: 64, pattern: /^[A-Za-z0-9_.-]+$/, patternHint: 'use letters, digits, "-", "_" or "."' }),
  vcpus: s.integer({ min: 1, max: 1024, default: 4, description: 'Number of vCPUs (libvirt <vcpu>).' }),
  guestTopology: s.object({
    sockets: s.integer({ min: 1, max: 1024, default: 1 }),
    cores: s.integer({ min: 1, max: 1024, default: 4 }),
    threads: s.integer({ min: 1, max: 4, default: 1 }),
  }, { description: 'Guest CPU topology (QEMU -smp sockets=,cores=,threads=; libvirt <topology>).' }),
  pinning: pinningSchema,
  kvm: s.object({
    disableExits: disableExitsSchema,
    exposeMwait: s.boolean({ default: false, description: 'MONITOR/MWAIT in the guest CPUID even when MWAIT exits are not disabled (QEMU -cpu …,monitor=on): the guest idles with MWAIT, which KVM then emulates as a NOP. With MWAIT passed through the guest always sees it.' }),
    hintDedicated: s.boolean({ default: false, description: 'KVM_HINTS_REALTIME (QEMU kvm-hint-dedicated=on, libvirt <hint-dedicated>).' }),
    x2apic: s.boolean({ default: true, description: 'x2APIC in the guest CPUID (QEMU\'s default with KVM): the guest sends IPIs by WRMSR to the x2APIC ICR; off, by xAPIC MMIO writes (APIC_WRITE/APIC_ACCESS exits, npf on AMD without AVIC).' }),
    interruptRemapping: s.boolean({ default: false, description: 'Interrupt remapping through a vIOMMU (QEMU -device intel-iommu,intremap=on,eim=on with kernel-irqchip=split; libvirt <iommu model="intel"><driver intremap="on" eim="on"/></iommu>). With it an x2APIC guest runs the cluster x2APIC driver (x2apic_cluster: one logical-mode ICR write per cluster of up to 16 vCPUs for a multicast, no x2APIC ICR fastpath, no IPIv); without it try_to_enable_x2apic() forces physical mode (one ICR write per target). See vms[].guest.x2apicPhys.' }),
    pitReinject: s.boolean({ default: true, description: 'The in-kernel PIT re-injects lost ticks (KVM\'s default, QEMU kvm-pit lost_tick_policy=delay). On AMD this inhibits AVIC (APICV_INHIBIT_REASON_PIT_REINJ); false = lost_tick_policy=discard.' }),
    pv: pvSchema,
    experimental: experimentalSchema,
  }),
  contention: s.object({
    spinlock: s.object({
      acquisitionsPerSec: s.number({ min: 0, max: 1e7, default: 0, description: 'Contended-lock acquisitions per second of busy guest time per vCPU (a hot kernel lock: a runqueue, a socket, an mm lock); 0 = none.' }),
      holdNs: s.number({ min: 10, max: 1e8, default: 2_000, description: 'Mean critical section (lognormal): how long the holder keeps the lock, stretched when its vCPU exits or is preempted.' }),
      locks: s.integer({ min: 1, max: 1024, default: 1, description: 'Number of such locks; each acquisition picks one at random.' }),
      userSpace: s.boolean({ default: false, description: 'A user-space spin loop (pthread_spin_lock-like, test-and-set, CPL 3) instead of a kernel spinlock: no pvqspinlock, and VMX PAUSE-loop exiting does not see it (the SVM pause filter does).' }),
    }),
    mutex: s.object({
      acquisitionsPerSec: s.number({ min: 0, max: 1e7, default: 0, description: 'Sleeping-lock (mutex/rwsem) acquisitions per second of busy guest time per vCPU (a hot kernel mutex: inode, mmap_lock); 0 = none. A waiter spins with PAUSE while the owner runs (mutex_optimistic_spin()), else sleeps.' }),
      holdNs: s.number({ min: 10, max: 1e8, default: 5_000, description: 'Mean critical section (lognormal) of the mutex.' }),
      locks: s.integer({ min: 1, max: 64, default: 1, description: 'Number of such mutexes; each acquisition picks one at random.' }),
    }),
    idleGaps: s.object({
      perSec: s.number({ min: 0, max: 1e6, default: 0, description: 'Short sleeps per second of busy time per vCPU (I/O waits, usleep): the running thread sleeps and the vCPU may go idle. Thread-based workloads only.' }),
      meanNs: s.number({ min: 1_000, max: 1e9, default: 50_000, description: 'Mean length of one idle gap (exponential), timed by a guest hrtimer.' }),
    }),
  }, { description: 'Spinlock contention and idle gaps added to any workload.' }),
  emulator: s.object({
    wakeupsPerSec: s.number({ min: 0, max: 1e6, default: 0, description: 'Wake-ups per second of the QEMU main-loop (emulator) thread: timers, monitor, device emulation outside the vCPU threads.' }),
    runNs: s.number({ min: 1_000, max: 1e9, default: 20_000, description: 'Mean CPU time per emulator wake-up.' }),
  }, { description: 'The QEMU emulator thread, a host task pinned by pinning.emulatorpin.' }),
  io: s.oneOf(['vhost-net', 'sriov-vf'] as const, { default: 'vhost-net', description: 'Network path: virtio-net with a vhost worker, or an SR-IOV VF with posted interrupts.' }),
  guest: guestSchema,
  workload: workloadSchema,
})

export const runSchema = s.object({
  durationSec: s.number({ min: 0.001, max: 3600, default: 1, description: 'Virtual time simulated after warm-up.' }),
  warmupSec: s.number({ min: 0, max: 600, default: 0.05, description: 'Virtual time simulated before statistics start.' }),
  seed: s.integer({ min: 0, max: 2 ** 32 - 1, default: 1, description: 'PRNG seed: the same profile and seed give identical results.' }),
  replications: s.integer({ min: 1, max: 100, default: 1, description: 'Independent replications (seed, seed+1, …): every figure of the result is then the mean over them, with its 95 % confidence interval (Student t).' }),
  maxEvents: s.number({ min: 1e6, max: 1e12, default: 5e8, description: 'Most simulated events one configuration may take, all replications together: a run whose estimate (event rates × virtual time, core/check/work-estimate.ts) is larger is refused before it starts, and a configuration that reaches it is stopped. The default (5·10⁸, about 4 minutes at 2·10⁶ events/s) keeps a configuration within minutes on a laptop; raise it for a longer run.' }),
})

export const overridesSchema = s.object({
  host: s.partial(hostSchema),
  vm: s.partial(vmSchema),
  vms: s.optional(s.record(s.partial(vmSchema))),
  run: s.partial(runSchema),
})

export const configurationSchema = s.object({
  name: s.string({ maxLength: 64, pattern: /^[A-Za-z0-9_.+-]+$/, patternHint: 'use letters, digits, "-", "_", "+" or "."', description: 'Configuration name.' }),
  description: s.string({ default: '', maxLength: 4096 }),
  overrides: overridesSchema,
})

export const profileSchema = s.object({
  schemaVersion: s.literal(PROFILE_SCHEMA_VERSION, { description: 'Profile format version.' }),
  name: s.string({ default: 'untitled', maxLength: 128 }),
  description: s.string({ default: '', maxLength: 16384 }),
  host: hostSchema,
  vms: s.array(vmSchema, { default: [vmSchema.defaultValue!], minItems: 1, maxItems: 64 }),
  run: runSchema,
  configurations: s.array(configurationSchema, { default: [{ name: 'base', description: 'The profile as written.', overrides: {} }], minItems: 1, maxItems: 64 }),
})

export type Profile = Infer<typeof profileSchema>
export type Host = Infer<typeof hostSchema>
export type Vm = Infer<typeof vmSchema>
export type RunSettings = Infer<typeof runSchema>
export type Configuration = Infer<typeof configurationSchema>
export type Overrides = Infer<typeof overridesSchema>
export type RedisWorkload = Infer<typeof redisSchema>
export type ForkJoinWorkload = Infer<typeof forkJoinSchema>
export type PingPongWorkload = Infer<typeof pingPongSchema>
export type TimerWorkload = Infer<typeof timerSchema>
export type HackbenchWorkload = Infer<typeof hackbenchSchema>
export type VmexitWorkload = Infer<typeof vmexitSchema>
export type TscdeadlineLatencyWorkload = Infer<typeof tscdeadlineLatencySchema>
export type IpiBroadcastWorkload = Infer<typeof ipiBroadcastSchema>
export type EbizzyWorkload = Infer<typeof ebizzySchema>
export type Workload = Infer<typeof workloadSchema>
export type CpuPreset = (typeof CPU_PRESETS)[number]
