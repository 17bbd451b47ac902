// MWAIT as the guest's idle instruction: passed through (KVM_X86_DISABLE_EXITS_MWAIT) it never exits;
// exposed in CPUID but exiting, kvm_emulate_mwait() treats it as a NOP and the idle loop spins (the 2023 Woodhouse RFC).
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import type { ConfigResult } from '../../core/index.ts'
import { CPU_FEATURES } from '../../core/costs/cpu-presets.ts'
import { hostIdleCstates, inGuestCstates, hostIdleLimitDecision } from '../../core/host/cpuidle.ts'

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

describe('host idle limits (idle=, intel_idle.max_cstate=) and the guest halted in guest mode', () => {
  const hw = CPU_FEATURES['skylake-sp'].cstates
  it('hostIdleCstates(): idle=poll none (cpu_idle_poll()), idle=halt C1 (intel_idle_init() and acpi_idle refuse with idle= set), max_cstate=N the first N', () => {
    expect(hostIdleCstates(hw, { idle: 'poll', intelIdleMaxCstate: -1 })).toEqual([])
    expect(hostIdleCstates(hw, { idle: 'halt', intelIdleMaxCstate: -1 })).toEqual([hw[0]])
    expect(hostIdleCstates(hw, { idle: 'default', intelIdleMaxCstate: 0 })).toEqual([hw[0]])
    expect(hostIdleCstates(hw, { idle: 'default', intelIdleMaxCstate: 2 })).toEqual(hw.slice(0, 2))
    expect(hostIdleCstates(hw, { idle: 'default', intelIdleMaxCstate: -1 })).toEqual(hw)
    // AMD (acpi_idle; the profile's limit stands for processor.max_cstate=): the same rule, C1 of the _CST states
    const amd = CPU_FEATURES.milan.cstates
    expect(hostIdleCstates(amd, { idle: 'default', intelIdleMaxCstate: 1 })).toEqual([amd[0]])
    expect(inGuestCstates(amd)).toEqual(amd)
  })
  it('inGuestCstates(): every hardware state, whatever the host cmdline (HLT in non-root mode is C1; MWAIT takes the guest\'s hint)', () => {
    expect(inGuestCstates(hw)).toEqual(hw)
    expect(hostIdleLimitDecision({ idle: 'default', intelIdleMaxCstate: 0 }, true, true).value).toBe('intel_idle.max_cstate=0: host idle only')
    expect(hostIdleLimitDecision({ idle: 'poll', intelIdleMaxCstate: -1 }, false, false)).toMatchObject({ value: 'idle=poll', reason: expect.stringMatching(/kvm_vcpu_block\(\)/) })
  })

  /** examples/cyclictest.json (timer wake-up latency, 1 ms idle periods) with the host cmdline patched. */
  function runWith(config: string, cmdline: Record<string, unknown>): ConfigResult {
    const p = JSON.parse(readFileSync(new URL('../../examples/cyclictest.json', import.meta.url), 'utf8')) as { host: { kernel: { cmdline: Record<string, unknown> } } }
    Object.assign(p.host.kernel.cmdline, cmdline)
    const r = loadProfile(p)
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    return runConfiguration(r.profile, config, { durationSec: 0.1 })
  }
  const same = (r: ConfigResult): unknown => JSON.parse(JSON.stringify({ w: r.vms[0]!.workload, x: r.vms[0]!.exits }))

  it('scenario (cyclictest): intel_idle.max_cstate=0 or idle=poll leave a guest halted in guest mode unchanged; an HLT-exiting guest wakes faster', () => {
    for (const config of ['hlt-passthrough', 'cpu-pm-on']) {
      const base = runWith(config, {})
      for (const c of [{ intelIdleMaxCstate: 0 }, { idle: 'poll' }]) {
        const limited = runWith(config, c)
        expect(same(limited)).toEqual(same(base))
        expect(limited.vms[0]!.decisions.find((d) => d.id === 'host-idle-limit')!.value).toMatch(/host idle only/)
      }
    }
    // HLT exits: the vCPU thread blocks and its pCPU idles in the host, where the limit cuts the C-state exit latency
    const hltBase = runWith('hlt-exits', {})
    const hltC1 = runWith('hlt-exits', { intelIdleMaxCstate: 0 })
    expect(hltC1.vms[0]!.workload.latencyNs.p50).toBeLessThan(hltBase.vms[0]!.workload.latencyNs.p50)
  })
})
