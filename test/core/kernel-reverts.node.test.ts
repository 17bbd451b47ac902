// host.kernel.reverted (core/kvm/reverts.ts): a host kernel built without a mainline commit the model gates on — a
// patch's published baseline is its tree without the patch (266e85a5ec91's "vanilla": the July 2019 kvm tree, which
// already had d73eb57b80b9). And __schedule()'s prev == next: a schedule() that picks the running vCPU thread again
// runs no preempt notifier (core/host/host-sched.ts descheduleVcpu()).
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { loadProfile, resolveConfiguration } from '../../core/profile/load-profile.ts'
import type { Profile } from '../../core/index.ts'
import { hostHasCommit, revertIssues } from '../../core/kvm/reverts.ts'
import { kickCpuYields } from '../../core/kvm/pv-sched-yield.ts'
import { readyCandidates } from '../../core/kvm/directed-yield.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { startedModel } from '../helpers/model-runs.ts'

const PROFILE = 'examples/validation/profiles/boost-queue-head-266e85a5ec91.json'
const base = (): Profile => JSON.parse(readFileSync(PROFILE, 'utf8')) as Profile

describe('a host built without a commit (host.kernel.reverted)', () => {
  it('the gates follow the version unless the commit is reverted', () => {
    expect(hostHasCommit('5.2', [], '266e85a5ec91')).toBe(false)
    expect(hostHasCommit('5.3', [], '266e85a5ec91')).toBe(true)
    expect(hostHasCommit('5.3', ['266e85a5ec91'], '266e85a5ec91')).toBe(false)
    expect(kickCpuYields('5.4', ['266e85a5ec91'])).toBe(false)
    expect(kickCpuYields('5.4', ['d73eb57b80b9'])).toBe(true)
    expect(readyCandidates('5.4', ['d73eb57b80b9'])).toBe('preempted')
    expect(readyCandidates('5.4', ['266e85a5ec91'])).toBe('ready')
  })
  it('a commit the host version does not carry, or one listed twice, cannot be reverted', () => {
    expect(revertIssues('5.2', ['266e85a5ec91'])[0]).toMatchObject({ commit: '266e85a5ec91', what: expect.stringMatching(/not in host 5\.2 .*5\.3/) })
    expect(revertIssues('5.4', ['d73eb57b80b9', 'd73eb57b80b9'])[0]!.what).toMatch(/twice/)
    expect(revertIssues('5.4', ['266e85a5ec91', 'd73eb57b80b9'])).toEqual([])
  })
  it('the profile refuses an unknown commit id, naming the field', () => {
    const p = base() as unknown as { host: { kernel: Record<string, unknown> } }
    p.host.kernel.reverted = ['deadbeef0000']
    const r = loadProfile(p)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues[0]!.path).toBe('host.kernel.reverted[0]')
  })
  it('a run refuses a revert the host version cannot make, naming the field and the fix', () => {
    const r = loadProfile(base())
    if (!r.ok) throw new Error('profile')
    const cfg = resolveConfiguration(r.profile, 'host-5.2')
    const s = setupModel({ ...cfg, host: { ...cfg.host, kernel: { ...cfg.host.kernel, reverted: ['266e85a5ec91'] } } }, 1, 0.01)
    expect(s.ok).toBe(false)
    if (!s.ok) expect(s.issues[0]).toMatchObject({ path: 'host.kernel.reverted', fix: expect.stringMatching(/5\.3/) })
  })
  it('266e85a5ec91 in a run: on host 5.3 built without it the unlocker never yields to the kicked waiter; with it, it does', () => {
    const run = (config: string): { kicks: number; yields: number } => {
      const m = startedModel(base(), config, 0.1)
      m.engine.run({ until: m.endNs })
      m.finish()
      return { kicks: m.locks.kicks[0]! + m.locks.kicks[1]!, yields: m.locks.kickYieldsTaken[0]! + m.locks.kickYieldsTaken[1]! }
    }
    const vanilla = run('vanilla')
    const boosting = run('boosting')
    expect(vanilla.kicks).toBeGreaterThan(20)
    expect(vanilla.yields).toBe(0)
    expect(boosting.yields).toBeGreaterThan(0.1 * boosting.kicks)
  })
})

describe('__schedule(): prev == next is no context switch', () => {
  it('a vCPU thread whose schedule() picks it again is not scheduled out: no kvm_sched_out(), no preempted flag', () => {
    // host 5.4, PLE on, 2:1: yields whose skip buddy is not given way to, and resched_curr() of a pCPU whose next buddy
    // is too far ahead, both end in a schedule() that picks the running thread again
    const m = startedModel(base(), 'host-5.4', 0.05)
    let inDeschedule = -1
    let marked = 0
    let repicked = 0
    let markedRepicked = 0
    const schedOut = m.hooks.schedOutPreempted.bind(m.hooks)
    m.hooks.schedOutPreempted = (g: number): void => { if (g === inDeschedule) marked++; schedOut(g) }
    const deschedule = m.sched.descheduleVcpu.bind(m.sched)
    m.sched.descheduleVcpu = (g: number): void => {
      const c = m.vcpu.pcpuOf[g]!
      const before = marked
      inDeschedule = g
      deschedule(g)
      inDeschedule = -1
      if (m.hrq.cur[c] === g && m.vcpu.pcpuOf[g] === c) { repicked++; if (marked > before) markedRepicked++ }
    }
    m.engine.run({ until: m.endNs })
    m.finish()
    expect(repicked).toBeGreaterThan(0)
    expect(markedRepicked).toBe(0)
    expect(marked).toBeGreaterThan(0)
  })
})
