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
// Simplifications: mmap_lock contention between faults, mmap and munmap is not modelled; the threads never block, so
// with more threads than vCPUs only the guest scheduler's preemption shares a vCPU between them; the copy is
// cache-cold streaming at guestCopyPerKiB.
import { CostId } from '../../costs/cost-tables.ts'
import type { GuestOps } from './guest-ops.ts'
import type { EbizzySpec } from '../model-inputs.ts'
import type { WorkloadBenchmark } from '../../result.ts'
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'

const PAGE = 4096
/** ebizzy's record_t: a size_t. */
const RECORD_BYTES = 8
/** One comparison of the search: a load and a compare (estimate). */
const COMPARE_NS = 3

export class EbizzyWorkload extends GuestWorkload {
  readonly kind = 'ebizzy'
  readonly unit = 'records'
  readonly w: EbizzySpec
  /** The record's guest time without the sampled fault and zap costs: the copy and the search. */
  readonly copySearchNs: number
  /** Pages of a copy (faulted in and zapped per record when the allocator returns the memory). */
  readonly pages: number
  /** Each record maps and unmaps (mmap, no-mmap): faults, a zap and a TLB shootdown per record. */
  readonly unmaps: boolean
  firstThread = 0
  /** Per thread: when its previous record ended. */
  readonly recordStart: Float64Array

  constructor(m: GuestOps, v: number, w: EbizzySpec) {
    super(m, v)
    this.w = w
    const records = Math.max(1, Math.floor(w.chunkBytes / RECORD_BYTES))
    const compares = w.linearSearch ? records / 2 : Math.ceil(Math.log2(records + 1))
    this.copySearchNs = (w.chunkBytes / 1024) * m.inp.costs.guestCopyPerKiB.meanNs + compares * COMPARE_NS
    this.pages = Math.ceil(w.chunkBytes / PAGE)
    this.unmaps = w.memory !== 'malloc'
    this.recordStart = new Float64Array(w.threads)
  }

  override threadCount(): number {
    return this.w.threads
  }

  start(firstThread: number): void {
    this.firstThread = firstThread
    const vm = this.m.inp.vms[this.v]!
    // pthread_create() in order; fork balancing spreads them over the vCPUs
    for (let i = 0; i < this.w.threads; i++) this.m.startThread(firstThread + i, vm.firstVcpu + (i % vm.vcpus), this.recordNs())
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
    const m = this.m
    const i = tid - this.firstThread
    const now = m.engine.now
    m.complete(this.v, now - this.recordStart[i]!)
    this.recordStart[i] = now
    if (this.unmaps) m.flushTlbOthers(g)
    m.threadContinue(tid, this.recordNs())
  }

  /** ebizzy prints "%u records/s" (records of all threads over the elapsed time). */
  override benchmark(ctx: WorkloadReportContext): WorkloadBenchmark {
    return new BenchmarkPrintout().printed('records/s', 'records/s', ctx.perSec, '%.0f records/s')
  }
}
