// Cost tables per CPU preset (model.md §4). Each cost is a distribution: a floor plus a lognormal excess with the
// given mean and shape, so minima sit near the floor and the tail is heavy. Every figure has its source — a commit,
// a manual, kvm-unit-tests output, a perf trace, or "estimate" with its reasoning — in core/costs/cost-sources.ts,
// rendered in docs/model.md. Derived rows are computed here from the published figures they follow. A profile can
// override any entry by name (host.costs).
import type { CpuPreset } from '../profile/profile-schema.ts'
import { CPU_FEATURES } from './cpu-presets.ts'
import { COST_DOCS, SVM_COST_DOCS, SPREAD_DOCS, CYCLE_SCALING, SW_EXPIRY, HV_TIMER_GAIN_CYCLES, PREEMPTION_TIMER_FASTPATH_GAIN_CYCLES, TSC_DEADLINE_FASTPATH_GAIN_CYCLES, TSC_DEADLINE_WRITE_CYCLES, LKP_PAGE_FAULT2, lkpNsPerPage, wakePathCost } from './cost-sources.ts'
import type { CostDoc, CostSource } from './cost-sources.ts'

export interface Cost {
  /** Smallest value ever sampled. */
  minNs: number
  /** Mean of the distribution. */
  meanNs: number
  /** Lognormal shape of the excess over minNs. */
  sigma: number
}

/** The named costs of the model. */
export const COST_NAMES = [
  'exitExternalInterrupt', // VM exit + host IRQ entry/exit + VM entry, excluding the handler itself
  'hostTimerHandler', // hrtimer_interrupt + apic_timer_fn (lapic timer expiry) on the host
  'hostIpiHandler', // reschedule / call-function / TLB-shootdown IPI handler on the host
  'exitMsrWriteTscDeadline', // wrmsr IA32_TSC_DEADLINE as the host takes it: setup resolves fast or slow (core/kvm/exit-fastpath.ts)
  'exitMsrWriteTscDeadlineSlow', // the same through the full exit handler: kvm_set_lapic_tscdeadline_msr → start hv or sw timer
  'hrtimerRearm', // hrtimer_cancel() + hrtimer_start() of the LAPIC sw timer (sw-path TSC-deadline write, hv↔sw switch around a halt)
  'exitMsrWriteIcr', // x2APIC ICR write in handle_fastpath_set_msr_irqoff() (host ≥ 5.6, physical destination)
  'exitMsrWriteIcrSlow', // x2APIC ICR write through the full exit handler (kvm_emulate_wrmsr → kvm_x2apic_icr_write): no fastpath
  'exitApicWriteIcr', // xAPIC ICR write, trap-like APIC_WRITE (APICv register virtualization): kvm_apic_write_nodecode
  'exitApicAccessIcr', // xAPIC ICR write without APICv/AVIC: APIC_ACCESS (npf on SVM) and instruction emulation
  'exitAvicIncompleteIpi', // AVIC_INCOMPLETE_IPI: avic_incomplete_ipi_interception → avic_kick_target_vcpus (wake)
  'pvIpiPerTarget', // kvm_apic_set_irq() per destination: KVM_HC_SEND_IPI (on top of exitVmcall), a cluster-mode ICR write's 2nd… destinations
  'exitHlt', // HLT exit bookkeeping before halt polling / blocking
  'exitPreemptionTimer', // VMX preemption timer expiry as the host takes it: setup resolves fast or slow (core/kvm/exit-fastpath.ts)
  'exitPreemptionTimerSlow', // the same through handle_preemption_timer() → kvm_lapic_expired_hv_timer() → inject
  'exitEptMisconfig', // MMIO virtio notify → ioeventfd → wake vhost
  'exitIoInstruction', // PIO virtio notify (legacy) → ioeventfd
  'exitVmcall', // hypercall (kick CPU, PV IPI, sched yield)
  'exitPause', // PLE / pause-filter exit + kvm_vcpu_on_spin
  'pauseInstruction', // one PAUSE in a spin loop (cpu_relax()): ~140 cycles since Skylake (Intel optimization manual)
  'spinLoopGap', // a spin loop's body between two PAUSEs (load, compare, branch on the lock word): the ple_gap / pause_filter_thresh test
  'exitMwait', // MWAIT exit emulated as a NOP (kvm_emulate_mwait): skip the instruction, re-enter
  'schedYield', // experimental (the 2023 Woodhouse RFC): yield() in kvm_emulate_mwait(): do_sched_yield() and a schedule() that keeps the thread
  'userspaceExit', // experimental (the 2023 Woodhouse RFC): KVM_RUN returns to the VMM (vcpu_put, guest FPU and user-return MSRs swapped, the VMM's dispatch of the exit)
  'userspaceEntry', // experimental (the 2023 Woodhouse RFC): the VMM calls KVM_RUN again (the ioctl, vcpu_load, guest FPU, pending requests) up to VM entry
  'exitInterruptWindow', // interrupt window exit
  'indirect', // guest slowdown after an entry (caches, TLB, predictors refilled), paid once by the work that follows: estimate (SplitX WIOV 2011, FlexSC OSDI 2010)
  'indirectKeptLoaded', // experimental (the scheduled_out series, 2024): the slowdown after an entry whose schedule-in kept the guest state loaded
  'scheduleIn', // context switch to the vCPU thread + vcpu_load
  'scheduleInNoLoad', // the context switch to the vCPU thread alone: no vcpu_load in kvm_sched_in() (state kept loaded, the scheduled_out series, 2024; or the thread slept in the VMM)
  'wakeupIpi', // kvm_vcpu_kick → wake_up on a remote CPU: IPI latency
  'vcpuMigration', // a vCPU thread moved to another pCPU: vcpu_load() there (VMCS/VMCB reload) and cold caches/TLB
  'hostLbPerCpu', // one CPU of a host load_balance() pass: update_sg_lb_stats() reading its rq (core/host/load-balance.ts)
  'guestTickHandler', // guest tick: update_process_times, scheduler_tick
  'guestTimerIrq', // guest LAPIC timer interrupt entry/exit + hrtimer_interrupt
  'guestIpiHandler', // guest IPI handler (reschedule)
  'guestIdleLoop', // one pass of the guest idle loop between two MWAITs that return at once
  'vhostRxBatch', // vhost-net handle_rx: fixed part per batch
  'vhostRxPerPacket', // vhost-net per packet copy
  'vhostTx', // vhost-net handle_tx per notified batch
  'sriovDelivery', // SR-IOV VF DMA + VT-d posted interrupt latency
  'guestContextSwitch', // guest schedule(): pick_next_task + context switch to another thread
  'guestTtwu', // guest try_to_wake_up() outside the rq lock: select_task_rq_fair (without the LLC scan), p->pi_lock, state
  'guestSisScanPerCpu', // select_idle_cpu(): one CPU examined (its rq and steal-time lines, remote cache misses)
  'guestFutexWake', // guest futex_wake() syscall: entry/exit and the hash-bucket walk, before the wake-ups
  'guestNanosleepEntry', // guest clock_nanosleep(TIMER_ABSTIME): syscall entry, hrtimer_start_range_ns(), dequeue, up to schedule()
  'guestNanosleepExit', // after hrtimer_wakeup(): back from schedule(), syscall exit to user, clock_gettime() in the vDSO
  'guestPipeWrite', // guest pipe_write() of a small (100-byte) message: syscall, pipe mutex, copy into the page
  'guestPipeRead', // guest pipe_read() of a small message: syscall, pipe mutex, copy out
  'guestUnixSend', // guest unix_stream_sendmsg() of a small message: syscall, skb allocation, copy, queue to the peer
  'guestUnixRecv', // guest unix_stream_recvmsg() of a small message: syscall, dequeue, copy out, free the skb
  'guestSwitchMm', // guest switch_mm_irqs_off() to another process's mm (CR3 write with PCID, no exit under EPT) and its TLB refills
  'guestCopyPerKiB', // guest memcpy()/copy_user of one KiB beyond what a syscall's own cost covers
  'guestPageFault', // guest anonymous page fault: exception entry, do_anonymous_page() with a zeroed 4 KiB page (EPT already mapped)
  'guestZapPerPage', // guest munmap()/madvise(MADV_DONTNEED) per 4 KiB page: zap_pte_range() and freeing the page
  'guestTtwuActivate', // guest ttwu_do_activate() under the wakee CPU's rq->lock: enqueue_task_fair() + check_preempt_curr()
  'guestSchedulePick', // guest __schedule() under rq->lock without a context switch: dequeue/put_prev + pick_next_task()
  'guestMmap', // guest mmap() of an anonymous region: syscall, get_unmapped_area(), the VMA inserted — under mmap_lock for write
  'guestMunmap', // guest munmap() without its zap: syscall, the VMA found, split and detached, page tables freed
  'guestLruAddPerPage', // guest __pagevec_lru_add_fn() per page under the LRU lock: PageLRU set, the page put on the lruvec list
  'guestLruDelPerPage', // guest release_pages() per page under the LRU lock: PageLRU cleared, the page taken off the lruvec list
  'vmEntryAfterWait', // the part of an exit after kvm_wait_lapic_expire(): the rest of vmx_vcpu_run() and the VM-entry itself
  'guestTtwuLocal', // guest try_to_wake_up() onto the waker's own CPU charged at once (from an interrupt: hrtimer_wakeup()): ttwu and ttwu_do_activate() on the local rq
  'guestSwitchFromIdle', // guest schedule_idle() → __schedule() from the idle task to a woken thread (lazy mm kept)
] as const
export type CostName = (typeof COST_NAMES)[number]
/** Integer id of each cost (its index in COST_NAMES), for the model's hot path. */
export const CostId = Object.fromEntries(COST_NAMES.map((n, i) => [n, i])) as { readonly [K in CostName]: number }
export type CostTable = Record<CostName, Cost>

const c = (minNs: number, meanNs: number, sigma: number): Cost => ({ minNs, meanNs, sigma })

const GHZ = 2.4
const cyclesNs = (cycles: number): number => Math.round(cycles / GHZ)
/** The hv-timer expiry without and with the fastpath: the sw expiry less the published gains (cost-sources.ts). */
const hvSlowMean = SW_EXPIRY.meanNs - cyclesNs(HV_TIMER_GAIN_CYCLES)
const hvFastMean = hvSlowMean - cyclesNs(PREEMPTION_TIMER_FASTPATH_GAIN_CYCLES)
const swFloorRatio = SW_EXPIRY.minNs / SW_EXPIRY.meanNs
const tscFastGain = cyclesNs(TSC_DEADLINE_FASTPATH_GAIN_CYCLES)
/** The TSC-deadline write's full exit: vmcall's round trip plus the handler (cost-sources.ts), floor the round trip. */
const tscWriteFloor = cyclesNs(TSC_DEADLINE_WRITE_CYCLES.roundTrip)
const tscWriteMean = cyclesNs(TSC_DEADLINE_WRITE_CYCLES.roundTrip + TSC_DEADLINE_WRITE_CYCLES.handler)
/** kvm-unit-tests: in-kernel PIO round trip (inl_from_kernel 2339, outl_to_kernel 1391 cycles) + ~0.5 µs vhost wake-up. */
const notify = c(cyclesNs(1391), cyclesNs(2339) + 500, 0.6)
/** IPI send → handled, xAPIC − x2APIC: 6059 − 4338 cycles. */
const xapicExtra = cyclesNs(6059 - 4338)
/** A row of the guest's timer wake-up path, from bare-metal cyclictest (BARE_METAL_CYCLICTEST in cost-sources.ts). */
const wake = (row: Parameters<typeof wakePathCost>[0]): Cost => { const w = wakePathCost(row); return c(w.minNs, w.meanNs, 0.4) }

/** Skylake-SP at 2.4 GHz: the reference table (0c5f81dad46c's host). Sources: core/costs/cost-sources.ts. */
const skylake: CostTable = {
  exitExternalInterrupt: c(430, 560, 0.9),
  hostTimerHandler: c(40, 150, 0.8),
  hostIpiHandler: c(30, 120, 0.8),
  exitMsrWriteTscDeadline: c(tscWriteFloor - tscFastGain, tscWriteMean - tscFastGain, 0.6),
  exitMsrWriteTscDeadlineSlow: c(tscWriteFloor, tscWriteMean, 0.6),
  hrtimerRearm: c(100, 250, 0.5),
  exitMsrWriteIcr: c(700, 1_500, 0.6),
  exitMsrWriteIcrSlow: c(700 + tscFastGain, 1_500 + tscFastGain, 0.6),
  exitApicWriteIcr: c(700 + xapicExtra, 1_500 + xapicExtra, 0.6),
  exitApicAccessIcr: c(1_500, 3_500, 0.6),
  exitAvicIncompleteIpi: c(700, 1_400, 0.6),
  pvIpiPerTarget: c(60, 150, 0.5),
  exitHlt: c(300, 500, 0.5),
  exitPreemptionTimer: c(Math.round(hvFastMean * swFloorRatio), hvFastMean, 0.6),
  exitPreemptionTimerSlow: c(Math.round(hvSlowMean * swFloorRatio), hvSlowMean, 0.6),
  exitEptMisconfig: notify,
  exitIoInstruction: notify,
  exitVmcall: c(450, 600, 0.5),
  exitPause: c(500, 800, 0.6),
  pauseInstruction: c(56, 58, 0.05),
  spinLoopGap: c(3, 5, 0.3),
  exitMwait: c(450, 650, 0.5),
  schedYield: c(150, 300, 0.4),
  userspaceExit: c(600, 900, 0.5),
  userspaceEntry: c(600, 900, 0.5),
  exitInterruptWindow: c(600, 900, 0.4),
  indirect: c(0, 1_800, 0.7),
  indirectKeptLoaded: c(0, 1_400, 0.7),
  scheduleIn: c(1_200, 2_000, 0.5),
  scheduleInNoLoad: c(800, 1_400, 0.5),
  wakeupIpi: c(700, 1_500, 0.5),
  vcpuMigration: c(3_000, 8_000, 0.6),
  hostLbPerCpu: c(45, 100, 0.5),
  guestTickHandler: c(800, 1_500, 0.5),
  guestTimerIrq: wake('guestTimerIrq'),
  guestIpiHandler: c(200, 400, 0.4),
  guestIdleLoop: c(100, 200, 0.4),
  vhostRxBatch: c(800, 1_500, 0.4),
  vhostRxPerPacket: c(300, 600, 0.4),
  vhostTx: c(1_000, 2_000, 0.4),
  sriovDelivery: c(800, 1_200, 0.3),
  guestContextSwitch: c(800, 1_500, 0.4),
  guestTtwu: c(150, 300, 0.4),
  guestSisScanPerCpu: c(30, 60, 0.4),
  guestFutexWake: c(300, 500, 0.4),
  guestNanosleepEntry: c(400, 700, 0.4),
  guestNanosleepExit: wake('guestNanosleepExit'),
  guestPipeWrite: c(500, 900, 0.4),
  guestPipeRead: c(400, 800, 0.4),
  guestUnixSend: c(900, 1_600, 0.4),
  guestUnixRecv: c(700, 1_300, 0.4),
  guestSwitchMm: c(150, 400, 0.4),
  guestCopyPerKiB: c(80, 100, 0.2),
  guestPageFault: c(500, 800, 0.4),
  guestZapPerPage: c(40, 80, 0.3),
  guestTtwuActivate: c(250, 400, 0.4),
  guestSchedulePick: c(150, 300, 0.4),
  guestMmap: c(600, 1_000, 0.4),
  guestMunmap: c(500, 900, 0.4),
  guestLruAddPerPage: c(60, lkpNsPerPage(LKP_PAGE_FAULT2.addPct), 0.3),
  guestLruDelPerPage: c(40, lkpNsPerPage(LKP_PAGE_FAULT2.delPct), 0.3),
  vmEntryAfterWait: c(250, 300, 0.2),
  guestTtwuLocal: wake('guestTtwuLocal'),
  guestSwitchFromIdle: wake('guestSwitchFromIdle'),
}

/** The spreads (lognormal sigma) of the model's times whose mean comes from the profile rather than this table: the
 *  profile gives the mean, these the shape. Sources (all estimates, with the reasoning): SPREAD_DOCS in cost-sources.ts. */
export const SPREAD_NAMES = ['vmmWork', 'spinlockHold', 'kworkerRun', 'hostTaskBurst', 'networkOneWay', 'rxSoftirq'] as const
export type SpreadName = (typeof SPREAD_NAMES)[number]
export const SPREADS: Readonly<Record<SpreadName, number>> = {
  vmmWork: 0.5,
  spinlockHold: 0.5,
  kworkerRun: 0.5,
  hostTaskBurst: 0.5,
  networkOneWay: 0.15,
  rxSoftirq: 0.3,
}
/** Every spread has its source (a compile-time check). */
export const SPREAD_SOURCES: Record<SpreadName, CostDoc> = SPREAD_DOCS

/** Every cost name has its source (a compile-time check of cost-sources.ts). */
const DOCS: Record<CostName, CostDoc> = COST_DOCS

/** The reference table's cycle counts at another clock (CYCLE_SCALING in cost-sources.ts). */
function atClock(t: CostTable, ghz: number): CostTable {
  const f = GHZ / ghz
  const out = {} as CostTable
  for (const k of COST_NAMES) out[k] = c(Math.round(t[k].minNs * f), Math.round(t[k].meanNs * f), t[k].sigma)
  return out
}

/** SVM: the reference cycle counts at the AMD clock, except the rows with SVM sources of their own (SVM_COST_DOCS);
 *  no preemption timer, so the PREEMPTION_TIMER rows are never used. */
function svm(ghz: number): CostTable {
  const t = atClock(skylake, ghz)
  t.exitExternalInterrupt = c(Math.round(1350 / ghz), Math.round(1800 / ghz), 0.9)
  t.pauseInstruction = c(Math.round(62 / ghz), Math.round(65 / ghz), 0.05)
  t.exitApicAccessIcr = c(Math.round(4000 / ghz), Math.round(8000 / ghz), 0.6)
  t.exitAvicIncompleteIpi = c(Math.round(2000 / ghz), Math.round(3500 / ghz), 0.6)
  return t
}

export const COST_TABLES: Record<CpuPreset, CostTable> = {
  'skylake-sp': skylake,
  'cascadelake-sp': atClock(skylake, CPU_FEATURES['cascadelake-sp'].ghz),
  'icelake-sp': atClock(skylake, CPU_FEATURES['icelake-sp'].ghz),
  sapphirerapids: atClock(skylake, CPU_FEATURES.sapphirerapids.ghz),
  rome: svm(CPU_FEATURES.rome.ghz),
  milan: svm(CPU_FEATURES.milan.ghz),
  genoa: svm(CPU_FEATURES.genoa.ghz),
}

/** The source of one cost of a preset: an SVM row's own, or the reference row's (at the preset's clock: then
 *  `scaled` gives the reason). */
export function costDoc(preset: CpuPreset, name: CostName): CostDoc & { scaled: CostSource | null } {
  const svmDoc = CPU_FEATURES[preset].vendor === 'svm' ? SVM_COST_DOCS[name] : undefined
  if (svmDoc) return { ...svmDoc, scaled: null }
  return { ...DOCS[name], scaled: preset === 'skylake-sp' ? null : CYCLE_SCALING }
}

/** The preset's table with the profile's overrides applied ({ name: { minNs?, meanNs?, sigma? } }). */
export function costTableFor(preset: CpuPreset, overrides: Record<string, Record<string, number>>): { table: CostTable; issues: string[] } {
  const table = { ...COST_TABLES[preset] }
  const issues: string[] = []
  for (const [name, o] of Object.entries(overrides)) {
    if (!(COST_NAMES as readonly string[]).includes(name)) {
      issues.push(`host.costs.${name}: not a cost name — use one of ${COST_NAMES.join(', ')}`)
      continue
    }
    const k = name as CostName
    const cur = table[k]
    for (const f of Object.keys(o)) if (f !== 'minNs' && f !== 'meanNs' && f !== 'sigma') issues.push(`host.costs.${name}.${f}: not a cost field — use minNs, meanNs or sigma`)
    const next = c(o.minNs ?? cur.minNs, o.meanNs ?? cur.meanNs, o.sigma ?? cur.sigma)
    if (next.meanNs < next.minNs) issues.push(`host.costs.${name}: meanNs ${next.meanNs} is below minNs ${next.minNs} — raise meanNs or lower minNs`)
    table[k] = next
  }
  return { table, issues }
}
