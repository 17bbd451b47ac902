// The VM and host forms' pure logic: new profile, VM add/duplicate/remove/rename, vCPU count, fields read from
// the schema, and host edits that carry the pins.
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import type { Profile } from '../../core/profile/profile-schema.ts'
import { redisSchema } from '../../core/profile/profile-schema.ts'
import { diagnoseProfile } from '../../core/topology/diagnostics.ts'
import { addVm, duplicateVm, removeVm, renameVm, setVcpus, setVmField, setWorkloadKind, uniqueVmName } from '../../renderer/src/lib/vm-edit.ts'
import { DEFAULT_HOST_FORM, applyHostForm, newProfileJson } from '../../renderer/src/lib/host-form.ts'
import { formFields, readFieldInput, workloadFields, WORKLOAD_KINDS } from '../../renderer/src/lib/schema-form.ts'

function load(json: unknown): Profile {
  const r = loadProfile(json)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}
function fresh(vcpus = 16): Record<string, unknown> {
  const r = newProfileJson(DEFAULT_HOST_FORM, 'two sockets', vcpus)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.json
}

describe('newProfileJson', () => {
  it('makes a valid 112-CPU profile whose first VM sits on isolated CPUs of node 0, with no diagnostics', () => {
    const p = load(fresh())
    expect(p.name).toBe('two sockets')
    expect(p.host.cpu).toBe('icelake-sp')
    expect(p.vms[0]?.vcpus).toBe(16)
    expect(p.vms[0]?.guestTopology).toEqual({ sockets: 1, cores: 8, threads: 2 })
    expect(p.vms[0]?.pinning.emulatorpin).toBe('0,56')
    expect(diagnoseProfile(p)).toEqual([])
  })
  it('names a bad kernel version', () => {
    const r = newProfileJson({ ...DEFAULT_HOST_FORM, kernelVersion: 'six' }, 'x', 4)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]?.message).toContain('kernel.version')
  })
})

describe('VM edits', () => {
  it('adds a second VM on the other socket; duplicates, renames (overrides follow) and removes', () => {
    let json: unknown = fresh()
    const add = addVm(json, load(json), 8)
    if (!add.ok) throw new Error(add.message)
    json = add.json
    let p = load(json)
    expect(p.vms.map((v) => v.name)).toEqual(['vm0', 'vm1'])
    expect(p.vms[1]?.pinning.vcpupin[0]).toBe('29')
    expect(p.vms[1]?.pinning.emulatorpin).toBe('28,84')
    expect(diagnoseProfile(p)).toEqual([])

    const dup = duplicateVm(json, p, 1)
    if (!dup.ok) throw new Error(dup.message)
    p = load(dup.json)
    expect(p.vms.map((v) => v.name)).toEqual(['vm0', 'vm1', 'vm1-copy'])
    expect(diagnoseProfile(p).filter((d) => d.code === 'overcommit')).toEqual([])

    const withOverride = { ...(dup.json as object), configurations: [{ name: 'base', overrides: {} }, { name: 'x', overrides: { vms: { vm1: { io: 'sriov-vf' } } } }] }
    const ren = renameVm(withOverride, load(withOverride), 1, 'web')
    if (!ren.ok) throw new Error(ren.message)
    expect(load(ren.json).configurations[1]?.overrides.vms).toEqual({ web: { io: 'sriov-vf' } })
    expect(renameVm(ren.json, load(ren.json), 0, 'web')).toEqual({ ok: false, message: 'VM name "web" is taken: give each VM a unique name' })
    expect(renameVm(ren.json, load(ren.json), 0, 'a b').ok).toBe(false)

    const rm = removeVm(ren.json, load(ren.json), 1)
    if (!rm.ok) throw new Error(rm.message)
    expect(load(rm.json).vms.map((v) => v.name)).toEqual(['vm0', 'vm1-copy'])
    expect(load(rm.json).configurations[1]?.overrides.vms).toEqual({})
    const single = fresh()
    expect(removeVm(single, load(single), 0).ok).toBe(false)
  })
  it('uniqueVmName counts up', () => {
    expect(uniqueVmName('vm1', ['vm0'])).toBe('vm1')
    expect(uniqueVmName('vm1', ['vm1'])).toBe('vm1-2')
    expect(uniqueVmName('web-2', ['web-2', 'web-3'])).toBe('web-4')
  })
  it('setVcpus drops pins of removed vCPUs, pins added ones on the same node, and keeps the guest topology adding up', () => {
    const json = fresh(4)
    const up = setVcpus(json, load(json), 0, 6)
    if (!up.ok) throw new Error(up.message)
    const p = load(up.json)
    expect(p.vms[0]?.pinning.vcpupin).toEqual(['1', '57', '2', '58', '3', '59'])
    expect(p.vms[0]?.guestTopology).toEqual({ sockets: 1, cores: 3, threads: 2 })
    const down = setVcpus(up.json, p, 0, 1)
    if (!down.ok) throw new Error(down.message)
    expect(load(down.json).vms[0]?.pinning.vcpupin).toEqual(['1'])
    expect(load(down.json).vms[0]?.guestTopology).toEqual({ sockets: 1, cores: 1, threads: 1 })
    expect(setVcpus(json, load(json), 0, 0).ok).toBe(false)
  })
  it('setVmField and setWorkloadKind write only what was asked', () => {
    const json = fresh(2)
    const p = load(setVmField(json, 0, ['guest', 'hz'], 250))
    expect(p.vms[0]?.guest.hz).toBe(250)
    const w = load(setWorkloadKind(json, 0, 'timer'))
    expect(w.vms[0]?.workload).toEqual({ kind: 'timer', threads: 0, intervalUs: 1000, distanceUs: 0, priority: 0 })
  })
})

describe('schema-derived form fields', () => {
  it('carry each parameter\'s meaning, default and range from the schema', () => {
    const f = formFields(redisSchema).find((x) => x.key === 'connections')
    expect(f).toMatchObject({ type: 'integer', default: 50, min: 1, max: 100_000 })
    expect(f?.description).toContain('redis-benchmark -c')
    expect(WORKLOAD_KINDS).toEqual(['redis', 'fork-join', 'ping-pong', 'timer', 'hackbench', 'vmexit', 'tscdeadline-latency', 'ipi-broadcast', 'idle', 'ebizzy'])
    expect(workloadFields('timer').map((x) => x.key)).toEqual(['threads', 'intervalUs', 'distanceUs', 'priority'])
    expect(workloadFields('redis').find((x) => x.key === 'clients')?.options).toEqual(['closed', 'open'])
  })
  it('read input text into typed values, refusing what is out of range', () => {
    const f = formFields(redisSchema).find((x) => x.key === 'connections')!
    expect(readFieldInput(f, '64')).toEqual({ ok: true, value: 64 })
    expect(readFieldInput(f, '0').ok).toBe(false)
    expect(readFieldInput(f, '1.5').ok).toBe(false)
    expect(readFieldInput(f, 'x').ok).toBe(false)
  })
})

describe('applyHostForm', () => {
  it('changes the CPU model and kernel directly, and a new topology through the pin carry, listing the changes', () => {
    const json = fresh(16)
    const p = load(json)
    const same = applyHostForm(json, p, { ...DEFAULT_HOST_FORM, cpu: 'sapphirerapids', kernelVersion: '6.12', hz: 250 })
    if (!same.ok) throw new Error('not ok')
    expect(same.topologyChanged).toBe(false)
    expect(same.changes).toEqual([])
    expect(load(same.json).host.kernel).toMatchObject({ version: '6.12', hz: 250 })
    const smaller = applyHostForm(json, p, { ...DEFAULT_HOST_FORM, coresPerSocket: 4 })
    if (!smaller.ok) throw new Error('not ok')
    expect(smaller.topologyChanged).toBe(true)
    expect(smaller.changes.some((c) => c.kind === 'invalid' && c.label.startsWith('vm0 vCPU'))).toBe(true)
    expect(load(smaller.json).host.topology.coresPerSocket).toBe(4)
  })
})
