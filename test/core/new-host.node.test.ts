// The "New profile" host: topology, default housekeeping CPUs, the isolation command line, and where a new
// VM goes by default.
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import type { Profile } from '../../core/profile/profile-schema.ts'
import { buildHostTopology } from '../../core/topology/host-topology.ts'
import { defaultHousekeepingCpus, isolationCmdline, newHost } from '../../core/topology/new-host.ts'
import { defaultVmPinning, usedCpus } from '../../core/topology/vm-placement.ts'
import { diagnoseProfile } from '../../core/topology/diagnostics.ts'

const SPEC = { cpu: 'icelake-sp', sockets: 2, coresPerSocket: 28, threadsPerCore: 2, numaNodesPerSocket: 1, llcPerSocket: 1, kernelVersion: '6.8', hz: 1000 } as const

function profileWith(host: Record<string, unknown>, vms: unknown[] = [{ name: 'vm0', vcpus: 1 }]): Profile {
  const r = loadProfile({ schemaVersion: 1, host, vms })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

describe('defaultHousekeepingCpus', () => {
  it('is the first core of each socket and its SMT siblings', () => {
    expect(defaultHousekeepingCpus(buildHostTopology({ sockets: 2, coresPerSocket: 28, threadsPerCore: 2 }))).toEqual([0, 28, 56, 84])
    expect(defaultHousekeepingCpus(buildHostTopology({ sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }))).toEqual([0])
    expect(defaultHousekeepingCpus(buildHostTopology({ sockets: 4, coresPerSocket: 4, threadsPerCore: 2 }))).toEqual([0, 4, 8, 12, 16, 20, 24, 28])
  })
})

describe('isolationCmdline', () => {
  it('isolates every other CPU as tuned cpu-partitioning writes it', () => {
    expect(isolationCmdline(8, [0, 4])).toEqual({ nohzFull: '1-3,5-7', isolcpus: 'managed_irq,domain,1-3,5-7', rcuNocbs: '1-3,5-7', irqaffinity: '0,4' })
  })
  it('writes nothing when nothing is isolated', () => {
    expect(isolationCmdline(2, [0, 1])).toEqual({ nohzFull: '', isolcpus: '', rcuNocbs: '', irqaffinity: '' })
  })
})

describe('newHost', () => {
  it('gives a valid host with 112 CPUs whose diagnostics are clean', () => {
    const r = newHost(SPEC)
    if (!r.ok) throw new Error('not ok')
    expect(r.topology.nrCpus).toBe(112)
    expect(r.host.kernel).toEqual({ version: '6.8', hz: 1000, cmdline: { nohzFull: '1-27,29-55,57-83,85-111', isolcpus: 'managed_irq,domain,1-27,29-55,57-83,85-111', rcuNocbs: '1-27,29-55,57-83,85-111', irqaffinity: '0,28,56,84' } })
    const p = profileWith(r.host)
    expect(diagnoseProfile(p).filter((d) => d.code !== 'floating-vcpu-isolcpus')).toEqual([])
  })
  it('names the field of a topology it cannot build', () => {
    const r = newHost({ ...SPEC, numaNodesPerSocket: 3 })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]?.field).toBe('topology.numaNodesPerSocket')
  })
})

describe('defaultVmPinning', () => {
  const host = (): Profile => {
    const r = newHost(SPEC)
    if (!r.ok) throw new Error('not ok')
    return profileWith(r.host)
  }
  it('places a VM on free isolated CPUs of one node, whole cores first, emulator on that socket\'s housekeeping CPUs', () => {
    const p = host()
    const a = defaultVmPinning(p.host, [], 16)
    expect(a.node).toBe(0)
    expect(a.vcpupin).toEqual(['1', '57', '2', '58', '3', '59', '4', '60', '5', '61', '6', '62', '7', '63', '8', '64'])
    expect(a.emulatorpin).toBe('0,56')
    expect(a.iothreadpin).toBe('0,56')
    expect(a.note).toContain('NUMA node 0')
  })
  it('puts the next VM on the node with the most free isolated CPUs, never on a CPU already used', () => {
    const p = host()
    const a = defaultVmPinning(p.host, [], 16)
    const vms = [{ vcpus: 16, pinning: { vcpupin: a.vcpupin, emulatorpin: a.emulatorpin, iothreadpin: a.iothreadpin } }]
    const b = defaultVmPinning(p.host, vms, 8)
    expect(b.node).toBe(1)
    expect(b.vcpupin).toEqual(['29', '85', '30', '86', '31', '87', '32', '88'])
    expect(b.emulatorpin).toBe('28,84')
    const c = defaultVmPinning(p.host, vms, 4, { node: 0 })
    const used = usedCpus(vms, 112)
    expect(c.vcpupin.every((x) => !used.has(Number(x)))).toBe(true)
    expect(c.vcpupin).toEqual(['9', '65', '10', '66'])
  })
  it('leaves vCPUs floating, and says so, when the node has too few free CPUs', () => {
    const p = host()
    const a = defaultVmPinning(p.host, [], 60)
    expect(a.vcpupin.filter((x) => x === '').length).toBe(6)
    expect(a.note).toContain('only 54 free isolated CPUs')
  })
  it('on a host without isolation, avoids the boot CPU\'s core', () => {
    const p = profileWith({ topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 } })
    const a = defaultVmPinning(p.host, [], 2)
    expect(a.vcpupin).toEqual(['1', '5'])
    expect(a.emulatorpin).toBe('')
  })
})
