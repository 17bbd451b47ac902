// The guest's rq->lock under holder preemption (core/guest/rq-lock.ts: try_to_wake_up() → ttwu_queue() and
// __schedule() take it; spinlocks.ts spins on it): hackbench -T -p -g 2 -f 4 (16 threads) in an 8-vCPU guest. Pinned
// 1:1 the lock is held for a wake-up's enqueue or a context switch and hardly waited for; with the 8 vCPUs floating over
// 4 pCPUs the host preempts vCPUs inside those sections and the wakers of that CPU spin on the lock — PAUSE loops that
// exit on PLE and ask for a directed yield. Without PLE nothing exits; the spinners keep their pCPU, and the waits are
// back near the pinned ones: under PLE a spinner that exits and yields can be descheduled while it heads the lock's FIFO
// queue (lock-waiter preemption), in this workload the larger part of the wait. A 6.x guest sends wake-ups for idle
// CPUs through the wake list (ttwu_queue_cond(), f3dd3f674555) and takes fewer remote locks than a 5.5 guest. The
// guests run native qspinlock (nopvspin, honoured from 5.5): a 5.4 guest ignores nopvspin, and its pvqspinlock lets a
// running waker steal an rq lock whose queue head is preempted (qspinlock.ts pvLockFeatures()).
import { describe, it, expect, beforeAll } from 'vitest'
import { loadProfile } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { ExitReason } from '../../core/output/exit-names.ts'
import { finishedModel, vmExitCount } from '../helpers/model-runs.ts'

const DURATION = 0.1
const FLOATING = { vcpupin: Array(8).fill('0-3'), emulatorpin: '0-3', iothreadpin: '0' }
const PINNED = { vcpupin: ['0', '1', '2', '3', '4', '5', '6', '7'], emulatorpin: '0', iothreadpin: '0' }
const CONFIGS: Record<string, Record<string, unknown>> = {
  'dedicated': { vm: { pinning: PINNED } },
  'overcommit': {},
  'overcommit-no-ple': { host: { kvm: { pleGap: 0 } } },
}

function profile(guestVersion: string): Profile {
  const r = loadProfile({
    schemaVersion: 1,
    name: 'rq-lock',
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, kernel: { version: '6.1', hz: 1000, cmdline: {} } },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 }, pinning: FLOATING,
      guest: { kernelVersion: guestVersion, nopvspin: true },
      workload: { kind: 'hackbench', groups: 2, fds: 4, mode: 'thread', pipe: true },
    }],
    run: { durationSec: DURATION, warmupSec: 0.02, seed: 1 },
    configurations: Object.entries(CONFIGS).map(([name, overrides]) => ({ name, overrides })),
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

interface Counters { perSec: number; acquisitions: number; contended: number; waitPerAcqNs: number; pauseExits: number; wakelist: number }

function run(p: Profile, config: string, seed = 1): Counters {
  const m = finishedModel(p, config, DURATION, { seed })
  const q = m.rqlock
  return {
    perSec: m.stats.completed[0]! / DURATION,
    acquisitions: q.acquisitions[0]!, contended: q.contended[0]!, waitPerAcqNs: q.waitNs[0]! / q.acquisitions[0]!,
    pauseExits: vmExitCount(m, 0, ExitReason.PAUSE_INSTRUCTION), wakelist: q.wakelist[0]!,
  }
}

describe('rq->lock holder preemption: hackbench -T -p -g 2 -f 4 in 8 vCPUs (guest 5.5: every wake-up in the LLC locks the wakee rq)', () => {
  const r: Record<string, Counters> = {}
  beforeAll(() => {
    const p = profile('5.5')
    for (const c of Object.keys(CONFIGS)) r[c] = run(p, c)
  })

  it('pinned 1:1 the lock is rarely waited for: a few percent of acquisitions, a fraction of a microsecond each on average', () => {
    const d = r['dedicated']!
    expect(d.acquisitions).toBeGreaterThan(1000)
    expect(d.contended).toBeLessThan(0.05 * d.acquisitions)
    expect(d.waitPerAcqNs).toBeLessThan(200)
  })

  it('over-committed, a preempted holder makes its wakers spin: several times the wait, and the spins end in PAUSE exits (PLE)', () => {
    const d = r['dedicated']!
    const o = r['overcommit']!
    expect(o.waitPerAcqNs).toBeGreaterThan(5 * d.waitPerAcqNs)
    expect(o.pauseExits).toBeGreaterThan(50)
    expect(o.pauseExits).toBeGreaterThan(2 * d.pauseExits)
  })

  it('without PLE nothing exits and no spinner yields its pCPU: shorter waits than with PLE\'s lock-waiter preemption', () => {
    const o = r['overcommit']!
    const n = r['overcommit-no-ple']!
    expect(n.pauseExits).toBe(0)
    expect(n.waitPerAcqNs).toBeLessThan(0.5 * o.waitPerAcqNs)
  })

  it('a 6.8 guest queues wake-ups for idle CPUs on their wake list (ttwu_queue_cond(), f3dd3f674555): fewer contended rq locks than 5.5, which locks every wakee rq in its LLC', () => {
    const old = r['overcommit']!
    const cur = run(profile('6.8'), 'overcommit')
    expect(old.wakelist).toBe(0)
    expect(cur.wakelist).toBeGreaterThan(0.2 * cur.acquisitions)
    // about half as often, pooled over seeds 1–3 (1,144 against 2,061 once the host balanced load between its pCPUs,
    // which made one seed too noisy: seed 1 582 against 660; before, seed 1 417 against 604): ttwu_queue_cond() reads
    // nr_running without the wakees still on a CPU's wake list, so a second wake-up for that CPU goes there too and its
    // next __schedule() activates both
    const pooled = (guest: string): number => [1, 2, 3].reduce((n, seed) => n + run(profile(guest), 'overcommit', seed).contended, 0)
    expect(pooled('6.8')).toBeLessThan(0.8 * pooled('5.5'))
  })
})
