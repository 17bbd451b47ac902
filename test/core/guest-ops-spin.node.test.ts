// The GuestOps a workload uses for cross-calls and sleeping locks (core/sim/workloads/guest-ops.ts), called as a
// workload's own event would, in the middle of a vCPU's work: the work goes beneath the wait, the wait ends when the
// kernel's condition holds (every target ran the csd; the mutex was released), and the work resumes.
import { describe, it, expect } from 'vitest'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { HostModel } from '../../core/sim/host-model.ts'
import { St, Work } from '../../core/sim/constants.ts'

function model(host: Record<string, unknown> = {}): HostModel {
  const r = loadProfile({
    schemaVersion: 1,
    name: 'guest-ops-spin',
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 }, kernel: { version: '6.1', hz: 1000, cmdline: {} }, ...host },
    vms: [{
      name: 'vm', vcpus: 4, guestTopology: { sockets: 1, cores: 4, threads: 1 },
      pinning: { vcpupin: ['0', '1', '2', '3'], emulatorpin: '0', iothreadpin: '0' },
      guest: { kernelVersion: '6.1' },
      workload: { kind: 'fork-join', threads: 4, workNs: 2_000_000, workSigma: 0.1, spinNs: 0 },
    }],
    run: { durationSec: 0.1, warmupSec: 0.001, seed: 1 },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  const s = setupModel(resolveConfiguration(r.profile, 'base'), 1, 0.1)
  if (!s.ok) throw new Error(JSON.stringify(s.issues))
  const m = new HostModel(s.inputs)
  m.start()
  return m
}

/** vCPUs running a thread's burst now. */
function running(m: HostModel): number[] {
  const out: number[] = []
  for (let g = 0; g < 4; g++) if (m.vcpu.state[g] === St.RUN && m.work.curKind[g] === Work.THREAD && !m.vcpu.inIrq[g]) out.push(g)
  return out
}

describe('GuestOps cross-calls and mutexes from a workload event', () => {
  it('flushTlbOthers(): the sender waits in csd_lock_wait() until its targets flushed, then its work goes on', () => {
    const m = model()
    m.engine.run({ until: 5.41e6 })
    const g = running(m)[0]!
    expect(g).toBeGreaterThanOrEqual(0)
    const before = m.stats.completed[0]!
    const n = m.flushTlbOthers(g)
    expect(n).toBeGreaterThan(0)
    expect(m.work.inLockOp(g)).toBe(true)
    m.engine.run({ until: 60e6 })
    expect(m.csd.waits[0]).toBe(1)
    expect(m.csd.waitNs[0]).toBeGreaterThan(0)
    expect(m.csd.waitNs[0]).toBeLessThan(200_000)
    expect(m.work.inLockOp(g)).toBe(false)
    expect(m.stats.completed[0]!).toBeGreaterThan(before)
  })

  it('callFunctionMany(wait = false) sends and does not wait', () => {
    const m = model()
    m.engine.run({ until: 5.41e6 })
    const g = running(m)[0]!
    expect(m.callFunctionMany(g, false)).toBe(3)
    expect(m.work.inLockOp(g)).toBe(false)
    m.engine.run({ until: 30e6 })
    expect(m.csd.waits[0]).toBe(0)
  })

  it('callFunctionMany(mask): the sender, duplicates and vCPUs outside its VM are dropped from the mask', () => {
    const m = model()
    m.engine.run({ until: 5.41e6 })
    const g = running(m)[0]!
    const other = (g + 1) % 4
    expect(m.callFunctionMany(g, false, Int32Array.from([g, other, other, 99]), 4)).toBe(1)
    expect(m.callFunctionMany(g, false, Int32Array.from([g]), 1)).toBe(0)
  })

  it('a target whose call_single_queue already holds a csd gets no second IPI (llist_add() was not first), yet runs both', () => {
    // without APICv the first IPI is injected at the target's next entry: its csd waits, unserved, meanwhile
    const m = model({ kvm: { enableApicv: false } })
    m.engine.run({ until: 5.41e6 })
    const [a, b, t] = running(m)
    expect(t).toBeDefined()
    m.callFunctionMany(a!, true, Int32Array.from([t!]), 1)
    // a's ICR write is an exit; b finds t's queue non-empty, sends nothing and spins at once
    expect(m.vcpu.state[a!]).toBe(St.EXIT)
    m.callFunctionMany(b!, true, Int32Array.from([t!]), 1)
    expect(m.vcpu.state[b!]).toBe(St.RUN)
    expect(m.work.curKind[b!]).toBe(Work.SPIN)
    m.engine.run({ until: 6e6 })
    // t's one handler ran both csds: both waits ended
    expect(m.csd.waits[0]).toBe(2)
    expect(m.work.inLockOp(a!)).toBe(false)
    expect(m.work.inLockOp(b!)).toBe(false)
  })

  it('mutexLock(): the second taker spins while the running owner holds the lock, then takes it', () => {
    const m = model()
    m.engine.run({ until: 5.41e6 })
    const [a, b] = running(m)
    expect(b).toBeDefined()
    m.mutexLock(a!, 5, 50_000)
    m.mutexLock(b!, 5, 50_000)
    expect(m.mutex.contended[0]).toBe(1)
    m.engine.run({ until: 5.71e6 })
    // the owner ran its 50 µs critical section, the waiter spun through it (PLE exits included) and then held it
    expect(m.mutex.slept[0]).toBe(0)
    expect(m.mutex.spinNs[0]).toBeGreaterThan(30_000)
    m.engine.run({ until: 60e6 })
    expect(m.mutex.owner[5]).toBe(-1)
    expect(m.work.inLockOp(a!)).toBe(false)
    expect(m.work.inLockOp(b!)).toBe(false)
  })

  it('refuses a lock id outside the VM\'s 64 mutexes, naming the limit', () => {
    const m = model()
    m.engine.run({ until: 5.41e6 })
    expect(() => m.mutexLock(running(m)[0]!, 64, 1000)).toThrow(/0…63/)
  })
})
