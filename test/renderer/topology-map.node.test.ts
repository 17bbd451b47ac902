import { describe, expect, it } from 'vitest'
import example from '../../examples/posted-timer.json' with { type: 'json' }
import { loadProfile } from '../../core/profile/load-profile.ts'
import type { Profile } from '../../core/profile/profile-schema.ts'
import { topologyMap } from '../../renderer/src/lib/topology-map.ts'

function profileOf(json: unknown): Profile {
  const r = loadProfile(json)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

describe('topology map', () => {
  it('groups the example host by socket, node and core with SMT siblings together, roles and pins', () => {
    const p = profileOf(example)
    const m = topologyMap(p.host, p.vms)
    expect(m.nrCpus).toBe(32)
    expect(m.sockets).toHaveLength(1)
    const cores = m.sockets[0]!.nodes[0]!.llcs[0]!.cores
    expect(cores).toHaveLength(16)
    expect(cores[4]!.cpus.map((c) => c.cpu)).toEqual([4, 20])
    const cpu = (n: number) => cores.flatMap((c) => c.cpus).find((c) => c.cpu === n)!
    expect(cpu(0).roles).toEqual(['housekeeping'])
    expect(cpu(4).roles).toEqual(['nohz_full', 'rcu_nocbs'])
    expect(cpu(4).pins).toEqual([{ vm: 'redis-vm', thread: 'vCPU 0', vmIndex: 0 }])
    expect(cpu(1).pins.map((x) => x.thread)).toEqual(['emulator', 'iothread'])
    expect(m.diagnostics).toEqual([])
  })

  it('flags a vCPU on a housekeeping CPU, VMs sharing an SMT core, and NUMA-crossing pinning on a 256-CPU host', () => {
    const p = profileOf({
      schemaVersion: 1,
      host: { topology: { sockets: 2, coresPerSocket: 64, threadsPerCore: 2 }, kernel: { cmdline: { nohzFull: '1-63,65-127,129-191,193-255' } } },
      vms: [
        { name: 'a', vcpus: 2, pinning: { vcpupin: ['0', '70'] } },
        { name: 'b', vcpus: 1, pinning: { vcpupin: ['128'] } },
      ],
    })
    // CPU 0's SMT sibling on this 2×64×2 host is 128.
    const m = topologyMap(p.host, p.vms)
    expect(m.nrCpus).toBe(256)
    const text = m.diagnostics.map((d) => d.message).join('\n')
    expect(text).toContain('a vCPU 0 pinned to housekeeping CPU 0')
    expect(text).toContain('CPU 0 (a) and its SMT sibling 128 (b) run vCPUs of different VMs')
    expect(text).toContain('a: vCPUs are pinned across NUMA nodes 0, 1')
    expect(m.floating.map((f) => `${f.vm} ${f.thread}`)).toContain('a emulator')
  })

  it('reports a bad cpuset instead of throwing', () => {
    const p = profileOf({ schemaVersion: 1, vms: [{ name: 'a', vcpus: 1, pinning: { vcpupin: ['0-999'] } }] })
    const m = topologyMap(p.host, p.vms)
    expect(m.diagnostics[0]?.severity).toBe('error')
    expect(m.diagnostics[0]?.message).toContain('a vCPU 0')
  })
})
