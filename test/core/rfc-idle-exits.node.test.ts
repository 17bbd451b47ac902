// The seed RFCs as experimental mechanisms (examples/rfc-idle-exits.json): userspace exits on HLT/MWAIT and yield on an
// emulated MWAIT (the 2023 Woodhouse RFC), guest state kept loaded across a schedule-out (the scheduled_out series, 2024). Each effect's direction, on the
// real core: a ping-pong guest whose vCPU 3 is always idle and shares CPU 7 with a CPU-bound batch job.
import { readFileSync } from 'node:fs'
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { profileSchema } from '../../core/profile/profile-schema.ts'
import { runAll, rerunJson, resultJson, exits } from '../helpers/workload-runs.ts'

const DURATION = 0.2
type Json = Record<string, unknown> & { configurations: { name: string; overrides: Record<string, unknown> }[] }
const example = (): Json => JSON.parse(readFileSync(new URL('../../examples/rfc-idle-exits.json', import.meta.url), 'utf8')) as Json

const HLT_TO_VMM = 'guest idle (HLT → KVM_EXIT_HLT to the VMM, RFC)'
const MWAIT_YIELD = 'guest idle (MWAIT emulated as NOP + yield(), RFC)'
const MWAIT_TO_VMM = 'guest idle (MWAIT → KVM_EXIT_MWAIT to the VMM, RFC)'
const BATCH_CPU = 7

const vmOf = (r: ConfigResult) => r.vms[0]!
const tps = (r: ConfigResult) => vmOf(r).workload.throughputPerSec
/** The VM's vCPU time of one kind, in ns. */
const vcpuTime = (r: ConfigResult, k: 'hostPolling' | 'blocked' | 'exitHandling' | 'preempted') => vmOf(r).vcpus.reduce((a, v) => a + v.time[k], 0)
/** The batch job's share of its CPU. */
const batchShare = (r: ConfigResult) => r.pcpus[BATCH_CPU]!.time.otherTasks / r.virtualNs
const decision = (r: ConfigResult, id: string) => vmOf(r).decisions.find((d) => d.id === id)

describe('experimental knobs of the seed RFCs', () => {
  let res: Record<string, ConfigResult>
  // every configuration of the example runs here: ~9 s alone on this 2-core machine, more beside other suites
  beforeAll(() => { res = runAll(example(), DURATION) }, 120_000)

  it('default off, and with them off a VM shows no RFC cause and no experimental decision', () => {
    const e = profileSchema.defaultValue!.vms[0]!.kvm.experimental
    expect(e).toEqual({ userspaceExits: { hlt: false, mwait: false, vmmWorkNs: 2_000, hltWait: 'kvm-run' }, mwaitYield: false, vmentryAdvanceNs: 0, keepStateLoaded: false })
    for (const c of ['hlt-exits', 'no-halt-poll', 'mwait-nop']) {
      const r = res[c]!
      for (const row of vmOf(r).exits) for (const cause of Object.keys(row.causes)) expect(cause).not.toMatch(/RFC/)
      expect(vmOf(r).decisions.filter((d) => /experimental/.test(d.title))).toEqual([])
    }
  })

  it('each knob that is on shows up as a decision marked experimental', () => {
    expect(decision(res['hlt-to-vmm']!, 'userspace-exits')!.title).toMatch(/experimental — RFC, not in any kernel/)
    expect(decision(res['hlt-to-vmm']!, 'userspace-exits')!.value).toMatch(/KVM_EXIT_HLT/)
    expect(decision(res['mwait-to-vmm']!, 'userspace-exits')!.value).toMatch(/KVM_EXIT_MWAIT/)
    expect(decision(res['mwait-yield']!, 'mwait-yield')!.title).toMatch(/experimental/)
    expect(decision(res['mwait-yield']!, 'mwait-yield')!.reason).toMatch(/6\.6–6\.18/)
    expect(decision(res['mwait-yield-6.19']!, 'mwait-yield')!.reason).toMatch(/6\.19/)
    expect(decision(res['no-halt-poll+keep-loaded']!, 'keep-state-loaded')!.value).toBe('on')
    expect(decision(res['hlt-to-vmm-poll']!, 'host-halt-poll')!.value).toMatch(/^off for HLT exits/)
  })

  it('is deterministic: the same seed gives the same result JSON for every RFC mechanism', () => {
    for (const c of ['hlt-to-vmm-poll', 'mwait-yield-6.19', 'mwait-to-vmm', 'no-halt-poll+keep-loaded']) {
      expect(rerunJson(example(), DURATION, c)).toBe(resultJson(res[c]!))
    }
  })

  describe('userspace exits on HLT (the 2023 Woodhouse RFC)', () => {
    it('re-entering KVM_RUN: the HLT exits stay (with the RFC cause), halt polling still runs, only later by the round trip and the VMM work', () => {
      const base = res['hlt-exits']!
      const rfc = res['hlt-to-vmm']!
      const n = exits(rfc, 'HLT')
      expect(n / exits(base, 'HLT')).toBeGreaterThan(0.95)
      expect(n / exits(base, 'HLT')).toBeLessThan(1.05)
      expect(exits(rfc, 'HLT', HLT_TO_VMM)).toBe(n)
      expect(vcpuTime(rfc, 'hostPolling')).toBeGreaterThan(0)
      expect(vcpuTime(rfc, 'hostPolling')).toBeLessThan(vcpuTime(base, 'hostPolling'))
      // per HLT exit the vCPU thread spends the userspace round trip (~1.8 µs) and the VMM's work (2 µs) in root mode
      const extraPerExit = (vcpuTime(rfc, 'exitHandling') - vcpuTime(base, 'exitHandling')) / n
      expect(extraPerExit).toBeGreaterThan(3_000)
      expect(extraPerExit).toBeLessThan(5_000)
      // wake-ups still end in halt polling: the round trip barely shows
      expect(tps(rfc) / tps(base)).toBeGreaterThan(0.97)
    })

    it('sleeping in the VMM\'s poll(): the HLT exits stay, host halt polling goes to 0, every wake-up is a full one', () => {
      const base = res['hlt-exits']!
      const rfc = res['hlt-to-vmm-poll']!
      expect(exits(rfc, 'HLT')).toBeGreaterThan(0)
      expect(exits(rfc, 'HLT', HLT_TO_VMM)).toBe(exits(rfc, 'HLT'))
      expect(vcpuTime(base, 'hostPolling')).toBeGreaterThan(0)
      expect(vcpuTime(rfc, 'hostPolling')).toBe(0)
      expect(vcpuTime(rfc, 'blocked')).toBeGreaterThan(1.5 * vcpuTime(base, 'blocked'))
      expect(tps(rfc)).toBeLessThan(0.8 * tps(base))
    })

    it('sleeping in the VMM\'s poll(): the KVM_RUN re-entry is on every wake-up\'s path', () => {
      // a 20 µs re-entry makes it plain: each transaction wakes two vCPUs (RX on vCPU 0, the server on vCPU 1)
      const p = example()
      p.configurations = p.configurations.filter((c) => c.name === 'no-halt-poll' || c.name === 'hlt-to-vmm-poll')
      ;(p.host as Record<string, unknown>).costs = { userspaceEntry: { minNs: 20_000, meanNs: 20_000, sigma: 0 } }
      const r = runAll(p, DURATION)
      const d = vmOf(r['hlt-to-vmm-poll']!).workload.latencyNs.p50 - vmOf(r['no-halt-poll']!).workload.latencyNs.p50
      expect(d).toBeGreaterThan(30_000)
      expect(d).toBeLessThan(50_000)
    })
  })

  describe('MWAIT (the 2023 Woodhouse RFC)', () => {
    it('today\'s NOP: the idle vCPU 3 spins through MWAIT exits and the batch job gets half of CPU 7', () => {
      const nop = res['mwait-nop']!
      expect(vmOf(nop).vcpus[3]!.exitsPerSec).toBeGreaterThan(100_000)
      expect(batchShare(nop)).toBeGreaterThan(0.4)
      expect(batchShare(nop)).toBeLessThan(0.6)
    })

    it('yield() on 6.19 (the yielder forfeits its slice): the batch job takes the CPU time vCPU 3 spun away; its MWAIT exits drop', () => {
      const nop = res['mwait-nop']!
      const y = res['mwait-yield-6.19']!
      expect(batchShare(y)).toBeGreaterThan(0.9)
      expect(vmOf(y).vcpus[3]!.exitsPerSec).toBeLessThan(vmOf(nop).vcpus[3]!.exitsPerSec / 10)
      expect(exits(y, 'MWAIT_INSTRUCTION')).toBeLessThan(exits(nop, 'MWAIT_INSTRUCTION'))
      expect(exits(y, 'MWAIT_INSTRUCTION', MWAIT_YIELD)).toBe(exits(y, 'MWAIT_INSTRUCTION'))
      // vCPU 3 now waits on the run queue (steal), and the MWAIT exits it is in last until it runs again
      expect(vmOf(y).vcpus[3]!.time.preempted).toBeGreaterThan(0.8 * y.virtualNs)
    })

    it('yield() on 6.12 (EEVDF, the deadline moves on): fairness still gives the spinning vCPU its half of CPU 7', () => {
      const y = res['mwait-yield']!
      expect(batchShare(y)).toBeGreaterThan(0.4)
      expect(batchShare(y)).toBeLessThan(0.6)
      expect(exits(y, 'MWAIT_INSTRUCTION', MWAIT_YIELD)).toBeGreaterThan(0)
    })

    it('yield() with nothing else runnable goes straight back: vCPUs alone on their pCPU are never off it', () => {
      for (const c of ['mwait-yield', 'mwait-yield-6.19']) {
        for (const v of vmOf(res[c]!).vcpus.slice(0, 3)) {
          expect(v.time.preempted).toBe(0)
          expect(v.time.blocked).toBe(0)
        }
      }
    })

    it('to the VMM: each turn of the idle loop pays the round trip and the VMM work, the vCPU stays runnable', () => {
      const nop = res['mwait-nop']!
      const u = res['mwait-to-vmm']!
      expect(exits(u, 'MWAIT_INSTRUCTION', MWAIT_TO_VMM)).toBe(exits(u, 'MWAIT_INSTRUCTION'))
      const row = vmOf(u).exits.find((e) => e.reason === 'MWAIT_INSTRUCTION')!
      const nopRow = vmOf(nop).exits.find((e) => e.reason === 'MWAIT_INSTRUCTION')!
      expect(row.meanNs - nopRow.meanNs).toBeGreaterThan(3_000)
      expect(exits(u, 'MWAIT_INSTRUCTION')).toBeLessThan(exits(nop, 'MWAIT_INSTRUCTION') / 3)
      expect(batchShare(u)).toBeLessThan(0.6)
      // a wake-up that arrives during the VMM's work waits for it
      expect(tps(u)).toBeLessThan(tps(nop))
    })
  })

  describe('guest state kept loaded across a schedule-out (the scheduled_out series, 2024)', () => {
    it('with every wake-up a schedule-in (halt_poll_ns=0), skipping vcpu_put()/vcpu_load() raises the transaction rate', () => {
      const off = res['no-halt-poll']!
      const on = res['no-halt-poll+keep-loaded']!
      expect(tps(on) / tps(off)).toBeGreaterThan(1.01)
      // the mean, not the histogram's p50: a bucket boundary can hold both medians
      expect(vmOf(on).workload.meanLatencyNs).toBeLessThan(vmOf(off).workload.meanLatencyNs)
    })

    it('needs kvm_vcpu.scheduled_out: on a 6.10 host the knob is n/a and the results are those without it', () => {
      const p = example()
      ;(p.host as { kernel: { version: string } }).kernel.version = '6.10'
      p.configurations = p.configurations.filter((c) => c.name.startsWith('no-halt-poll'))
      const r = runAll(p, 0.05)
      expect(decision(r['no-halt-poll+keep-loaded']!, 'keep-state-loaded')!.value).toMatch(/^n\/a/)
      const strip = (x: ConfigResult) => resultJson({ ...x, config: '', vms: x.vms.map((v) => ({ ...v, decisions: [] })) })
      expect(strip(r['no-halt-poll+keep-loaded']!)).toBe(strip(r['no-halt-poll']!))
    })
  })
})
