// Drag (or pick) a VM's thread chip onto a CPU: the pure logic behind it.
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { pinSummary, topologyMap } from '../../renderer/src/lib/topology-map.ts'
import { dropPin, parsePinTargetKey, pinTargetKey, threadChips } from '../../renderer/src/lib/topology-edit.ts'
import { bigHostProfile } from '../helpers/big-host.ts'

const base = {
  schemaVersion: 1,
  host: { topology: { sockets: 2, coresPerSocket: 4, threadsPerCore: 2 }, kernel: { cmdline: { nohzFull: '1-3,5-7,9-11,13-15', rcuNocbs: '1-3,5-7,9-11,13-15' } } },
  vms: [
    { name: 'a', vcpus: 2, pinning: { vcpupin: ['1', '2'], emulatorpin: '0', iothreadpin: '' } },
    { name: 'b', vcpus: 1, pinning: { vcpupin: ['3'] } },
  ],
}

function loaded(json: unknown) {
  const r = loadProfile(json)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}

describe('thread chips', () => {
  it('lists each VM\'s vCPUs, emulator and I/O thread with the cpuset as written', () => {
    const chips = threadChips(loaded(base).vms)
    expect(chips.map((c) => `${c.vm}:${c.short}=${c.cpuset}`)).toEqual(['a:v0=1', 'a:v1=2', 'a:emu=0', 'a:io=', 'b:v0=3', 'b:emu=', 'b:io='])
  })

  it('round-trips keys and rejects anything else', () => {
    for (const t of [{ vm: 0, thread: 'vcpu', vcpu: 7 }, { vm: 3, thread: 'emulator' }, { vm: 1, thread: 'iothread' }] as const) {
      expect(parsePinTargetKey(pinTargetKey(t))).toEqual(t)
    }
    for (const bad of ['', '0', '0:x', 'a:v1', '0:v', '0:emu ', '<b>:io', '99999:v1']) expect(parsePinTargetKey(bad)).toBeUndefined()
  })
})

describe('dropPin', () => {
  it('pins a vCPU to the CPU it is dropped on, and the map and diagnostics follow', () => {
    const next = dropPin(base, { vm: 0, thread: 'vcpu', vcpu: 0 }, 0, 16, '1')
    const p = loaded(next)
    expect(p.vms[0]?.pinning.vcpupin).toEqual(['0', '2'])
    expect(loaded(base).vms[0]?.pinning.vcpupin).toEqual(['1', '2']) // the input is not mutated
    const m = topologyMap(p.host, p.vms)
    expect(m.diagnostics.map((d) => d.message).join('\n')).toContain('a vCPU 0 pinned to housekeeping CPU 0')
  })

  it('flags a vCPU dropped onto the SMT sibling of another VM\'s vCPU, and across NUMA nodes', () => {
    // CPU 11 is the sibling of CPU 3 (b's vCPU 0); CPU 5 is on socket 1.
    const onSibling = loaded(dropPin(base, { vm: 0, thread: 'vcpu', vcpu: 1 }, 11, 16, '2'))
    expect(topologyMap(onSibling.host, onSibling.vms).diagnostics.map((d) => d.message).join('\n')).toContain('CPU 3 (b) and its SMT sibling 11 (a)')
    const across = loaded(dropPin(base, { vm: 0, thread: 'vcpu', vcpu: 1 }, 5, 16, '2'))
    expect(topologyMap(across.host, across.vms).diagnostics.map((d) => d.message).join('\n')).toContain('a: vCPUs are pinned across NUMA nodes 0, 1')
  })

  it('adds the CPU to the set with add, pins the emulator and I/O threads, and leaves the JSON alone when nothing changes', () => {
    const emu = loaded(dropPin(base, { vm: 0, thread: 'emulator' }, 8, 16, '0', true))
    expect(emu.vms[0]?.pinning.emulatorpin).toBe('0,8')
    const io = loaded(dropPin(base, { vm: 1, thread: 'iothread' }, 4, 16, ''))
    expect(io.vms[1]?.pinning.iothreadpin).toBe('4')
    expect(dropPin(base, { vm: 0, thread: 'vcpu', vcpu: 0 }, 1, 16, '1')).toBe(base)
    expect(dropPin(base, { vm: 0, thread: 'emulator' }, 0, 16, '0', true)).toBe(base)
    // an exclusion-style set is read as libvirt reads it
    expect(dropPin(base, { vm: 0, thread: 'emulator' }, 2, 16, '0-3,^1', true)).toBe(base)
    expect(loaded(dropPin(base, { vm: 0, thread: 'emulator' }, 1, 16, '0-3,^1', true)).vms[0]?.pinning.emulatorpin).toBe('0-3')
  })
})

describe('the 256-CPU test host', () => {
  it('is a valid profile: 2 sockets × 2 NUMA nodes × 8 LLCs, SMT siblings together, 8 VMs and no diagnostics', () => {
    const p = loaded(bigHostProfile())
    const m = topologyMap(p.host, p.vms)
    expect(m.nrCpus).toBe(256)
    expect(m.sockets.map((s) => s.nodes.length)).toEqual([2, 2])
    expect(m.sockets[0]?.nodes[0]?.llcs.length).toBe(4)
    expect(m.sockets[0]?.nodes[0]?.llcs[0]?.cores[0]?.cpus.map((c) => c.cpu)).toEqual([0, 128])
    expect(p.vms).toHaveLength(8)
    expect(m.diagnostics).toEqual([])
  })
})

describe('pinSummary', () => {
  const l = (thread: string, vmIndex = 0) => ({ vm: `vm-${vmIndex}`, thread, vmIndex })
  it('fits a 34-px cell: one vCPU by number, several as a count, "N thr" when still too long', () => {
    expect(pinSummary([])).toBe('')
    expect(pinSummary([l('vCPU 3')])).toBe('v3')
    expect(pinSummary([l('emulator'), l('iothread')])).toBe('emu io')
    expect(pinSummary([l('vCPU 1'), l('vCPU 2', 1)])).toBe('2v')
    expect(pinSummary([l('emulator'), l('emulator', 1), l('emulator', 2), l('emulator', 3)])).toBe('4emu')
    expect(pinSummary([l('emulator'), l('emulator', 1), l('iothread'), l('iothread', 1)])).toBe('4 thr')
  })
})
