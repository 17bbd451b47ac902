// Mutex optimistic spinning (kernel/locking/mutex.c mutex_optimistic_spin() → mutex_spin_on_owner()): the decision
// per guest version, and its direction in an over-committed guest (8 vCPUs over 4 pCPUs) whose mutex owners' vCPUs
// get preempted: a 4.9 guest spins on a preempted owner (owner->on_cpu stays true) until its PLE window runs out, again
// and again; from 4.10 vcpu_is_preempted(task_cpu(owner)) stops the spin and the waiter sleeps.
import { describe, it, expect, beforeAll } from 'vitest'
import { mutexSpinOnOwner, mutexSpinArg, mutexOfSpinArg, MUTEXES_PER_VM } from '../../core/guest/mutex-spin.ts'
import { SPIN_CSD } from '../../core/guest/csd-lock-wait.ts'
import { loadProfile } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { ExitReason } from '../../core/output/exit-names.ts'
import { finishedModel, vmExitCount } from '../helpers/model-runs.ts'

describe('mutex_spin_on_owner() / mutex_can_spin_on_owner()', () => {
  it('spins while the owner is on a CPU and its vCPU is not reported preempted, without need_resched()', () => {
    expect(mutexSpinOnOwner({ ownerOnCpu: true, needResched: false, ownerVcpuPreempted: false })).toBe(true)
    expect(mutexSpinOnOwner({ ownerOnCpu: false, needResched: false, ownerVcpuPreempted: false })).toBe(false)
    expect(mutexSpinOnOwner({ ownerOnCpu: true, needResched: true, ownerVcpuPreempted: false })).toBe(false)
    expect(mutexSpinOnOwner({ ownerOnCpu: true, needResched: false, ownerVcpuPreempted: true })).toBe(false)
  })
  it('a spin frame names what it waits for: spinlock ids ≥ 0, csd_lock_wait() −1, mutexes ≤ −2', () => {
    expect(SPIN_CSD).toBe(-1)
    for (const id of [0, 1, MUTEXES_PER_VM * 3 - 1]) {
      expect(mutexSpinArg(id)).toBeLessThanOrEqual(-2)
      expect(mutexOfSpinArg(mutexSpinArg(id))).toBe(id)
    }
  })
})

function profile(guestVersion: string, guest: Record<string, unknown> = {}, kvm: Record<string, unknown> = {}, mutexPerSec = 20000, durationSec = 0.2): Profile {
  const r = loadProfile({
    schemaVersion: 1,
    name: 'mutex-spin',
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 }, kernel: { version: '5.4', hz: 1000, cmdline: {} } },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 },
      pinning: { vcpupin: Array(8).fill('0-3'), emulatorpin: '0-3', iothreadpin: '0' },
      guest: { kernelVersion: guestVersion, ...guest },
      kvm,
      workload: { kind: 'fork-join', workNs: 200000, workSigma: 0.3, spinNs: 0 },
      contention: { mutex: { acquisitionsPerSec: mutexPerSec, holdNs: 5000, locks: 1 } },
    }],
    run: { durationSec, warmupSec: 0.02, seed: 1 },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

interface Counters { contended: number; slept: number; spinNsPerContended: number; pauseExits: number; iterations: number }

function run(guestVersion: string, guest: Record<string, unknown> = {}, kvm: Record<string, unknown> = {}, mutexPerSec = 20000, durationSec = 0.2, seed = 1): Counters {
  const p = profile(guestVersion, guest, kvm, mutexPerSec, durationSec)
  const m = finishedModel(p, p.configurations[0]?.name ?? 'default', durationSec, { seed })
  return { contended: m.mutex.contended[0]!, slept: m.mutex.slept[0]!, spinNsPerContended: m.mutex.spinNs[0]! / m.mutex.contended[0]!, pauseExits: vmExitCount(m, 0, ExitReason.PAUSE_INSTRUCTION), iterations: m.stats.completed[0]! }
}

describe('mutex waiters of a preempted owner (8 vCPUs over 4 pCPUs)', () => {
  const res: Record<string, Counters> = {}
  beforeAll(() => {
    for (const gv of ['4.9', '4.10']) res[gv] = run(gv)
  })

  it('contention happens and the workload makes progress at both versions', () => {
    for (const gv of ['4.9', '4.10']) {
      expect(res[gv]!.contended).toBeGreaterThan(100)
      expect(res[gv]!.iterations).toBeGreaterThan(10)
    }
  })

  it('guest 4.9 never stops spinning on a running owner: no waiter sleeps', () => {
    expect(res['4.9']!.slept).toBe(0)
  })

  it('guest 4.10 reads vcpu_is_preempted(): waiters of a preempted owner sleep, spin less and exit on PAUSE less', () => {
    expect(res['4.10']!.slept).toBeGreaterThan(0)
    expect(res['4.10']!.spinNsPerContended).toBeLessThan(0.7 * res['4.9']!.spinNsPerContended)
    // PAUSE exits pooled over seeds 1–3: with the host's load balancing moving vCPUs between the 4 pCPUs one seed is
    // too noisy for the 0.7 ratio (seed 1: 1,822 against 2,562)
    const pauses = (gv: string): number => [1, 2, 3].reduce((n, seed) => n + run(gv, {}, {}, 20000, 0.2, seed).pauseExits, 0)
    expect(pauses('4.10')).toBeLessThan(0.7 * pauses('4.9'))
  })
})

describe('a sleeping mutex waiter idles by whatever idle path the guest has', () => {
  // (over-committed, HLT passthrough and idle=poll are slow anyway: an idle vCPU keeps its pCPU, and the waiter handed
  // the lock at unlock often waits on the host runqueue behind a sleeping waiter's halted or polling vCPU until the host
  // scheduler's next switch — a pause of milliseconds per handoff. 1 s takes in dozens of fork-join rounds: 0.2 s
  // held a handful, and 0.5 s about ten, whose count swung with where those pauses fell.)
  it('HLT passed through, cpuidle-haltpoll or idle=poll: waiters still sleep and are woken, the workload goes on', () => {
    for (const [guest, kvm] of [[{}, { disableExits: { hlt: true } }], [{ haltpoll: { enabled: 'force' } }, {}], [{ idlePoll: true }, {}]] as const) {
      // (50,000 acquisitions/s: enough that owners are preempted while holding — a 5.4 host boosts no user-mode
      // preempted vCPU on PAUSE exits, 52acd22faa1a came in 5.13, so at 20,000/s waiters almost never sleep. 1 s, and a
      // tenth of the pace alone: with HLT passed through an idle vCPU keeps its pCPU, and a wake-up placed on a sleeping
      // waiter's vCPU waits for the unlock — this model's simplification — and then for the host's next switch; since
      // wake-ups run after the waker's work item in call order (rq-lock.ts) more land there, and the pace swings with
      // where those pauses fall)
      const r = run('6.1', guest, kvm, 50000, 1)
      const alone = run('6.1', guest, kvm, 0, 1)
      expect(alone.iterations).toBeGreaterThan(60)
      expect(r.slept).toBeGreaterThan(0)
      expect(r.iterations).toBeGreaterThan(0.1 * alone.iterations)
    }
  })
})
