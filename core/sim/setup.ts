// From a resolved configuration to the model's inputs: topology, housekeeping sets, pinning, and the
// kernel decisions taken for each VM (the "why" shown beside every result).
import { revertIssues } from '../kvm/reverts.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import type { Vm } from '../profile/profile-schema.ts'
import { rwsemFeatures, rwsemDecision } from '../guest/rwsem-decisions.ts'
import { guestConsultsPreempted, preemptedReaders, pvSchedYieldSupported } from '../guest/vcpu-is-preempted.ts'
import { shootdownIpisLazyOnce, guestHasPcid, lazyTlbReason } from '../guest/lazy-tlb.ts'
import { ttwuQueueEra, wakelistOnCallSingleQueue } from '../guest/rq-lock.ts'
import { atLeast as versionAtLeast } from '../kernel-version.ts'
import { guestSeesPreemptedAfter, preemptedOnHltBlock, preemptedBoundaryDecision } from '../kvm/steal-time-preempted.ts'
import type { Issue } from '../schema/schema.ts'
import type { Decision } from '../result.ts'
import { tryBuildHostTopology } from '../topology/host-topology.ts'
import type { HostTopology } from '../topology/host-topology.ts'
import { parseCpuList, cpusOf, fullCpuSet } from '../topology/cpulist.ts'
import { cmdlineKey, deriveHousekeeping, managedIrqAffinity, housekeepingTestCpu } from '../topology/housekeeping.ts'
import type { HousekeepingSets } from '../topology/housekeeping.ts'
import { CPU_FEATURES, GUEST_ACPI_C1 } from '../costs/cpu-presets.ts'
import { costTableFor } from '../costs/cost-tables.ts'
import { resolvePiInjectTimer, decideTimerPath, piInjectTimerDecision, kvmCanUseHvTimer, lapicHrtimerPinned } from '../kvm/timer-path.ts'
import { resolveExitFastpaths, fastpathDecision, unusedCostOverrides, tscDeadlineFastpath } from '../kvm/exit-fastpath.ts'
import { resolveTimerAdvance } from '../kvm/timer-advance.ts'
import type { TimerInputs } from '../kvm/timer-path.ts'
import { grantDisableExits, pvUnhaltVisible, disableExitsDecision } from '../kvm/disable-exits.ts'
import { residualTickLocal } from '../host/tick-offload.ts'
import { defaultShrink } from '../kvm/halt-poll.ts'
import { haltpollInit } from '../guest/haltpoll.ts'
import { guestFairParams, guestFairDecision } from '../guest/guest-fair.ts'
import { resolveCpuidle, CpuidleDriver } from '../guest/cpuidle-driver.ts'
import { mwaitStates } from '../guest/cpuidle-states.ts'
import { kvmSpinlockInit } from '../guest/pvspinlock.ts'
import { resolveIpi } from './ipi-setup.ts'
import { workloadSpec } from './workload-spec.ts'
import { resolveExperimental, amendHaltPollDecision } from './experimental-setup.ts'
import type { ExperimentalContext } from './experimental-setup.ts'
import type { ModelInputs, VcpuSpec, VmSpec, IrqSourceSpec, HostTaskSpec } from './model-inputs.ts'
import { fairEra, fairParams } from '../host/fair-sched.ts'
import { hostIdleCstates, inGuestCstates, hostIdleLimitDecision } from '../host/cpuidle.ts'
import { ebizzyTrimDecision } from './workloads/ebizzy.ts'
import { pagevecSize, releaseLockBatch } from '../guest/page-lru.ts'
import { resolveSpinlock, pleParams, pleParamIssues, pleParamWarning } from './spinlock-setup.ts'
import { issue, pinVcpus, cpusOfField, pcpuReach, firstOf } from './thread-affinity.ts'

export type SetupResult = { ok: true; inputs: ModelInputs; topology: HostTopology; hk: HousekeepingSets; warnings: string[] } | { ok: false; issues: Issue[] }


export function setupModel(cfg: ResolvedConfiguration, seed: number, durationSec: number): SetupResult {
  const issues: Issue[] = []
  const { host } = cfg
  const topo = tryBuildHostTopology(host.topology)
  if (!topo.ok) return { ok: false, issues: topo.errors.map((e) => issue(`host.topology.${e.field}`, JSON.stringify(e.value), e.what, e.fix)) }
  const topology = topo.topology
  const nrCpus = topology.nrCpus
  const cmd = host.kernel.cmdline
  const hkr = deriveHousekeeping({ kernelVersion: host.kernel.version, nrCpus, nohzFull: cmd.nohzFull, isolcpus: cmd.isolcpus, rcuNocbs: cmd.rcuNocbs, irqaffinity: cmd.irqaffinity })
  if (!hkr.ok) return { ok: false, issues: hkr.errors.map((e) => issue(`host.kernel.cmdline.${cmdlineKey(e.field)}`, JSON.stringify(e.value), e.what, e.fix)) }
  const hk = hkr.hk
  const features = CPU_FEATURES[host.cpu]
  const costs = costTableFor(host.cpu, host.costs)
  for (const m of costs.issues) issues.push(issue('host.costs', '', m, 'see docs/profile.md, "Cost table"'))
  issues.push(...pleParamIssues(host, features.vendor))
  for (const r of revertIssues(host.kernel.version, host.kernel.reverted)) issues.push(issue('host.kernel.reverted', r.commit, r.what, r.fix))

  const hostVersion = host.kernel.version
  const apicvActive = features.apicv && host.kvm.enableApicv
  const piInject = resolvePiInjectTimer(host.kvm.piInjectTimer, hk.enabled.timer)
  const advance = resolveTimerAdvance(hostVersion, host.kvm.lapicTimerAdvanceNs)
  const haltPoll = {
    maxNs: host.kvm.haltPoll.haltPollNs,
    grow: host.kvm.haltPoll.grow,
    growStart: host.kvm.haltPoll.growStart,
    shrink: host.kvm.haltPoll.shrink === -1 ? defaultShrink(hostVersion) : host.kvm.haltPoll.shrink,
    hostVersion,
  }

  const vcpus: VcpuSpec[] = []
  const vms: VmSpec[] = []
  const tasks: HostTaskSpec[] = []
  let nLocks = 0
  const usedPcpus = new Set<number>()
  const vmsUseHvTimer: boolean[] = []
  cfg.vms.forEach((vm, v) => {
    const path = `vms[${v}]`
    // the IPI microbenchmarks need a target vCPU besides the sender (vCPU 0)
    const w = vm.workload
    if (vm.vcpus < 2 && ((w.kind === 'vmexit' && (w.test ?? 'ipi').startsWith('ipi')) || w.kind === 'ipi-broadcast')) issues.push(issue(`${path}.vcpus`, String(vm.vcpus), `the ${w.kind} workload${w.kind === 'vmexit' ? '\'s ipi tests' : ''} sends IPIs from vCPU 0 to other vCPUs`, 'give the VM at least 2 vCPUs, or choose the tscdeadline test'))
    const placed = pinVcpus(vm, nrCpus, usedPcpus, hk.housekeeping.domain, `${path}.pinning.vcpupin`, issues)
    const pins = placed.map((p) => p.pcpu)
    const granted = grantDisableExits(hostVersion, vm.kvm.disableExits, true, features.vendor)
    const spin = resolveSpinlock(host, vm, features, granted, nLocks, costs.table.spinLoopGap.meanNs)
    nLocks += vm.contention.spinlock.locks
    const ipi = resolveIpi(host, features, vm, granted.mwait || vm.kvm.exposeMwait, !granted.hlt)
    const timerInputs: TimerInputs = {
      hostVersion, vendor: features.vendor, hvTimerHardware: features.hvTimer, preemptionTimerParam: host.kvm.preemptionTimer,
      // kvm_vcpu_apicv_active(): APICv, or AVIC unless inhibited for this VM
      apicvActive: features.vendor === 'vmx' ? apicvActive : ipi.postedInterrupts, piInjectTimer: piInject, mwaitInGuest: granted.mwait, hltInGuest: granted.hlt,
    }
    const hp = haltpollInit({ guestVersion: vm.guest.kernelVersion, mode: vm.guest.haltpoll.enabled, idleOverride: vm.guest.idlePoll, realtimeHint: vm.kvm.hintDedicated, pollControlFeature: vm.kvm.pv.pollControl })
    const idle = resolveCpuidle({ guestVersion: vm.guest.kernelVersion, driver: vm.guest.cpuidle.driver, governor: vm.guest.cpuidle.governor, mwaitExposed: granted.mwait || vm.kvm.exposeMwait, vendor: features.vendor, haltpollLoads: hp.enabled, haltpollReason: hp.reason, idlePoll: vm.guest.idlePoll })
    if (!idle.ok) issues.push(issue(`${path}.guest.cpuidle.driver`, vm.guest.cpuidle.driver, idle.reason, idle.fix))
    const guestHaltpoll = idle.driver === CpuidleDriver.HALTPOLL
    const firstVcpu = vcpus.length
    let firstDecision = decideTimerPath(timerInputs, true)
    placed.forEach(({ pcpu, allowed }, i) => {
      const d = decideTimerPath(timerInputs, housekeepingTestCpu(hk, pcpu, 'timer'))
      if (i === 0) firstDecision = d
      vcpus.push({ vm: v, index: i, pcpu, timerPath: d.path, allowed })
    })
    const vhostPcpu = vm.io === 'vhost-net' ? firstOf(vm.pinning.iothreadpin, nrCpus, hk.housekeeping.timer, `${path}.pinning.iothreadpin`, issues) : -1
    const pvUnhalt = pvUnhaltVisible(vm.kvm.pv.pvUnhalt, granted.hlt)
    const consults = guestConsultsPreempted({ guestVersion: vm.guest.kernelVersion, stealTime: vm.kvm.pv.stealTime, pvUnhalt, realtimeHint: vm.kvm.hintDedicated, nopvspin: vm.guest.nopvspin, vcpus: vm.vcpus })
    const gt = vm.guestTopology
    const xctx: ExperimentalContext = { hostVersion, hltInGuest: granted.hlt, mwaitInGuest: granted.mwait, guestIdleMwait: granted.mwait || vm.kvm.exposeMwait, guestConsultsPreempted: consults.consults }
    const exp = resolveExperimental(vm, xctx)
    const spec: VmSpec = {
      name: vm.name,
      firstVcpu,
      vcpus: vm.vcpus,
      postedInterrupts: ipi.postedInterrupts,
      ipiVirtualization: ipi.ipiVirtualization,
      ipiUnicastExit: ipi.ipiUnicastExit,
      ipiUnicastCost: ipi.ipiUnicastCost,
      ipiMulticastExit: ipi.ipiMulticastExit,
      ipiMulticastCost: ipi.ipiMulticastCost,
      ipiMulticastBatched: ipi.ipiMulticastBatched,
      ipiExitsIfTargetNotRunning: ipi.ipiExitsIfTargetNotRunning,
      avicRunningWhileHaltPolling: ipi.avicRunningWhileHaltPolling,
      ipiUnicastCause: ipi.ipiUnicastCause,
      ipiCluster: ipi.ipiCluster,
      apicCluster: ipi.apicCluster,
      apicId: ipi.apicId,
      callFuncSingleIpi: ipi.callFuncSingleIpi,
      guestTlbShootdownsPerSec: vm.guest.tlbShootdownsPerSec,
      pvTlbFlush: ipi.pvTlbFlush,
      hltInGuest: granted.hlt,
      guestIdleMwait: granted.mwait || vm.kvm.exposeMwait,
      mwaitInGuest: granted.mwait,
      // arch_haltpoll_enable() runs only when cpuidle-haltpoll registered (not when intel_idle took the driver slot)
      hostHaltPoll: haltPoll.maxNs > 0 && !(guestHaltpoll && hp.disablesHostPoll),
      guestHaltPoll: guestHaltpoll,
      // kvm-unit-tests vmexit ipi with an idle-polling target: the guest polls in idle (idle=poll)
      guestIdlePoll: vm.guest.idlePoll || (vm.workload.kind === 'vmexit' && vm.workload.target === 'idle-polling'),
      guestHz: vm.guest.hz,
      guestBackgroundTimersPerSec: vm.guest.backgroundTimersPerSec,
      guestTickMode: vm.guest.tickMode,
      guestFair: guestFairParams(vm.guest.kernelVersion, vm.vcpus),
      guestStealAcc: vm.kvm.pv.stealTime,
      guestPoll: { maxNs: vm.guest.haltpoll.guestHaltPollNs, grow: vm.guest.haltpoll.grow, growStart: vm.guest.haltpoll.growStart, shrink: vm.guest.haltpoll.shrink, allowShrink: vm.guest.haltpoll.allowShrink },
      guestCpuidleDriver: idle.driver,
      guestCpuidleGovernor: idle.governor,
      guestSelectBeforeTickStop: idle.selectBeforeTickStop,
      guestHaltpollNsUnits: versionAtLeast(vm.guest.kernelVersion, '5.7'),
      guestCstates: mwaitStates(idle.driver === CpuidleDriver.ACPI_IDLE ? GUEST_ACPI_C1 : features.cstates),
      io: vm.io,
      vhostPcpu,
      vhostTask: -1,
      tlbShootdownsPerSec: host.noise.tlbShootdownsPerSec,
      workload: workloadSpec(vm.workload, vm.vcpus),
      // the LLC domain is the guest socket: cores × threads vCPUs (QEMU without a cache topology of its own)
      llcSize: Math.max(1, Math.min(vm.vcpus, gt.cores * gt.threads)),
      preemptedOnHltBlock: vm.kvm.pv.stealTime && !granted.hlt && guestSeesPreemptedAfter('hlt-block', hostVersion),
      preemptedOnPreempt: vm.kvm.pv.stealTime && guestSeesPreemptedAfter('preempted', hostVersion),
      preemptedReaders: preemptedReaders(vm.guest.kernelVersion, consults.consults, ipi.pvTlbFlush, pvSchedYieldSupported({ pvSchedYield: vm.kvm.pv.pvSchedYield && versionAtLeast(hostVersion, '5.3'), realtimeHint: vm.kvm.hintDedicated, vcpus: vm.vcpus, guestVersion: vm.guest.kernelVersion })),
      tlbFlushIpisLazy: shootdownIpisLazyOnce(vm.guest.kernelVersion, guestHasPcid(host.cpu)),
      ttwuQueueEra: ttwuQueueEra(vm.guest.kernelVersion),
      wakelistOnCallSingleQueue: wakelistOnCallSingleQueue(vm.guest.kernelVersion),
      spinlock: spin.spec,
      idleGaps: { perSec: vm.contention.idleGaps.perSec, meanNs: vm.contention.idleGaps.meanNs },
      mutex: { acquisitionsPerSec: vm.contention.mutex.acquisitionsPerSec, holdNs: vm.contention.mutex.holdNs, locks: vm.contention.mutex.locks },
      rwsem: rwsemFeatures(vm.guest.kernelVersion),
      munmapDowngrade: versionAtLeast(vm.guest.kernelVersion, '4.20'),
      faultsPerVmaLock: versionAtLeast(vm.guest.kernelVersion, '6.4'),
      lruAddBatch: pagevecSize(vm.guest.kernelVersion),
      lruReleaseBatch: releaseLockBatch(vm.guest.kernelVersion),
      timerPathOnHousekeeping: decideTimerPath(timerInputs, true).path,
      timerPathOnIsolated: decideTimerPath(timerInputs, false).path,
      hltExit: exp.hltExit,
      mwaitExit: exp.mwaitExit,
      hltWait: exp.hltWait,
      vmmWorkNs: exp.vmmWorkNs,
      preemptedOnUserspaceExit: exp.preemptedOnUserspaceExit,
      keepStateLoaded: exp.keepStateLoaded,
      vmentryAdvanceNs: exp.vmentryAdvanceNs,
      decisions: [],
    }
    spec.decisions = vmDecisions(vm, spec, firstDecision.reason, firstDecision.path, hostVersion, piInject, host.kvm.piInjectTimer, hk, pins, granted, hp.enabled && !guestHaltpoll ? `${hp.reason}; but ${idle.value} registered first (cpuidle_register_driver() returns -EBUSY): the guest does not poll and host polling stays` : hp.reason, features.vendor)
    spec.decisions.push(...ipi.decisions)
    const idl = hostIdleLimitDecision(cmd, granted.hlt, granted.mwait)
    spec.decisions.push({ id: 'host-idle-limit', title: 'Host idle limits (idle=, intel_idle.max_cstate=)', value: idl.value, reason: idl.reason, mirrors: 'do_idle() / intel_idle_init() / disabled_by_idle_boot_param()' })
    spec.decisions.push({ id: 'guest-cpuidle', title: 'Guest cpuidle driver', value: idle.value, reason: idle.reason, mirrors: 'cpuidle_idle_call() / cpuidle_register_driver()' })
    const hvTimer = kvmCanUseHvTimer(timerInputs)
    vmsUseHvTimer.push(hvTimer)
    const fpd = fastpathDecision(hostVersion, features.vendor, hvTimer, vm.kvm.x2apic && !ipi.ipiCluster) // cluster mode's logical ICR writes take no fastpath
    spec.decisions.push({ id: 'timer-advance', title: 'LAPIC timer advance', value: advance.value, reason: advance.reason, mirrors: 'kvm_create_lapic() / __kvm_wait_lapic_expire()' })
    spec.decisions.push({ id: 'exit-fastpath', title: 'Exit fastpaths', value: fpd.value, reason: fpd.reason, mirrors: features.vendor === 'vmx' ? 'vmx_exit_handlers_fastpath() / handle_fastpath_set_msr_irqoff()' : 'svm_exit_handlers_fastpath() / handle_fastpath_set_msr_irqoff()' })
    spec.decisions.push(...spin.decisions)
    spec.decisions.push(...schedDecisions(spec, consults, granted.hlt, hostVersion, lazyTlbReason(vm.guest.kernelVersion, guestHasPcid(host.cpu))))
    if (spec.workload.kind === 'ebizzy' && spec.workload.memory === 'mmap') spec.decisions.push(rwsemDecision(spec.rwsem, spec.preemptedReaders.mutexSpin, spec.faultsPerVmaLock))
    if (spec.workload.kind === 'ebizzy' && (spec.workload.memory === 'no-mmap' || spec.workload.memory === 'malloc-trim')) spec.decisions.push(ebizzyTrimDecision(spec.workload.chunkBytes, spec.lruAddBatch, spec.lruReleaseBatch, vm.guest.kernelVersion))
    amendHaltPollDecision(spec.decisions, exp, xctx)
    spec.decisions.push(...exp.decisions)
    vms.push(spec)
    if (vm.emulator.wakeupsPerSec > 0) {
      const f = `${path}.pinning.emulatorpin`
      const cpus = vm.pinning.emulatorpin.trim() === '' ? cpusOf(hk.housekeeping.domain) : cpusOfField(vm.pinning.emulatorpin, nrCpus, f, issues)
      if (cpus.length) tasks.push({ name: `${vm.name} emulator`, cpus, runNs: vm.emulator.runNs, sleepNs: 1e9 / vm.emulator.wakeupsPerSec, driven: false })
    }
    // the vhost-net worker: a host thread on its iothreadpin CPU, busy while it copies a batch (net-path.ts)
    if (vhostPcpu >= 0) {
      spec.vhostTask = tasks.length
      tasks.push({ name: `${vm.name} vhost`, cpus: [vhostPcpu], runNs: 0, sleepNs: 0, driven: true })
    }
  })
  host.tasks.forEach((t, i) => {
    const cpus = cpusOfField(t.cpus, nrCpus, `host.tasks[${i}].cpus`, issues)
    if (t.perCpu) cpus.forEach((c) => tasks.push({ name: `${t.name}/${c}`, cpus: [c], runNs: t.runNs, sleepNs: t.sleepNs, driven: false }))
    else if (cpus.length) tasks.push({ name: t.name, cpus, runNs: t.runNs, sleepNs: t.sleepNs, driven: false })
  })
  const reach = pcpuReach(vcpus, tasks, nrCpus)
  vms.forEach((spec) => spec.decisions.push(...sharingDecisions(spec, vms, vcpus, tasks, reach.threads, hostVersion, nrCpus)))

  const irqs: IrqSourceSpec[] = host.noise.irqs.map((src, i) => {
    const f = `host.noise.irqs[${i}].affinity`
    let set: Uint8Array
    if (src.affinity === 'default') set = hk.irqAffinity
    else if (src.affinity === 'managed') set = managedIrqAffinity(hk, fullCpuSet(nrCpus))
    else {
      const r = parseCpuList(src.affinity, { nrCpus, field: f })
      if (!r.ok) { issues.push(issue(f, JSON.stringify(r.error.value), r.error.what, r.error.fix)); set = fullCpuSet(nrCpus) }
      else set = r.cpus
    }
    return { name: src.name, ratePerSec: src.ratePerSec, durationNs: src.durationNs, cpus: cpusOf(set) }
  })

  if (issues.length) return { ok: false, issues }
  // the cost of the path each exit takes on this host (exit fastpaths per version and vendor)
  const fastpaths = resolveExitFastpaths(costs.table, { hostVersion, vendor: features.vendor, vmsUseHvTimer })
  const nohzFull = hk.nohzFullCpus
  const kworkerCpu = hk.housekeeping.wq
  const cstates = hostIdleCstates(features.cstates, cmd)
  const inputs: ModelInputs = {
    vendor: features.vendor,
    nrCpus,
    hostVersion,
    hostReverted: host.kernel.reverted,
    hostHz: host.kernel.hz,
    costs: fastpaths.table,
    cstates,
    guestCstates: inGuestCstates(features.cstates),
    nohzFull,
    kworkerCpu,
    kworkerPerSec: host.noise.kworkerPerSec,
    kworkerNs: host.noise.kworkerNs,
    residualTickLocal: residualTickLocal(hostVersion),
    haltPoll,
    irqs,
    timerHousekeeping: hk.housekeeping.timer,
    lapicTimer: { hrtimerPinned: lapicHrtimerPinned(hostVersion), advanceMode: advance.mode, advanceInitNs: advance.initNs, tscDeadlineFastpath: tscDeadlineFastpath(hostVersion, features.vendor, true), tscDeadlineFastpathSw: tscDeadlineFastpath(hostVersion, features.vendor, false) },
    ple: pleParams(host, features.vendor),
    tscGhz: features.ghz,
    llcOf: Int32Array.from(topology.llcOf),
    coreOf: Int32Array.from(topology.coreOf),
    numaOf: Int32Array.from(topology.numaOf),
    schedDomain: hk.housekeeping.domain,
    ilbHousekeeping: hk.housekeeping.misc,
    threadsMayRun: reach.threads,
    vcpuMayRun: reach.vcpu,
    tasks,
    vcpus,
    vms,
    warmupNs: Math.round(cfg.run.warmupSec * 1e9),
    durationNs: Math.round(durationSec * 1e9),
    seed,
  }
  return { ok: true, inputs, topology, hk, warnings: [...hkr.warnings, ...fastpaths.warnings, ...(advance.warning ? [advance.warning] : []), ...[pleParamWarning(host, features.vendor)].filter(Boolean), ...unusedCostOverrides(Object.keys(host.costs), fastpaths)] }
}

/** The guest scheduler's decisions: whether vcpu_is_preempted() reads steal time, whether an idle (HLT-blocked) vCPU
 *  then looks preempted, and how far select_idle_sibling() scans. */
function schedDecisions(spec: VmSpec, consults: { consults: boolean; reason: string }, hltInGuest: boolean, hostVersion: string, lazyTlb: string): Decision[] {
  const d: Decision[] = []
  d.push({ id: 'vcpu-is-preempted', title: 'Guest vcpu_is_preempted()', value: consults.consults ? 'reads steal time' : 'native (false)', reason: consults.reason, mirrors: 'kvm_guest_init() / kvm_spinlock_init()' })
  const idleLooksBusy = spec.preemptedOnHltBlock && spec.preemptedReaders.idleScan
  const onHlt = preemptedOnHltBlock(hostVersion)
  d.push({
    id: 'idle-vcpu-available', title: 'Idle vCPUs for wake-up placement', value: idleLooksBusy ? 'HLT-blocked vCPUs look preempted' : 'available',
    reason: idleLooksBusy
      ? `${onHlt.reason}; the guest reads it: available_idle_cpu() is false for an HLT-blocked vCPU, so select_idle_sibling() passes it over`
      : hltInGuest ? 'HLT is passed through: an idle vCPU never leaves guest mode, so it is never marked preempted'
      : !consults.consults ? 'the guest does not consult the preempted flag: available_idle_cpu() = idle_cpu()'
      : !spec.preemptedReaders.idleScan ? 'guest < 4.18: select_idle_sibling() tests idle_cpu() only (available_idle_cpu() and its vcpu_is_preempted() check came with 943d355d7fee in 4.18)'
      : onHlt.reason,
    mirrors: 'available_idle_cpu() / kvm_arch_vcpu_put()',
  })
  const r = spec.preemptedReaders
  const yn = (b: boolean): string => (b ? 'reads' : 'ignores')
  d.push({
    id: 'preempted-readers', title: 'Guest readers of the steal-time preempted flag', value: `TLB flush ${yn(r.tlbFlush)}, wake-up scan ${yn(r.idleScan)}, mutex spin ${yn(r.mutexSpin)}`,
    reason: `kvm_flush_tlb_multi() reads steal time itself when PV TLB flush is on (${r.tlbFlush ? 'on' : 'off'}); available_idle_cpu() (guest ≥ 4.18) and mutex_spin_on_owner() (guest ≥ 4.10) go through vcpu_is_preempted(), which reads it only when installed. ${lazyTlb}, and the sender spins in csd_lock_wait() until every target has flushed`,
    mirrors: 'kvm_flush_tlb_multi() / available_idle_cpu() / mutex_spin_on_owner() / csd_lock_wait()',
  })
  d.push({
    id: 'llc-scan', title: 'Wake-up idle-CPU scan (sd_llc)', value: spec.llcSize > 1 ? `${spec.llcSize} vCPUs per LLC` : 'none (one vCPU per LLC)',
    reason: spec.llcSize > 1 ? 'select_idle_cpu() scans the waker\'s LLC domain for an available idle vCPU' : 'the guest topology gives each vCPU its own LLC: the MC domain degenerates, per_cpu(sd_llc) is NULL and select_idle_sibling() returns its target without a scan',
    mirrors: 'select_idle_sibling() / select_idle_cpu()',
  })
  d.push(guestFairDecision(spec.guestFair, spec.vcpus))
  return d
}

/** Whether the VM's vCPU threads have their pCPUs to themselves, and how the host scheduler shares them if not. */
function sharingDecisions(spec: VmSpec, vms: VmSpec[], vcpus: VcpuSpec[], tasks: HostTaskSpec[], threadsMayRun: Int32Array, hostVersion: string, nrCpus: number): Decision[] {
  const mine = vcpus.slice(spec.firstVcpu, spec.firstVcpu + spec.vcpus)
  const floating = mine.filter((v) => v.allowed).length
  const shared = new Set<number>()
  for (const v of mine) for (const c of v.allowed ?? [v.pcpu]) if (threadsMayRun[c]! > 1) shared.add(c)
  // who else may run there: host tasks (neighbours, emulator and vhost threads) and other vCPU threads
  const others: string[] = []
  for (const t of tasks) if (t.cpus.some((c) => shared.has(c))) others.push(t.name)
  vcpus.forEach((v, g) => { if ((g < spec.firstVcpu || g >= spec.firstVcpu + spec.vcpus) && (v.allowed ?? [v.pcpu]).some((c) => shared.has(c))) others.push(`${vms[v.vm]!.name} vCPU ${v.index}`) })
  const own = new Map<number, number>()
  for (const v of mine) for (const c of v.allowed ?? [v.pcpu]) own.set(c, (own.get(c) ?? 0) + 1)
  if ([...own.values()].some((n) => n > 1)) others.unshift('its own vCPU threads')
  const withWhom = others.length ? `; shared with ${others.slice(0, 6).join(', ')}${others.length > 6 ? ` and ${others.length - 6} more` : ''}` : ''
  // sched_can_stop_tick(): a nohz_full CPU keeps its tick stopped only while it runs one task
  const tick = spec.decisions.find((x) => x.id === 'host-tick')
  if (tick && shared.size > 0 && tick.value === 'stopped (nohz_full)') {
    tick.value = 'stopped while alone'
    tick.reason = `a nohz_full CPU stops its tick only while it runs a single task: on the ${shared.size} shared vCPU pCPU${shared.size > 1 ? 's' : ''} the tick runs whenever another thread is runnable there, each tick an EXTERNAL_INTERRUPT exit`
    tick.mirrors = 'tick_nohz_full_cpu() / sched_can_stop_tick()'
  }
  const fp = fairParams(hostVersion, nrCpus)
  const era = fairEra(hostVersion)
  const d: Decision[] = []
  d.push({
    id: 'vcpu-placement', title: 'vCPU threads', value: floating === 0 ? 'pinned 1:1' : `${floating}/${spec.vcpus} floating`,
    reason: floating === 0 ? 'each vCPU thread is pinned to one pCPU (vcpupin)' : 'vCPU threads without a single-CPU vcpupin float: the host scheduler places each at wake-up (select_idle_sibling()) and load balancing moves waiting ones (newidle_balance(), rebalance_domains() from the tick, nohz idle balancing); a move reloads the vCPU on the new pCPU (cold caches)',
    mirrors: 'select_task_rq_fair() / newidle_balance()',
  })
  d.push({
    id: 'pcpu-sharing', title: 'vCPU pCPUs shared', value: shared.size === 0 ? 'no' : `${shared.size} pCPU${shared.size > 1 ? 's' : ''}`,
    reason: shared.size === 0
      ? 'no other thread may run on the vCPUs\' pCPUs: no steal time, directed yield finds nothing to yield to'
      : era === 'cfs'
        ? `CFS (host < 6.6): threads share by vruntime; a woken vCPU thread gets up to ${fp.latencyNs / 2e6} ms of sleeper credit and preempts the running thread when ahead by more than ${fp.wakeupGranularityNs / 1e6} ms; slices of ${fp.latencyNs / 1e6} ms / nr_running. Waiting time is steal time${withWhom}`
        : `EEVDF (host ≥ 6.6): a woken vCPU thread waits while the running one is eligible and inside its ${fp.minGranularityNs / 1e6} ms slice (RUN_TO_PARITY); waiting time is steal time${withWhom}`,
    mirrors: era === 'cfs' ? 'check_preempt_wakeup() / place_entity()' : 'check_preempt_wakeup_fair() / pick_eevdf()',
  })
  return d
}

function vmDecisions(
  vm: Vm, spec: VmSpec, timerReason: string, timerPath: string, hostVersion: string, piInject: boolean, piParam: number,
  hk: HousekeepingSets, pins: number[], granted: { hlt: boolean; mwait: boolean; pause: boolean; cstate: boolean }, haltpollReason: string, vendor: 'vmx' | 'svm',
): Decision[] {
  const d: Decision[] = []
  const exits = disableExitsDecision(hostVersion, vm.kvm.disableExits, granted, vendor)
  d.push({ id: 'disable-exits', title: 'Exits disabled (KVM_CAP_X86_DISABLE_EXITS)', value: exits.value, reason: exits.reason, mirrors: 'kvm_vm_ioctl_enable_cap(KVM_CAP_X86_DISABLE_EXITS)' })
  const pi = piInjectTimerDecision(hostVersion, piInject, piParam, hk.enabled.timer)
  d.push({ id: 'pi-inject-timer', title: 'pi_inject_timer', value: pi.value, reason: pi.reason, mirrors: 'kvm_x86_vendor_init()' })
  d.push({ id: 'timer-path', title: 'Guest LAPIC timer path', value: timerPath, reason: timerReason, mirrors: 'kvm_can_post_timer_interrupt() / kvm_can_use_hv_timer()' })
  d.push({ id: 'posted-interrupts', title: 'Posted interrupts', value: spec.postedInterrupts ? (vendor === 'vmx' ? 'APICv' : 'AVIC') : 'off', reason: spec.postedInterrupts ? 'device and IPI interrupts reach a running vCPU without an exit' : `every injected interrupt needs a kick and an exit${vendor === 'svm' ? ' (AVIC off or inhibited, see below)' : ''}`, mirrors: 'kvm_vcpu_apicv_active()' })
  const pvUnhalt = pvUnhaltVisible(vm.kvm.pv.pvUnhalt, granted.hlt)
  const spin = kvmSpinlockInit({ pvUnhalt, realtimeHint: vm.kvm.hintDedicated, nopvspin: vm.guest.nopvspin, vcpus: vm.vcpus, guestVersion: vm.guest.kernelVersion })
  d.push({ id: 'pvspinlock', title: 'Guest spinlock', value: spin.kind, reason: spin.reason, mirrors: 'kvm_spinlock_init()' })
  const onHlt = preemptedOnHltBlock(hostVersion)
  d.push({ id: 'preempted-on-hlt', title: 'steal-time "preempted" set on HLT block', value: granted.hlt ? 'n/a (HLT passed through)' : onHlt.preempted ? 'yes' : 'no', reason: granted.hlt ? 'HLT does not exit, so the vCPU thread never blocks in HLT; only a real preemption of its thread sets the flag' : onHlt.reason, mirrors: 'kvm_arch_vcpu_put() / kvm_steal_time_set_preempted()' })
  const pb = preemptedBoundaryDecision(hostVersion)
  d.push({ id: 'preempted-boundary', title: 'steal-time "preempted" at instruction boundaries', value: pb.value, reason: pb.reason, mirrors: 'kvm_steal_time_set_preempted() / vcpu->arch.at_instruction_boundary' })
  d.push({ id: 'host-halt-poll', title: 'Host halt polling', value: granted.hlt ? 'n/a (HLT passed through)' : spec.hostHaltPoll ? 'adaptive' : 'off', reason: granted.hlt ? 'HLT does not exit, so kvm_vcpu_halt() never runs' : spec.hostHaltPoll ? 'halt_poll_ns > 0: after an HLT exit KVM polls up to vcpu->halt_poll_ns, grown and shrunk per wake-up' : 'halt_poll_ns = 0, or the guest switched it off through MSR_KVM_POLL_CONTROL', mirrors: 'kvm_vcpu_halt()' })
  d.push({ id: 'guest-haltpoll', title: 'Guest cpuidle-haltpoll', value: spec.guestHaltPoll ? 'on' : 'off', reason: haltpollReason, mirrors: 'haltpoll_init()' })
  const nohz = pins.filter((c) => hk.nohzFullCpus[c] === 1).length
  d.push({ id: 'host-tick', title: 'Host tick on the vCPU pCPUs', value: nohz === pins.length ? 'stopped (nohz_full)' : nohz === 0 ? `${spec.guestHz ? '' : ''}periodic` : `${nohz}/${pins.length} nohz_full`, reason: nohz === pins.length ? 'each vCPU thread runs alone on a nohz_full CPU: no host tick interrupts the guest' : 'vCPU pCPUs outside nohz_full take the host tick, each an EXTERNAL_INTERRUPT exit', mirrors: 'tick_nohz_full_cpu() / can_stop_full_tick()' })
  return d
}
