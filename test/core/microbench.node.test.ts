// The microbenchmark workloads (issue 13 item 5): kvm-unit-tests' vmexit ipi / tscdeadline / tscdeadline_immed and
// tscdeadline_latency, the broadcast IPI module, the idle guest and cyclictest's printed lines. Each runs the real core
// and checks what its printout says and the direction of the mechanism behind it.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { loadProfile, runConfiguration } from '../../core/index.ts'
import { metricValue, parseCase } from '../../core/validation/index.ts'
import { haltPollAdaptive, updateHaltPoll } from '../../core/kvm/halt-poll.ts'
import { formatConfigReport } from '../../core/output/text-report.ts'
import { printedLines } from '../../core/output/benchmark-lines.ts'
import { workloadProfile, runAll, rerunJson, resultJson, exits } from '../helpers/workload-runs.ts'

const DURATION = 0.05
const noIpiv = { host: { kvm: { enableIpiv: false } } }
const printed = (r: ConfigResult): string[] => printedLines(r.vms[0]!.workload).map((l) => l.text)
const figure = (r: ConfigResult, name: string): number => metricValue(r, { kind: 'figure', figure: name })

function sprProfile(workload: Record<string, unknown>, configs: Record<string, Record<string, unknown>>, vm: Record<string, unknown> = {}): unknown {
  const p = workloadProfile(workload, configs, vm) as { host: { cpu: string } }
  p.host.cpu = 'sapphirerapids'
  return p
}

describe('vmexit ipi (kvm-unit-tests x86/vmexit.c)', () => {
  const profile = sprProfile({ kind: 'vmexit', test: 'ipi' }, {
    'ipiv-halted': {},
    'no-ipiv-halted': noIpiv,
    'ipiv-running': { vm: { workload: { target: 'running' } } },
    'no-ipiv-running': { ...noIpiv, vm: { workload: { target: 'running' } } },
    'ipiv-idle-polling': { vm: { workload: { target: 'idle-polling' } } },
  }, { vcpus: 2, pinning: { vcpupin: ['4', '5'], emulatorpin: '0', iothreadpin: '1' } })
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })

  it('prints "ipi <cycles>" and "  ipi ipi <cycles>" as do_test() does, the cycles at the host TSC frequency', () => {
    const r = res['ipiv-halted']!
    const lines = printed(r)
    expect(lines[0]).toMatch(/^ipi \d+$/)
    expect(lines[1]).toMatch(/^ {2}ipi ipi \d+$/)
    const cycles = Number(lines[0]!.split(' ')[1])
    expect(figure(r, 'ipi')).toBe(cycles)
    // the printed cycles are the mean iteration (1 / throughput) at the TSC frequency (2.0–3.5 GHz presets)
    const meanNs = 1e9 / r.vms[0]!.workload.throughputPerSec
    expect(cycles / meanNs).toBeGreaterThan(1.5)
    expect(cycles / meanNs).toBeLessThan(4)
    expect(formatConfigReport(r)).toContain(`  | ipi ${cycles}\n`)
  })

  it('an IPI to a halted target costs more cycles than to a running or idle-polling one (the wake-up)', () => {
    expect(figure(res['ipiv-halted']!, 'ipi')).toBeGreaterThan(1.5 * figure(res['ipiv-running']!, 'ipi'))
    expect(figure(res['ipiv-halted']!, 'ipi')).toBeGreaterThan(1.5 * figure(res['ipiv-idle-polling']!, 'ipi'))
    // the halted target takes an HLT exit per IPI; the running one none
    expect(exits(res['ipiv-halted']!, 'HLT')).toBeGreaterThan(100)
    expect(exits(res['ipiv-running']!, 'HLT')).toBe(0)
  })

  it('IPIv lowers the ipi cycles: without it every ICR write is an MSR_WRITE exit', () => {
    expect(figure(res['no-ipiv-halted']!, 'ipi')).toBeGreaterThan(figure(res['ipiv-halted']!, 'ipi'))
    expect(figure(res['no-ipiv-running']!, 'ipi')).toBeGreaterThan(figure(res['ipiv-running']!, 'ipi'))
    const iters = res['no-ipiv-running']!.vms[0]!.workload.throughputPerSec * DURATION
    expect(exits(res['no-ipiv-running']!, 'MSR_WRITE')).toBeGreaterThan(0.9 * iters)
    expect(exits(res['ipiv-running']!, 'MSR_WRITE')).toBeLessThan(0.05 * res['ipiv-running']!.vms[0]!.workload.throughputPerSec * DURATION)
  })

  it('is deterministic', () => {
    expect(rerunJson(profile, DURATION, 'no-ipiv-halted')).toBe(resultJson(res['no-ipiv-halted']!))
  })
})

describe('vmexit tscdeadline / tscdeadline_immed', () => {
  const one = { vcpus: 1, pinning: { vcpupin: ['4'], emulatorpin: '0', iothreadpin: '1' } }
  const profile = workloadProfile({ kind: 'vmexit', test: 'tscdeadline' }, {
    hv: {},
    'hv-far': { vm: { workload: { deadlineCycles: 30000 } } },
    immed: { vm: { workload: { test: 'tscdeadline_immed' } } },
    'immed-5.7': { host: { kernel: { version: '5.7' } }, vm: { workload: { test: 'tscdeadline_immed' } } },
  }, one)
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })

  it('prints "<test> <cycles>"; one TSC-deadline write (MSR_WRITE exit) per iteration', () => {
    expect(printed(res.hv!)[0]).toMatch(/^tscdeadline \d+$/)
    expect(printed(res.immed!)[0]).toMatch(/^tscdeadline_immed \d+$/)
    const iters = res.immed!.vms[0]!.workload.throughputPerSec * DURATION
    const writes = exits(res.immed!, 'MSR_WRITE')
    expect(writes).toBeGreaterThan(0.95 * iters)
    expect(writes).toBeLessThan(1.1 * iters)
  })

  it('a deadline further ahead takes longer per iteration; the 5.8 TSC-deadline fastpath makes immed cheaper', () => {
    expect(figure(res['hv-far']!, 'tscdeadline') - figure(res.hv!, 'tscdeadline')).toBeGreaterThan(20000)
    expect(figure(res['immed-5.7']!, 'tscdeadline_immed')).toBeGreaterThan(figure(res.immed!, 'tscdeadline_immed'))
  })
})

describe('tscdeadline-latency (kvm-unit-tests x86/tscdeadline_latency.c)', () => {
  const one = { vcpus: 1, pinning: { vcpupin: ['4'], emulatorpin: '0', iothreadpin: '1' } }
  const profile = workloadProfile({ kind: 'tscdeadline-latency', wait: 'busy' }, {
    'hv-busy': {},
    'sw-busy': { host: { kvm: { preemptionTimer: false } } },
    'hlt-blocked': { host: { kvm: { haltPoll: { haltPollNs: 0 } } }, vm: { workload: { wait: 'hlt' } } },
  }, one)
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })

  it('one interrupt per delta: 200000 cycles at the TSC frequency; prints "latency: N" lines and min/mean/max', () => {
    const w = res['hv-busy']!.vms[0]!.workload
    expect(w.kind).toBe('tscdeadline-latency')
    const lines = printed(res['hv-busy']!)
    expect(lines.slice(0, 5).every((l) => /^latency: \d+$/.test(l))).toBe(true)
    expect(lines.at(-1)).toMatch(/^min\(latency\) = \d+, mean\(latency\) = \d+, max\(latency\) = \d+ \(cycles, \d+ interrupts\)$/)
    // ~200000 cycles apart (plus the latency): between 5 and 20 kHz on the presets' TSC frequencies
    expect(w.throughputPerSec).toBeGreaterThan(5000)
    expect(w.throughputPerSec).toBeLessThan(20000)
  })

  it('busy-waiting, the sw hrtimer (EXTERNAL_INTERRUPT + host timer handler) is later than the VMX preemption timer', () => {
    expect(figure(res['sw-busy']!, 'latency avg')).toBeGreaterThan(figure(res['hv-busy']!, 'latency avg'))
    expect(exits(res['hv-busy']!, 'PREEMPTION_TIMER')).toBeGreaterThan(0)
    expect(exits(res['sw-busy']!, 'EXTERNAL_INTERRUPT')).toBeGreaterThan(0)
  })

  it('a halted vCPU whose thread blocks must be woken: far later than a busy-waiting one', () => {
    expect(figure(res['hlt-blocked']!, 'latency avg')).toBeGreaterThan(5 * figure(res['hv-busy']!, 'latency avg'))
  })
})

describe('ipi-broadcast (smp_call_function_many with wait)', () => {
  const vcpus = 8
  const pins = { vcpus, pinning: { vcpupin: ['4', '5', '6', '7', '8', '9', '10', '11'], emulatorpin: '0', iothreadpin: '1' } }
  const profile = workloadProfile({ kind: 'ipi-broadcast' }, {
    'pv-ipi': {},
    'no-pv-ipi': { vm: { kvm: { pv: { pvIpi: false } } } },
    multicast: { vm: { workload: { targets: 3 } } },
    // ple_window_grow=1: the window stays at 4096 cycles (doubled on every PAUSE exit it outgrows these waits in the
    // warm-up, and no exit is counted after it)
    'no-halt-poll': { host: { kvm: { haltPoll: { haltPollNs: 0 }, pleWindowGrow: 1 } } },
    'no-halt-poll-no-ple': { host: { kvm: { haltPoll: { haltPollNs: 0 }, pleGap: 0, pleWindowGrow: 1 } } },
  }, pins)
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })

  it('prints the module\'s "Broadcast IPI: <ns> ns" total for its loops and the time per call', () => {
    const lines = printed(res['pv-ipi']!)
    expect(lines[0]).toMatch(/^Broadcast IPI: +\d+ ns$/)
    const per = figure(res['pv-ipi']!, 'ns per call')
    // the total is the unrounded mean × 100000 loops; the per-call figure is rounded to the ns
    expect(Math.abs(figure(res['pv-ipi']!, 'total ns') - per * 100000)).toBeLessThanOrEqual(50000)
    expect(printed(res.multicast!)[0]).toMatch(/^Multicast IPI \(3 targets\): +\d+ ns$/)
  })

  it('without PV IPI each call is one ICR write (an exit) per target; PV IPI is one hypercall and a shorter call', () => {
    const calls = (c: string) => res[c]!.vms[0]!.workload.throughputPerSec * DURATION
    expect(exits(res['no-pv-ipi']!, 'MSR_WRITE')).toBeGreaterThan(0.95 * (vcpus - 1) * calls('no-pv-ipi'))
    expect(exits(res['pv-ipi']!, 'VMCALL')).toBeGreaterThan(0.95 * calls('pv-ipi'))
    expect(figure(res['no-pv-ipi']!, 'ns per call')).toBeGreaterThan(figure(res['pv-ipi']!, 'ns per call'))
    // fewer targets, a shorter wait
    expect(figure(res.multicast!, 'ns per call')).toBeLessThan(figure(res['pv-ipi']!, 'ns per call'))
    // the hypercall is the guest's IPI, not a TLB shootdown's
    expect(Object.keys(res['pv-ipi']!.vms[0]!.exits.find((e) => e.reason === 'VMCALL')!.causes)).toEqual(['PV IPI hypercall (guest IPI)'])
  })

  it('the sender waits in csd_lock_wait(): a spin past the PLE window exits on PAUSE, never with PLE off', () => {
    expect(exits(res['no-halt-poll']!, 'PAUSE_INSTRUCTION')).toBeGreaterThan(0)
    expect(exits(res['no-halt-poll-no-ple']!, 'PAUSE_INSTRUCTION')).toBe(0)
  })
})

describe('idle guest', () => {
  const profile = workloadProfile({ kind: 'idle' }, {
    'nohz-idle': {},
    'periodic-250': { vm: { guest: { tickMode: 'periodic' } } },
    'periodic-1000': { vm: { guest: { tickMode: 'periodic', hz: 1000 } } },
  }, { guest: { hz: 250 } })
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, 0.2) })

  it('prints the vCPU pCPUs\' Busy% and it falls when the tick stops in idle (nohz) and with a slower tick', () => {
    expect(printed(res['nohz-idle']!)[0]).toMatch(/^vCPU pCPUs Busy% \(%c0\): \d+\.\d{3}$/)
    const busy = (c: string) => figure(res[c]!, 'busy %')
    expect(busy('periodic-250')).toBeGreaterThan(3 * busy('nohz-idle'))
    expect(busy('periodic-1000')).toBeGreaterThan(2 * busy('periodic-250'))
    // the printed figure is the pcpu-busy metric in percent
    expect(busy('periodic-250')).toBeCloseTo(100 * metricValue(res['periodic-250']!, { kind: 'pcpu-busy' }), 2)
    expect(res['nohz-idle']!.vms[0]!.workload.throughputPerSec).toBe(0)
  })
})

describe('cyclictest lines of the timer workload', () => {
  const profile = workloadProfile({ kind: 'timer', priority: 99 }, { base: {} })
  it('prints one "T: n (tid) P:99 I:1000 C: … Min: … Act: … Avg: … Max: …" line per thread, in µs', () => {
    const r = runAll(profile, DURATION).base!
    const lines = printed(r)
    expect(lines).toHaveLength(4)
    const re = /^T: ?(\d+) \( *(\d+)\) P:99 I:1000 C: *(\d+) Min: *(\d+) Act: *(\d+) Avg: *(\d+) Max: *(\d+)$/
    lines.forEach((l, i) => {
      const m = re.exec(l)
      expect(m, l).not.toBeNull()
      expect(Number(m![1])).toBe(i)
      const [c, min, avg, max] = [3, 4, 6, 7].map((k) => Number(m![k]))
      expect(c).toBeGreaterThan(40)
      expect(min).toBeLessThanOrEqual(avg!)
      expect(avg).toBeLessThanOrEqual(max!)
    })
    // the figures agree with the latency histogram (µs vs ns)
    expect(figure(r, 'Max') * 1000).toBeGreaterThan(0.9 * r.vms[0]!.workload.latencyNs.max)
    expect(lines[0]).toBe(`T: 0 (${String(lines[0]!.match(/\( *(\d+)\)/)![1]).padStart(5)}) P:99 I:1000 C:${lines[0]!.match(/C: *(\d+)/)![1]!.padStart(7)} Min:${lines[0]!.match(/Min: *(\d+)/)![1]!.padStart(7)} Act:${lines[0]!.match(/Act: *(\d+)/)![1]!.padStart(5)} Avg:${lines[0]!.match(/Avg: *(\d+)/)![1]!.padStart(5)} Max:${lines[0]!.match(/Max: *(\d+)/)![1]!.padStart(8)}`)
  })
})

describe('workload schema of the microbenchmarks', () => {
  it('names the field, the value and the fix for a bad parameter', () => {
    const r = loadProfile(workloadProfile({ kind: 'vmexit', test: 'cpuid' }, { base: {} }))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues[0]!.path).toBe('vms[0].workload.test')
  })
  it('a figure metric names the figures the workload prints when asked for another', () => {
    const res = runAll(workloadProfile({ kind: 'idle' }, { base: {} }), 0.01).base!
    expect(() => figure(res, 'ipi')).toThrow(/prints no figure "ipi" — use one of busy %/)
  })
})

describe('host halt polling before v4.3 (the always-poll baseline of aca6ff29c406)', () => {
  const p = (hostVersion: string) => ({ maxNs: 500_000, grow: 2, growStart: 10_000, shrink: 0, hostVersion })
  it('polls the full halt_poll_ns after every halt, long or short, before 4.3; adapts from 4.3', () => {
    expect(haltPollAdaptive('4.2')).toBe(false)
    expect(haltPollAdaptive('4.3')).toBe(true)
    // a 4 ms halt (a 250 Hz tick) keeps the full window before 4.3, shrinks it to 0 from 4.3 (shrink 0)
    expect(updateHaltPoll(500_000, 4_000_000, true, p('4.2'))).toBe(500_000)
    expect(updateHaltPoll(500_000, 4_000_000, true, p('4.4'))).toBe(0)
    expect(updateHaltPoll(0, 4_000_000, true, p('4.2'))).toBe(500_000)
  })
  it('an idle 250 Hz guest keeps its pCPU far busier with always-poll than with the adaptive window', () => {
    const one = { vcpus: 1, pinning: { vcpupin: ['4'], emulatorpin: '0', iothreadpin: '1' }, guest: { hz: 250, tickMode: 'periodic' } }
    const res = runAll(workloadProfile({ kind: 'idle' }, {
      always: { host: { kernel: { version: '4.2' }, kvm: { haltPoll: { haltPollNs: 500000 } } } },
      dynamic: { host: { kernel: { version: '4.4' }, kvm: { haltPoll: { haltPollNs: 500000 } } } },
    }, one), 0.2)
    expect(figure(res.always!, 'busy %')).toBeGreaterThan(5 * figure(res.dynamic!, 'busy %'))
  })
})

describe('validation metric "figure"', () => {
  it('needs the figure\'s name, and only kind "figure" has one', () => {
    const base = { schemaVersion: 1, id: 'x', topic: 'ipis', ref: 'r', source: 's', setup: 's', published: { figure: 'f', changePct: -10 }, profile: 'p.json', baseline: 'a', changed: 'b', mapping: 'm' }
    const noName = parseCase({ ...base, metric: { kind: 'figure' } })
    expect(noName.ok).toBe(false)
    if (!noName.ok) expect(noName.issues[0]!.fix).toMatch(/add "figure"/)
    const stray = parseCase({ ...base, metric: { kind: 'throughput', figure: 'ipi' } })
    expect(stray.ok).toBe(false)
    expect(parseCase({ ...base, metric: { kind: 'figure', figure: 'ipi' } }).ok).toBe(true)
  })
})

describe('the IPI microbenchmarks refuse a VM without a target vCPU', () => {
  it('names vms[0].vcpus, the value and the fix', () => {
    const one = { vcpus: 1, pinning: { vcpupin: ['4'], emulatorpin: '0', iothreadpin: '1' } }
    for (const w of [{ kind: 'vmexit', test: 'ipi' }, { kind: 'ipi-broadcast' }]) {
      const r = loadProfile(workloadProfile(w, { base: {} }, one))
      expect(r.ok).toBe(true)
      if (!r.ok) continue
      expect(() => runConfiguration(r.profile, 'base', { durationSec: 0.01 })).toThrow(/vms\[0\]\.vcpus.*at least 2 vCPUs/s)
    }
  })
})

describe('vmexit ipi_halt: the target really halts between IPIs', () => {
  const two = { vcpus: 2, pinning: { vcpupin: ['4', '5'], emulatorpin: '0', iothreadpin: '1' } }
  const profile = sprProfile({ kind: 'vmexit', test: 'ipi_halt' }, {
    'halt-poll': {},
    'no-halt-poll': { host: { kvm: { haltPoll: { haltPollNs: 0 } } } },
    'hlt-passthrough': { vm: { kvm: { disableExits: { hlt: true } } } },
  }, two)
  let res: Record<string, ConfigResult>
  beforeAll(() => { res = runAll(profile, DURATION) })
  it('prints "ipi_halt <cycles>" (the 2000-cycle wait included); blocking costs more than host polling or HLT in guest mode', () => {
    expect(printed(res['halt-poll']!)).toEqual([expect.stringMatching(/^ipi_halt \d+$/)])
    expect(figure(res['halt-poll']!, 'ipi_halt')).toBeGreaterThan(2000)
    expect(figure(res['no-halt-poll']!, 'ipi_halt')).toBeGreaterThan(1.3 * figure(res['halt-poll']!, 'ipi_halt'))
    // HLT in guest mode against host polling: the physical C1 exit latency against the HLT exit's entry and the
    // handler's refill after it (at most the handler's length) — no published ipi_halt pair orders them, and the model's
    // order flipped when the refill was bounded by the work that pays it (SPR, seed 1: HLT in guest mode 5,676 against
    // host polling 5,111 cycles), so only blocking is asserted to be slower than both
    expect(figure(res['no-halt-poll']!, 'ipi_halt')).toBeGreaterThan(1.3 * figure(res['hlt-passthrough']!, 'ipi_halt'))
    expect(exits(res['hlt-passthrough']!, 'HLT')).toBe(0)
  })
})

describe('idle guest with guest-mode polling', () => {
  it('counts idle=poll in the guest as busy (%c0): its pCPUs never leave C0', () => {
    const res = runAll(workloadProfile({ kind: 'idle' }, { poll: { vm: { guest: { idlePoll: true } } } }), 0.02).poll!
    expect(figure(res, 'busy %')).toBeGreaterThan(99)
  })
})
