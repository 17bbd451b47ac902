import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { buildHostTopology, tryBuildHostTopology, fromRows, tryFromRows, cpusWhere, TopologyError } from '../../core/topology/host-topology.ts'
import type { CpuRow, HostTopology } from '../../core/topology/host-topology.ts'
import { formatCpuList } from '../../core/topology/cpulist.ts'

const rowsOf = (t: HostTopology): CpuRow[] =>
  Array.from({ length: t.nrCpus }, (_, cpu) => ({ cpu, core: t.coreOf[cpu]!, socket: t.socketOf[cpu]!, node: t.numaOf[cpu]!, llc: t.llcOf[cpu]! }))

describe('buildHostTopology(): Linux numbering on Intel servers', () => {
  const t = buildHostTopology({ sockets: 2, coresPerSocket: 12, threadsPerCore: 2 })

  it('first threads of all cores socket by socket, then the second threads', () => {
    expect(t.nrCpus).toBe(48)
    expect(t.siblingsOf(0)).toEqual([0, 24])
    expect(t.siblingsOf(24)).toEqual([0, 24])
    expect(t.siblingsOf(13)).toEqual([13, 37])
    expect(t.socketOf.slice(0, 24)).toEqual([...Array(12).fill(0), ...Array(12).fill(1)])
    expect(t.socketOf[36]).toBe(1)
    expect(t.coreOf[24]).toBe(0)
    expect(t.coreOf[47]).toBe(23)
    expect(t.threadOf[5]).toBe(0)
    expect(t.threadOf[29]).toBe(1)
    expect(t).toMatchObject({ nrSockets: 2, nrCores: 24, nrNumaNodes: 2, nrLlcs: 2, threadsPerCore: 2 })
    expect(formatCpuList(cpusWhere(t.numaOf, 1))).toBe('12-23,36-47')
  })

  it('NUMA nodes per socket (SNC/NPS) split each socket\'s cores evenly', () => {
    const s = buildHostTopology({ sockets: 1, coresPerSocket: 16, threadsPerCore: 2, numaNodesPerSocket: 2 })
    expect(formatCpuList(cpusWhere(s.numaOf, 0))).toBe('0-7,16-23')
    expect(formatCpuList(cpusWhere(s.numaOf, 1))).toBe('8-15,24-31')
  })

  it('LLC groups per socket (AMD CCX) split the cores evenly', () => {
    const rome = buildHostTopology({ sockets: 2, coresPerSocket: 64, threadsPerCore: 2, llcPerSocket: 16 })
    expect(rome.nrLlcs).toBe(32)
    expect(formatCpuList(cpusWhere(rome.llcOf, 0))).toBe('0-3,128-131')
    expect(formatCpuList(cpusWhere(rome.llcOf, 16))).toBe('64-67,192-195')
  })

  it('without SMT every CPU is its own sibling list', () => {
    const n = buildHostTopology({ sockets: 1, coresPerSocket: 4, threadsPerCore: 1 })
    expect(n.siblingsOf(3)).toEqual([3])
    expect(() => n.siblingsOf(4)).toThrow(RangeError)
  })
})

describe('spec validation names the field', () => {
  it('rejects bad counts', () => {
    const r = tryBuildHostTopology({ sockets: 0, coresPerSocket: 12, threadsPerCore: 2 })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]!.message).toContain('topology.sockets: "0": must be a whole number from 1 to')
    const thr = tryBuildHostTopology({ sockets: 1, coresPerSocket: 4, threadsPerCore: 9 })
    if (thr.ok) throw new Error('expected an error')
    expect(thr.errors[0]!.field).toBe('topology.threadsPerCore')
  })

  it('rejects uneven NUMA and LLC splits', () => {
    const r = tryBuildHostTopology({ sockets: 1, coresPerSocket: 12, threadsPerCore: 2, numaNodesPerSocket: 5, llcPerSocket: 5 })
    if (r.ok) throw new Error('expected an error')
    expect(r.errors.map((e) => e.field)).toEqual(['topology.numaNodesPerSocket', 'topology.llcPerSocket'])
    expect(r.errors[0]!.message).toContain('does not divide the 12 cores of a socket evenly')
  })

  it('rejects hosts beyond 8192 CPUs, and buildHostTopology throws TopologyError', () => {
    expect(() => buildHostTopology({ sockets: 16, coresPerSocket: 512, threadsPerCore: 2 })).toThrow(TopologyError)
    try {
      buildHostTopology({ sockets: 16, coresPerSocket: 512, threadsPerCore: 2 })
    } catch (e) {
      expect((e as TopologyError).errors[0]!.message).toContain('gives 16384 logical CPUs')
    }
  })
})

describe('fromRows(): lscpu -p import', () => {
  // lscpu -p=CPU,Core,Socket,Node of a 1×4×2 Intel box.
  const rows: CpuRow[] = [
    { cpu: 0, core: 0, socket: 0, node: 0 }, { cpu: 1, core: 1, socket: 0, node: 0 },
    { cpu: 2, core: 2, socket: 0, node: 0 }, { cpu: 3, core: 3, socket: 0, node: 0 },
    { cpu: 4, core: 0, socket: 0, node: 0 }, { cpu: 5, core: 1, socket: 0, node: 0 },
    { cpu: 6, core: 2, socket: 0, node: 0 }, { cpu: 7, core: 3, socket: 0, node: 0 },
  ]

  it('derives siblings and thread indexes', () => {
    const t = fromRows(rows)
    expect(t.siblingsOf(1)).toEqual([1, 5])
    expect(t.threadOf).toEqual([0, 0, 0, 0, 1, 1, 1, 1])
    expect(t).toMatchObject({ nrCpus: 8, nrCores: 4, nrSockets: 1, threadsPerCore: 2 })
    expect(t.llcOf).toEqual(Array(8).fill(0))
  })

  it('accepts AMD-style adjacent siblings and rows in any order', () => {
    const amd: CpuRow[] = [3, 2, 1, 0].map((cpu) => ({ cpu, core: cpu >> 1, socket: 0, node: 0, llc: 0 }))
    const t = fromRows(amd)
    expect(t.siblingsOf(2)).toEqual([2, 3])
    expect(t.threadOf).toEqual([0, 1, 0, 1])
  })

  it('round-trips a built topology (property)', () => {
    const spec = fc.record({
      sockets: fc.integer({ min: 1, max: 4 }),
      coresPerSocket: fc.constantFrom(1, 2, 4, 6, 8, 12),
      threadsPerCore: fc.integer({ min: 1, max: 2 }),
      numaNodesPerSocket: fc.constantFrom(1, 2),
    }).filter((s) => s.coresPerSocket % s.numaNodesPerSocket === 0)
    fc.assert(fc.property(spec, (s) => {
      const t = buildHostTopology(s)
      const back = fromRows(rowsOf(t))
      expect([...back.socketOf]).toEqual([...t.socketOf])
      expect([...back.coreOf]).toEqual([...t.coreOf])
      expect([...back.threadOf]).toEqual([...t.threadOf])
      expect([...back.numaOf]).toEqual([...t.numaOf])
      for (let cpu = 0; cpu < t.nrCpus; cpu++) expect(back.siblingsOf(cpu)).toEqual(t.siblingsOf(cpu))
    }), { numRuns: 100 })
  })

  it('refuses gaps, duplicates, bad numbers and cores split across nodes', () => {
    const gap = tryFromRows(rows.filter((r) => r.cpu !== 5))
    if (gap.ok) throw new Error('expected an error')
    expect(gap.errors[0]!.message).toContain('lscpu row 7.cpu: "7": is outside 0-6')
    const dup = tryFromRows([...rows.slice(0, 7), { cpu: 6, core: 3, socket: 0, node: 0 }])
    if (dup.ok) throw new Error('expected an error')
    expect(dup.errors[0]!.message).toContain('appears twice')
    const bad = tryFromRows([{ cpu: 0, core: Number.NaN, socket: 0, node: 0 }])
    if (bad.ok) throw new Error('expected an error')
    expect(bad.errors[0]!.field).toBe('lscpu row 1.core')
    const split = tryFromRows([{ cpu: 0, core: 0, socket: 0, node: 0 }, { cpu: 1, core: 0, socket: 0, node: 1 }])
    if (split.ok) throw new Error('expected an error')
    expect(split.errors[0]!.message).toContain('in two NUMA nodes')
    expect(tryFromRows([]).ok).toBe(false)
  })
})
