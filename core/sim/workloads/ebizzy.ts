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
// heap_trim() keeps mp_.top_pad (DEFAULT_TOP_PAD, 128 KiB: glibc sysdeps/generic/malloc-machine.h) of the top and gives
// back ALIGN_DOWN(top − MINSIZE − 1 − top_pad, pagesize): 96 of a 512 KiB copy's 128 pages (heapTrimPages()); the next
// malloc() regrows the heap over the same pages (grow_heap(), within its mprotect()ed size: no syscall), so each
// record faults those pages in again (`guestPageFault` per 4 KiB page, clear_page() included) while the copy runs over
// them, and the free zaps them (`guestZapPerPage`) and flushes the TLB of every other vCPU running the process
// (flush_tlb_mm_range() → GuestOps.flushTlbOthers(): IPIs, PV TLB flush skipping preempted vCPUs). A copy of at most
// the top pad is never trimmed: no fault, no flush. With -m (mmap) all of the copy's pages fault.
// The page LRU lock (-M, malloc-trim; which lock and how many pages a section moves per guest version:
// core/guest/page-lru.ts — one lock for the process): each faulted page goes into the CPU's lru_add pagevec
// (lru_cache_add()), and every PAGEVEC_SIZE pages (VmSpec.lruAddBatch) __pagevec_lru_add() takes the lock to put them on
// the LRU list (`guestLruAddPerPage` each); madvise(MADV_DONTNEED) → zap_page_range() drains the partial pagevec
// (lru_add_drain()) under the lock, zaps the PTEs, flushes the TLBs (tlb_finish_mmu()), then release_pages() takes the
// pages off the LRU under the lock per mmu_gather batch — the bundle's first 8, then VmSpec.lruReleaseBatch (32, from
// 6.9 31) at a time: releaseSections() (`guestLruDelPerPage` each): a kernel spinlock of the guest's kind
// (spin_lock_irqsave(); GuestOps.spinLock(), core/guest/spinlocks.ts), so a holder preempted by the host makes the
// other threads' vCPUs spin on it — PAUSE exits, or with pvqspinlock pv_wait() halts until the unlocker kicks them.
// Output: records per second, the time per
// record (one thread's record to its next, waits included), and ebizzy's own line "N records/s".
// ebizzy 0.3's rand_num() starts from state 0 and multiplies (state *= 1103515245 + 12345), so every record copies
// chunk 0 and searches key 0; the copy's cost does not depend on which chunk it is (guestCopyPerKiB).
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
// tlb_finish_mmu() under the lock: lock operations do not nest in the model); the search is not under the lock; with
// -m the LRU lock is not taken (its sections would nest in mmap_lock's); an interrupt to the LRU lock's holder or to
// one of its waiters — spinning, or halted in pv_wait() — waits for the unlock (spin_lock_irqsave() disables them before
// the slowpath: irqsDisabledIn(), core/kvm/irq-delivery.ts; KvmHalt.irqsOffInPvWait()), so a TLB flush waits for every
// target queued on the lock to pass it; the lock's hand-over between holders takes no time; the zone->lock of the per-CPU page lists' refills and drains is not taken
// (a thread frees as many pages as it faults, so its CPU's list mostly balances); the
// threads block only on mmap_lock, so with more threads than vCPUs the guest scheduler's preemption shares a vCPU
// between them otherwise; the copy is cache-cold streaming at guestCopyPerKiB; a new mapping merged by mmap() into a
// neighbouring VMA that has an anon_vma (whose first fault would then not fall back) is not modelled.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { EbizzySpec } from '../model-inputs.ts'
import type { WorkloadBenchmark, Decision } from '../../result.ts'
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'
import { MMAP_LOCK } from '../../guest/rwsem.ts'
import { releaseSections, lruLockName } from '../../guest/page-lru.ts'

const PAGE = 4096
/** ebizzy's record_t: a size_t. */
const RECORD_BYTES = 8
/** One comparison of the search: a load and a compare (estimate). */
const COMPARE_NS = 3
/** -m: the record's first step, mmap(). */
const MMAP = 0
/** glibc malloc on 64-bit: SIZE_SZ, MALLOC_ALIGNMENT and MINSIZE (malloc/malloc.c), and DEFAULT_TOP_PAD (mp_.top_pad,
 *  sysdeps/generic/malloc-machine.h). */
const GLIBC = { SIZE_SZ: 8, MALLOC_ALIGNMENT: 16, MINSIZE: 32, TOP_PAD: 131_072 } as const
/** GuestOps.spinLock() id of the page LRU lock. */
const LRU_LOCK = 0

/** glibc's request2size(): the chunk malloc(n) takes. */
export function request2size(n: number): number {
  const a = GLIBC.MALLOC_ALIGNMENT
  return Math.max(GLIBC.MINSIZE, Math.floor((n + GLIBC.SIZE_SZ + a - 1) / a) * a)
}

/** Pages heap_trim() (glibc malloc/arena.c) returns with madvise(MADV_DONTNEED) when free() merges a copy of n bytes
 *  into the top of its thread's arena: the top is the freed chunk and the MINSIZE remainder sysmalloc() left behind it;
 *  extra = ALIGN_DOWN(top − MINSIZE − 1 − top_pad, pagesize) — the pages the next malloc() of the copy faults in again.
 *  (glibc ≥ 2.26 also requires top ≥ M_TRIM_THRESHOLD, which -M freezes at 128 KiB: met whenever extra > 0.) */
export function heapTrimPages(n: number): number {
  const top = request2size(n) + GLIBC.MINSIZE
  const area = top - GLIBC.MINSIZE - 1
  return area <= GLIBC.TOP_PAD ? 0 : Math.floor((area - GLIBC.TOP_PAD) / PAGE)
}

/** The run report's line for -M and malloc-trim: what each free() returns and how often the page LRU lock is taken. */
export function ebizzyTrimDecision(chunkBytes: number, lruAddBatch: number, lruReleaseBatch: number, guestVersion: string): Decision {
  const pages = heapTrimPages(chunkBytes)
  const base = { id: 'ebizzy-trim', title: 'ebizzy free(): glibc heap_trim()', mirrors: 'heap_trim() / __pagevec_lru_add() / release_pages()' }
  if (pages === 0) return { ...base, value: 'no trim', reason: `heap_trim() keeps the 128 KiB top pad (DEFAULT_TOP_PAD) and a ${chunkBytes}-byte copy fits in it: nothing is returned, faulted in again or shot down` }
  const adds = Math.ceil(pages / lruAddBatch)
  const releases = releaseSections(pages, lruReleaseBatch)
  return {
    ...base,
    value: `${pages} pages per record; LRU lock ${adds} + ${releases.length} times`,
    reason: `heap_trim() keeps the 128 KiB top pad (DEFAULT_TOP_PAD) and madvise(MADV_DONTNEED)s the rest of the freed copy: ${pages} of its ${Math.ceil(chunkBytes / PAGE)} pages, which the next malloc() faults in again. They go onto the LRU ${lruAddBatch} at a time (__pagevec_lru_add(), PAGEVEC_SIZE ${lruAddBatch}; the last batch in lru_add_drain()) and off it per mmu_gather batch, ${releases.join(' + ')} (release_pages(): the on-stack bundle of 8, then ${lruReleaseBatch} at a time), each under the page LRU lock — ${lruLockName(guestVersion)}, one for the process: the guest has one NUMA node and its threads one memcg — a kernel spinlock that a holder preempted by the host makes the other vCPUs spin or halt on; and the zap flushes every other vCPU's TLB`,
  }
}

export class EbizzyWorkload extends GuestWorkload {
  readonly kind = 'ebizzy'
  readonly unit = 'records'
  readonly w: EbizzySpec
  /** The record's guest time without the sampled fault and zap costs: the copy and the search. */
  readonly copySearchNs: number
  /** The copy alone, and its share per page (the copy runs between the faults). */
  readonly copyNs: number
  readonly copyPageNs: number
  /** Pages faulted in and zapped per record: all of the copy's with -m, heapTrimPages() with -M and malloc-trim. */
  readonly pages: number
  /** Each record faults, zaps and shoots down (mmap, and the trimming modes when the copy exceeds the top pad). */
  readonly unmaps: boolean
  firstThread = 0
  /** Per thread: when its previous record ended. */
  readonly recordStart: Float64Array
  /** -m: every record takes mmap_lock (mmap and munmap for write, each fault for read). */
  readonly mmapLock: boolean
  /** Per thread: the step of its record — -m: MMAP, the faults (1 … pages), MUNMAP (with its zap), FLUSH; trimming:
   *  the burst now running, whose end takes the step's kernel operation (trimOp()). */
  readonly step: Int32Array
  /** Trimming: the LRU pagevec size, the full pagevecs a record fills, the pages left in the last, the pages of each
   *  release_pages() lock section (releaseSections()), and the step that ends the record. */
  readonly lruBatch: number
  readonly lruFull: number
  readonly lruRest: number
  readonly releases: Int32Array
  readonly lastStep: number
  /** Trimming, per thread: its running burst's length, the kept pages' copy at its start (pad), its pages and their
   *  faults' sampled total — where in the burst the thread is in the kernel (threadInKernel()). */
  readonly burstNs: Float64Array
  readonly burstPad: Float64Array
  readonly burstPages: Int32Array
  readonly burstFaultNs: Float64Array

  constructor(m: GuestOps, v: number, w: EbizzySpec) {
    super(m, v)
    this.w = w
    const records = Math.max(1, Math.floor(w.chunkBytes / RECORD_BYTES))
    const compares = w.linearSearch ? records / 2 : Math.ceil(Math.log2(records + 1))
    this.copyNs = (w.chunkBytes / 1024) * m.inp.costs.guestCopyPerKiB.meanNs
    this.copySearchNs = this.copyNs + compares * COMPARE_NS
    this.copyPageNs = this.copyNs / Math.ceil(w.chunkBytes / PAGE)
    this.pages = w.memory === 'mmap' ? Math.ceil(w.chunkBytes / PAGE) : w.memory === 'malloc' ? 0 : heapTrimPages(w.chunkBytes)
    this.unmaps = this.pages > 0
    this.recordStart = new Float64Array(w.threads)
    this.mmapLock = w.memory === 'mmap'
    this.step = new Int32Array(w.threads)
    this.lruBatch = m.inp.vms[v]!.lruAddBatch
    this.lruFull = Math.floor(this.pages / this.lruBatch)
    this.lruRest = this.pages - this.lruFull * this.lruBatch
    this.releases = Int32Array.from(releaseSections(this.pages, m.inp.vms[v]!.lruReleaseBatch))
    this.lastStep = this.lruFull + 2 + this.releases.length
    this.burstNs = new Float64Array(w.threads)
    this.burstPad = new Float64Array(w.threads)
    this.burstPages = new Int32Array(w.threads)
    this.burstFaultNs = new Float64Array(w.threads)
  }

  override threadCount(): number {
    return this.w.threads
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const vm = this.m.inp.vms[this.v]!
    // pthread_create() in order; fork balancing spreads them over the vCPUs
    for (let i = 0; i < this.w.threads; i++) this.m.startThread(firstThread + i, vm.firstVcpu + (i % vm.vcpus), this.mmapLock ? 0 : this.trimming() ? this.trimBurst(i, 0) : this.copySearchNs)
  }

  private trimming(): boolean {
    return this.unmaps && !this.mmapLock
  }

  /** The sum of n samples of a cost: n times its mean, one sample for the spread. */
  private sumOf(n: number, id: number, meanNs: number): number {
    return n > 0 ? (n - 1) * meanNs + this.m.cost(id) : 0
  }

  /** Trimming, the guest time of thread i's burst s: a full pagevec's faults and copies (the copy of the pages the top
   *  pad kept mapped with the first), the rest with the search, the madvise() zap of the PTEs, nothing between the LRU
   *  sections. Records the burst's layout for threadInKernel(). */
  private trimBurst(i: number, s: number): number {
    const pad = s === 0 ? this.copyNs - this.pages * this.copyPageNs : 0
    const n = s < this.lruFull ? this.lruBatch : s === this.lruFull ? this.lruRest : 0
    // n pages faulted in (do_anonymous_page(), clear_page()), each followed by the copy written over it
    const faults = this.sumOf(n, CostId.guestPageFault, this.m.inp.costs.guestPageFault.meanNs)
    let ns = 0
    if (s < this.lruFull) ns = pad + (n * this.copyPageNs + faults)
    else if (s === this.lruFull) ns = pad + (n * this.copyPageNs + faults) + this.copySearchNs - this.copyNs
    else if (s === this.lruFull + 1) ns = this.sumOf(this.pages, CostId.guestZapPerPage, this.m.inp.costs.guestZapPerPage.meanNs)
    this.burstNs[i] = ns
    this.burstPad[i] = pad
    this.burstPages[i] = n
    this.burstFaultNs[i] = faults
    return ns
  }

  /** Trimming: the burst runs the kept pages' copy (user), then per page its fault (kernel: the exception, do_anonymous_page())
   *  and its copy (user), then the search (user); the zap burst is madvise() (kernel). Other modes: user code (-m's
   *  faults are mmap_lock sections, kernel through the lock frame). */
  override threadInKernel(tid: number, leftNs: number): boolean {
    if (!this.trimming()) return false
    const i = tid - this.firstThread
    if (this.step[i] === this.lruFull + 1) return true
    const n = this.burstPages[i]!
    if (n === 0) return false
    const at = this.burstNs[i]! - leftNs - this.burstPad[i]!
    const fault = this.burstFaultNs[i]! / n
    const period = fault + this.copyPageNs
    if (at < 0 || at >= n * period) return false
    return at - Math.floor(at / period) * period < fault
  }

  /** Trimming, the kernel operation at the end of burst s: __pagevec_lru_add() of a full pagevec; lru_add_drain() of
   *  the rest at zap_page_range()'s start; the TLB shootdown after the zap (tlb_finish_mmu()); release_pages()'s LRU
   *  sections; none at the record's end. */
  private trimOp(g: number, s: number): void {
    const m = this.m
    const costs = m.inp.costs
    if (s < this.lruFull) m.spinLock(g, LRU_LOCK, this.sumOf(this.lruBatch, CostId.guestLruAddPerPage, costs.guestLruAddPerPage.meanNs))
    else if (s === this.lruFull) { if (this.lruRest > 0) m.spinLock(g, LRU_LOCK, this.sumOf(this.lruRest, CostId.guestLruAddPerPage, costs.guestLruAddPerPage.meanNs)) }
    else if (s === this.lruFull + 1) m.flushTlbOthers(g)
    else if (s < this.lastStep) {
      const n = this.releases[s - this.lruFull - 2]!
      m.spinLock(g, LRU_LOCK, this.sumOf(n, CostId.guestLruDelPerPage, costs.guestLruDelPerPage.meanNs))
    }
  }

  /** A burst of thread tid ended on vCPU g: -m's and the trimming modes' next step, or (malloc) the record is done. */
  override threadBurstDone(g: number, tid: number): void {
    if (this.mmapLock) { this.mmapStep(g, tid); return }
    if (!this.unmaps) { this.recordDone(g, tid); this.m.threadContinue(tid, this.copySearchNs); return }
    const i = tid - this.firstThread
    const s = this.step[i]!
    if (s === this.lastStep) {
      this.recordDone(g, tid)
      this.step[i] = 0
      this.m.threadContinue(tid, this.trimBurst(i, 0))
      return
    }
    this.trimOp(g, s)
    this.step[i] = s + 1
    this.m.threadContinue(tid, this.trimBurst(i, s + 1))
  }

  /** A record ended on vCPU g: count it. */
  private recordDone(g: number, tid: number): void {
    const m = this.m
    const i = tid - this.firstThread
    const now = m.engine.now
    m.complete(this.v, now - this.recordStart[i]!)
    this.recordStart[i] = now
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
      m.flushTlbOthers(g)
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
