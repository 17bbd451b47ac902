// A new topology for a profile with pins: CPUs carried to the same place, invalid pins cleared, new CPUs
// partitioned like the rest — all listed before they apply.
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { changeHostTopology } from '../../core/topology/host-change.ts'
import { diagnoseProfile } from '../../core/topology/diagnostics.ts'

const json = {
  schemaVersion: 1,
  host: {
    topology: { sockets: 2, coresPerSocket: 4, threadsPerCore: 2 },
    kernel: { cmdline: { nohzFull: '1-3,5-7,9-11,13-15', isolcpus: 'managed_irq,domain,1-3,5-7,9-11,13-15', rcuNocbs: '1-3,5-7,9-11,13-15', irqaffinity: '0,4,8,12' } },
    noise: { irqs: [{ name: 'nvme0q1', affinity: '7' }, { name: 'eth0', affinity: 'default' }] },
  },
  vms: [
    { name: 'a', vcpus: 2, pinning: { vcpupin: ['1', '9'], emulatorpin: '0,8', iothreadpin: '0,8' } },
    { name: 'b', vcpus: 2, pinning: { vcpupin: ['7', '15'], emulatorpin: '4,12', iothreadpin: '' } },
  ],
}
const from = { sockets: 2, coresPerSocket: 4, threadsPerCore: 2, numaNodesPerSocket: 1, llcPerSocket: 1 }

describe('changeHostTopology', () => {
  it('fewer cores: siblings renumber (moved), pins on a vanished core become invalid and float', () => {
    const r = changeHostTopology(json, from, { ...from, coresPerSocket: 3 })
    if (!r.ok) throw new Error('not ok')
    expect(r.nrCpus).toEqual({ from: 16, to: 12 })
    const byPath = Object.fromEntries(r.changes.map((c) => [c.path, c]))
    // a's vCPU 1 was on CPU 9 (socket 0, core 1, thread 1): now CPU 7.
    expect(byPath['vms[0].pinning.vcpupin[1]']).toMatchObject({ from: '9', to: '7', kind: 'moved', label: 'a vCPU 1' })
    // b's vCPUs were on socket 1's core 3, which the new host lacks.
    expect(byPath['vms[1].pinning.vcpupin[0]']).toMatchObject({ from: '7', to: '', kind: 'invalid' })
    expect(byPath['vms[1].pinning.emulatorpin']).toMatchObject({ from: '4,12', to: '3,9', kind: 'moved' })
    expect(byPath['host.noise.irqs[0].affinity']).toMatchObject({ kind: 'invalid' })
    expect(byPath['host.kernel.cmdline.isolcpus']).toMatchObject({ from: 'managed_irq,domain,1-3,5-7,9-11,13-15', to: 'managed_irq,domain,1-2,4-5,7-8,10-11', kind: 'narrowed' })
    expect(byPath['vms[0].pinning.vcpupin[0]']).toBeUndefined() // CPU 1 stays CPU 1
    const p = loadProfile(r.json)
    if (!p.ok) throw new Error(JSON.stringify(p.issues))
    expect(p.profile.vms[1]?.pinning.vcpupin).toEqual(['', ''])
    expect(p.profile.host.noise.irqs[0]?.affinity).toBe('default')
    expect(diagnoseProfile(p.profile).filter((d) => d.severity === 'error')).toEqual([])
    expect(json.vms[1]?.pinning.vcpupin).toEqual(['7', '15']) // the input is untouched
  })

  it('more sockets: the new socket is partitioned like the others, nothing else changes', () => {
    const r = changeHostTopology(json, from, { ...from, sockets: 3 })
    if (!r.ok) throw new Error('not ok')
    const p = loadProfile(r.json)
    if (!p.ok) throw new Error(JSON.stringify(p.issues))
    // 3×4×2: first threads 0-11, siblings 12-23; old sibling CPU 9 is now 13.
    expect(p.profile.host.kernel.cmdline.nohzFull).toBe('1-3,5-7,9-11,13-15,17-19,21-23')
    expect(p.profile.host.kernel.cmdline.irqaffinity).toBe('0,4,8,12,16,20')
    expect(p.profile.vms[0]?.pinning.vcpupin).toEqual(['1', '13'])
    expect(diagnoseProfile(p.profile)).toEqual([])
  })

  it('refuses a topology it cannot build, naming the field', () => {
    const r = changeHostTopology(json, from, { ...from, numaNodesPerSocket: 3 })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]?.field).toBe('topology.numaNodesPerSocket')
  })
})
