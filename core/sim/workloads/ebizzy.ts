// The ebizzy workload (model.md §3; ebizzy 0.3, "a workload resembling common web server application workloads"):
// `threads` threads (-t; 0 = ebizzy's default, 2 × CPUs), each looping over records: pick one of `chunks` memory
// chunks (-n) of `chunkBytes` (-s) at random, allocate a copy, memcpy() the chunk into it, search the copy for a random
// key (bsearch, or linear search with -l), free the copy. How the allocation is made decides the kernel work:
//  - "malloc" (ebizzy's default): glibc's first free() of the mmap()ed copy raises its mmap threshold to the chunk
//    size (the dynamic threshold), so later copies come from the thread's arena and are reused: after warm-up a
//    record is the copy and the search alone;
//  - "mmap" (-m): every copy is an mmap() and every free a munmap();
//  - "no-mmap" (-M, mallopt(M_MMAP_MAX, 0), which also freezes the 128 KiB trim threshold): every free() of the copy
//    at the top of the arena trims it (heap_trim() → shrink_heap() → madvise(MADV_DONTNEED));
//  - "malloc-trim": ebizzy's default on a glibc before 2.26, whose heap_trim() shrinks a per-thread arena whenever its
//    top exceeds the top pad (no M_TRIM_THRESHOLD check): the same trim per free as -M.
// In the last three, each record faults the copy's pages in again (`guestPageFault` per 4 KiB page) and each free zaps
// them (`guestZapPerPage`) and flushes the TLB of every other vCPU running the process (flush_tlb_mm_range() →
// GuestOps.flushTlbOthers(): IPIs, PV TLB flush skipping preempted vCPUs). Output: records per second, the time per
// record (one thread's record to its next, waits included), and ebizzy's own line "N records/s".
// mmap_lock (mmap_sem before 5.8; the process's rwsem, core/guest/rwsem.ts): with -m each record takes it for write in
// mmap() and munmap() (do_mmap(), __vm_munmap(); from guest 4.20 munmap() downgrades it to read for the zap,
// dd2283f2605e) and for read in each page fault (do_user_addr_fault() → mmap_read_lock / lock_mm_and_find_vma()): one
// read-locked fault per page, its 4 KiB copied between faults. From guest 6.4 (CONFIG_PER_VMA_LOCK, 0bff0aaea03e) a
// fault takes the per-VMA lock (lock_vma_under_rcu(); the thread's own mapping: uncontended, not simulated as a lock)
// and mmap_lock only on fallback: the first fault of each fresh mapping, which has no anon_vma yet. A writer's vCPU preempted inside mmap()/munmap() makes
// the faulting threads spin on it or sleep (rwsem.ts). With -M and "malloc-trim" the arena's trim is
// madvise(MADV_DONTNEED), which takes mmap_lock for read (madvise_need_mmap_write() is false for it), and the arena
// regrows within its mprotect()ed size: no writer, so readers never wait and their down_read() is not simulated.
// Simplifications: the TLB shootdown of munmap() is sent after up_write()/up_read() (the kernel sends it from
// tlb_finish_mmu() under the lock: lock operations do not nest in the model); the search is not under the lock; the
// threads block only on mmap_lock, so with more threads than vCPUs the guest scheduler's preemption shares a vCPU
// between them otherwise; the copy is cache-cold streaming at guestCopyPerKiB; a new mapping merged by mmap() into a
// neighbouring VMA that has an anon_vma (whose first fault would then not fall back) is not modelled.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { EbizzySpec } from '../model-inputs.ts'
import type { WorkloadBenchmark } from '../../result.ts'
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'
import { MMAP_LOCK } from '../../guest/rwsem.ts'

const PAGE = 4096
/** ebizzy's record_t: a size_t. */
const RECORD_BYTES = 8
/** One comparison of the search: a load and a compare (estimate). */
const COMPARE_NS = 3
/** -m: the record's first step, mmap(). */
const MMAP = 0

export class EbizzyWorkload extends GuestWorkload {
  readonly kind = 'ebizzy'
  readonly unit = 'records'
  readonly w: EbizzySpec
  /** The record's guest time without the sampled fault and zap costs: the copy and the search. */
  readonly copySearchNs: number
  /** The copy alone, and its share per page (-m: the copy runs between the faults). */
  readonly copyNs: number
  readonly copyPageNs: number
  /** Pages of a copy (faulted in and zapped per record when the allocator returns the memory). */
  readonly pages: number
  /** Each record maps and unmaps (mmap, no-mmap): faults, a zap and a TLB shootdown per record. */
  readonly unmaps: boolean
  firstThread = 0
  /** Per thread: when its previous record ended. */
  readonly recordStart: Float64Array
  /** -m: every record takes mmap_lock (mmap and munmap for write, each fault for read). */
  readonly mmapLock: boolean
  /** Per thread (-m): the step of its record — MMAP, then the faults (1 … pages), then MUNMAP (with its zap), FLUSH. */
  readonly step: Int32Array

  constructor(m: GuestOps, v: number, w: EbizzySpec) {
    super(m, v)
    this.w = w
    const records = Math.max(1, Math.floor(w.chunkBytes / RECORD_BYTES))
    const compares = w.linearSearch ? records / 2 : Math.ceil(Math.log2(records + 1))
    this.copyNs = (w.chunkBytes / 1024) * m.inp.costs.guestCopyPerKiB.meanNs
    this.copySearchNs = this.copyNs + compares * COMPARE_NS
    this.pages = Math.ceil(w.chunkBytes / PAGE)
    this.copyPageNs = this.copyNs / this.pages
    this.unmaps = w.memory !== 'malloc'
    this.recordStart = new Float64Array(w.threads)
    this.mmapLock = w.memory === 'mmap'
    this.step = new Int32Array(w.threads)
  }

  override threadCount(): number {
    return this.w.threads
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const vm = this.m.inp.vms[this.v]!
    // pthread_create() in order; fork balancing spreads them over the vCPUs
    for (let i = 0; i < this.w.threads; i++) this.m.startThread(firstThread + i, vm.firstVcpu + (i % vm.vcpus), this.mmapLock ? 0 : this.recordNs())
  }

  /** One record's guest time: the copy (its pages faulted in first when the memory was returned), the search, and the
   *  free (the munmap()/madvise() zap of its pages). */
  private recordNs(): number {
    let ns = this.copySearchNs
    if (this.unmaps) {
      const m = this.m
      // the sum of `pages` samples of a cost: its mean per page, one sample for the spread
      ns += this.pages * (m.inp.costs.guestPageFault.meanNs + m.inp.costs.guestZapPerPage.meanNs) - m.inp.costs.guestPageFault.meanNs + m.cost(CostId.guestPageFault)
    }
    return ns
  }

  /** A record ended on vCPU g: count it; its free() flushed the other vCPUs' TLBs (mmap, no-mmap); the next begins. */
  override threadBurstDone(g: number, tid: number): void {
    if (this.mmapLock) { this.mmapStep(g, tid); return }
    this.recordDone(g, tid)
    this.m.threadContinue(tid, this.recordNs())
  }

  private recordDone(g: number, tid: number): void {
    const m = this.m
    const i = tid - this.firstThread
    const now = m.engine.now
    m.complete(this.v, now - this.recordStart[i]!)
    this.recordStart[i] = now
    if (this.unmaps) m.flushTlbOthers(g)
  }

  /** -m, one kernel entry per thread burst: the burst that just ended led to this step's lock operation (one per burst:
   *  lock operations do not nest), and the thread's next burst is the user-space work up to the next step. */
  private mmapStep(g: number, tid: number): void {
    const m = this.m
    const costs = m.inp.costs
    const i = tid - this.firstThread
    const s = this.step[i]!
    const pages = this.pages
    let next = 0
    if (s === MMAP) m.rwsemLock(g, MMAP_LOCK, true, m.cost(CostId.guestMmap))
    else if (s <= pages) {
      // the fault of page s, then the copy of that page (and after the last, the search); ≥ 6.4 the fault holds the
      // VMA's own lock instead (lock_vma_under_rcu()), but the new mapping's first fault has no anon_vma yet and falls
      // back to mmap_lock (anon_vma_prepare() under it)
      next = this.copyPageNs + (s === pages ? this.copySearchNs - this.copyNs : 0)
      if (s === 1 || !m.inp.vms[this.v]!.faultsPerVmaLock) m.rwsemLock(g, MMAP_LOCK, false, m.cost(CostId.guestPageFault))
      else next += m.cost(CostId.guestPageFault)
    } else if (s === pages + 1) {
      // munmap(): the VMA detached under the write lock; before 4.20 the zap too, from 4.20 after downgrade_write()
      const zap = pages * costs.guestZapPerPage.meanNs
      const down = m.inp.vms[this.v]!.munmapDowngrade
      m.rwsemLock(g, MMAP_LOCK, true, m.cost(CostId.guestMunmap) + (down ? 0 : zap), down ? zap : 0)
    } else {
      this.recordDone(g, tid)
      this.step[i] = MMAP
      m.threadContinue(tid, 0)
      return
    }
    this.step[i] = s + 1
    m.threadContinue(tid, next)
  }

  /** ebizzy prints "%u records/s" (records of all threads over the elapsed time). */
  override benchmark(ctx: WorkloadReportContext): WorkloadBenchmark {
    return new BenchmarkPrintout().printed('records/s', 'records/s', ctx.perSec, '%.0f records/s')
  }
}
