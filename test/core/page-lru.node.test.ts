// The guest page LRU lock's sections per guest version (core/guest/page-lru.ts), from mm/swap.c, mm/mmu_gather.c and
// include/linux/pagevec.h of each era: what a user reading the run report's ebizzy-trim line would check.
import { describe, it, expect } from 'vitest'
import { pagevecSize, releaseLockBatch, releaseSections, lruLockName, MMU_GATHER_BUNDLE } from '../../core/guest/page-lru.ts'
import { ebizzyTrimDecision } from '../../core/sim/workloads/ebizzy.ts'

describe('page LRU lock sections per guest version', () => {
  it('PAGEVEC_SIZE: 14 before 4.16, 15 from 4.16, 31 from 6.9; release_pages() drops the lock every 32 pages, from 6.9 every folio_batch (31)', () => {
    expect([pagevecSize('4.15'), pagevecSize('4.16'), pagevecSize('6.8.12'), pagevecSize('6.9')]).toEqual([14, 15, 15, 31])
    expect([releaseLockBatch('4.16'), releaseLockBatch('6.8'), releaseLockBatch('6.9'), releaseLockBatch('6.12')]).toEqual([32, 32, 31, 31])
  })

  it('a zap releases the mmu_gather bundle (8 pages) under its own section, then the page-sized batch a lock batch at a time', () => {
    expect(MMU_GATHER_BUNDLE).toBe(8)
    expect(releaseSections(96, 32)).toEqual([8, 32, 32, 24])
    expect(releaseSections(96, 31)).toEqual([8, 31, 31, 26])
    expect(releaseSections(5, 32)).toEqual([5])
    expect(releaseSections(8, 32)).toEqual([8])
    expect(releaseSections(0, 32)).toEqual([])
    // every page is released exactly once
    expect(releaseSections(224, 32).reduce((a, b) => a + b, 0)).toBe(224)
  })

  it('the lock: zone->lru_lock before 4.8, pgdat->lru_lock from 4.8, the lruvec\'s from 5.11 — named on the run report\'s ebizzy-trim line', () => {
    expect(lruLockName('4.4')).toMatch(/^zone->lru_lock/)
    expect(lruLockName('4.16')).toMatch(/^pgdat->lru_lock/)
    expect(lruLockName('5.11')).toMatch(/lruvec/)
    const d = ebizzyTrimDecision(524_288, 15, 32, '4.19')
    expect(d.value).toBe('96 pages per record; LRU lock 7 + 4 times')
    expect(d.reason).toContain('8 + 32 + 32 + 24')
    expect(d.reason).toContain('pgdat->lru_lock')
    expect(ebizzyTrimDecision(524_288, 31, 31, '6.9').value).toBe('96 pages per record; LRU lock 4 + 4 times')
  })
})
