// Validation refuses what a run refuses (issue 17 item 6): profiles.validate, profiles.save and runs.start
// share one validation (core/check/check-profile.ts). Each profile a run once rejected is refused by all
// three through the real browser host, naming the field, the value and a fix, with nothing saved or
// started; a property test checks, on random profiles, that validation passes exactly when the real core
// runs the profile.
import { readFileSync, readdirSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkProfile } from '../../core/check/check-profile.ts'
import { FIXED_EXIT_CAUSES, MAX_EXIT_CAUSES } from '../../core/check/model-limits.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { runConfiguration } from '../../core/sim/run-configuration.ts'
import { startTestHost } from '../helpers/test-host.ts'
import type { TestHost } from '../helpers/test-host.ts'

const base = { schemaVersion: 1, run: { durationSec: 0.002, warmupSec: 0 } }
const withHost = (host: unknown): Record<string, unknown> => ({ ...base, host })

const REFUSED: { name: string; profile: Record<string, unknown>; path: string; value: RegExp }[] = [
  { name: 'nohz_full beyond a 32-CPU host', profile: withHost({ kernel: { cmdline: { nohzFull: '0-999999' } } }), path: 'host.kernel.cmdline.nohzFull', value: /0-999999/ },
  { name: 'a 16×256×4 topology', profile: withHost({ topology: { sockets: 16, coresPerSocket: 256, threadsPerCore: 4 } }), path: 'host.topology', value: /16×256×4/ },
  { name: 'an unknown cost name', profile: withHost({ costs: { bogus: { meanNs: 1 } } }), path: 'host.costs.bogus', value: /bogus/ },
  { name: 'the cost name "constructor"', profile: withHost({ costs: { constructor: { meanNs: 1 } } }), path: 'host.costs.constructor', value: /constructor/ },
  { name: '4,096 IRQ sources', profile: withHost({ noise: { irqs: Array.from({ length: 4096 }, (_, i) => ({ name: `q${i}`, ratePerSec: 10 })) } }), path: 'host.noise.irqs', value: /4096 sources/ },
]

/** What the real core does with a profile: undefined when it runs, else its error. */
function runOutcome(profile: unknown): string | undefined {
  const l = loadProfile(profile)
  if (!l.ok) return l.issues.map((i) => i.path).join(', ')
  try {
    for (const c of l.profile.configurations) runConfiguration(l.profile, c.name)
    return undefined
  } catch (e) {
    return (e as Error).message
  }
}

let t: TestHost
beforeAll(async () => { t = await startTestHost('kvmbench-parity-') })
afterAll(async () => { await t?.close() })

describe('one validation for validate, save and run', () => {
  for (const c of REFUSED) {
    it(`refuses ${c.name} everywhere a run would, naming field, value and fix`, async () => {
      // The model's own queues and cause table grow (issue 12); the IRQ-source and exit-cause limits are
      // validation's, kept to bound a worker's memory (issue 17 item 5), so only the others fail a run.
      if (c.path !== 'host.noise.irqs') expect(runOutcome(c.profile), 'the run itself refuses it').toBeDefined()
      const v = await t.api('profiles.validate', { profile: c.profile })
      expect(v.status).toBe(200)
      expect(v.json.value.ok).toBe(false)
      const issue = v.json.value.issues.find((i: { path: string }) => i.path.startsWith(c.path))
      expect(issue, JSON.stringify(v.json.value.issues)).toBeDefined()
      expect(issue.value).toMatch(c.value)
      expect(issue.message.length).toBeGreaterThan(5)
      expect(issue.fix.length).toBeGreaterThan(5)
      const saved = await t.api('profiles.save', { name: c.name, profile: c.profile })
      expect(saved.status).toBe(400)
      expect(saved.json.error?.issues).toEqual(v.json.value.issues)
      const run = await t.api('runs.start', { profile: c.profile })
      expect(run.status).toBe(400)
      expect(run.json.error?.issues).toEqual(v.json.value.issues)
      expect((await t.api('profiles.list', {})).json.value).toEqual([])
      expect((await t.api('runs.list', {})).json.value).toEqual([])
    })
  }

  it('counts exit causes as the model does: at the limit it runs, one more is refused by validation', () => {
    // one VM: the fixed causes, its IPI cause and its VMM TLB-shootdown cause, then one per IRQ name
    const room = MAX_EXIT_CAUSES - FIXED_EXIT_CAUSES - 2
    const irqs = (n: number): Record<string, unknown> => withHost({ noise: { irqs: Array.from({ length: n }, (_, i) => ({ name: `q${i}`, ratePerSec: 1000 })) } })
    expect(checkProfile(irqs(room)).issues).toEqual([])
    expect(runOutcome(irqs(room))).toBeUndefined()
    expect(checkProfile(irqs(room + 1)).issues.map((i) => i.path)).toEqual(['host.noise.irqs'])
  })

  it('passes a profile exactly when the real core runs it (random hosts, cmdlines, pinning, costs, IRQs)', () => {
    const cpulist = fc.oneof(fc.constant(''), fc.tuple(fc.nat(70), fc.nat(70)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`), fc.nat(70).map(String), fc.constantFrom('0-999999', 'x', '3,1-2', '^0'))
    const arb = fc.record({
      cores: fc.integer({ min: 1, max: 24 }),
      threads: fc.integer({ min: 1, max: 2 }),
      nohzFull: cpulist,
      irqaffinity: cpulist,
      vcpupin: fc.array(cpulist, { maxLength: 3 }),
      cost: fc.constantFrom('exitHlt', 'bogus', 'constructor', 'toString', 'hostTimerHandler'),
      irqNames: fc.integer({ min: 0, max: 60 }),
    })
    fc.assert(fc.property(arb, (a) => {
      const profile = {
        ...base,
        host: {
          topology: { coresPerSocket: a.cores, threadsPerCore: a.threads },
          kernel: { cmdline: { nohzFull: a.nohzFull, irqaffinity: a.irqaffinity } },
          costs: { [a.cost]: { meanNs: 500 } },
          noise: { irqs: Array.from({ length: a.irqNames }, (_, i) => ({ name: `n${i}`, ratePerSec: 100 })) },
        },
        vms: [{ name: 'vm0', vcpus: 2, guestTopology: { cores: 2 }, pinning: { vcpupin: a.vcpupin } }],
      }
      const check = checkProfile(profile)
      const ran = runOutcome(profile)
      // The exit-cause limit is validation's alone (the model's cause table grows since the core split) and
      // is checked before the host is set up, so such a profile is refused whatever else the run would say.
      if (!check.ok && check.issues.every((i) => i.path === 'host.noise.irqs' && /exit causes/.test(i.message))) return
      expect(check.ok, `validation said ${JSON.stringify(check.issues)}, the run said ${ran}`).toBe(ran === undefined)
    }), { numRuns: Number(process.env.KVMBENCH_FUZZ_RUNS ?? 40) })
  })

  it('accepts every example', () => {
    const dir = new URL('../../examples/', import.meta.url)
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      expect(checkProfile(JSON.parse(readFileSync(new URL(f, dir), 'utf8'))).issues, f).toEqual([])
    }
  })
})

describe('limits the model cannot meet', () => {
  it('refuses 64 VMs × 128 vCPUs on 8,192 CPUs at validation, naming vms, before setting the host up', () => {
    const profile = {
      schemaVersion: 1,
      host: { topology: { sockets: 8, coresPerSocket: 256, threadsPerCore: 4 } },
      vms: Array.from({ length: 64 }, (_, i) => ({ name: `vm${i}`, vcpus: 128, guestTopology: { cores: 128 } })),
    }
    const c = checkProfile(profile)
    expect(c.ok).toBe(false)
    expect(c.issues).toEqual([expect.objectContaining({ path: 'vms', value: '64 VMs', fix: expect.stringMatching(/at most 45 VMs/) })])
  })
})
