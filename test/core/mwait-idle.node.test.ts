// MWAIT as the guest's idle instruction: passed through (KVM_X86_DISABLE_EXITS_MWAIT) it never exits;
// exposed in CPUID but exiting, kvm_emulate_mwait() treats it as a NOP and the idle loop spins (seed 004).
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import type { ConfigResult } from '../../core/index.ts'

function profile(): unknown {
  const p = JSON.parse(readFileSync(new URL('../../examples/posted-timer.json', import.meta.url), 'utf8')) as Record<string, unknown>
  const off = { mwait: false, hlt: false, pause: false, cstate: false }
  p.configurations = [
    { name: 'cpu-pm-on', overrides: {} },
    { name: 'hlt-exits', overrides: { vm: { kvm: { disableExits: off } } } },
    { name: 'mwait-nop', overrides: { vm: { kvm: { disableExits: off, exposeMwait: true } } } },
  ]
  return p
}

function run(name: string): ConfigResult {
  const r = loadProfile(profile())
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return runConfiguration(r.profile, name, { durationSec: 0.1 })
}

const count = (r: ConfigResult, reason: string): number => r.allVms.exits.find((e) => e.reason === reason)?.count ?? 0

describe('guest idle with MWAIT', () => {
  it('kvm_emulate_mwait (MWAIT exposed, exits on): idle vCPUs spin through MWAIT_INSTRUCTION exits instead of halting', () => {
    const nop = run('mwait-nop')
    const idleVcpus = nop.vms[0]!.vcpus.filter((v) => v.vcpu !== 0)
    // each idle vCPU loops exit → idle loop → MWAIT: tens of thousands of exits per second, no HLT at all
    expect(count(nop, 'MWAIT_INSTRUCTION') / 0.1 / idleVcpus.length).toBeGreaterThan(50_000)
    expect(count(nop, 'HLT')).toBe(0)
    const row = nop.allVms.exits.find((e) => e.reason === 'MWAIT_INSTRUCTION')!
    expect(row.causes['guest idle (MWAIT emulated as NOP)']).toBe(row.count)
    // the spinning vCPUs never block: their time is exits and guest idle-loop passes, not "blocked"
    for (const v of idleVcpus) expect(v.time.blocked).toBe(0)
  })

  it('the spinning idle loop does not pile up indirect cost: a timer thread woken out of it runs within microseconds', () => {
    // cyclictest-like threads sleep ~1 ms between wake-ups; their vCPUs spin through ~1000 MWAIT exits meanwhile
    const p = profile() as { vms: { workload: unknown }[] }
    p.vms[0]!.workload = { kind: 'timer', intervalUs: 1000 }
    const r = loadProfile(p)
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const nop = runConfiguration(r.profile, 'mwait-nop', { durationSec: 0.1 })
    expect(nop.vms[0]!.workload.throughputPerSec).toBeGreaterThan(3_900)
    expect(nop.vms[0]!.workload.latencyNs.p99).toBeLessThan(50_000)
  })

  it('KVM_X86_DISABLE_EXITS_MWAIT: no MWAIT or HLT exits; with exits on, idle vCPUs HLT-exit and block instead', () => {
    const pm = run('cpu-pm-on')
    expect(count(pm, 'MWAIT_INSTRUCTION')).toBe(0)
    expect(count(pm, 'HLT')).toBe(0)
    const hlt = run('hlt-exits')
    expect(count(hlt, 'MWAIT_INSTRUCTION')).toBe(0)
    expect(hlt.vms[0]!.vcpus.filter((v) => v.vcpu !== 0).every((v) => v.time.blocked > 0)).toBe(true)
  })
})
