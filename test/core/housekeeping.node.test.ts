import { describe, it, expect } from 'vitest'
import {
  deriveHousekeeping, piInjectTimerDefault, cpuIsIsolated, housekeepingEnabled, housekeepingCpumask,
  housekeepingTestCpu, managedIrqAffinity, HK_TYPES,
} from '../../core/topology/housekeeping.ts'
import type { HousekeepingInput, HousekeepingSets } from '../../core/topology/housekeeping.ts'
import { cpuListFromArray, formatCpuList } from '../../core/topology/cpulist.ts'

const derive = (input: Partial<HousekeepingInput> & { kernelVersion: string }): { hk: HousekeepingSets; warnings: string[] } => {
  const r = deriveHousekeeping({ nrCpus: 8, ...input })
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return { hk: r.hk, warnings: r.warnings }
}
const hkList = (hk: HousekeepingSets, type: (typeof HK_TYPES)[number]): string => formatCpuList(housekeepingCpumask(hk, type))
const enabledTypes = (hk: HousekeepingSets): string[] => HK_TYPES.filter((t) => housekeepingEnabled(hk, t))

describe('no isolation parameters', () => {
  it('every type is unrestricted and IRQs may go anywhere', () => {
    const { hk, warnings } = derive({ kernelVersion: '6.8' })
    expect(enabledTypes(hk)).toEqual([])
    for (const t of HK_TYPES) expect(hkList(hk, t)).toBe('0-7')
    expect(formatCpuList(hk.irqAffinity)).toBe('0-7')
    expect(formatCpuList(hk.nohzFullCpus)).toBe('')
    expect(piInjectTimerDefault(hk)).toBe(false)
    expect(warnings).toEqual([])
  })
})

describe('housekeeping_nohz_full_setup()', () => {
  it('housekeeping_nohz_full_setup (v4.19): sets TICK, WQ, TIMER, RCU, MISC — not KTHREAD, never SCHED', () => {
    const { hk } = derive({ kernelVersion: '4.19', nohzFull: '2-7' })
    expect(enabledTypes(hk)).toEqual(['timer', 'rcu', 'misc', 'tick', 'wq', 'kernelNoise'])
    expect(hkList(hk, 'timer')).toBe('0-1')
    expect(hkList(hk, 'kthread')).toBe('0-7')
    expect(formatCpuList(hk.nohzFullCpus)).toBe('2-7')
  })

  it('housekeeping_nohz_full_setup (v5.10): also sets KTHREAD (since v5.9)', () => {
    const { hk } = derive({ kernelVersion: '5.10', nohzFull: '2-7' })
    expect(enabledTypes(hk)).toEqual(['timer', 'rcu', 'misc', 'tick', 'wq', 'kthread', 'kernelNoise'])
    expect(piInjectTimerDefault(hk)).toBe(true)
  })

  it('housekeeping_nohz_full_setup (v6.14): one HK_TYPE_KERNEL_NOISE mask, the old names alias it', () => {
    const { hk } = derive({ kernelVersion: '6.14', nohzFull: '2-7' })
    expect(enabledTypes(hk)).toEqual(['timer', 'rcu', 'misc', 'tick', 'wq', 'kthread', 'kernelNoise'])
    for (const t of ['timer', 'rcu', 'misc', 'tick', 'wq', 'kthread', 'kernelNoise'] as const) expect(hkList(hk, t)).toBe('0-1')
    expect(housekeepingEnabled(hk, 'sched')).toBe(false)
  })

  it('rcu_init_nohz: nohz_full CPUs are offloaded and added to rcu_nocbs=', () => {
    const { hk } = derive({ kernelVersion: '5.15', nohzFull: '4-7', rcuNocbs: '2-3' })
    expect(formatCpuList(hk.rcuNocbsCpus)).toBe('2-7')
    const noNocb = derive({ kernelVersion: '5.15', nohzFull: '4-7', rcuNocbs: '2-3', configRcuNocbCpu: false })
    expect(formatCpuList(noNocb.hk.rcuNocbsCpus)).toBe('')
    expect(noNocb.warnings.join('\n')).toContain('CONFIG_RCU_NOCB_CPU')
  })

  it('housekeeping_setup: without CONFIG_NO_HZ_FULL nohz_full= is ignored', () => {
    const { hk, warnings } = derive({ kernelVersion: '6.8', nohzFull: '2-7', configNoHzFull: false })
    expect(enabledTypes(hk)).toEqual([])
    expect(piInjectTimerDefault(hk)).toBe(false)
    expect(warnings[0]).toContain('Housekeeping: nohz unsupported. Build with CONFIG_NO_HZ_FULL')
  })
})

describe('housekeeping_isolcpus_setup()', () => {
  it('housekeeping_isolcpus_setup (v5.10): no flag means domain', () => {
    const { hk } = derive({ kernelVersion: '5.10', isolcpus: '2-7' })
    expect(enabledTypes(hk)).toEqual(['domain'])
    expect(formatCpuList(hk.isolatedDomainCpus)).toBe('2-7')
    expect(piInjectTimerDefault(hk)).toBe(false)
  })

  it('housekeeping_isolcpus_setup (v5.10): isolcpus=nohz sets only TICK (yet starts nohz_full and RCU offload)', () => {
    const { hk } = derive({ kernelVersion: '5.10', isolcpus: 'nohz,2-7' })
    expect(enabledTypes(hk)).toEqual(['tick'])
    expect(formatCpuList(hk.nohzFullCpus)).toBe('2-7')
    expect(formatCpuList(hk.rcuNocbsCpus)).toBe('2-7')
    expect(hkList(hk, 'timer')).toBe('0-7')
    expect(piInjectTimerDefault(hk)).toBe(false)
  })

  it('housekeeping_isolcpus_setup (v6.14): isolcpus=nohz is equivalent to nohz_full', () => {
    const { hk } = derive({ kernelVersion: '6.14', isolcpus: 'nohz,domain,2-7' })
    expect(enabledTypes(hk)).toEqual(['timer', 'rcu', 'misc', 'tick', 'domain', 'wq', 'kthread', 'kernelNoise'])
    expect(hkList(hk, 'timer')).toBe('0-1')
    expect(piInjectTimerDefault(hk)).toBe(true)
  })

  it('housekeeping_isolcpus_setup (v5.4): managed_irq is unknown before v5.6, so the whole isolcpus= is dropped', () => {
    const { hk, warnings } = derive({ kernelVersion: '5.4', isolcpus: 'managed_irq,domain,2-7' })
    expect(enabledTypes(hk)).toEqual([])
    expect(warnings[0]).toContain('isolcpus: Error, unknown flag')
  })

  it('housekeeping_isolcpus_setup (v5.6): managed_irq restricts managed IRQs; unknown flags still drop isolcpus=', () => {
    const { hk } = derive({ kernelVersion: '5.6', isolcpus: 'managed_irq,domain,2-7' })
    expect(enabledTypes(hk)).toEqual(['domain', 'managedIrq'])
    expect(formatCpuList(hk.managedIrqCpus)).toBe('0-1')
    expect(enabledTypes(derive({ kernelVersion: '5.6', isolcpus: 'foo,domain,2-7' }).hk)).toEqual([])
  })

  it('housekeeping_isolcpus_setup (v5.7): an unknown flag is skipped with a warning', () => {
    const { hk, warnings } = derive({ kernelVersion: '5.7', isolcpus: 'foo,domain,2-7' })
    expect(enabledTypes(hk)).toEqual(['domain'])
    expect(warnings).toContain('isolcpus: Skipped unknown flag foo')
  })

  it('housekeeping_isolcpus_setup (v5.7): a flag with other characters is invalid and drops isolcpus=', () => {
    const { hk, warnings } = derive({ kernelVersion: '5.7', isolcpus: 'managed-irq,domain,2-7' })
    expect(enabledTypes(hk)).toEqual([])
    expect(warnings[0]).toContain('isolcpus: Invalid flag managed-irq')
  })

  it('housekeeping_isolcpus_setup (v6.8): a flag without a CPU list, or a list starting with a letter, is an error', () => {
    for (const [text, words] of [['domain', 'no CPU list after the flag "domain"'], ['domain,N', 'starts with a letter'], ['all', 'starts with a letter']] as const) {
      const r = deriveHousekeeping({ kernelVersion: '6.8', nrCpus: 8, isolcpus: text })
      if (r.ok) throw new Error(`expected an error for ${text}`)
      expect(r.errors[0]!.message).toContain(words)
      expect(r.errors[0]!.field).toBe('isolcpus')
    }
  })

  it('housekeeping_isolcpus_setup (v6.8): a CPU-list error points into the whole isolcpus= text', () => {
    const r = deriveHousekeeping({ kernelVersion: '6.8', nrCpus: 8, isolcpus: 'managed_irq,domain,4-2' })
    if (r.ok) throw new Error('expected an error')
    expect(r.errors[0]!.message).toBe('isolcpus: "4-2": range start 4 is after end 2 — write ranges ascending, e.g. "2-4"')
    expect(r.errors[0]!.offset).toBe(19)
  })

  it('housekeeping_isolcpus_setup (v6.8): isolcpus=nohz without CONFIG_NO_HZ_FULL drops the domain flag too', () => {
    const { hk, warnings } = derive({ kernelVersion: '6.8', isolcpus: 'nohz,domain,2-7', configNoHzFull: false })
    expect(enabledTypes(hk)).toEqual([])
    expect(warnings[0]).toContain('nohz unsupported')
  })
})

describe('housekeeping_setup(): nohz_full= and isolcpus= together', () => {
  it('housekeeping_setup (v5.10): one mask for all types, so the second parameter must match even with other flags', () => {
    const { hk, warnings } = derive({ kernelVersion: '5.10', nrCpus: 24, isolcpus: 'domain,2-11', nohzFull: '2-23' })
    expect(enabledTypes(hk)).toEqual(['domain'])
    expect(piInjectTimerDefault(hk)).toBe(false)
    expect(warnings[0]).toContain('Housekeeping: nohz_full= must match isolcpus= — nohz_full= is ignored')
    const other = derive({ kernelVersion: '5.10', nrCpus: 24, isolcpus: 'domain,2-11', nohzFull: '2-23', paramOrder: 'nohz_full-first' })
    expect(enabledTypes(other.hk)).toEqual(['timer', 'rcu', 'misc', 'tick', 'wq', 'kthread', 'kernelNoise'])
    expect(other.warnings[0]).toContain('isolcpus= is ignored')
  })

  it('housekeeping_setup (v5.18): per-type masks let nohz_full= and isolcpus=domain differ', () => {
    const { hk, warnings } = derive({ kernelVersion: '5.18', nrCpus: 24, isolcpus: 'domain,2-11', nohzFull: '2-23' })
    expect(warnings).toEqual([])
    expect(hkList(hk, 'domain')).toBe('0-1,12-23')
    expect(hkList(hk, 'timer')).toBe('0-1')
    expect(cpuIsIsolated(hk, 15)).toBe(true)
    expect(cpuIsIsolated(hk, 1)).toBe(false)
  })

  it('housekeeping_setup (v5.18): isolcpus=nohz and nohz_full= share TICK and must match', () => {
    const { hk, warnings } = derive({ kernelVersion: '5.18', isolcpus: 'nohz,2-5', nohzFull: '2-7' })
    expect(enabledTypes(hk)).toEqual(['tick'])
    expect(warnings[0]).toContain('must match isolcpus=')
  })

  it('housekeeping_setup (v6.18 vs v6.19): nohz_full= and isolcpus=domain that leave no common housekeeping CPU', () => {
    const input = { nrCpus: 24, isolcpus: 'domain,0-11', nohzFull: '12-23' }
    const old = derive({ kernelVersion: '6.18', ...input })
    expect(hkList(old.hk, 'domain')).toBe('12-23')
    expect(hkList(old.hk, 'kernelNoise')).toBe('0-11')
    const now = derive({ kernelVersion: '6.19', ...input })
    expect(enabledTypes(now.hk)).toEqual(['domain'])
    expect(now.warnings[0]).toContain('must include one present CPU neither in nohz_full= nor in isolcpus=domain, ignoring setting 12-23')
  })

  it('housekeeping_setup (v7.0): HK_TYPE_KTHREAD follows HK_TYPE_DOMAIN', () => {
    const input = { isolcpus: 'domain,4-7', nohzFull: '2-7' }
    expect(hkList(derive({ kernelVersion: '6.14', ...input }).hk, 'kthread')).toBe('0-1')
    expect(hkList(derive({ kernelVersion: '7.0', ...input }).hk, 'kthread')).toBe('0-3')
  })
})

describe('housekeeping_setup(): the boot CPU', () => {
  it('housekeeping_setup (v6.8): a list covering every CPU keeps the boot CPU 0 as housekeeping', () => {
    const { hk, warnings } = derive({ kernelVersion: '6.8', nohzFull: '0-7' })
    expect(hkList(hk, 'timer')).toBe('0')
    expect(formatCpuList(hk.nohzFullCpus)).toBe('1-7')
    expect(warnings).toContain('Housekeeping: must include one present CPU, using boot CPU:0')
  })

  it('tick_nohz_init (v6.8): CPU 0 in nohz_full= stays out of housekeeping but keeps its tick', () => {
    const { hk, warnings } = derive({ kernelVersion: '6.8', nohzFull: '0-3' })
    expect(hkList(hk, 'timer')).toBe('4-7')
    expect(formatCpuList(hk.nohzFullCpus)).toBe('1-3')
    expect(formatCpuList(hk.rcuNocbsCpus)).toBe('1-3')
    expect(warnings).toContain('NO_HZ: Clearing 0 from nohz_full range for timekeeping')
  })

  it('housekeeping_setup (v6.8 vs v6.9): nohz_full=0 on a 1-CPU host', () => {
    const old = derive({ kernelVersion: '6.8', nrCpus: 1, nohzFull: '0' })
    expect(piInjectTimerDefault(old.hk)).toBe(true)
    const now = derive({ kernelVersion: '6.9', nrCpus: 1, nohzFull: '0' })
    expect(piInjectTimerDefault(now.hk)).toBe(false)
    expect(now.warnings.join('\n')).toContain('the kernel ignores it')
  })
})

describe('IRQs', () => {
  it('irq_affinity_setup: irqaffinity= always includes the boot CPU; absent means all CPUs', () => {
    const { hk, warnings } = derive({ kernelVersion: '6.8', irqaffinity: '1-3' })
    expect(formatCpuList(hk.irqAffinity)).toBe('0-3')
    expect(warnings[0]).toContain('boot CPU 0')
    expect(formatCpuList(derive({ kernelVersion: '6.8', nohzFull: '2-7' }).hk.irqAffinity)).toBe('0-7')
  })

  it('irq_do_set_affinity (v6.8): managed IRQs keep only housekeeping CPUs when their mask has one', () => {
    const { hk } = derive({ kernelVersion: '6.8', isolcpus: 'managed_irq,domain,2-7' })
    expect(formatCpuList(managedIrqAffinity(hk, cpuListFromArray([1, 2, 3], 8)))).toBe('1')
    expect(formatCpuList(managedIrqAffinity(hk, cpuListFromArray([4, 5], 8)))).toBe('4-5')
    const plain = derive({ kernelVersion: '6.8' }).hk
    expect(formatCpuList(managedIrqAffinity(plain, cpuListFromArray([4, 5], 8)))).toBe('4-5')
  })
})

describe('queries', () => {
  it('housekeeping_test_cpu and cpu_is_isolated (v6.8)', () => {
    const { hk } = derive({ kernelVersion: '6.8', nohzFull: '4-7' })
    expect(housekeepingTestCpu(hk, 5, 'timer')).toBe(false)
    expect(housekeepingTestCpu(hk, 5, 'domain')).toBe(true)
    expect(cpuIsIsolated(hk, 5)).toBe(true)
    expect(cpuIsIsolated(hk, 2)).toBe(false)
  })

  it('pi_inject_timer=-1 (v6.8): on with nohz_full=, off with only isolcpus=domain', () => {
    expect(piInjectTimerDefault(derive({ kernelVersion: '6.8', nohzFull: '2-7' }).hk)).toBe(true)
    expect(piInjectTimerDefault(derive({ kernelVersion: '6.8', isolcpus: 'domain,2-7' }).hk)).toBe(false)
  })

  it('returned masks are independent copies', () => {
    const { hk } = derive({ kernelVersion: '6.14', nohzFull: '2-7' })
    hk.housekeeping.timer[5] = 1
    expect(hkList(hk, 'rcu')).toBe('0-1')
  })
})

describe('input errors and hostile input', () => {
  it('collects every cpulist error with its field', () => {
    const r = deriveHousekeeping({ kernelVersion: '6.8', nrCpus: 8, nohzFull: '2-9', rcuNocbs: 'x', irqaffinity: '0-1,^1' })
    if (r.ok) throw new Error('expected errors')
    expect(r.errors.map((e) => e.field)).toEqual(['nohz_full', 'rcu_nocbs', 'irqaffinity'])
    expect(r.errors[0]!.message).toContain('this host has 8 CPUs (0-7)')
  })

  it('bad kernel version and CPU count', () => {
    const v = deriveHousekeeping({ kernelVersion: 'six', nrCpus: 8 })
    if (v.ok) throw new Error('expected an error')
    expect(v.errors[0]!.message).toContain('kernelVersion: "six": is not a kernel version')
    expect(deriveHousekeeping({ kernelVersion: '6.8', nrCpus: 0 }).ok).toBe(false)
  })

  it('a 1 MB parameter and a huge range are refused at once', () => {
    const t0 = performance.now()
    const big = deriveHousekeeping({ kernelVersion: '6.8', nrCpus: 8, nohzFull: '1,'.repeat(512 * 1024), isolcpus: 'domain,0-4000000000' })
    expect(performance.now() - t0).toBeLessThan(250)
    if (big.ok) throw new Error('expected errors')
    expect(big.errors.map((e) => e.field).sort()).toEqual(['isolcpus', 'nohz_full'])
  })

  it('kernels before v4.15 are modelled with the v4.15 rules, with a warning', () => {
    const { hk, warnings } = derive({ kernelVersion: '3.10.0-1160.el7.x86_64', nohzFull: '2-7' })
    expect(warnings[0]).toContain('predates kernel/sched/isolation.c')
    expect(piInjectTimerDefault(hk)).toBe(true)
  })

  it('blank parameters count as absent', () => {
    const { hk } = derive({ kernelVersion: '6.8', nohzFull: '', isolcpus: '  ', irqaffinity: '' })
    expect(enabledTypes(hk)).toEqual([])
    expect(formatCpuList(hk.irqAffinity)).toBe('0-7')
  })
})
