// The map's drag selection (the rectangle between the two ends, not the cells the pointer crossed) and the
// device IRQ view's resolution of each source's affinity.
import { describe, expect, it } from 'vitest'
import { dragRect, rectSelect, type CellBox } from '../../renderer/src/lib/topology-select.ts'
import { irqView, removeIrq, addIrq, steerIrq } from '../../renderer/src/lib/topology-irqs.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'

// 4 cores in a row, 2 SMT threads stacked in each: CPU c on top, CPU c+4 under it (like the map's 1×4×2).
const cells: CellBox[] = []
for (let core = 0; core < 4; core++) for (let t = 0; t < 2; t++) cells.push({ cpu: core + 4 * t, x: core * 40, y: t * 30, w: 34, h: 26 })

describe('rectSelect', () => {
  it('selects the range within a row and the rectangle across rows', () => {
    expect(rectSelect(cells, 1, 3)).toEqual([1, 2, 3])
    expect(rectSelect(cells, 3, 1)).toEqual([1, 2, 3])
    expect(rectSelect(cells, 1, 6)).toEqual([1, 2, 5, 6])
    expect(rectSelect(cells, 2, 2)).toEqual([2])
  })
  it('Ctrl-drag adds the rectangle to what was selected', () => {
    expect(dragRect(cells, 2, 3, [0])).toEqual([0, 2, 3])
  })
})

describe('irqView', () => {
  it('resolves default, managed and explicit affinities as the model does', () => {
    const r = loadProfile({
      schemaVersion: 1,
      host: {
        topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 },
        kernel: { cmdline: { isolcpus: 'managed_irq,domain,2-3', irqaffinity: '0-1' } },
        noise: { irqs: [{ name: 'eth0', affinity: 'default' }, { name: 'nvme0q1', affinity: 'managed' }, { name: 'x', affinity: '3' }, { name: 'bad', affinity: '9' }] },
      },
    })
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const v = irqView(r.profile.host)
    expect(v.rows.map((x) => x.cpus)).toEqual([[0, 1], [0, 1], [3], []])
    expect(v.rows[3]?.problem).toContain('9')
    expect(v.perCpu[3]).toEqual(['x'])
  })
  it('adds, steers and removes sources in the JSON as written', () => {
    let json: unknown = { schemaVersion: 1 }
    json = addIrq(json, [])
    json = steerIrq(json, 0, [1, 2])
    expect((json as { host: { noise: { irqs: unknown[] } } }).host.noise.irqs).toEqual([{ name: 'irq0', ratePerSec: 1000, durationNs: 2000, affinity: '1-2' }])
    expect(steerIrq(json, 0, [])).toBe(json)
    expect((removeIrq(json, 0) as { host: { noise: { irqs: unknown[] } } }).host.noise.irqs).toEqual([])
  })
})
