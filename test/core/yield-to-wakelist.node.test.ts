// yield_to() and the host's wake list (kernel/sched/core.c ttwu_queue_cond(), yield_to()): from host 6.0 (f3dd3f674555,
// stable 5.15.61) a wake-up onto another idle CPU goes through that CPU's wake list, and the woken vCPU thread stays
// TASK_WAKING on no run queue until the idle task takes it — yield_to() returns 0 for it (!task_is_running(p)), though
// kvm_vcpu_wake_up() has set vcpu->ready. Before, a wake-up within the LLC enqueues it at once and yield_to() accepts it.
// Checked on a real model: the first vCPU woken onto an idle pCPU (halt-polling example, halt_poll_ns=0) and what a
// yield to it from a running vCPU returns.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/index.ts'
import { St } from '../../core/sim/constants.ts'
import { yieldToResult } from '../../core/kvm/pv-sched-yield.ts'
import { startedModel } from '../helpers/model-runs.ts'

function firstYieldToWaking(hostVersion: string): { result: number; onWakelist: boolean } {
  const json = JSON.parse(readFileSync(new URL('../../examples/halt-polling.json', import.meta.url), 'utf8'))
  json.host.kernel.version = hostVersion
  const l = loadProfile(json)
  if (!l.ok) throw new Error(JSON.stringify(l.issues))
  const m = startedModel(l.profile, 'no-polling', 0.05)
  const v = m.vcpu
  while (m.engine.step()) {
    for (let x = 0; x < m.nV; x++) {
      if (v.state[x] !== St.WAKING || !m.sched.vcpuReady(x)) continue
      for (let g = 0; g < m.nV; g++) {
        if (g !== x && v.state[g] === St.RUN) return { result: yieldToResult(m, m.sched, g, x), onWakelist: m.sched.vcpuOnWakelist(x) }
      }
    }
  }
  throw new Error('no vCPU woken onto an idle pCPU while another ran')
}

describe('yield_to() a vCPU woken onto an idle pCPU', () => {
  it('host 6.8: on the wake list, not running — yield_to() returns 0 (ready is set, but !task_is_running())', () => {
    expect(firstYieldToWaking('6.8')).toEqual({ result: 0, onWakelist: true })
  })
  it('host 5.15.60 (before the backport) and 5.10: enqueued at once — yield_to() accepts it (boost or −ESRCH)', () => {
    for (const hv of ['5.15.60', '5.10']) {
      const r = firstYieldToWaking(hv)
      expect(r.onWakelist).toBe(false)
      expect(r.result).not.toBe(0)
    }
  })
  it('host 5.15.61 has the backport', () => {
    expect(firstYieldToWaking('5.15.61').onWakelist).toBe(true)
  })
})
