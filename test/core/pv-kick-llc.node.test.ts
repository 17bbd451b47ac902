// The queue-head boost (266e85a5ec91: KVM_HC_KICK_CPU → kvm_pv_kick_cpu_op(), then kvm_sched_yield()) on a host of two
// LLCs. kvm_vcpu_kick() wakes the halted waiter from the unlocker's pCPU, and ttwu_queue() sends a wake-up onto a pCPU
// of another LLC through that pCPU's wake list (ttwu_queue_remote() before 5.8, ttwu_queue_cond()'s
// !cpus_share_cache() after): the waiter stays TASK_WAKING until that pCPU's IPI handler enqueues it, so the
// kvm_sched_yield() of the same hypercall finds p->state set and yield_to() returns 0 — no boost, and the unlocker
// keeps its pCPU. A wake-up within the unlocker's LLC is enqueued at once (ttwu_do_activate()) and is boosted.
// Checked on the validation profile of 266e85a5ec91 (two sockets, as the commit's host), host 5.3 (boosting).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { Profile } from '../../core/index.ts'
import { St } from '../../core/sim/constants.ts'
import { startedModel } from '../helpers/model-runs.ts'

const profile = JSON.parse(readFileSync(new URL('../../examples/validation/profiles/boost-queue-head-266e85a5ec91.json', import.meta.url), 'utf8')) as Profile

/** Per kick of a blocked waiter: whether its wake-up stayed in the unlocker's LLC, and whether the kick yielded. */
function kicksOfBlockedWaiters(): { sameLlc: { kicks: number; yields: number }; crossLlc: { kicks: number; yields: number } } {
  const m = startedModel(profile, 'boosting', 0.05)
  const out = { sameLlc: { kicks: 0, yields: 0 }, crossLlc: { kicks: 0, yields: 0 } }
  const pk = (m.locks as unknown as { pvKick: { kick(g: number, w: number): void; kickYieldsTaken: Float64Array } }).pvKick
  const kick = pk.kick.bind(pk)
  const yields = (): number => pk.kickYieldsTaken.reduce((a, b) => a + b, 0)
  pk.kick = (g: number, w: number): void => {
    const blocked = m.vcpu.state[w] === St.BLOCKED
    const y0 = yields()
    kick(g, w)
    if (!blocked) return
    const o = m.inp.llcOf[m.vcpu.pcpuOf[g]!] === m.inp.llcOf[m.hrq.cpu[w]!] ? out.sameLlc : out.crossLlc
    o.kicks++
    if (yields() > y0) o.yields++
  }
  m.engine.run({ until: m.endNs })
  return out
}

describe('KVM_HC_KICK_CPU\'s yield and the wake list across LLCs (host 5.3, two sockets)', () => {
  const r = kicksOfBlockedWaiters()
  it('the profile has the commit\'s two sockets, and kicks wake waiters onto both LLCs', () => {
    expect(profile.host.topology.sockets).toBe(2)
    expect(r.sameLlc.kicks).toBeGreaterThan(20)
    expect(r.crossLlc.kicks).toBeGreaterThan(20)
  })
  it('a waiter woken onto another LLC is TASK_WAKING on its wake list: the kick never yields to it', () => {
    expect(r.crossLlc.yields).toBe(0)
  })
  it('a waiter woken within the unlocker\'s LLC is enqueued at once: kicks yield to it', () => {
    expect(r.sameLlc.yields).toBeGreaterThan(0.25 * r.sameLlc.kicks)
  })
})
