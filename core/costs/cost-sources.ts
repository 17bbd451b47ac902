// Where every cost of the reference table (Skylake-SP, 2.4 GHz: core/costs/cost-tables.ts) comes from: a commit, a
// paper or manual, kvm-unit-tests output, a perf trace, a measurement reported on a mailing list — or "estimate" with
// the reasoning. docs/model.md renders the same table (test/tools/cost-table-doc.ts writes it;
// test/core/cost-sources.node.test.ts checks it matches). The lognormal shape (sigma) of every cost is an estimate: no
// source publishes distributions, only minima and means.

export type CostSource =
  | { kind: 'commit'; id: string; subject: string; figure: string }
  | { kind: 'paper'; title: string; where: string; figure: string }
  | { kind: 'report'; title: string; where: string; figure: string }
  | { kind: 'kvm-unit-tests'; test: string; ref: string; figure: string }
  | { kind: 'perf'; trace: string; figure: string }
  | { kind: 'estimate'; reasoning: string }

export interface CostDoc {
  /** What the cost covers, in kernel terms. */
  what: string
  source: CostSource
  /** How the table's minNs/meanNs follow from the source's figure (empty for an estimate: its reasoning says it). */
  how: string
}

const GHZ = 2.4
const ns = (cycles: number): number => Math.round(cycles / GHZ)

/** b7ffc44d5b2e's kvm-unit-tests vmexit figures (before → after the patch; CPU not stated). */
const TR_RELOAD = 'commit b7ffc44d5b2e "x86/kvm/vmx: Defer TR reload after VM exit" (Andy Lutomirski)'
const KUT_VMEXIT = (test: string, figure: string): CostSource => ({ kind: 'kvm-unit-tests', test, ref: TR_RELOAD, figure })
/** The posted-timer commit's perf kvm stat output (Skylake server, Linux 5.3). */
const SEED: CostSource = { kind: 'commit', id: '0c5f81dad46c', subject: 'KVM: LAPIC: Inject timer interrupt via posted interrupt', figure: 'perf kvm stat EXTERNAL_INTERRUPT, Skylake server: min 0.47 / 0.44 µs, avg 0.71 / 0.72 µs (before / after)' }
/** Zeng Guang's IPIv series cover letter: kvm-unit-tests IPI send → handled without IPIv. */
const IPI_KUT: CostSource = { kind: 'kvm-unit-tests', test: 'vmexit ipi', ref: 'cover letter of "KVM: VMX: enable IPI virtualization", lore 20220304080725.18135-1-guang.zeng@intel.com', figure: 'send → handled without IPIv: 6059 cycles xAPIC, 4338 cycles x2APIC' }
/** Wanpeng Li's "Tscdeadline timer emulation fastpath" series cover letter (SKX, kvm-unit-tests vmexit.flat, no advance). */
const TSC_FASTPATH_LORE = 'series cover letter lore 1588055009-12677-1-git-send-email-wanpengli@tencent.com (SKX)'
const est = (reasoning: string): CostSource => ({ kind: 'estimate', reasoning })

/** The sw expiry path of the reference table (EXTERNAL_INTERRUPT exit + hrtimer_interrupt/apic_timer_fn), mean and floor. */
export const SW_EXPIRY = { meanNs: 560 + 150, minNs: 430 + 40 }
/** ce7a058a2117: the hv timer saves ~800 cycles over the sw hrtimer (tscdeadline_latency, busy-waiting guest). */
export const HV_TIMER_GAIN_CYCLES = 800
/** 26efe2fd92e5's series: kvm-unit-tests tscdeadline 5765.7 → 5285 cycles. */
export const PREEMPTION_TIMER_FASTPATH_GAIN_CYCLES = 5765.7 - 5285
/** The TSC-deadline write through the full exit path (host < 5.8, or the sw timer): b7ffc44d5b2e's kvm-unit-tests vmcall
 *  round trip (the full exit path with a trivial handler) plus kvm_set_lapic_tscdeadline_msr()'s own work (estimate). */
export const TSC_DEADLINE_WRITE_CYCLES = { roundTrip: 1181, handler: 300 }
/** ae95f566b3d2's series: kvm-unit-tests tscdeadline_immed 3028.5 → 2494.75 cycles. */
export const TSC_DEADLINE_FASTPATH_GAIN_CYCLES = 3028.5 - 2494.75
/** The page LRU lock's per-page work, from a perf profile: LKP's will-it-scale page_fault2 (104 processes, each mapping
 *  128 MiB MAP_PRIVATE, writing every page, unmapping) on lkp-skl-fpga01 (2-socket Skylake, 104 threads), Linux 6.8-rc
 *  at 5dad604809c5 with PAGEVEC_SIZE 15 — Yujie Liu, "Re: [linus:master] [mm] 99fbb6bfc1: will-it-scale.per_process_ops
 *  -4.7% regression", LKML 15 March 2024. Every fault puts one page on the LRU (folio_add_lru_vma() →
 *  folio_batch_move_lru() → lru_add_fn()) and the munmap() takes it off (release_pages()), so each percent of all cycles
 *  is cpus / pagesPerSec × 1 % of CPU time per page. Under the lock: adding, lru_add_fn() with its callees (0.60 %, the
 *  LRU-size accounting 0.30 % of it) and folio_batch_move_lru()'s own loop (0.36 %); removing, release_pages()'s own
 *  loop (0.40 %) and the same LRU-size accounting for the list_del() (0.30 %). The lock runs saturated there (66.6 % of
 *  cycles in native_queued_spin_lock_slowpath): two locks (two nodes, one memcg) pass 8,839,851 pages/s, 226 ns per page
 *  each, of which these holds are 195 ns — the rest is the hand-over between holders. */
export const LKP_PAGE_FAULT2 = { cpus: 104, pagesPerSec: 8_839_851, addPct: 0.60 + 0.36, delPct: 0.40 + 0.30 }
/** CPU time per page of a share of all cycles (percent) in LKP_PAGE_FAULT2. */
export const lkpNsPerPage = (pct: number): number => Math.round((LKP_PAGE_FAULT2.cpus / LKP_PAGE_FAULT2.pagesPerSec) * 1e9 * pct / 100)
const LKP_PF2: CostSource = { kind: 'perf', trace: 'LKP will-it-scale page_fault2, lkp-skl-fpga01 (2-socket Skylake, 104 threads), Linux 6.8-rc 5dad604809c5, PAGEVEC_SIZE 15: Yujie Liu, "Re: [linus:master] [mm] 99fbb6bfc1: will-it-scale.per_process_ops -4.7% regression", LKML 15 March 2024', figure: '8,839,851 faults/s over 104 CPUs (11.8 µs of CPU per page, one LRU add and one LRU del each); self cycles lru_add_fn 0.60 % with callees (0.30 % the LRU-size accounting), folio_batch_move_lru 0.36 %, release_pages 0.40 %; native_queued_spin_lock_slowpath 66.6 % (the lock saturated)' }

/** The guest's own part of a cyclictest wake-up (docs/model.md, "A cyclictest wake-up, step by step", steps 2 and 6) is
 *  the bare-metal kernel path: interrupt entry, hrtimer_interrupt() → hrtimer_wakeup() → try_to_wake_up() of a task
 *  pinned to this CPU, irq_exit(), the idle loop's schedule_idle() → __schedule() to the woken thread, the return from
 *  clock_nanosleep() and clock_gettime() in the vDSO. Bare-metal cyclictest measures that whole path: Ionut Nechita,
 *  "NO_HZ_FULL vs NO_HZ_IDLE: ~300ns cyclictest latency regression from context tracking overhead", LKML 26 March 2026
 *  — Xeon Gold 6338N (Ice Lake SP, 2.2 GHz), 6.12.78-rt (PREEMPT_RT), CONFIG_NO_HZ_IDLE, nopti, isolated CPUs,
 *  `cyclictest --priority 95 --nsecs`, 30 threads, 2 hours: Min 1697–1783 ns, Avg 1876–2000 ns over the threads
 *  (~1930 ns). cyclictest writes 0 to /dev/cpu_dma_latency unless told otherwise, so the idle CPU polls (the cpuidle
 *  poll state, the tick kept), as the validation guests do with idle=poll. The path also holds the native WRMSR
 *  IA32_TSC_DEADLINE of hrtimer_interrupt()'s reprogram, which in a guest is the MSR_WRITE exit costed on its own:
 *  ~100 cycles (the estimate hrtimerRearm uses too) come off. Cycles are kept at the reference clock (CYCLE_SCALING). */
export const BARE_METAL_CYCLICTEST = { ghz: 2.2, avgNs: 1930, minNs: (1697 + 1783) / 2, nativeWriteCycles: 100 }
/** How the bare-metal path divides among the rows that make it up: the former estimates of those steps (ns; the local
 *  wake-up was guestTtwu + guestTtwuActivate, the switch from idle guestContextSwitch), as weights only — no published
 *  figure separates them natively (function_graph timings carry the tracer's own cost per call). */
export const WAKE_PATH_WEIGHTS = { guestTimerIrq: 500, guestTtwuLocal: 300 + 400, guestSwitchFromIdle: 1500, guestNanosleepExit: 400 }
export type WakePathRow = keyof typeof WAKE_PATH_WEIGHTS
const pathCycles = (avgOrMinNs: number): number => avgOrMinNs * BARE_METAL_CYCLICTEST.ghz - BARE_METAL_CYCLICTEST.nativeWriteCycles
/** One row of the path at the reference clock: its weight's share of the bare-metal mean, and its floor at the
 *  published Min/Avg ratio. */
export function wakePathCost(row: WakePathRow): { minNs: number; meanNs: number } {
  const w = WAKE_PATH_WEIGHTS
  const share = w[row] / (w.guestTimerIrq + w.guestTtwuLocal + w.guestSwitchFromIdle + w.guestNanosleepExit)
  const meanNs = ns(pathCycles(BARE_METAL_CYCLICTEST.avgNs) * share)
  return { minNs: Math.round(meanNs * pathCycles(BARE_METAL_CYCLICTEST.minNs) / pathCycles(BARE_METAL_CYCLICTEST.avgNs)), meanNs }
}
const CYCLICTEST_BM: CostSource = { kind: 'report', title: 'Ionut Nechita, "NO_HZ_FULL vs NO_HZ_IDLE: ~300ns cyclictest latency regression from context tracking overhead"', where: 'LKML, 26 March 2026 (lkml.iu.edu 2603.3/06802): bare-metal cyclictest --priority 95 --nsecs, Xeon Gold 6338N (Ice Lake SP, 2.2 GHz), 6.12.78-rt, NO_HZ_IDLE, nopti, isolated CPUs, 30 threads for 2 hours, the idle CPU polling (cyclictest sets /dev/cpu_dma_latency to 0)', figure: 'Min 1697–1783 ns, Avg 1876–2000 ns (~1930 ns) over the threads: the whole path from the timer\'s expiry to the clock read' }
const wakeHow = (row: WakePathRow): string => {
  const c = wakePathCost(row)
  return `the bare-metal path, ${Math.round(BARE_METAL_CYCLICTEST.avgNs * BARE_METAL_CYCLICTEST.ghz)} cycles on average less ~${BARE_METAL_CYCLICTEST.nativeWriteCycles} for the native TSC-deadline write (an exit of its own in a guest), is ${ns(pathCycles(BARE_METAL_CYCLICTEST.avgNs))} ns at 2.4 GHz for the four rows guestTimerIrq, guestTtwuLocal, guestSwitchFromIdle and guestNanosleepExit; this row's share — an estimate: the steps' former estimates ${Object.values(WAKE_PATH_WEIGHTS).join(' : ')} ns as weights, no published split — is ${c.meanNs} ns, its floor ${c.minNs} ns at the published Min/Avg ratio. Not quantified: Sunny Cove's higher IPC (a Skylake core takes somewhat longer), PREEMPT_RT's and 6.12's longer paths, the 5.2 guest's page-table isolation on Skylake (the run had nopti), and the timer's in-core delivery, counted here`
}

/** Keyed by cost name; core/costs/cost-tables.ts checks at compile time that every CostName has its entry. */
export const COST_DOCS = {
  exitExternalInterrupt: { what: 'VM exit + host IRQ entry/exit + VM entry, without the handler', source: SEED, how: 'mean: the 0.71 µs average of a run whose EXTERNAL_INTERRUPTs are mostly the timer, less hostTimerHandler (0.15 µs); floor: the 0.47 µs minimum less the handler floor' },
  hostTimerHandler: { what: 'hrtimer_interrupt() + apic_timer_fn() on the host', source: est('the share of the published 0.71 µs sw-timer EXTERNAL_INTERRUPT average (0c5f81dad46c) spent in the hrtimer callback; the split of that total is not published'), how: '' },
  hostIpiHandler: { what: 'reschedule / call-function / TLB-shootdown IPI handler on the host', source: est('a short handler, taken a little below hostTimerHandler: no published figure'), how: '' },
  exitMsrWriteTscDeadline: { what: 'WRMSR IA32_TSC_DEADLINE in handle_fastpath_set_msr_irqoff() (VMX with the hv timer, host ≥ 5.8)', source: { kind: 'commit', id: 'ae95f566b3d2', subject: 'KVM: X86: TSCDEADLINE MSR emulation fastpath', figure: `kvm-unit-tests tscdeadline_immed 3028.5 → 2494.75 cycles, ${TSC_FASTPATH_LORE}` }, how: `exitMsrWriteTscDeadlineSlow less the ${Math.round(TSC_DEADLINE_FASTPATH_GAIN_CYCLES)}-cycle gain (${ns(TSC_DEADLINE_FASTPATH_GAIN_CYCLES)} ns), floor and mean alike` },
  exitMsrWriteTscDeadlineSlow: { what: 'WRMSR IA32_TSC_DEADLINE through the full exit handler: handle_wrmsr() → kvm_set_msr_common() → kvm_set_lapic_tscdeadline_msr() → restart_apic_timer() (the hv timer: vmx_set_hv_timer(); the sw timer\'s hrtimer_start() is hrtimerRearm, added on that path)', source: KUT_VMEXIT('vmexit vmcall', 'vmcall 1195 → 1181 cycles round trip'), how: `the full exit path of a minimal exit (vmcall, ${TSC_DEADLINE_WRITE_CYCLES.roundTrip} cycles) plus ~${TSC_DEADLINE_WRITE_CYCLES.handler} cycles for the MSR dispatch, hrtimer_cancel() of an idle hrtimer and vmx_set_hv_timer() (a TSC read, a multiply, a VMCS write: estimate) = ${ns(TSC_DEADLINE_WRITE_CYCLES.roundTrip + TSC_DEADLINE_WRITE_CYCLES.handler)} ns; floor: the round trip alone (${ns(TSC_DEADLINE_WRITE_CYCLES.roundTrip)} ns). Check: kvm-unit-tests tscdeadline_immed, 3028.5 cycles per iteration on SKX (${TSC_FASTPATH_LORE}), is this write with the injection of the already-expired timer, the guest\'s interrupt delivery and its ISR: ~1550 cycles are left for those. Public perf kvm stat MSR_WRITE averages of 1.26–2.62 µs (CPUs not stated, other MSRs mixed in, tracepoints on) were used before: 1.26 µs would leave nothing of tscdeadline_immed\'s iteration to the injection and the handler` },
  hrtimerRearm: { what: 'hrtimer_cancel() + hrtimer_start() of the LAPIC sw timer: the TSC-deadline write on the sw path (start_sw_tscdeadline()), and kvm_lapic_switch_to_sw_timer() / kvm_lapic_switch_to_hv_timer() around a halt', source: est('two hrtimer base-lock round trips, an rbtree erase and insert and, when the timer becomes the first, clockevents_program_event() → lapic_next_deadline() (one native WRMSR IA32_TSC_DEADLINE, on the order of 100 cycles): a few hundred cycles, taken as 0.25 µs (600 cycles); no published figure isolates it. The hv path\'s vmx_set_hv_timer() is a few multiplications and stays inside the exit rows'), how: '' },
  exitMsrWriteIcr: { what: 'x2APIC ICR write in handle_fastpath_set_msr_irqoff() (physical, fixed, one target)', source: IPI_KUT, how: 'the sender\'s exit: ~3.6 k of the 4338 cycles x2APIC send → handled (the rest is delivery and the guest handler; the split is an estimate)' },
  exitMsrWriteIcrSlow: { what: 'x2APIC ICR write through the full exit handler (kvm_emulate_wrmsr() → kvm_x2apic_icr_write())', source: { kind: 'commit', id: 'ae95f566b3d2', subject: 'KVM: X86: TSCDEADLINE MSR emulation fastpath', figure: `the same handle_fastpath_set_msr_irqoff() mechanism saves ${Math.round(TSC_DEADLINE_FASTPATH_GAIN_CYCLES)} cycles on tscdeadline_immed (${TSC_FASTPATH_LORE})` }, how: `exitMsrWriteIcr plus that ${Math.round(TSC_DEADLINE_FASTPATH_GAIN_CYCLES)}-cycle gain: 1e9e2622a149 (the ICR fastpath) publishes no cycle count` },
  exitApicWriteIcr: { what: 'xAPIC ICR write, trap-like APIC_WRITE with APICv: kvm_apic_write_nodecode()', source: IPI_KUT, how: 'exitMsrWriteIcr plus the xAPIC − x2APIC difference: 6059 − 4338 = 1721 cycles ≈ 0.72 µs' },
  exitApicAccessIcr: { what: 'xAPIC ICR write without APICv: APIC_ACCESS exit and x86_emulate_instruction() of the MMIO store', source: est('fault-like and emulated, about 1.5× the trap-like APIC_WRITE; no published figure'), how: '' },
  exitAvicIncompleteIpi: { what: 'AVIC_INCOMPLETE_IPI: avic_incomplete_ipi_interception() → avic_kick_target_vcpus() (SVM only)', source: est('VMX never takes this exit; the SVM table sets its own row (the VMRUN round trip plus the kick)'), how: '' },
  pvIpiPerTarget: { what: 'kvm_apic_set_irq() per destination of a multi-destination IPI: kvm_pv_send_ipi() on top of exitVmcall, and a cluster-mode (logical) ICR write\'s destinations after the first (kvm_irq_delivery_to_apic_fast())', source: est('one bitmap bit and one kvm_apic_set_irq() per target: with APICv __apic_accept_irq() → vmx_deliver_posted_interrupt() sets the vector in the target\'s posted-interrupt descriptor and its ON bit (two atomics on a cache line the target\'s CPU owns: a remote miss, ~100 ns across a 2-socket server) and, when the target is in guest mode, sends the notification vector with one host x2APIC ICR write (kvm_vcpu_trigger_posted_interrupt()); no published per-target figure — 4180bf1b655a\'s broadcast totals mix it with the targets\' handlers'), how: '' },
  exitHlt: { what: 'HLT exit bookkeeping before halt polling / blocking (kvm_emulate_halt())', source: KUT_VMEXIT('vmexit vmcall', 'vmcall 1195 → 1181 cycles round trip'), how: 'one minimal exit round trip (~0.49 µs); the bookkeeping itself is small (estimate)' },
  exitPreemptionTimer: { what: 'PREEMPTION_TIMER exit in handle_fastpath_preemption_timer() (host ≥ 5.8)', source: { kind: 'commit', id: '26efe2fd92e5', subject: 'KVM: VMX: Handle preemption timer fastpath', figure: `kvm-unit-tests tscdeadline 5765.7 → 5285 cycles, ${TSC_FASTPATH_LORE}; the deadline lies 3000 cycles after the write, so the gain is the expiry's` }, how: `exitPreemptionTimerSlow less ${Math.round(PREEMPTION_TIMER_FASTPATH_GAIN_CYCLES)} cycles (${ns(PREEMPTION_TIMER_FASTPATH_GAIN_CYCLES)} ns); floor: the sw path's floor/mean ratio (estimate)` },
  exitPreemptionTimerSlow: { what: 'PREEMPTION_TIMER exit through handle_preemption_timer() → kvm_lapic_expired_hv_timer() (host < 5.8)', source: { kind: 'commit', id: 'ce7a058a2117', subject: 'KVM: x86: support using the vmx preemption timer for tsc deadline timer', figure: 'tscdeadline_latency ~3200 cycles; the hv timer gains ~800 cycles when the guest busy-waits ("a little math … and a cheaper VMexit"); kvm-unit-tests cfbd129ca4c8 "vmexit: add tscdeadline benchmarks" measures ~1200 on Haswell (5600 vs 6800)' }, how: `the sw expiry (exitExternalInterrupt + hostTimerHandler: ${SW_EXPIRY.meanNs} ns) less ${HV_TIMER_GAIN_CYCLES} cycles (${ns(HV_TIMER_GAIN_CYCLES)} ns); floor: the sw path's floor/mean ratio (estimate). A public perf trace with PREEMPTION_TIMER avg 5.5 µs is not used: its host and setup are unknown and it contradicts the commit` },
  exitEptMisconfig: { what: 'MMIO virtio notify: handle_ept_misconfig() → kvm_io_bus_write(KVM_FAST_MMIO_BUS) → ioeventfd → wake the vhost worker', source: KUT_VMEXIT('vmexit inl_from_kernel / outl_to_kernel', 'inl_from_kernel 2435 → 2339, outl_to_kernel 1402 → 1391 cycles'), how: 'the fast-MMIO path emulates no instruction: taken as the in-kernel PIO round trip (2339 cycles ≈ 0.97 µs; floor outl_to_kernel ≈ 0.58 µs) plus ~0.5 µs for eventfd_signal() waking the vhost worker (estimate). The public EPT_MISCONFIG averages of 7.27–8.09 µs are MMIO exits that reach QEMU (no ioeventfd) and are not used' },
  exitIoInstruction: { what: 'PIO virtio notify (legacy virtio-pci) → ioeventfd → wake the vhost worker', source: KUT_VMEXIT('vmexit inl_from_kernel / outl_to_kernel', 'inl_from_kernel 2435 → 2339, outl_to_kernel 1402 → 1391 cycles'), how: 'as exitEptMisconfig: the in-kernel PIO round trip plus ~0.5 µs to wake the vhost worker (estimate)' },
  exitVmcall: { what: 'hypercall (kick CPU, PV IPI, sched yield)', source: KUT_VMEXIT('vmexit vmcall', 'vmcall 1195 → 1181 cycles round trip'), how: 'the round trip (~0.49 µs) plus ~0.1 µs for the hypercall\'s work (estimate)' },
  exitPause: { what: 'PLE / pause-filter exit + kvm_vcpu_on_spin()', source: KUT_VMEXIT('vmexit vmcall', 'vmcall 1181 cycles round trip'), how: 'a minimal exit round trip plus the scan of the VM\'s vCPUs in kvm_vcpu_on_spin() (~0.3 µs, estimate)' },
  spinLoopGap: { what: 'a spin loop\'s body between two PAUSEs (atomic_cond_read_relaxed() / cpu_relax(): load, compare, branch on an L1-resident lock word), compared with ple_gap / pause_filter_thresh in TSC cycles', source: est('about 12 cycles for a load, a compare and a branch that hit L1; arch/x86/kvm/vmx/vmx.c\'s ple_gap comment says the time between two PAUSEs of a loop is "usually smaller than 128 cycles"'), how: '' },
  pauseInstruction: { what: 'one PAUSE in a spin loop (cpu_relax())', source: { kind: 'paper', title: 'Intel 64 and IA-32 Architectures Optimization Reference Manual', where: 'Skylake microarchitecture, PAUSE latency', figure: 'PAUSE latency extended to as many as 140 cycles' }, how: '140 cycles at 2.4 GHz' },
  exitMwait: { what: 'MWAIT exit emulated as a NOP (kvm_emulate_mwait()): skip the instruction, re-enter', source: KUT_VMEXIT('vmexit vmcall', 'vmcall 1181 cycles round trip'), how: 'a minimal exit round trip plus skipping the instruction (~0.15 µs, estimate)' },
  schedYield: { what: 'yield() in kvm_emulate_mwait() (the 2023 Woodhouse RFC): do_sched_yield() and a schedule() that keeps the thread', source: est('rq lock, yield_task_fair() returning early and a schedule() that picks the same task; no published figure'), how: '' },
  userspaceExit: { what: 'KVM_RUN returns to the VMM (vcpu_put, guest FPU and user-return MSRs, the VMM\'s dispatch)', source: KUT_VMEXIT('vmexit inl_from_qemu / inl_from_kernel', 'inl_from_qemu 6856, inl_from_kernel 2435 cycles (before)'), how: 'the 4421-cycle difference (≈ 1.84 µs) split in halves between the way out and the way back' },
  userspaceEntry: { what: 'the VMM calls KVM_RUN again (the ioctl, vcpu_load, guest FPU, pending requests) up to VM entry', source: KUT_VMEXIT('vmexit inl_from_qemu / inl_from_kernel', 'inl_from_qemu 6856, inl_from_kernel 2435 cycles (before)'), how: 'the other half of the 4421-cycle difference' },
  exitInterruptWindow: { what: 'interrupt-window exit and the injection it opens', source: KUT_VMEXIT('vmexit vmcall', 'vmcall 1181 cycles round trip'), how: 'a minimal exit round trip plus the injection (~0.4 µs, estimate)' },
  indirect: { what: 'guest slowdown after an entry: caches, TLB and branch predictors refilled by the guest work that follows (one refill pending at most, each work paying at most its own length: core/kvm/indirect-cost.ts)', source: est('no per-exit measurement on a Skylake KVM host is published. SplitX (Landau, Ben-Yehuda & Gordon, "SplitX: Split Guest/Hypervisor Execution on Multi-Core", WIOV 2011) splits an exit into a direct cost (the world switch), a synchronous one (the handler) and an indirect one (the slowdown of the guest after the switch, from the caches the other context filled), and measured them per exit type on KVM (Xeon X5570 2.93 GHz, Linux 2.6.34, EPT and VPID): the direct cost about 2,000 cycles, the indirect and synchronous costs "in certain cases an order of magnitude higher"; its table of figures per exit type was not read, so no figure is taken from it. FlexSC (Soares & Stumm, OSDI 2010) shows the analogue after a system call: user-mode IPC down by up to half until the processor\'s structures refill. 1.8 µs (≈ 4.3 k cycles at 2.4 GHz, about twice the direct round trip of kvm-unit-tests\' vmcall, 1181 cycles) lies inside that range; it is not tuned to a validation case. The refill is a slowdown of the work after the entry, not a charge per exit: a second exit before any guest work leaves one refill pending, not two; and, IPC being at worst halved (FlexSC), a work pays at most its own length — an interrupt handler of a few hundred ns is slowed by that much, not by 1.8 µs (kvm-unit-tests\' tscdeadline_immed, 3028.5 cycles per iteration on SKX for the TSC-deadline write\'s exit, the injection and the handler, leaves no room for a 4.3 k-cycle refill after each entry: ' + TSC_FASTPATH_LORE + ')'), how: '' },
  indirectKeptLoaded: { what: 'the slowdown after an entry whose schedule-in kept the guest state loaded (the scheduled_out series, 2024)', source: est('the MSR/segment reloads and the steal-time and request work of a full vcpu_load() are gone; caches and TLB refill as after any exit: ~80 % of indirect'), how: '' },
  scheduleIn: { what: 'context switch to the vCPU thread + vcpu_load()', source: est('a host context switch plus the VMCS load, MSR and segment switches of vcpu_load(); no published figure'), how: '' },
  scheduleInNoLoad: { what: 'the context switch to the vCPU thread alone (state kept loaded, the scheduled_out series, 2024; or the thread slept in the VMM)', source: est('scheduleIn without the vcpu_put()/vcpu_load() pair, taken as ~0.6 µs of it'), how: '' },
  wakeupIpi: { what: 'kvm_vcpu_kick() → wake_up on a remote CPU: the IPI latency', source: est('a remote wake-up IPI and its handler; no published figure for the host side alone'), how: '' },
  hostLbPerCpu: { what: 'one CPU of the domain span in a host load_balance() pass (update_sg_lb_stats() reading its rq, find_busiest_group()/find_busiest_queue(), the detach/attach of a moved thread folded in): a pass over a domain of w CPUs costs w times this; its sum per domain is what newidle_balance() records as max_newidle_lb_cost', source: { kind: 'report', title: 'Vincent Guittot, "[PATCH v3 0/5] Improve newidle lb cost tracking and early abort"', where: 'LKML, 19 October 2021 (message-id 20211019123537.17146-1-vincent.guittot@linaro.org; merged for v5.16): sd->max_newidle_lb_cost on CPU 0 of a ThunderX2 (2 nodes × 28 cores × 4 threads, 224 CPUs) during hackbench', figure: 'min / avg / max: SMT 1 / 33 / 273 µs (with the blocked-load update), MC 7 / 49 / 398 µs, NUMA 10 / 45 / 158 µs' }, how: 'floor: the NUMA minimum over its 224 CPUs, 10 µs / 224 = 45 ns (the MC minimum, 7 µs over 112 CPUs, is 62 ns); mean 100 ns: an estimate between those minima and the averages of the decayed maxima (MC 49 µs / 112 = 440 ns, NUMA 45 µs / 224 = 200 ns), which keep the slowest passes (lock contention, migrations, the blocked-load update) rather than a typical one' },
  vcpuMigration: { what: 'a vCPU thread moved to another pCPU: vcpu_load() there (VMCS/VMCB reload) and cold caches/TLB', source: est('a VMCS reload on a new CPU plus refilling its caches; no published figure'), how: '' },
  guestTickHandler: { what: 'guest tick: update_process_times(), scheduler_tick()', source: est('tick work of an idle-light guest; no published figure'), how: '' },
  guestTimerIrq: { what: 'guest LAPIC timer interrupt entry/exit + hrtimer_interrupt()', source: CYCLICTEST_BM, how: wakeHow('guestTimerIrq') },
  guestIpiHandler: { what: 'guest IPI handler (reschedule)', source: est('an interrupt entry/exit and scheduler_ipi(); no published figure'), how: '' },
  guestIdleLoop: { what: 'one pass of the guest idle loop between two MWAITs that return at once', source: est('do_idle() bookkeeping without a tick stop; no published figure'), how: '' },
  vhostRxBatch: { what: 'vhost-net handle_rx(): fixed part per batch', source: est('the worker\'s wake-up, the socket peek and the used-ring update with its guest notification, about a microsecond; no published per-batch figure'), how: '' },
  vhostRxPerPacket: { what: 'vhost-net per packet copy', source: est('a copy of a small packet into the guest buffer; no published figure'), how: '' },
  vhostTx: { what: 'vhost-net handle_tx() per notified batch', source: est('descriptor fetch, a sendmsg() to the tap socket and the used-ring update for a small batch, a couple of microseconds; no published per-batch figure'), how: '' },
  sriovDelivery: { what: 'SR-IOV VF DMA + VT-d posted interrupt latency', source: est('no published figure for the VF-to-guest interrupt latency'), how: '' },
  guestContextSwitch: { what: 'guest schedule(): pick_next_task() + context switch to another thread', source: est('a native context switch; no published figure for a KVM guest'), how: '' },
  guestTtwu: { what: 'guest try_to_wake_up() outside the rq lock: p->pi_lock, the state change, select_task_rq_fair() (without the LLC scan)', source: est('the former 400/700 ns row for the whole wake-up less the enqueue now under the rq lock (guestTtwuActivate): a wake-affine select_task_rq_fair() and the pi_lock round trip, a couple of hundred ns natively; no published figure for a KVM guest'), how: '' },
  guestTtwuActivate: { what: 'guest ttwu_do_activate() under the wakee CPU\'s rq->lock: enqueue_task_fair() + check_preempt_curr() / wakeup_preempt()', source: est('enqueue_task_fair() walks the task\'s sched entities and updates load averages, check_preempt_curr() compares with the current task: a few hundred ns natively with the remote rq\'s cache lines missing; no published figure for a KVM guest'), how: '' },
  guestSchedulePick: { what: 'guest __schedule() under rq->lock when it switches to no other thread: dequeue of the blocking task or put_prev_task(), pick_next_task() returning the same task or idle', source: est('the locked part of a context switch without switch_mm()/switch_to(): a few hundred ns natively (a context switch with them is guestContextSwitch); no published figure for a KVM guest'), how: '' },
  guestSisScanPerCpu: { what: 'select_idle_cpu(): one CPU examined (its rq and steal-time lines, remote cache misses)', source: est('one or two remote cache-line misses per CPU examined (its rq and steal-time lines), tens of ns each'), how: '' },
  guestFutexWake: { what: 'guest futex_wake() syscall: entry/exit and the hash-bucket walk, before the wake-ups', source: est('a syscall round trip and a short hash-bucket walk; no published figure'), how: '' },
  guestNanosleepEntry: { what: 'guest clock_nanosleep(TIMER_ABSTIME): syscall entry, hrtimer_start_range_ns(), dequeue, up to schedule()', source: est('a syscall entry, an hrtimer insertion and a dequeue, well under a microsecond natively; no published figure'), how: '' },
  guestNanosleepExit: { what: 'after hrtimer_wakeup(): back from schedule(), syscall exit, clock_gettime() in the vDSO', source: CYCLICTEST_BM, how: wakeHow('guestNanosleepExit') },
  guestPipeWrite: { what: 'guest pipe_write() of a small (100-byte) message', source: est('a syscall, the pipe mutex and a small copy; no published figure'), how: '' },
  guestPipeRead: { what: 'guest pipe_read() of a small message', source: est('a syscall, the pipe mutex and a small copy; no published figure'), how: '' },
  guestUnixSend: { what: 'guest unix_stream_sendmsg() of a small message', source: est('a syscall, an skb allocation, a copy and the queueing to the peer; no published figure'), how: '' },
  guestUnixRecv: { what: 'guest unix_stream_recvmsg() of a small message', source: est('a syscall, the dequeue, a copy and freeing the skb; no published figure'), how: '' },
  guestSwitchMm: { what: 'guest switch_mm_irqs_off() to another process\'s mm and the TLB refills after it', source: est('a CR3 write with PCID (no exit: CR3-load exiting is off under EPT) is ~100-200 cycles; the refills of the few TLB entries a hackbench or pipe ping-pong task touches add a few hundred ns — the difference lmbench lat_ctx and hackbench show between processes and threads is of this order; no published figure for a KVM guest'), how: '' },
  guestCopyPerKiB: { what: 'guest memcpy()/copy_user of one KiB (cache-resident or streaming)', source: est('a copy at about 10 GB/s (rep movsb on Skylake-class cores), ~100 ns per KiB'), how: '' },
  guestPageFault: { what: 'guest anonymous page fault: exception, do_anonymous_page(), zeroing a 4 KiB page; the EPT entry already present', source: est('a native anonymous fault with clear_page() is ~0.5-1 µs; no exit when the host page is mapped in EPT'), how: '' },
  guestZapPerPage: { what: 'guest munmap()/madvise(MADV_DONTNEED) per 4 KiB page: zap_pte_range() and freeing the page', source: est('tens of ns per PTE cleared and page freed to the per-CPU lists, natively'), how: '' },
  guestMmap: { what: 'guest mmap() of an anonymous region (the critical section of mmap_lock held for write): syscall, get_unmapped_area(), VMA allocation and insertion', source: est('a syscall (~100-200 ns) and a VMA allocation and tree insertion of a few hundred ns natively, about a microsecond in all; no published figure for the mmap_lock hold time'), how: '' },
  guestMunmap: { what: 'guest munmap() apart from its per-page zap: syscall, the VMA found and detached (under mmap_lock for write), page tables and the VMA freed', source: est('as mmap(): a syscall and a VMA tree removal, about a microsecond natively; no published figure'), how: '' },
  guestLruAddPerPage: { what: 'guest __pagevec_lru_add_fn() per page, under the LRU lock (zone->lru_lock before 4.8, pgdat->lru_lock from 4.8, the lruvec\'s from 5.11): PageLRU set, list_add() at the head of the lruvec\'s list, the LRU size counters (node, zone, memcg); __pagevec_lru_add()\'s own loop', source: LKP_PF2, how: `lru_add_fn() with its callees + folio_batch_move_lru()\'s own cycles, ${(LKP_PAGE_FAULT2.addPct).toFixed(2)} % of 11.8 µs: ${lkpNsPerPage(LKP_PAGE_FAULT2.addPct)} ns a page on a contended lock (each section starts on the lruvec lines the previous holder wrote); floor: estimate (a section on lines already local). A 6.8 kernel: its memcg lruvec statistics make the accounting heavier than a 4.x guest\'s` },
  guestLruDelPerPage: { what: 'guest release_pages() per page, under the LRU lock: the last reference dropped, PageLRU cleared, list_del() from the lruvec\'s list, the LRU size counters', source: LKP_PF2, how: `release_pages()\'s own cycles + the LRU-size accounting as much as the add\'s (0.30 %), ${(LKP_PAGE_FAULT2.delPct).toFixed(2)} % of 11.8 µs: ${lkpNsPerPage(LKP_PAGE_FAULT2.delPct)} ns a page on a contended lock; floor: estimate (a section on lines already local)` },
  guestTtwuLocal: { what: 'guest try_to_wake_up() of a task whose CPU is the waker\'s, charged at once — from an interrupt (a sleeper\'s hrtimer_wakeup()), or from task context where the rq lock is not its own lock operation: p->pi_lock, the state change, ttwu_queue() on the local rq — ttwu_do_activate(): enqueue and check_preempt_curr() on cache-hot lines', source: CYCLICTEST_BM, how: wakeHow('guestTtwuLocal') + '. A wake-up onto another CPU pays guestTtwu + guestTtwuActivate (estimates: the remote rq\'s lines missing), a task-context one the same pair through the rq-lock model' },
  guestSwitchFromIdle: { what: 'guest schedule_idle() → __schedule() from the idle task to a woken thread: put_prev_task_idle(), pick_next_task(), context_switch() with the idle task\'s lazy mm (a different mm pays guestSwitchMm), finish_task_switch()', source: CYCLICTEST_BM, how: wakeHow('guestSwitchFromIdle') + '. A switch between two threads (the blocking one dequeued) stays guestContextSwitch, an estimate' },
  vmEntryAfterWait: { what: 'the part of a timer exit after kvm_wait_lapic_expire(): the rest of vmx_vcpu_run() and the VM-entry, until the guest takes the interrupt (a share of each exit\'s cost, not added to it)', source: { kind: 'kvm-unit-tests', test: 'vmexit, tscdeadline_latency', ref: 'Wanpeng Li, "KVM: LAPIC: Optimize timer latency consider world switch time" v3 (kvm list, May 2019; dropped)', figure: 'vmentry+vmexit 1800 cycles (vmexit.flat) on a 2.5 GHz Skylake server; tscdeadline_latency keeps ~1000 cycles with the tuned advance, "the time between the end of wait_lapic_expire and the guest awares the timer is fired"; vmentry_advance_ns defaults to 300 ns for it' }, how: 'mean: the patch\'s 300 ns (about 40 % of its 720 ns round trip); floor 250 ns (estimate)' },
} satisfies Record<string, CostDoc>

/** Sources of the SVM rows that differ from the reference table's cycle counts (core/costs/cost-tables.ts svm()). */
export const SVM_COST_DOCS: Record<string, CostDoc> = {
  exitExternalInterrupt: { what: 'SVM `interrupt` exit', source: { kind: 'perf', trace: 'SVM KVM_RUN cycle breakdown, lkml.iu.edu hypermail 2012.2/00527 (vmload vs wrgsbase, Dec 2020)', figure: 'VMRUN → post-VMRUN 1344–1376 cycles' }, how: 'floor 1350 cycles; mean 1800 cycles (estimate: the VMRUN round trip plus the host IRQ entry/exit)' },
  pauseInstruction: { what: 'one PAUSE on Zen', source: est('tens of cycles on Zen (65 taken), far shorter than Skylake\'s ~140; no figure from AMD\'s manuals was found'), how: '' },
  exitApicAccessIcr: { what: 'SVM `npf` on the APIC page + emulation of the MMIO store', source: est('between in-kernel PIO (2.3–2.5 k cycles) and a public AMD `npf` average of 7.57 µs that includes exits to QEMU'), how: '' },
  exitAvicIncompleteIpi: { what: 'AVIC_INCOMPLETE_IPI + avic_kick_target_vcpus() and kvm_vcpu_wake_up()', source: est('the VMRUN round trip (~1.35 k cycles) plus the kick and wake-up'), how: '' },
}

/** Keyed by spread name (SPREAD_NAMES in cost-tables.ts): the lognormal shape of a time whose mean the profile gives.
 *  No source publishes these distributions; each is an estimate, and says why. σ sets the tail: p99 ≈ e^(2.33σ) × the
 *  median — ×3.2 at σ 0.5, ×2.0 at 0.3, ×1.4 at 0.15. */
export const SPREAD_DOCS = {
  vmmWork: { what: 'the VMM\'s own work per userspace HLT/MWAIT exit (experimental, the 2023 Woodhouse RFC): profile vmmWorkNs', source: est('the work the VMM finds pending at each exit varies with what is queued (event sources, maintenance jobs); a moderate right skew (σ 0.5) for lack of any measurement of an RFC that no VMM implements'), how: '' },
  spinlockHold: { what: 'a guest spinlock\'s critical section: profile contention.spinlock.holdNs', source: est('kernel critical sections vary with the data they walk (list lengths, cache misses); σ 0.5 gives most sections near the mean and a tail of a few times it, which the lock-holder-preemption effects depend on; no published hold-time distribution for the profile\'s abstract lock'), how: '' },
  kworkerRun: { what: 'one housekeeping work item (kworker, RCU callback, timer) that preempts a vCPU thread: profile noise.kworkerNs', source: est('work items differ widely in length (a timer callback vs an RCU batch); σ 0.5 as a moderate skew around the profile\'s mean, no distribution measured for a generic host'), how: '' },
  hostTaskBurst: { what: 'a host task\'s run burst: profile tasks[].runNs', source: est('a neighbour\'s CPU bursts vary around the mean the profile gives; σ 0.5 as for kworkers, the task itself is abstract'), how: '' },
  networkOneWay: { what: 'half a network round trip outside the host (client stack and wire): profile networkRttNs / 2', source: est('a LAN round trip has a small jitter next to its mean (ping\'s mdev on a quiet switch is a few percent to tens of percent of the RTT); σ 0.15 keeps p99 within ~1.4× the median'), how: '' },
  rxSoftirq: { what: 'the RX interrupt and NAPI poll of the first packet of a batch: profile softirqNs', source: est('the receive path\'s cost varies with cache state and GRO; σ 0.3 is a narrower skew than host noise since the path is the same every time'), how: '' },
} satisfies Record<string, CostDoc>

/** The lognormal shape (sigma) of every cost in the table. */
export const COST_SIGMA_SOURCE: CostSource = est(
  'sources publish minima and means (perf kvm stat min/avg, kvm-unit-tests averages), not distributions: each cost\'s shape is chosen by kind — '
  + '0.05 for a single instruction (PAUSE), 0.3–0.5 for fixed code paths (exit handlers, syscalls), 0.6–0.9 where cache and TLB state or a host '
  + 'interrupt handler add a long tail (EXTERNAL_INTERRUPT, the indirect slowdown, vCPU migration)',
)

/** Why the other SVM rows keep the reference table's cycle counts, and the Intel presets too. */
export const CYCLE_SCALING: CostSource = est(
  'no per-generation table is published: each preset keeps the reference table\'s cycle counts at its own clock (times 2.4 GHz / its GHz). '
  + 'On SVM this holds because the VMRUN round trip (1344–1376 cycles, lkml 2020-12) matches the VMX minimal round trip (1181–1291 cycles, b7ffc44d5b2e). '
  + 'A public AMD `msr` minimum of 5.32 µs is not used: the CPU, kernel and AVIC state of that trace are not known.',
)
