// Every shipped example loads and every configuration in it runs (briefly, 0.05 s) in the vCPU state machine's checking
// mode (HostModel { checking: true }: an impossible transition, a thread without a burst… throws) and reports its workload.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { formatIssue } from '../../core/schema/schema.ts'

const dir = new URL('../../examples/', import.meta.url)
/** Workloads that print their benchmark's own lines (WorkloadResult.benchmark). */
const PRINTS = ['timer', 'vmexit', 'tscdeadline-latency', 'ipi-broadcast', 'idle']
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()

describe('examples/', () => {
  it('ships one example per mechanism family', () => {
    expect(files).toEqual(expect.arrayContaining(['posted-timer.json', 'preempted-hlt.json', 'halt-polling.json', 'mwait.json', 'ipi-virtualization.json', 'amd-avic.json', 'ping-pong.json', 'cyclictest.json', 'hackbench.json', 'pipe-ping-pong.json', 'ebizzy.json', 'spinlocks.json', 'rfc-idle-exits.json', 'noisy-neighbour.json', 'kvm-unit-tests-ipi.json', 'kvm-unit-tests-tscdeadline.json', 'apic-timer-latency.json', 'ipi-broadcast.json', 'idle-guest.json']))
  })

  for (const f of files) {
    it(`${f}: loads, has a description, and every configuration runs with the state machine checked`, () => {
      const r = loadProfile(JSON.parse(readFileSync(new URL(f, dir), 'utf8')))
      if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'))
      expect(r.profile.description.length).toBeGreaterThan(80)
      expect(r.profile.configurations.length).toBeGreaterThanOrEqual(2)
      for (const c of r.profile.configurations) {
        const res = runConfiguration(r.profile, c.name, { durationSec: 0.05, check: true })
        // an idle guest completes nothing: it reports its pCPUs' busy share instead
        expect(res.vms.every((v) => v.workload.throughputPerSec > 0 || v.workload.kind === 'idle')).toBe(true)
        // a benchmark that prints its own lines (kvm-unit-tests, cyclictest, ipi_benchmark, turbostat-like) prints them
        for (const v of res.vms) if (PRINTS.includes(v.workload.kind)) expect(v.workload.benchmark?.lines.length, `${f} ${c.name}`).toBeGreaterThan(0)
      }
    }, 120_000)
  }
})
