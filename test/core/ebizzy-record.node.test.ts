// What one ebizzy record does, from its sources: ebizzy 0.3 (LTP utils/benchmark/ebizzy-0.3/ebizzy.c: 2 × online CPUs
// threads by default, -M = mallopt(M_MMAP_MAX, 0), each record malloc() + memcpy() + bsearch() + free()), glibc's
// heap_trim() (malloc/arena.c: the free trims the thread's arena down to the 128 KiB top pad with
// madvise(MADV_DONTNEED)) and the guest kernel (every faulted page goes through the lru_add pagevec, the zap through
// release_pages(), both under the LRU lock; one TLB shootdown per trim). Counted on the real model, its GuestOps calls
// recorded as the workload makes them.
import { describe, it, expect } from 'vitest'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import type { Workload } from '../../core/profile/profile-schema.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { HostModel } from '../../core/sim/host-model.ts'
import { workloadSpec } from '../../core/sim/workload-spec.ts'
import { EbizzyWorkload, heapTrimPages, request2size } from '../../core/sim/workloads/ebizzy.ts'

interface Calls { records: number; lruLocks: number; flushes: number; holdNs: number }

/** An 8-vCPU guest on 8 pCPUs (or 4, overcommitted) running ebizzy; its GuestOps calls counted after `fromNs`. */
function run(o: { guest?: string; memory?: string; chunkBytes?: number; pcpus?: number; untilNs?: number; pleGap?: number; seed?: number } = {}): { m: HostModel; calls: Calls } {
  const pcpus = o.pcpus ?? 8
  const r = loadProfile({
    schemaVersion: 1,
    name: 'ebizzy-record',
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, kernel: { version: '5.4', hz: 1000, cmdline: {} }, ...(o.pleGap !== undefined ? { kvm: { pleGap: o.pleGap } } : {}) },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 },
      pinning: { vcpupin: Array(8).fill(`0-${pcpus - 1}`), emulatorpin: '0', iothreadpin: '0' },
      kvm: { pv: { pvTlbFlush: false } },
      guest: { kernelVersion: o.guest ?? '5.4' },
      workload: { kind: 'ebizzy', memory: o.memory ?? 'no-mmap', ...(o.chunkBytes ? { chunkBytes: o.chunkBytes } : {}) },
    }],
    run: { durationSec: 0.05, warmupSec: 0.005, seed: o.seed ?? 1 },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  const s = setupModel(resolveConfiguration(r.profile, 'base'), o.seed ?? 1, 0.05)
  if (!s.ok) throw new Error(JSON.stringify(s.issues))
  const m = new HostModel(s.inputs)
  const calls: Calls = { records: 0, lruLocks: 0, flushes: 0, holdNs: 0 }
  const counting = () => m.engine.now >= 5e6
  const complete = m.complete.bind(m)
  const spinLock = m.spinLock.bind(m)
  const flush = m.flushTlbOthers.bind(m)
  m.complete = (v, ns) => { if (counting()) calls.records++; complete(v, ns) }
  m.spinLock = (g, id, holdNs) => { if (counting()) { calls.lruLocks++; calls.holdNs += holdNs } spinLock(g, id, holdNs) }
  m.flushTlbOthers = (g) => { if (counting()) calls.flushes++; return flush(g) }
  m.start()
  m.engine.run({ until: o.untilNs ?? 30e6 })
  return { m, calls }
}

describe('ebizzy: one record, from ebizzy.c, glibc and the guest kernel', () => {
  it('threads default to 2 × the CPUs the guest sees (read_options(): 2 * sysconf(_SC_NPROCESSORS_ONLN)); -t overrides', () => {
    expect(workloadSpec({ kind: 'ebizzy' } as Workload, 8)).toMatchObject({ kind: 'ebizzy', threads: 16, chunks: 10, chunkBytes: 524_288 })
    expect(workloadSpec({ kind: 'ebizzy', threads: 5 } as Workload, 8)).toMatchObject({ threads: 5 })
  })

  it('heap_trim() keeps the 128 KiB top pad: a 512 KiB copy returns (and faults in again) 96 pages, a copy within the pad none', () => {
    expect(request2size(524_288)).toBe(524_304)
    expect(heapTrimPages(524_288)).toBe(96)
    expect(heapTrimPages(1 << 20)).toBe(224)
    expect(heapTrimPages(131_072)).toBe(0)
    expect(heapTrimPages(139_264)).toBe(2)
  })

  it('-M: per record 96 faulted pages, one TLB shootdown, and the LRU lock 7 times to add them (15 a pagevec) and 4 to release them (the mmu_gather bundle\'s 8, then 32 at a time)', () => {
    const { m, calls } = run()
    const w = m.workloads[0] as EbizzyWorkload
    expect(w.pages).toBe(96)
    expect(w.lruBatch).toBe(15)
    // the run report says so (decision ebizzy-trim)
    expect(m.inp.vms[0]!.decisions.find((d) => d.id === 'ebizzy-trim')?.value).toBe('96 pages per record; LRU lock 7 + 4 times')
    expect(calls.records).toBeGreaterThan(100)
    // steady state: each record issues the same operations (records in flight at the window's edges aside)
    expect(calls.flushes / calls.records).toBeCloseTo(1, 1)
    expect(calls.lruLocks / calls.records).toBeCloseTo(11, 0)
    expect(Array.from(w.releases)).toEqual([8, 32, 32, 24])
    // under the lock per record: 96 pages added (~113 ns each) and 96 released (~82 ns each, LKP's page_fault2
    // profile): ~19 µs
    const perRecord = calls.holdNs / calls.records
    expect(perRecord).toBeGreaterThan(15_000)
    expect(perRecord).toBeLessThan(24_000)
  })

  it('the pagevec held 14 pages before guest 4.16 ("mm: get 7% more pages in a pagevec"), 31 from 6.9 (9cecde80aae0), when release_pages() also frees a folio_batch (31) per lock section: a 1 MiB copy (224 pages) takes 16 + 8 sections, from 4.16 15 + 8, from 6.9 8 + 8', () => {
    const old = run({ guest: '4.15', chunkBytes: 1 << 20 })
    const now = run({ guest: '4.16', chunkBytes: 1 << 20 })
    const folio = run({ guest: '6.9', chunkBytes: 1 << 20 })
    expect((old.m.workloads[0] as EbizzyWorkload).lruBatch).toBe(14)
    expect(old.calls.lruLocks / old.calls.records).toBeCloseTo(24, 0)
    expect(now.calls.lruLocks / now.calls.records).toBeCloseTo(23, 0)
    expect((folio.m.workloads[0] as EbizzyWorkload).lruBatch).toBe(31)
    expect(Array.from((folio.m.workloads[0] as EbizzyWorkload).releases)).toEqual([8, 31, 31, 31, 31, 31, 31, 30])
    expect(folio.calls.lruLocks / folio.calls.records).toBeCloseTo(16, 0)
  })

  it('ebizzy\'s default malloc (arena reused) and a -M copy within the top pad: no fault, no LRU lock, no shootdown', () => {
    for (const o of [{ memory: 'malloc' }, { memory: 'no-mmap', chunkBytes: 65_536 }]) {
      const { m, calls } = run(o)
      expect((m.workloads[0] as EbizzyWorkload).pages).toBe(0)
      expect(m.inp.vms[0]!.decisions.find((d) => d.id === 'ebizzy-trim')?.value).toBe(o.memory === 'malloc' ? undefined : 'no trim')
      expect(calls.records).toBeGreaterThan(100)
      expect(calls.lruLocks).toBe(0)
      expect(calls.flushes).toBe(0)
    }
  })

  it('spin_lock_irqsave(): a waiter halted in pv_wait() for the LRU lock has interrupts off — a pending flush IPI does not wake it, only the unlock\'s kick (pv_unhalted)', () => {
    // pooled over seeds 1–8 (a preempted holder, and so a halted waiter, is rare in one seed's 400 ms)
    let lockWakes = 0, kicked = 0, withIrqPending = 0
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { m } = run({ pcpus: 4, untilNs: 200e6, pleGap: 0, seed })
      const halt = m.halt
      const wake = halt.hltWakeup.bind(halt)
      halt.hltWakeup = (g: number) => {
        if (halt.irqsOffInPvWait(g)) {
          lockWakes++
          if (halt.pvUnhalted[g]) kicked++
          if (m.vcpu.pendIrq[g]) withIrqPending++
        }
        wake(g)
      }
      m.engine.run({ until: 400e6 })
    }
    expect(lockWakes).toBeGreaterThan(0)
    expect(kicked).toBe(lockWakes)
    // IPIs did arrive while they were halted: held pending until the lock was theirs and released
    expect(withIrqPending).toBeGreaterThan(0)
  })

  it('overcommitted (8 vCPUs on 4 pCPUs), pvqspinlock without PLE: LRU lock waiters halt in pv_wait() and the unlock kicks them (KVM_HC_KICK_CPU) — halts ebizzy -M guests show', () => {
    // a lock holder preempted inside its section is rare: pooled over seeds 1–3 of 200 ms (one seed may see none)
    const kicks = [1, 2, 3].reduce((n, seed) => n + run({ pcpus: 4, untilNs: 200e6, pleGap: 0, seed }).m.locks.kicks[0]!, 0)
    expect(kicks).toBeGreaterThan(0)
    // ebizzy's default malloc returns nothing: no LRU lock, nothing to wait for
    const calm = run({ memory: 'malloc', pcpus: 4, untilNs: 200e6, pleGap: 0 })
    expect(calm.m.locks.kicks[0]).toBe(0)
  })
})
