// The guest's page LRU lock, per guest version (mm/swap.c, mm/mmu_gather.c, include/linux/pagevec.h): how many pages
// each critical section moves, and which lock they share.
//  - Adding: a faulted page goes into the CPU's lru_add pagevec (lru_cache_add()); when it is full __pagevec_lru_add()
//    (from 5.18 folio_batch_move_lru()) takes the lock once for the whole pagevec. PAGEVEC_SIZE: 14, then 15 from 4.16
//    (Matthew Wilcox, "mm: get 7% more pages in a pagevec", mmotm's since-4.15 branch, February 2018), then 31 from
//    6.9 (9cecde80aae0 "mm: increase folio batch size", Linux 6.9-rc2: the fix of LKP's −4.7 % will-it-scale
//    page_fault2 after 99fbb6bfc16f).
//  - Removing: the zap's mmu_gather collects the pages in its on-stack bundle of MMU_GATHER_BUNDLE (8) and then in a
//    page-sized batch (tlb_next_batch(): MAX_GATHER_BATCH, 510), and tlb_flush_mmu_free() calls
//    free_pages_and_swap_cache() → release_pages() per batch: the bundle's 8 pages are one lock section, the next batch
//    is taken SWAP_CLUSTER_MAX (32) pages per section (release_pages()' lock_batch, "Make sure the IRQ-safe
//    lock-holding time does not get excessive"). From 6.9 release_pages() and free_pages_and_swap_cache() hand the pages
//    to folios_put_refs() a folio_batch (PAGEVEC_SIZE, 31) at a time, which holds the lock for one batch
//    (99fbb6bfc16f "mm: make folios_put() the basis of release_pages()").
//  - Which lock: zone->lru_lock before 4.8; pgdat->lru_lock, one per NUMA node, from 4.8 (Mel Gorman's node-based
//    LRU: 599d0c954f91 "mm, vmscan: move LRU lists to node", a52633d8e9c3 "mm, vmscan: move lru_lock to the node");
//    the lruvec's lock, one per memcg and node, from 5.11 (6168d0da2b47 "mm/lru: replace pgdat lru_lock with lruvec
//    lock", Alex Shi). A page is on its own node's lists (and its memcg's), and the fault allocates it on the faulting
//    CPU's node. The model's guests have one NUMA node (QEMU without -numa; guest NUMA cells are not modelled) and a
//    workload's threads share one memcg, so one lock per VM serves all three eras; a lower zone (DMA32) is only used
//    when ZONE_NORMAL runs short.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

/** The mmu_gather's on-stack bundle (include/asm-generic/tlb.h): the first pages a zap frees, in one release_pages(). */
export const MMU_GATHER_BUNDLE = 8
/** release_pages()' lock_batch before 6.9 (include/linux/swap.h). */
export const SWAP_CLUSTER_MAX = 32

/** PAGEVEC_SIZE of a guest: the pages __pagevec_lru_add() puts on the LRU under one lock section. */
export function pagevecSize(guestVersion: string): number {
  return versionAtLeast(guestVersion, '6.9') ? 31 : versionAtLeast(guestVersion, '4.16') ? 15 : 14
}

/** The most pages release_pages() takes off the LRU under one lock section: SWAP_CLUSTER_MAX, from 6.9 a folio_batch. */
export function releaseLockBatch(guestVersion: string): number {
  return versionAtLeast(guestVersion, '6.9') ? 31 : SWAP_CLUSTER_MAX
}

/** The lock sections a zap of `pages` pages takes to release them: the mmu_gather bundle's first, then the page-sized
 *  batch's, `batch` pages at a time (a zap of up to MAX_GATHER_BATCH pages past the bundle: one more batch). */
export function releaseSections(pages: number, batch: number): number[] {
  const out: number[] = []
  if (pages <= 0) return out
  out.push(Math.min(MMU_GATHER_BUNDLE, pages))
  for (let left = pages - MMU_GATHER_BUNDLE; left > 0; left -= batch) out.push(Math.min(batch, left))
  return out
}

/** Which lock a page's LRU sections take in this guest, for the run report. */
export function lruLockName(guestVersion: string): string {
  if (versionAtLeast(guestVersion, '5.11')) return 'the lruvec\'s lru_lock (one per memcg and node: 6168d0da2b47)'
  if (versionAtLeast(guestVersion, '4.8')) return 'pgdat->lru_lock (one per node: a52633d8e9c3)'
  return 'zone->lru_lock (one per zone)'
}
