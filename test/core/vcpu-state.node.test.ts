// The explicit vCPU state machine (core/kvm/vcpu.ts): in checking mode a transition the model does not allow throws,
// naming the vCPU and both states; without it (the bench, the app) nothing is checked. The golden test runs every
// example with checking on, so every transition the examples make is one the table allows.
import { describe, it, expect } from 'vitest'
import { Engine } from '../../core/engine/engine.ts'
import { VcpuState, TRANSITIONS } from '../../core/kvm/vcpu.ts'
import { St, STATE_COUNT } from '../../core/sim/constants.ts'

function vcpu(checking: boolean): VcpuState {
  const v = new VcpuState(1, 1, new Engine(), new Int32Array(1), checking)
  v.state[0] = St.RUN
  return v
}

describe('vCPU state machine', () => {
  it('refuses a vCPU in guest mode going straight to blocked (it must exit first)', () => {
    expect(() => vcpu(true).setState(0, St.BLOCKED)).toThrow(/vCPU 0: no transition from "in guest" to "blocked"/)
    expect(() => vcpu(false).setState(0, St.BLOCKED)).not.toThrow()
  })

  it('walks an HLT exit: in guest → exit → halt-polling → blocked → waking → in guest', () => {
    const v = vcpu(true)
    for (const s of [St.EXIT, St.HOST_POLL, St.BLOCKED, St.WAKING, St.RUN]) v.setState(0, s)
    expect(v.state[0]).toBe(St.RUN)
  })

  it('a preempted vCPU only comes back by an entry, or — a thread woken in kvm_vcpu_block() — halts on; a blocked one is only woken or preempted', () => {
    const allowed = (a: number, b: number): boolean => TRANSITIONS[a * STATE_COUNT + b] === 1
    for (let s = 0; s < STATE_COUNT; s++) {
      if (![St.PREEMPTED, St.RUN, St.BLOCKED, St.HOST_POLL].includes(s as 0 | 4 | 5 | 7)) expect(allowed(St.PREEMPTED, s)).toBe(false)
      if (![St.BLOCKED, St.WAKING, St.PREEMPTED].includes(s as 5 | 6 | 7)) expect(allowed(St.BLOCKED, s)).toBe(false)
    }
  })

  it('expect() asserts the state an action needs', () => {
    const v = vcpu(true)
    v.setState(0, St.EXIT)
    expect(() => v.expect(0, 1 << St.RUN, 'a VM exit')).toThrow(/a VM exit while "handling an exit"/)
  })
})
