// lscpu -p with the columns in any order and with extra columns: the real `lscpu -p=…` output of the
// machine the fixtures were taken on (util-linux 2.38.1, 2 CPUs), and a 2-socket Sub-NUMA-Clustering
// host written the way lscpu's print_parsable() writes it, so that a node read as a cache (or the
// reverse) changes the result.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importLscpu } from '../../core/formats/lscpu.ts'
import type { LscpuImport } from '../../core/formats/lscpu.ts'

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')
const parsed = (text: string): { value: LscpuImport; warnings: string[] } => {
  const r = importLscpu(text)
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return { value: r.value, warnings: r.warnings }
}

describe('lscpu -p of this machine in several column orders', () => {
  const files = [
    ['lscpu-p-default.txt', 'lscpu -p'],
    ['lscpu-p-cpu-node-socket-core-cache-online-all.txt', 'lscpu -p=CPU,NODE,SOCKET,CORE,CACHE,ONLINE --all'],
    ['lscpu-p-cache-maxmhz.txt', 'lscpu -p=CPU,CORE,SOCKET,NODE,CACHE,MAXMHZ'],
    ['lscpu-p-cache-node.txt', 'lscpu -p=CPU,CORE,SOCKET,CACHE,NODE'],
    ['lscpu-p-cpu-cache-core-socket-node.txt', 'lscpu -p=CPU,CACHE,CORE,SOCKET,NODE'],
    ['lscpu-e-default.txt', 'lscpu -e'],
  ] as const
  for (const [file, command] of files) {
    it(`${command}: every column read by its name`, () => {
      const { value, warnings } = parsed(fixture(file))
      expect(value.rows).toEqual([{ cpu: 0, core: 0, socket: 0, node: 0, llc: 0 }, { cpu: 1, core: 1, socket: 0, node: 0, llc: 0 }])
      expect(value.offline).toEqual([])
      expect(value.host?.topology).toEqual({ sockets: 1, coresPerSocket: 2, threadsPerCore: 1, numaNodesPerSocket: 1, llcPerSocket: 1 })
      expect(warnings).toEqual([])
    })
  }
})

/** lscpu -p as print_parsable() writes it for `-p=COLS` on 2 sockets × 4 cores × 2 threads, 2 SNC nodes
 *  per socket (nodes 0-3) and one L3 per socket (ids 0, 1); MAXMHZ and ONLINE as lscpu prints them. */
function snc(cols: readonly string[]): string {
  const lines = ['# The following is the parsable format, which can be fed to other', '# programs. Each different item in every column has an unique ID', '# starting usually from zero.']
  const head = cols.flatMap((c) => (c === 'CACHE' ? ['', 'L1d', 'L1i', 'L2', 'L3'] : [c[0] + c.slice(1).toLowerCase()]))
  lines.push(`# ${head.join(',')}`)
  for (let cpu = 0; cpu < 16; cpu++) {
    const core = cpu % 8
    const socket = core < 4 ? 0 : 1
    const node = Math.floor(core / 2)
    const v: Record<string, string[]> = { CPU: [String(cpu)], CORE: [String(core)], SOCKET: [String(socket)], NODE: [String(node)], CACHE: ['', String(core), String(core), String(core), String(socket)], MAXMHZ: ['3500.0000'], ONLINE: ['Y'] }
    lines.push(cols.flatMap((c) => v[c]!).join(','))
  }
  return `${lines.join('\n')}\n`
}

describe('lscpu -p columns after CACHE are not cache levels', () => {
  const orders = [
    ['CPU', 'NODE', 'SOCKET', 'CORE', 'CACHE', 'ONLINE'],
    ['CPU', 'CORE', 'SOCKET', 'NODE', 'CACHE', 'MAXMHZ'],
    ['CPU', 'CORE', 'SOCKET', 'CACHE', 'NODE'],
    ['CPU', 'CACHE', 'CORE', 'SOCKET', 'NODE'],
    ['CACHE', 'MAXMHZ', 'NODE', 'ONLINE', 'SOCKET', 'CORE', 'CPU'],
  ] as const
  for (const order of orders) {
    it(`-p=${order.join(',')}: the L3 is the LLC (one per socket), the node the node (two per socket)`, () => {
      const { value } = parsed(snc(order))
      expect(value.rows).toHaveLength(16)
      expect(value.rows[5]).toEqual({ cpu: 5, core: 5, socket: 1, node: 2, llc: 1 })
      expect(value.host?.topology).toEqual({ sockets: 2, coresPerSocket: 4, threadsPerCore: 2, numaNodesPerSocket: 2, llcPerSocket: 1 })
    })
  }

  it('an offline CPU (ONLINE N with --all) is left out and named', () => {
    const text = snc(['CPU', 'NODE', 'SOCKET', 'CORE', 'CACHE', 'ONLINE']).replace(/^15,3,1,7,,7,7,7,1,Y$/m, '15,,,,,,,,,N')
    const { value, warnings } = parsed(text)
    expect(value.offline).toEqual([15])
    expect(warnings.join('\n')).toMatch(/CPU 15 offline/)
  })

  it('a large value that is not an id says what it is, not "is not a whole number"', () => {
    const text = snc(['CPU', 'CORE', 'SOCKET', 'NODE', 'CACHE']).replace(/^3,3,0,1,/m, '3,3,4294967295,1,')
    const r = importLscpu(text)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]!.message).toMatch(/^lscpu -p line 8 socket: "4294967295": is 4294967295, \(u32\)-1: the kernel has no id/)
    const big = importLscpu(snc(['CPU', 'CORE', 'SOCKET', 'NODE', 'CACHE']).replace(/^3,3,0,1,/m, '3,12345678901,0,1,'))
    expect(!big.ok && big.errors[0]!.message).toMatch(/line 8 core: "12345678901": is 12345678901, larger than any id of a host/)
    const word = importLscpu(snc(['CPU', 'CORE', 'SOCKET', 'NODE', 'CACHE']).replace(/^3,3,0,1,/m, '3,three,0,1,'))
    expect(!word.ok && word.errors[0]!.message).toMatch(/line 8 core: "three": is not a number/)
  })
})
